/**
 * Many jobs in the Jobs table, fast, shaped exactly as the collector leaves them: each job's item is what the
 * domain's own merge (`mergeStored`) makes of its events (EventBridge events through `parseEvent`, or the watch
 * folder's SUBMITTED record), plus the queue-counter marker and byQueueStatus key that the counter transaction sets
 * (lib/adapters/queue-counters.ts). Written with parallel BatchWriteItem (unprocessed items retried).
 *
 * Used by test/api and dev/bench/api.bench.ts.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { JobStatus } from "../../lib/domain/job";
import { parseEvent, type McEvent } from "../../lib/domain/events";
import { mergeStored, submittedEvent, type JobItem } from "../../lib/domain/job-update";
import { seededRandom } from "../../lib/domain/random";
import { COUNTED_QUEUE_ATTRIBUTE, COUNTED_STATUS_ATTRIBUTE } from "../../lib/adapters/queue-counters";
import { QUEUE_STATUS_ATTRIBUTE, queueStatusKey } from "../../lib/domain/tables";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const QUEUES = ["Default", "Fast", "Archive"];
export const queueArn = (name: string) => `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/${name}`;

export function rawEvent(jobId: string, status: string, t: number, queue: string, detail: Record<string, unknown> = {}): unknown {
  return {
    version: "0",
    id: `${jobId}-${status}-${t}`,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: ACCOUNT,
    time: new Date(t).toISOString(),
    region: REGION,
    resources: [`arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobs/${jobId}`],
    detail: { timestamp: t, accountId: ACCOUNT, queue: queueArn(queue), jobId, status, userMetadata: { application: "seed" }, ...detail },
  };
}

function parsed(raw: unknown): McEvent {
  const r = parseEvent(raw);
  if (!r.ok) throw new Error(`seed event rejected: ${r.reason}`);
  return r.event;
}

/** The events that take a job created at `created` to `status`. */
export function eventsFor(jobId: string, created: number, status: JobStatus, queue: string, percent: number): McEvent[] {
  const sub = submittedEvent(
    {
      Id: jobId,
      Arn: `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobs/${jobId}`,
      Queue: queueArn(queue),
      CreatedAt: new Date(created),
      Settings: { Inputs: [{ FileInput: `s3://seed/${jobId}.mov` }], OutputGroups: [] },
    },
    { accountId: ACCOUNT, region: REGION },
  );
  if (!sub.ok) throw new Error(`seed SUBMITTED rejected: ${sub.reason}`);
  const out: McEvent[] = [sub.event];
  if (status === "SUBMITTED") return out;
  const started = created + 2_000;
  out.push(parsed(rawEvent(jobId, "PROGRESSING", started, queue)));
  out.push(
    parsed(
      rawEvent(jobId, "STATUS_UPDATE", started + 30_000, queue, {
        jobProgress: {
          jobPercentComplete: percent,
          currentPhase: "TRANSCODING",
          phaseProgress: { TRANSCODING: { status: "PROGRESSING", percentComplete: percent } },
        },
      }),
    ),
  );
  const end = started + 60_000;
  if (status === "COMPLETE") out.push(parsed(rawEvent(jobId, "COMPLETE", end, queue)));
  if (status === "ERROR")
    out.push(parsed(rawEvent(jobId, "ERROR", end, queue, { errorCode: 1040, errorMessage: "Input file could not be read" })));
  if (status === "CANCELED") out.push(parsed(rawEvent(jobId, "CANCELED", end, queue)));
  return out;
}

/** A job's item as the collector would have stored it after its events and the counter transaction. */
export function itemFor(events: McEvent[]): JobItem {
  let item: JobItem | undefined;
  // expiresAt from the real clock: DynamoDB Local deletes expired items, and the seeded times are in the past.
  for (const e of events) item = mergeStored(item, e, { ttlSeconds: 30 * 86_400, now: Date.now() });
  const it = item!;
  const queueName = it.queueName as string;
  const status = it.status as string;
  it[COUNTED_QUEUE_ATTRIBUTE] = queueName;
  it[COUNTED_STATUS_ATTRIBUTE] = status;
  it[QUEUE_STATUS_ATTRIBUTE] = queueStatusKey(queueName, status);
  return it;
}

export interface SeededJob {
  jobId: string;
  status: JobStatus;
  queueName: string;
  createdAt: number;
}

export interface SeedOptions {
  count: number;
  seed?: number;
  /** Newest createdAt; jobs spread over the `spanMs` before it (default 10 days). */
  newest: number;
  spanMs?: number;
  /** Share of each status (default: mostly PROGRESSING and COMPLETE). */
  mix?: Partial<Record<JobStatus, number>>;
  /** Every n-th job shares its creation millisecond with the one before (ties in the index sort key). */
  tieEvery?: number;
}

const DEFAULT_MIX: Record<JobStatus, number> = { SUBMITTED: 0.08, PROGRESSING: 0.4, COMPLETE: 0.4, ERROR: 0.08, CANCELED: 0.04 };

/** The jobs to seed (deterministic for a seed) and their items. */
export function makeJobs(opts: SeedOptions): { jobs: SeededJob[]; items: JobItem[] } {
  const r = seededRandom(opts.seed ?? 1);
  const span = opts.spanMs ?? 10 * 86_400_000;
  const mix = { ...DEFAULT_MIX, ...(opts.mix ?? {}) };
  const statuses = Object.entries(mix) as [JobStatus, number][];
  const total = statuses.reduce((a, [, w]) => a + w, 0);
  const jobs: SeededJob[] = [];
  const items: JobItem[] = [];
  let prevCreated = opts.newest;
  for (let i = 0; i < opts.count; i++) {
    const created = opts.tieEvery && i % opts.tieEvery === 1 ? prevCreated : opts.newest - Math.floor(r() * span);
    prevCreated = created;
    let pick = r() * total;
    let status: JobStatus = statuses[0][0];
    for (const [s, w] of statuses) {
      pick -= w;
      if (pick < 0) {
        status = s;
        break;
      }
    }
    const queueName = QUEUES[Math.floor(r() * QUEUES.length)];
    const jobId = `${created}-${i.toString(36).padStart(6, "0")}`;
    const events = eventsFor(jobId, created, status, queueName, 1 + Math.floor(r() * 98));
    jobs.push({ jobId, status, queueName, createdAt: created });
    items.push(itemFor(events));
  }
  return { jobs, items };
}

/** BatchWriteItem in chunks of 25, `concurrency` at a time, retrying unprocessed items. */
export async function batchWrite(
  ddb: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  concurrency = 16,
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = chunks[next++].map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 20) throw new Error(`BatchWriteItem: ${pending.length} items still unprocessed after 20 attempts`);
        const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (res.UnprocessedItems?.[table] ?? []) as typeof pending;
        if (pending.length) await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
