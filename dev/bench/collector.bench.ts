/**
 * Collector bench: events/s and AWS calls per event against the local stand-ins (DynamoDB Local, kinesalite),
 * the events delivered as EventBridge does — one per invocation, many invocations at once, shuffled, with
 * re-deliveries — beside a naive collector measured in the same run on the same events: for each event GetItem
 * the job, fold the event in with the domain reducer, PutItem it back (no conditions).
 *
 * Besides speed, the bench checks the result: every job's record compared with the reducer over the distinct
 * events. The naive read-modify-write loses updates when two events of a job race; the collector must not.
 *
 * Reading the figures: on the stand-ins events/s is bound by DynamoDB Local (a few hundred writes/s in all) and by
 * kinesalite, which runs inside this process and slows down under concurrent PutRecords; the USE_STREAMS=false row
 * shows the DynamoDB side alone. Calls and writes per event are what carries over to AWS.
 */
import { isDeepStrictEqual } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import * as clients from "../../lib/adapters/clients";
import { createCollector, depsFromEnv } from "../../handlers/collector";
import { parseEvent, type McEvent } from "../../lib/domain/events";
import { applyEvent, foldEvents } from "../../lib/domain/reducer";
import { itemFieldsOf, stateFromItem, toJobRecord } from "../../lib/domain/job-update";
import { createStream, createTables, startStandIns } from "../../tools/twin/standins";
import type { JobRecord } from "../../lib/domain/job";
import type { BenchOptions, BenchRow } from "./run";
import { seededRandom } from "../../lib/domain/random";

type Counter = Map<string, number>;

/** Counts API calls (not HTTP retries) made through a client, by operation. */
function countCalls(client: { middlewareStack: DynamoDBClient["middlewareStack"] }, counter: Counter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String((context as { commandName?: string }).commandName ?? "unknown").replace(/Command$/, "");
      const input = args.input as { TableName?: string; TransactItems?: Array<Record<string, { TableName?: string }>> };
      const tables = input.TableName ? [input.TableName] : (input.TransactItems ?? []).map((t) => Object.values(t)[0]?.TableName ?? "?");
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
  [...c].filter(([k]) => /^(UpdateItem|PutItem|TransactWriteItems) .*Jobs/.test(k)).reduce((a, [, v]) => a + v, 0);

const rng = seededRandom;

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
      inputDetails: [
        { id: 1, uri: `s3://bench/in/${jobId}.mp4`, video: [{ codec: "H_264", width: 1920, height: 1080, frameRate: 25 }], audio: [] },
      ],
    }),
  ];
  for (let u = 1; u <= updates; u++) {
    const pct = Math.round((u / (updates + 1)) * 100);
    out.push(
      envelope("STATUS_UPDATE", start + u * 60_000, {
        framesDecoded: u * 1500,
        jobProgress: {
          jobPercentComplete: pct,
          currentPhase: "TRANSCODING",
          phaseProgress: { TRANSCODING: { status: "PROGRESSING", percentComplete: pct } },
        },
      }),
    );
  }
  out.push(
    envelope("COMPLETE", start + (updates + 1) * 60_000, {
      outputGroupDetails: [
        { type: "FILE_GROUP", outputDetails: [{ outputFilePaths: [`s3://bench/out/${jobId}.mp4`], durationInMs: 60_000 }] },
      ],
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

interface Scenario {
  name: string;
  raws: Record<string, unknown>[];
  distinct: number;
  note: string;
}

interface Run {
  ms: number;
  ddbCalls: Counter;
  kinesisCalls: Counter;
  wrong: number;
  failedInvocations: number;
}

type StandInsT = Awaited<ReturnType<typeof startStandIns>>;

function expectedOf(sc: Scenario): { parsed: McEvent[]; expected: Map<string, JobRecord> } {
  const parsed = sc.raws.map((r) => {
    const p = parseEvent(r);
    if (!p.ok) throw new Error(`bench event rejected: ${p.reason}`);
    return p.event;
  });
  const byJob = new Map<string, McEvent[]>();
  for (const e of parsed) byJob.set(e.jobId, [...(byJob.get(e.jobId) ?? []), e]);
  return { parsed, expected: new Map([...byJob].map(([id, evs]) => [id, toJobRecord(foldEvents(evs))])) };
}

async function scanAll(env: Record<string, string>, table: string): Promise<Record<string, unknown>[]> {
  const reader = clients.dynamoDb(env);
  try {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await reader.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ConsistentRead: true }));
      items.push(...(res.Items ?? []));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return items;
  } finally {
    reader.destroy();
  }
}

