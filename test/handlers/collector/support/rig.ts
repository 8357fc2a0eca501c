/**
 * A collector wired to the local stand-ins for one test: its own tables (by prefix) and stream, the real
 * adapters from the environment (depsFromEnv), a silent logger and metrics switched off. Plus readers of what
 * the collector left behind and a Lambda-like deliverer (concurrent invocations, retried on error).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import * as clients from "../../../../lib/adapters/clients";
import { createCollector } from "../../../../lib/collector/pipeline";
import type { CollectorDeps, CollectorResult } from "../../../../lib/collector/types";
import { depsFromEnv, type CollectorClients } from "../../../../lib/collector/wiring";
import { createStream, createTables, type StandIns, type TableNames } from "../../../../tools/twin/standins";
import { readAll } from "./kinesis-read";
import { seededRandom } from "../../../../lib/domain/random";

import { FIXTURES_DIR } from "../../../support/fixtures";

export function loadFixtures(): Array<{ name: string; event: Record<string, unknown> }> {
  return fs
    .readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f, event: JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, f), "utf8")) }));
}

/** Deterministic shuffle (mulberry32). */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const rnd = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function silentLogger(): Logger {
  return new Logger({ serviceName: "collector-test", logLevel: "SILENT" });
}

export function disabledMetrics(): Metrics {
  const before = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  try {
    return new Metrics({ namespace: "mcjobs-test", serviceName: "collector" });
  } finally {
    if (before === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = before;
  }
}

export interface RigOptions {
  prefix: string;
  useStreams?: boolean;
  /** Extra environment (e.g. MCJOBS_ENDPOINT_SQS, DEAD_LETTER_QUEUE_URL, MCJOBS_ENDPOINT_MEDIACONVERT). */
  env?: Record<string, string>;
  /** Overrides of the built dependencies (and of the AWS clients they are built with). */
  deps?: Partial<CollectorDeps> & { clients?: CollectorClients };
  getJob?: boolean;
  probe?: boolean;
}

export interface Rig {
  env: Record<string, string>;
  tables: TableNames;
  streamName: string;
  deps: CollectorDeps;
  collect: (input: unknown) => Promise<CollectorResult>;
  ddb: DynamoDBDocumentClient;
  kinesis: KinesisClient;
  scan(table: string): Promise<Record<string, unknown>[]>;
  streamRecords(): Promise<Array<{ partitionKey: string; data: string }>>;
  close(): void;
}

export async function makeRig(standIns: StandIns, opts: RigOptions): Promise<Rig> {
  const tables = await createTables(opts.prefix, standIns.env);
  const streamName = `${opts.prefix}-stream`;
  const useStreams = opts.useStreams ?? true;
  if (useStreams) await createStream(streamName, standIns.env, 2);
  const env: Record<string, string> = {
    ...standIns.env,
    JOBS_TABLE: tables.jobs,
    EVENTS_TABLE: tables.events,
    QUEUES_TABLE: tables.queues,
    TABLE_TTL_DAYS: "30",
    USE_STREAMS: String(useStreams),
    ...(useStreams ? { STREAM_NAME: streamName } : {}),
    COLLECTOR_GET_JOB: String(opts.getJob ?? false),
    COLLECTOR_PROBE: String(opts.probe ?? false),
    ...(opts.env ?? {}),
  };
  const deps = depsFromEnv(env, { logger: silentLogger(), metrics: disabledMetrics(), ...(opts.deps ?? {}) });
  const collect = createCollector(deps);
  const ddb = clients.dynamoDb(env);
  const kinesis = clients.kinesis(env);
  return {
    env,
    tables,
    streamName,
    deps,
    collect: (input) => collect(input),
    ddb,
    kinesis,
    async scan(table) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...(res.Items ?? []));
        start = res.LastEvaluatedKey;
      } while (start);
      return items;
    },
    streamRecords: () => (useStreams ? readAll(kinesis, streamName) : Promise.resolve([])),
    close() {
      ddb.destroy();
      kinesis.destroy();
    },
  };
}

/**
 * Delivers events the way EventBridge invokes an async Lambda: one event per invocation, `concurrency` at once,
 * in the given order of starts; an invocation that throws is retried (up to `retries` times, like Lambda's async
 * retries). Returns the results and how many invocations failed at least once.
 */
export async function deliver(
  collect: (input: unknown) => Promise<CollectorResult>,
  events: unknown[],
  opts: { concurrency?: number; retries?: number; retryDelayMs?: number; batchSize?: number } = {},
): Promise<{ results: CollectorResult[]; failedAttempts: number; gaveUp: Array<{ input: unknown; err: unknown }> }> {
  const concurrency = opts.concurrency ?? 8;
  const retries = opts.retries ?? 0;
  const batchSize = opts.batchSize ?? 1;
  const inputs: unknown[] = [];
  for (let i = 0; i < events.length; i += batchSize) inputs.push(batchSize === 1 ? events[i] : events.slice(i, i + batchSize));
  const results: CollectorResult[] = [];
  const gaveUp: Array<{ input: unknown; err: unknown }> = [];
  let failedAttempts = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, inputs.length) }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        for (let attempt = 0; ; attempt++) {
          try {
            results.push(await collect(input));
            break;
          } catch (err) {
            failedAttempts++;
            if (attempt >= retries) {
              gaveUp.push({ input, err });
              break;
            }
            // Lambda waits before it retries an async invocation; an attempt that found the event held by another
            // one in flight gets its answer only once that one has finished.
            if (opts.retryDelayMs) await new Promise((resolve) => setTimeout(resolve, opts.retryDelayMs));
          }
        }
      }
    }),
  );
  return { results, failedAttempts, gaveUp };
}

export function sum(results: CollectorResult[], key: keyof CollectorResult): number {
  return results.reduce((a, r) => a + r[key], 0);
}

/** Counts the DynamoDB calls made through a client, as "<Operation> <table suffix>" (e.g. "UpdateItem Jobs"). */
export function countDynamoCalls(client: DynamoDBDocumentClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String((context as { commandName?: string }).commandName ?? "?").replace(/Command$/, "");
      const table = String((args.input as { TableName?: string }).TableName ?? "");
      const key = `${op} ${table.slice(table.lastIndexOf("-") + 1)}`.trim();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "collectorTestCallCounter" },
  );
  return counts;
}
