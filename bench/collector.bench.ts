/**
 * Collector bench: events/s and AWS calls per event against the local stand-ins (DynamoDB Local, kinesalite),
 * the events delivered as EventBridge does — one per invocation, many invocations at once, shuffled, with
 * re-deliveries — beside a naive collector measured in the same run on the same events: for each event GetItem
 * the job, fold the event in with the domain reducer, PutItem it back (no conditions).
 *
 * Besides speed, the bench checks the result: every job's record compared with the reducer over the distinct
 * events. The naive read-modify-write loses updates when two events of a job race; the collector must not.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import * as clients from "../adapters/clients";
import { createCollector, depsFromEnv } from "../handlers/collector";
import { parseEvent, type McEvent } from "../domain/events";
import { applyEvent, foldEvents, type JobState } from "../domain/reducer";
import { itemFieldsOf, stateFromItem, toJobRecord } from "../domain/job-update";
import { createStream, createTables, startStandIns } from "../local/standins";
import type { BenchOptions, BenchRow } from "./run";

type Counter = Map<string, number>;

/** Counts API calls (not HTTP retries) made through a client, by operation. */
function countCalls(client: { middlewareStack: DynamoDBClient["middlewareStack"] }, counter: Counter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String((context as { commandName?: string }).commandName ?? "unknown").replace(/Command$/, "");
      const input = args.input as { TableName?: string; TransactItems?: Array<Record<string, { TableName?: string }>> };
      const tables = input.TableName
        ? [input.TableName]
        : (input.TransactItems ?? []).map((t) => Object.values(t)[0]?.TableName ?? "?");
      // "Update Jobs", "TransactWrite Queues+Jobs", "PutRecords"
      const names = [...new Set(tables.map((t) => t.slice(t.lastIndexOf("-") + 1)))].join("+");
      const key = names ? `${op} ${names}` : op;
      counter.set(key, (counter.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "mcjobsBenchCallCounter", override: true },
  );
}

const total = (c: Counter) => [...c.values()].reduce((a, b) => a + b, 0);
const jobsWrites = (c: Counter) =>
  [...c].filter(([k]) => /^(Update|Put|TransactWrite) .*Jobs/.test(k)).reduce((a, [, v]) => a + v, 0);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A job's life as EventBridge events: PROGRESSING, INPUT_INFORMATION, STATUS_UPDATEs, COMPLETE. */
function jobEvents(i: number, updates: number, base: number): Record<string, unknown>[] {
  const created = base + i * 1000;
  const jobId = `${created}-b${String(i).padStart(5, "0")}`;
  const queueName = ["Default", "Fast", "Bulk"][i % 3];
  const envelope = (status: string, t: number, detail: Record<string, unknown> = {}) => ({
    version: "0",
    id: `bench-${jobId}-${status}-${t}`,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: "111122223333",
    time: new Date(t).toISOString(),
    region: "us-west-2",
    resources: [`arn:aws:mediaconvert:us-west-2:111122223333:jobs/${jobId}`],
    detail: {
      timestamp: t,
      accountId: "111122223333",
      queue: `arn:aws:mediaconvert:us-west-2:111122223333:queues/${queueName}`,
      jobId,
      status,
      userMetadata: { application: "bench" },
      ...detail,
    },
  });
  const start = created + 5_000;
  const out = [
    envelope("PROGRESSING", start),
    envelope("INPUT_INFORMATION", start + 2_000, {
      inputDetails: [{ id: 1, uri: `s3://bench/in/${jobId}.mp4`, video: [{ codec: "H_264", width: 1920, height: 1080, frameRate: 25 }], audio: [] }],
    }),
  ];
  for (let u = 1; u <= updates; u++) {
    const pct = Math.round((u / (updates + 1)) * 100);
    out.push(
      envelope("STATUS_UPDATE", start + u * 60_000, {
        framesDecoded: u * 1500,
        jobProgress: { jobPercentComplete: pct, currentPhase: "TRANSCODING", phaseProgress: { TRANSCODING: { status: "PROGRESSING", percentComplete: pct } } },
      }),
    );
  }
  out.push(
    envelope("COMPLETE", start + (updates + 1) * 60_000, {
      outputGroupDetails: [{ type: "FILE_GROUP", outputDetails: [{ outputFilePaths: [`s3://bench/out/${jobId}.mp4`], durationInMs: 60_000 }] }],
    }),
  );
  return out;
}