function countWrong(items: Record<string, unknown>[], expected: Map<string, JobRecord>): number {
  return (
    items.filter((it) => !isDeepStrictEqual(toJobRecord(it), expected.get(String(it.jobId)))).length +
    Math.max(0, expected.size - items.length)
  );
}

/** The real collector (createCollector + the real adapters) over the stand-ins, one event per invocation. */
async function runCollector(standIns: StandInsT, sc: Scenario, useStreams: boolean, concurrency: number, prefix: string): Promise<Run> {
  const { expected } = expectedOf(sc);
  const tables = await createTables(prefix, standIns.env);
  const streamName = useStreams ? await createStream(`${prefix}-stream`, standIns.env, 4) : undefined;
  const env: Record<string, string> = {
    ...standIns.env,
    JOBS_TABLE: tables.jobs,
    EVENTS_TABLE: tables.events,
    QUEUES_TABLE: tables.queues,
    TABLE_TTL_DAYS: "30",
    USE_STREAMS: String(useStreams),
    ...(streamName ? { STREAM_NAME: streamName } : {}),
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
  let failedInvocations = 0;
  const t0 = performance.now();
  await runConcurrent(sc.raws, concurrency, async (raw) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await collect(raw);
        return;
      } catch {
        failedInvocations++; // Lambda would retry the invocation
      }
    }
  });
  const ms = performance.now() - t0;
  const wrong = countWrong(await scanAll(env, tables.jobs), expected);
  ddb.destroy();
  kinesis.destroy();
  return { ms, ddbCalls, kinesisCalls, wrong, failedInvocations };
}

/** The naive baseline: GetItem + reducer + PutItem per event, no conditions, same events, same concurrency. */
async function runNaive(standIns: StandInsT, sc: Scenario, concurrency: number, prefix: string): Promise<Run> {
  const { parsed, expected } = expectedOf(sc);
  const tables = await createTables(prefix, standIns.env);
  const calls: Counter = new Map();
  const naive = clients.dynamoDb(standIns.env);
  countCalls(naive, calls);
  const t0 = performance.now();
  await runConcurrent(parsed, concurrency, async (e) => {
    const got = await naive.send(new GetCommand({ TableName: tables.jobs, Key: { jobId: e.jobId } }));
    const next = applyEvent(got.Item ? stateFromItem(got.Item) : undefined, e);
    await naive.send(
      new PutCommand({ TableName: tables.jobs, Item: { ...itemFieldsOf(next), expiresAt: Math.floor(Date.now() / 1000) + 86_400 } }),
    );
  });
  const ms = performance.now() - t0;
  const wrong = countWrong(await scanAll(standIns.env, tables.jobs), expected);
  naive.destroy();
  return { ms, ddbCalls: calls, kinesisCalls: new Map(), wrong, failedInvocations: 0 };
}

