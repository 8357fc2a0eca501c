/**
 * Collector Lambda: the target of the EventBridge rule that matches every `aws.mediaconvert` event.
 *
 * Input: one EventBridge event per invocation (asynchronous invoke), or — for the local twin and replays — an array
 * of events or `{ events: [...] }`; each event is handled independently.
 *
 * Per event, in this order (see the adapters for each step's guarantees):
 *  1. validate with the domain's `parseEvent`; a bad event goes to the dead-letter queue with its reason, the
 *     invocation carries on (a bad event never throws); MediaConvert events of other detail-types are skipped;
 *  2. claim the event in the Events table (conditional put, idempotent on eventKey): duplicates that were fully
 *     processed stop here; a half-processed one (an earlier attempt died) is taken over and processed again;
 *  3. fold it into the job's live record in the Jobs table — one conditional UpdateItem (fast path), or read +
 *     merge + conditional put on the version (slow path) when the condition fails;
 *  4. move the job's queue counters when its (queue, status) really changed (exactly once, see queue-counters;
 *     a transition costs one transaction that also moves a marker on the job item — progress updates, the hot
 *     path, cost only the one Jobs write of step 3);
 *  5. once per job: fetch missing settings with GetJob (folded in as a JOB_DETAILS event) and probe the input
 *     with mediainfo.js within the byte budget and a deadline; both are claimed on the job item so only one
 *     invocation anywhere does them, and their failures are logged, never fatal to the event;
 *  6. put one enriched StreamRecord per event on Kinesis (batched; failed records retried) unless USE_STREAMS=false;
 *  7. mark the event done in the Events table.
 *
 * A transient AWS failure in any step (after the SDK's and our bounded retries) fails that event: its claim is
 * released and the invocation throws once every other event is handled, so Lambda's async retry (then the rule's
 * DLQ) keeps it. A retry is idempotent: steps 2–4 and 7 are conditional, the probe/GetJob claims make step 5 run
 * once, and step 6 runs only for events not yet marked done.
 *
 * What stays at-least-once: if an invocation dies after Kinesis accepted a record but before step 7 marked the
 * event done, the retry puts that record again. Consumers dedupe on eventKey.
 */
import type { Context } from "aws-lambda";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { z } from "zod";
import * as clients from "../adapters/clients";
import { memoryDeadLetter, sqsDeadLetter, type DeadLetterKind, type DeadLetterSink } from "../adapters/dead-letter";
import { dynamoEventsStore, type EventsStore } from "../adapters/events-store";
import { mediaConvertJobDetails, type JobDetailsFetcher } from "../adapters/job-details";
import { dynamoJobsStore, mayClaim, type JobItem, type JobsStore } from "../adapters/jobs-store";
import { dynamoQueueCounters, syncQueueCounters, type QueueCounters } from "../adapters/queue-counters";
import { kinesisStreamWriter, type StreamWriter } from "../adapters/stream";
import { ENV } from "../domain/env";
import { parseEvent, type McEvent } from "../domain/events";
import { jobDetailsEvent, needsJobDetails } from "../domain/job-source";
import { DEFAULT_PROBE_BUDGET_BYTES, DEFAULT_PROBE_MAX_REQUESTS, type ProbeResult } from "../domain/probe";
import type { StreamRecord } from "../domain/stream-record";

// ---------------------------------------------------------------------------------------------------------------
// Configuration (validated once per container)

const boolText = z
  .enum(["true", "false", "TRUE", "FALSE", "1", "0"], { message: 'must be "true" or "false"' })
  .transform((v) => v === "true" || v === "TRUE" || v === "1");