async function runConcurrent<T>(items: T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function silent(): { logger: Logger; metrics: Metrics } {
  const before = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  try {
    return { logger: new Logger({ logLevel: "SILENT" }), metrics: new Metrics({ namespace: "bench" }) };
  } finally {
    if (before === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = before;
  }
}

export default async function collectorBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const jobs = quick ? 20 : 80;
  const updates = quick ? 8 : 20;
  const duplicateShare = 0.1;
  const concurrency = 16;
  const standIns = await startStandIns({ services: ["dynamodb", "kinesis"] });
  try {
    // The workload: every job's events, 10% re-delivered, shuffled.
    const random = rng(7);
    const base = Date.now() - 3_600_000;
    let raws: Record<string, unknown>[] = [];
    for (let i = 0; i < jobs; i++) raws.push(...jobEvents(i, updates, base));
    const distinct = raws.length;
    const dups = raws.filter(() => random() < duplicateShare);
    raws = [...raws, ...dups];
    for (let i = raws.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [raws[i], raws[j]] = [raws[j], raws[i]];
    }
    const parsed = raws.map((r) => {
      const p = parseEvent(r);
      if (!p.ok) throw new Error(`bench event rejected: ${p.reason}`);
      return p.event;
    });
    const byJob = new Map<string, McEvent[]>();
    for (const e of parsed) byJob.set(e.jobId, [...(byJob.get(e.jobId) ?? []), e]);
    const expected = new Map([...byJob].map(([id, evs]) => [id, JSON.stringify(toJobRecord(foldEvents(evs)))]));

    // --- the collector
    const tables = await createTables("bench-collector", standIns.env);
    const streamName = await createStream("bench-collector-stream", standIns.env, 4);
    const env: Record<string, string> = {
      ...standIns.env,
      JOBS_TABLE: tables.jobs,
      EVENTS_TABLE: tables.events,
      QUEUES_TABLE: tables.queues,
      TABLE_TTL_DAYS: "30",
      USE_STREAMS: "true",
      STREAM_NAME: streamName,
      COLLECTOR_GET_JOB: "false",
      COLLECTOR_PROBE: "false",
    };
    const ddbCalls: Counter = new Map();
    const kinesisCalls: Counter = new Map();
    const ddb = clients.dynamoDb(env);
    const kinesis: KinesisClient = clients.kinesis(env);
    countCalls(ddb, ddbCalls);
    countCalls(kinesis as unknown as { middlewareStack: DynamoDBClient["middlewareStack"] }, kinesisCalls);
    const collect = createCollector(depsFromEnv(env, { ...silent(), clients: { dynamoDb: ddb, kinesis } }));
    const t0 = performance.now();
    await runConcurrent(raws, concurrency, async (raw) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await collect(raw);
          return;
        } catch {
          /* Lambda would retry the invocation */
        }
      }
    });
    const collectorMs = performance.now() - t0;
    const scan = async (client: DynamoDBDocumentClient, table: string) => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
        items.push(...(res.Items ?? []));
        start = res.LastEvaluatedKey;
      } while (start);
      return items;
    };
    const reader = clients.dynamoDb(env);
    const wrong = (items: Record<string, unknown>[]) =>
      items.filter((it) => JSON.stringify(toJobRecord(it)) !== expected.get(String(it.jobId))).length +
      Math.max(0, expected.size - items.length);
    const collectorWrong = wrong(await scan(reader, tables.jobs));
    const collectorDdb = total(ddbCalls);
    const collectorKinesis = total(kinesisCalls);

    // --- the naive baseline: GetItem + reduce + PutItem, same events, same concurrency
    const naiveTables = await createTables("bench-naive", standIns.env);
    const naiveCalls: Counter = new Map();
    const naive = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.MCJOBS_ENDPOINT_DYNAMODB, credentials: { accessKeyId: "x", secretAccessKey: "x" } }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    countCalls(naive, naiveCalls);
    const t1 = performance.now();
    await runConcurrent(parsed, concurrency, async (e) => {
      const got = await naive.send(new GetCommand({ TableName: naiveTables.jobs, Key: { jobId: e.jobId } }));
      const before = got.Item ? stateFromItem(got.Item) : undefined;
      const next = applyEvent(before, e);
      await naive.send(new PutCommand({ TableName: naiveTables.jobs, Item: { ...itemFieldsOf(next), expiresAt: Math.floor(Date.now() / 1000) + 86_400 } }));
    });
    const naiveMs = performance.now() - t1;
    const naiveWrong = wrong(await scan(reader, naiveTables.jobs));
    const naiveTotal = total(naiveCalls);

    const n = raws.length;
    const breakdown = [...ddbCalls]
      .sort((a, b) => b[1] - a[1])
      .map(([op, c]) => `${op} ${(c / n).toFixed(2)}`)
      .join(", ");
    naive.destroy();
    reader.destroy();
    ddb.destroy();
    kinesis.destroy();
    const note = `${jobs} jobs, ${distinct} distinct events + ${dups.length} re-deliveries, ${concurrency} invocations at once`;
    return [
      { suite: "collector", metric: "events/s", value: n / (collectorMs / 1000), unit: "events/s", baseline: { name: "naive get+put", value: n / (naiveMs / 1000) }, note },
      {
        suite: "collector",
        metric: "AWS calls per event",
        value: (collectorDdb + collectorKinesis) / n,
        unit: "calls",
        baseline: { name: "naive get+put (Jobs only)", value: naiveTotal / n },
        note: `DynamoDB: ${breakdown}; Kinesis PutRecords ${(collectorKinesis / n).toFixed(2)}`,
      },
      {
        suite: "collector",
        metric: "Jobs-table writes per event",
        value: jobsWrites(ddbCalls) / n,
        unit: "writes",
        baseline: { name: "naive PutItem", value: jobsWrites(naiveCalls) / n },
        note: "UpdateItem/PutItem on Jobs plus counter transactions that touch Jobs (status transitions only)",
      },
      {
        suite: "collector",
        metric: "jobs differing from the reducer",
        value: collectorWrong,
        unit: "jobs",
        baseline: { name: "naive get+put (lost updates)", value: naiveWrong },
        note: `of ${expected.size} jobs`,
      },
    ];
  } finally {
    await standIns.stop();
  }
}