function rows(sc: Scenario, label: string, c: Run, naive: Run, concurrency: number): BenchRow[] {
  const n = sc.raws.length;
  const breakdown = [...c.ddbCalls]
    .sort((a, b) => b[1] - a[1])
    .map(([op, k]) => `${op} ${(k / n).toFixed(2)}`)
    .join(", ");
  const suite = `collector (${label})`;
  return [
    {
      suite,
      metric: "events/s",
      value: n / (c.ms / 1000),
      unit: "events/s",
      baseline: { name: "naive get+put", value: n / (naive.ms / 1000) },
      note: `${sc.note}; ${concurrency} invocations at once${c.failedInvocations ? `; ${c.failedInvocations} invocations failed and were retried` : ""}`,
    },
    {
      suite,
      metric: "AWS calls per event",
      value: (total(c.ddbCalls) + total(c.kinesisCalls)) / n,
      unit: "calls",
      baseline: { name: "naive get+put (Jobs only)", value: total(naive.ddbCalls) / n },
      note: `DynamoDB: ${breakdown}${c.kinesisCalls.size ? `; Kinesis PutRecords ${(total(c.kinesisCalls) / n).toFixed(2)}` : ""}`,
    },
    {
      suite,
      metric: "Jobs-table write calls per event",
      value: jobsWrites(c.ddbCalls) / n,
      unit: "writes",
      baseline: { name: "naive PutItem", value: jobsWrites(naive.ddbCalls) / n },
      note: "fast-path UpdateItem (rejected conditions included) + slow-path PutItem + counter transactions on transitions",
    },
    {
      suite,
      metric: "jobs differing from the reducer",
      value: c.wrong,
      unit: "jobs",
      baseline: { name: "naive get+put (lost updates)", value: naive.wrong },
      note: `of ${new Set(sc.raws.map((r) => (r.detail as { jobId: string }).jobId)).size} jobs, ${sc.distinct} distinct events`,
    },
  ];
}

export default async function collectorBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const jobs = quick ? 20 : 40;
  const updates = quick ? 8 : 15;
  const concurrency = 16;
  const standIns = await startStandIns({ services: ["dynamodb", "kinesis"] });
  try {
    const base = Date.now() - 3_600_000;
    const perJob = Array.from({ length: jobs }, (_, i) => jobEvents(i, updates, base));
    const distinct = perJob.reduce((a, l) => a + l.length, 0);

    // 1. As MediaConvert mostly delivers: each job's events in time order, jobs interleaved (round robin).
    const inOrder: Record<string, unknown>[] = [];
    for (let k = 0; k < Math.max(...perJob.map((l) => l.length)); k++) for (const l of perJob) if (l[k]) inOrder.push(l[k]);

    // 2. The worst case: everything shuffled, 10% re-delivered.
    const random = rng(7);
    let shuffled = perJob.flat();
    shuffled = [...shuffled, ...shuffled.filter(() => random() < 0.1)];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const ordered: Scenario = {
      name: "in order",
      raws: inOrder,
      distinct,
      note: `${jobs} jobs × ${updates + 3} events, each job's in time order`,
    };
    const mixed: Scenario = {
      name: "shuffled",
      raws: shuffled,
      distinct,
      note: `${jobs} jobs, ${distinct} events + ${shuffled.length - distinct} re-deliveries, all shuffled`,
    };
    // Warm-up (JVM of DynamoDB Local, SDK code paths), not measured.
    await runCollector(standIns, { ...ordered, raws: ordered.raws.slice(0, 60) }, true, concurrency, "bench-warmup");
    const naiveOrdered = await runNaive(standIns, ordered, concurrency, "bench-naive-ordered");
    const naiveMixed = await runNaive(standIns, mixed, concurrency, "bench-naive-mixed");
    return [
      ...rows(ordered, "in order", await runCollector(standIns, ordered, true, concurrency, "bench-ordered"), naiveOrdered, concurrency),
      ...rows(
        ordered,
        "in order, USE_STREAMS=false",
        await runCollector(standIns, ordered, false, concurrency, "bench-ordered-nostream"),
        naiveOrdered,
        concurrency,
      ),
      ...rows(
        mixed,
        "shuffled + re-delivered",
        await runCollector(standIns, mixed, true, concurrency, "bench-mixed"),
        naiveMixed,
        concurrency,
      ),
    ];
  } finally {
    await standIns.stop();
  }
}