export const CollectorConfigSchema = z
  .object({
    [ENV.jobsTable]: z.string().min(1, "must name the Jobs table"),
    [ENV.eventsTable]: z.string().min(1, "must name the Events table"),
    [ENV.queuesTable]: z.string().min(1, "must name the Queues table"),
    [ENV.tableTtlDays]: z.coerce
      .number({ message: "must be a number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(3650, "must be at most 3650 days"),
    [ENV.useStreams]: boolText.default(true),
    [ENV.streamName]: z.string().min(1).optional(),
    [ENV.deadLetterQueueUrl]: z.url({ message: "must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)" }).optional(),
    [ENV.probeBudgetBytes]: z.coerce
      .number({ message: "must be a number of bytes" })
      .int("must be a whole number of bytes")
      .min(64 * 1024, "must be at least 65536 bytes (64 KiB)")
      .max(512 * 1024 * 1024, "must be at most 536870912 bytes (512 MiB)")
      .default(DEFAULT_PROBE_BUDGET_BYTES),
    /** Off switches for the once-per-job extras (default on). */
    COLLECTOR_PROBE: boolText.default(true),
    COLLECTOR_GET_JOB: boolText.default(true),
  })
  .superRefine((v, ctx) => {
    if (v[ENV.useStreams] && !v[ENV.streamName]) {
      ctx.addIssue({ code: "custom", path: [ENV.streamName], message: `is required when ${ENV.useStreams} is true` });
    }
  });

export interface CollectorConfig {
  jobsTable: string;
  eventsTable: string;
  queuesTable: string;
  ttlSeconds: number;
  useStreams: boolean;
  streamName?: string;
  deadLetterQueueUrl?: string;
  probeBudgetBytes: number;
  probe: boolean;
  getJob: boolean;
}

/** Reads and validates the collector's settings; throws one message naming every bad variable and its value. */
export function loadCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const blankToUndefined = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));
  const parsed = CollectorConfigSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "?");
      const value = env[name];
      return `  ${name}${value === undefined ? " (not set)" : ` = ${JSON.stringify(value)}`}: ${i.message}`;
    });
    throw new Error(`Collector configuration is invalid:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  return {
    jobsTable: c[ENV.jobsTable],
    eventsTable: c[ENV.eventsTable],
    queuesTable: c[ENV.queuesTable],
    ttlSeconds: c[ENV.tableTtlDays] * 86_400,
    useStreams: c[ENV.useStreams],
    streamName: c[ENV.streamName],
    deadLetterQueueUrl: c[ENV.deadLetterQueueUrl],
    probeBudgetBytes: c[ENV.probeBudgetBytes],
    probe: c.COLLECTOR_PROBE,
    getJob: c.COLLECTOR_GET_JOB,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dependencies (injected by tests, the bench and the local twin; built from env in Lambda)

export type Prober = (uri: string, opts: { budgetBytes: number; maxRequests: number }) => Promise<ProbeResult>;

export interface CollectorDeps {
  config: CollectorConfig;
  jobs: JobsStore;
  events: EventsStore;
  queues: QueueCounters;
  /** Absent when USE_STREAMS=false. */
  stream?: StreamWriter;
  deadLetter: DeadLetterSink;
  /** mediainfo.js probe over S3 ranged reads; absent = no probing. */
  probe?: Prober;
  /** GetJob for jobs with no settings on record; absent = no backfill. */
  jobDetails?: JobDetailsFetcher;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Claim lease when no Lambda context tells the remaining time (default 60 s). */
  defaultLeaseMs?: number;
  /** Longest a probe may take (default 20 s); also never closer than 10 s to the invocation's end. */
  probeTimeoutMs?: number;
  /** Jobs processed at once within one invocation (default 8); events of one job always run one after another. */
  concurrency?: number;
  /**
   * How long to wait for an event another attempt holds (default 3 s) before failing it so Lambda retries it.
   * Long enough for a duplicate delivered at the same moment to finish; an attempt that died holding the claim is
   * taken over once its lease ends, by this wait or by a retry.
   */
  inFlightWaitMs?: number;
}

export interface CollectorResult {
  received: number;
  /** Sent to the dead-letter queue (malformed, unknown status, not a MediaConvert event). */
  rejected: number;
  /** MediaConvert events of another detail-type: skipped on purpose. */
  ignored: number;
  duplicates: number;
  processed: number;
  streamed: number;
  failed: number;
}

// ---------------------------------------------------------------------------------------------------------------

/** One invocation's input → the list of raw events it carries. */
export function eventsOf(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (input && typeof input === "object" && Array.isArray((input as { events?: unknown }).events)) {
    return (input as { events: unknown[] }).events;
  }
  return [input];
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
}

class DeadlineError extends Error {
  override name = "TimeoutError";
}

/** The promise's outcome, or a TimeoutError after `ms` (the work itself is not cancelled, its result is ignored). */
function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Throttling, 5xx and timeouts may pass on a later try; anything else (no access, no such key, not media) will not. */
function isTransient(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return (
    status >= 500 ||
    status === 429 ||
    e?.$retryable !== undefined ||
    ["SlowDown", "ThrottlingException", "RequestTimeout", "TimeoutError", "AbortError", "ECONNRESET"].includes(e?.name ?? "")
  );
}

function rawIds(raw: unknown): { eventId?: string; jobId?: string } {
  if (!raw || typeof raw !== "object") return {};
  const r = raw as { id?: unknown; detail?: { jobId?: unknown } };
  return {
    eventId: typeof r.id === "string" ? r.id : undefined,
    jobId: typeof r.detail?.jobId === "string" ? r.detail.jobId : undefined,
  };
}

function safeJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? "null";
  } catch {
    return String(raw);
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]);
    }
  });
  await Promise.all(workers);
}

/** Input URI worth probing, from the job item: INPUT_INFORMATION's, else the first input of the settings. */
export function inputUri(item: JobItem): string | undefined {
  const fromEvent = (item.input as { uri?: unknown } | undefined)?.uri;
  const fromSettings = (item.settings as { inputs?: Array<{ uri?: unknown }> } | undefined)?.inputs?.[0]?.uri;
  const uri = typeof fromEvent === "string" ? fromEvent : fromSettings;
  return typeof uri === "string" && uri.startsWith("s3://") ? uri : undefined;
}

export function createCollector(deps: CollectorDeps) {
  const { config, jobs, events, queues, stream, deadLetter, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const concurrency = deps.concurrency ?? 8;

  /** Moves the job's queue counters until they reflect its live position (see syncQueueCounters). */
  async function reconcileCounters(item: JobItem): Promise<JobItem> {
    const synced = await syncQueueCounters(queues, (id) => jobs.get(id), item, { now: now(), ttlSeconds: config.ttlSeconds });
    if (synced.moves > 0) {
      metrics.addMetric("QueueTransitions", MetricUnit.Count, synced.moves);
      logger.debug("queue counters moved", { jobId: item.jobId, moves: synced.moves });
    }
    return synced.item;
  }

  async function probeOnce(item: JobItem, remainingMs: () => number): Promise<JobItem> {
    if (!config.probe || !deps.probe || item.probe !== undefined || item.probeError !== undefined) return item;
    const uri = inputUri(item);
    if (!uri) return item;
    const spareMs = remainingMs() - 10_000;
    const budgetMs = Math.min(deps.probeTimeoutMs ?? 20_000, spareMs);
    if (spareMs < 1000) {
      logger.info("too little time left in this invocation to probe; a later event will", { jobId: item.jobId });
      return item;
    }
    const claimOpts = { now: now(), staleMs: 5 * 60_000 };
    if (!mayClaim(item, "probe", claimOpts) || !(await jobs.claim(String(item.jobId), "probe", claimOpts))) return item;
    const started = now();
    let result: ProbeResult;
    try {
      result = await withDeadline(
        deps.probe(uri, { budgetBytes: config.probeBudgetBytes, maxRequests: DEFAULT_PROBE_MAX_REQUESTS }),
        budgetMs,
        `the probe took longer than ${budgetMs} ms`,
      );
    } catch (err) {
      metrics.addMetric("ProbeFailures", MetricUnit.Count, 1);
      const retryable = isTransient(err);
      logger.warn("probe failed; the job is kept without it", { jobId: item.jobId, uri, reason: describe(err), retryable });
      await jobs
        .releaseClaim(String(item.jobId), "probe", { reason: describe(err), final: !retryable, now: now() })
        .catch((e) => logger.warn("could not record the probe failure", { jobId: item.jobId, reason: describe(e) }));
      return item;
    }
    metrics.addMetric("ProbeBytesRead", MetricUnit.Bytes, result.bytesRead);
    metrics.addMetric("ProbeMs", MetricUnit.Milliseconds, now() - started);
    logger.info("input probed", { jobId: item.jobId, uri, bytesRead: result.bytesRead, requests: result.requests, complete: result.complete });
    const { tracks: _tracks, ...stored } = result as ProbeResult & { tracks?: unknown };
    return (await jobs.storeOnce(String(item.jobId), "probe", stored, { now: now(), ttlSeconds: config.ttlSeconds })) ?? item;
  }

  async function backfillDetails(item: JobItem): Promise<JobItem> {
    if (!config.getJob || !deps.jobDetails || !needsJobDetails(item)) return item;
    const claimOpts = { now: now(), staleMs: 5 * 60_000 };
    if (!mayClaim(item, "details", claimOpts) || !(await jobs.claim(String(item.jobId), "details", claimOpts))) return item;
    const result = await deps.jobDetails.get(String(item.jobId));
    if (!result.fromCache) metrics.addMetric("GetJobCalls", MetricUnit.Count, 1);
    if (!result.ok) {
      metrics.addMetric("GetJobFailures", MetricUnit.Count, 1);
      logger.warn("GetJob failed; the job is kept without its settings", { jobId: item.jobId, kind: result.kind, reason: result.reason });
      // Throttling and timeouts may pass later: give the claim back (a bounded number of times). Anything else
      // (denied, deleted job) will not: remember the reason so no later event asks again.
      const retryable = result.kind === "throttled" || result.kind === "timeout" || result.kind === "error";
      await jobs
        .releaseClaim(String(item.jobId), "details", { reason: `${result.kind}: ${result.reason}`, final: !retryable, now: now() })
        .catch((e) => logger.warn("could not record the GetJob failure", { jobId: item.jobId, reason: describe(e) }));
      return item;
    }
    const event = jobDetailsEvent(result.job, { at: now(), accountId: item.accountId as string, region: item.region as string });
    if (!event) {
      logger.warn("GetJob answered with a job the domain could not read", { jobId: item.jobId });
      await jobs
        .releaseClaim(String(item.jobId), "details", { reason: "unreadable GetJob answer", final: true, now: now() })
        .catch(() => undefined);
      return item;
    }
    const applied = await jobs.apply(event, { now: now(), ttlSeconds: config.ttlSeconds });
    logger.info("job settings fetched with GetJob", { jobId: item.jobId });
    return applied.item;
  }

  interface Work {
    raw: unknown;
    event: McEvent;
    claimUntil?: number;
    record?: StreamRecord;
    error?: unknown;
    done?: boolean;
  }

  async function processEvent(w: Work, leaseMs: number, remainingMs: () => number, result: CollectorResult): Promise<void> {
    const { event } = w;
    const claimInput = {
      jobId: event.jobId,
      eventKey: event.eventKey,
      eventId: event.eventId,
      status: event.status,
      timestamp: event.timestamp,
      event,
      raw: safeJson(w.raw),
    };
    let claim = await events.claim(claimInput, { now: now(), leaseMs, ttlSeconds: config.ttlSeconds });
    // Held by another attempt. A duplicate delivered at the same moment finishes within the wait; but the holder
    // may also have failed and been unable to give the claim back, so "in flight" is never taken as "done": after
    // the wait the event fails and Lambda retries it (by then the lease has ended and the retry takes it over).
    // Wall-clock time here: `now()` may be a test's fixed clock.
    const waitUntil = Date.now() + Math.min(deps.inFlightWaitMs ?? 3000, Math.max(0, remainingMs() - 2000));
    for (let pause = 50; claim.kind === "in-flight" && Date.now() < waitUntil; pause = Math.min(500, pause * 2)) {
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(1, waitUntil - Date.now()))));
      claim = await events.claim(claimInput, { now: now(), leaseMs, ttlSeconds: config.ttlSeconds });
    }
    if (claim.kind === "in-flight") {
      metrics.addMetric("EventsInFlightElsewhere", MetricUnit.Count, 1);
      throw new Error(
        `event ${event.eventKey} is held by another attempt until ${new Date(claim.claimUntil).toISOString()}; failing it so it is retried`,
      );
    }
    if (claim.kind === "done") {
      result.duplicates++;
      metrics.addMetric("DuplicateEvents", MetricUnit.Count, 1);
      logger.debug("duplicate event skipped", { eventKey: event.eventKey, jobId: event.jobId });
      return;
    }
    w.claimUntil = claim.claimUntil;
    if (claim.kind === "resumed") {
      metrics.addMetric("ResumedEvents", MetricUnit.Count, 1);
      logger.info("resuming an event an earlier attempt left unfinished", { eventKey: event.eventKey, attempt: claim.attempt });
    }

    const applied = await jobs.apply(event, { now: now(), ttlSeconds: config.ttlSeconds });
    metrics.addMetric(applied.path === "fast" ? "JobsFastPath" : "JobsSlowPath", MetricUnit.Count, 1);
    let item = applied.item;
    // The extras never fail the event: any error is logged and the job stays usable without them.
    try {
      item = await backfillDetails(item);
    } catch (err) {
      logger.warn("GetJob backfill skipped after an error", { jobId: event.jobId, reason: describe(err) });
    }
    // After the backfill (which may move the status too); a failure here fails the event, whose retry re-checks.
    item = await reconcileCounters(item);
    try {
      item = await probeOnce(item, remainingMs);
    } catch (err) {
      logger.warn("probe skipped after an error", { jobId: event.jobId, reason: describe(err) });
    }
    w.record = { v: 1, eventKey: event.eventKey, event, job: jobs.toRecord(item), at: now() };
    result.processed++;
  }

  return async function collect(input: unknown, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<CollectorResult> {
    const raws = eventsOf(input);
    const result: CollectorResult = { received: raws.length, rejected: 0, ignored: 0, duplicates: 0, processed: 0, streamed: 0, failed: 0 };
    metrics.addMetric("EventsReceived", MetricUnit.Count, raws.length);
    const leaseMs = context ? Math.max(1000, context.getRemainingTimeInMillis() + 1000) : (deps.defaultLeaseMs ?? 60_000);
    const started = now();
    const remainingMs = context ? () => context.getRemainingTimeInMillis() : () => leaseMs - (now() - started);

    // 1. validate; bad events go to the dead-letter queue
    const accepted: Work[] = [];
    const seen = new Set<string>();
    const letters: Array<Promise<void>> = [];
    let letterFailures = 0;
    for (const raw of raws) {
      const parsed = parseEvent(raw);
      if (!parsed.ok && parsed.kind === "other-detail-type" && (raw as { source?: unknown } | null)?.source === "aws.mediaconvert") {
        // The rule takes every MediaConvert event; detail-types other than job state changes are not ours to
        // fold, and not poison either: skip them without alarming anyone through the dead-letter queue.
        result.ignored++;
        metrics.addMetric("EventsIgnored", MetricUnit.Count, 1);
        logger.info("event ignored", { reason: parsed.reason, ...rawIds(raw) });
        continue;
      }
      if (!parsed.ok) {
        result.rejected++;
        metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
        const kind: DeadLetterKind = parsed.kind;
        logger.warn("event rejected", { kind, reason: parsed.reason, ...rawIds(raw) });
        letters.push(
          deadLetter.send({ kind, reason: parsed.reason, raw, rejectedAt: now(), ...rawIds(raw) }).catch((err) => {
            letterFailures++;
            logger.error("could not send the rejected event to the dead-letter queue", { reason: describe(err), ...rawIds(raw) });
          }),
        );
        continue;
      }
      if (seen.has(parsed.event.eventKey)) {
        result.duplicates++;
        metrics.addMetric("DuplicateEvents", MetricUnit.Count, 1);
        continue;
      }
      seen.add(parsed.event.eventKey);
      accepted.push({ raw, event: parsed.event });
    }

    // 2–5. per job, events in time order, jobs in parallel
    const byJob = new Map<string, Work[]>();
    for (const w of accepted) {
      const list = byJob.get(w.event.jobId) ?? [];
      list.push(w);
      byJob.set(w.event.jobId, list);
    }
    for (const list of byJob.values()) list.sort((a, b) => a.event.eventKey.localeCompare(b.event.eventKey));
    await mapLimit([...byJob.values()], concurrency, async (list) => {
      for (const w of list) {
        try {
          await processEvent(w, leaseMs, remainingMs, result);
        } catch (err) {
          w.error = err;
        }
      }
    });

    // 6. Kinesis, one batch for the whole invocation
    const toStream = accepted.filter((w) => w.record && !w.error);
    if (config.useStreams && stream && toStream.length > 0) {
      try {
        const put = await stream.put(toStream.map((w) => ({ partitionKey: w.event.jobId, data: JSON.stringify(w.record) })));
        result.streamed += put.accepted.length;
        metrics.addMetric("StreamRecordsPut", MetricUnit.Count, put.accepted.length);
        if (put.calls > 1) metrics.addMetric("StreamPutCalls", MetricUnit.Count, put.calls);
        for (const f of put.failed) {
          const w = toStream[f.index];
          w.error = new Error(`Kinesis did not accept the record: ${f.errorCode}: ${f.errorMessage}`);
        }
      } catch (err) {
        // Not expected (the writer reports failures per record), but never leave claims held because of it.
        for (const w of toStream) w.error = err;
      }
    }

    // 7. mark done; give failed claims back so the retry can take them at once
    await Promise.all(
      accepted.map(async (w) => {
        if (w.claimUntil === undefined) return;
        if (!w.error) {
          try {
            await events.markDone(w.event.jobId, w.event.eventKey, { now: now(), streamed: config.useStreams });
            w.done = true;
            return;
          } catch (err) {
            w.error = err;
          }
        }
        await events.release(w.event.jobId, w.event.eventKey, w.claimUntil).catch(() => undefined);
      }),
    );
    await Promise.all(letters);

    const failed = accepted.filter((w) => w.error);
    result.failed = failed.length + letterFailures;
    if (result.failed > 0) {
      metrics.addMetric("EventsFailed", MetricUnit.Count, result.failed);
      for (const w of failed) {
        logger.error("event not processed; the invocation fails so Lambda retries it", {
          eventKey: w.event.eventKey,
          jobId: w.event.jobId,
          reason: describe(w.error),
        });
      }
      const first = failed[0]?.error;
      throw new CollectorError(
        `${result.failed} of ${raws.length} event(s) could not be processed (first: ${first ? describe(first) : "dead-letter send failed"}); ` +
          "the invocation fails so Lambda retries it — already-processed events are skipped on retry",
        result,
      );
    }
    return result;
  }
}

export class CollectorError extends Error {
  constructor(
    message: string,
    readonly result: CollectorResult,
  ) {
    super(message);
    this.name = "CollectorError";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lambda wiring

/** AWS clients the collector uses; the bench passes instrumented ones. Built from env when absent. */
export interface CollectorClients {
  dynamoDb?: DynamoDBDocumentClient;
  kinesis?: KinesisClient;
  s3?: S3Client;
  sqs?: SQSClient;
  mediaConvert?: MediaConvertClient;
}

/** Builds the real dependencies from the environment (AWS, or the stand-ins through MCJOBS_ENDPOINT_*). */
export function depsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: Partial<CollectorDeps> & { clients?: CollectorClients } = {},
): CollectorDeps {
  const { clients: given = {}, ...overrides } = extra;
  const config = loadCollectorConfig(env);
  const logger = extra.logger ?? new Logger({ serviceName: "mcjobs-collector" });
  const metrics = extra.metrics ?? new Metrics({ namespace: "mcjobs", serviceName: "collector" });
  const ddb = given.dynamoDb ?? clients.dynamoDb(env);
  let deadLetter: DeadLetterSink;
  if (config.deadLetterQueueUrl) {
    deadLetter = sqsDeadLetter(given.sqs ?? clients.sqs(env), config.deadLetterQueueUrl);
  } else if (env.AWS_LAMBDA_FUNCTION_NAME && !overrides.deadLetter) {
    // In a real Lambda runtime a rejected event must land somewhere durable.
    throw new Error(
      `Collector configuration is invalid:\n  ${ENV.deadLetterQueueUrl} (not set): required in Lambda, where rejected events go to that SQS queue`,
    );
  } else {
    logger.warn(`${ENV.deadLetterQueueUrl} is not set: rejected events are only logged (fine locally; set it in AWS)`);
    deadLetter = memoryDeadLetter();
  }
  let probe: Prober | undefined;
  if (config.probe) {
    const s3 = given.s3 ?? clients.s3(env);
    probe = async (uri, opts) => {
      // Loaded on first use: the wasm module costs memory and start-up time only for jobs that need it.
      // (A plain require: esbuild bundles it, and it resolves the same under tsx and in the bundle.)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require("../probe") as typeof import("../probe");
      return mod.probeS3(uri, { ...opts, s3 });
    };
  }
  return {
    config,
    jobs: dynamoJobsStore(ddb, config.jobsTable),
    events: dynamoEventsStore(ddb, config.eventsTable),
    queues: dynamoQueueCounters(ddb, { queuesTable: config.queuesTable, jobsTable: config.jobsTable }),
    stream:
      config.useStreams && config.streamName ? kinesisStreamWriter(given.kinesis ?? clients.kinesis(env), config.streamName) : undefined,
    deadLetter,
    probe,
    jobDetails: config.getJob ? mediaConvertJobDetails(given.mediaConvert ?? clients.mediaConvert(env)) : undefined,
    logger,
    metrics,
    ...overrides,
  };
}

let cached: { collect: ReturnType<typeof createCollector>; deps: CollectorDeps } | undefined;

/** The Lambda entry point. Configuration is read at the first invocation of a container. */
export async function handler(input: unknown, context?: Context): Promise<CollectorResult> {
  if (!cached) {
    const deps = depsFromEnv();
    cached = { collect: createCollector(deps), deps };
    if (context?.functionName) deps.metrics.setFunctionName(context.functionName);
    deps.metrics.captureColdStartMetric();
  }
  const { collect, deps } = cached;
  if (context) deps.logger.addContext(context);
  try {
    return await collect(input, context);
  } finally {
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
  }
}
