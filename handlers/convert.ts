/**
 * Convert Lambda: the watch folder. S3 invokes it (asynchronously) for every object created under `inputs/` in
 * the watch bucket.
 *
 * Per invocation:
 *  1. read the notification (convert/s3-event.ts): decoded keys, only uploads under `inputs/`, no folder markers;
 *  2. read and validate every `jobs/*.json` settings file of the bucket once; a broken file is reported by name
 *     (logged, and listed in the result) and skipped, the others still run; no files at all = the default job;
 *  3. per upload and settings file: build the CreateJob request (convert/request.ts) and submit it at most once
 *     (the request ledger, adapters/watch-requests.ts, plus MediaConvert's clientRequestToken);
 *  4. record the job as SUBMITTED in the Jobs table right away, through the same order-proof conditional write
 *     as the collector's events (a PROGRESSING or terminal record that got there first is never regressed), and
 *     move the queue counters.
 *
 * Failures: any CreateJob or table write that fails makes the invocation throw once everything else is done, so
 * Lambda retries it and finally hands it to the on-failure destination (a dead-letter queue): an upload is never
 * silently dropped. A retry skips what already succeeded: the ledger remembers created jobs and recorded
 * SUBMITTED records. Settings files that are wrong are not failures (a retry cannot fix them) — unless every
 * settings file is wrong, in which case the upload would get no job at all, so the invocation throws too.
 */
import type { Context } from "aws-lambda";
import type { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { z } from "zod";
import * as clients from "../adapters/clients";
import { dynamoJobsStore, type JobsStore } from "../adapters/jobs-store";
import { mediaConvertJobs, type MediaConvertJobs } from "../adapters/mediaconvert";
import { dynamoQueueCounters, syncQueueCounters, type QueueCounters } from "../adapters/queue-counters";
import { readSettingsFiles, type SettingsListing } from "../adapters/settings-files";
import { dynamoWatchRequests, type WatchRequests } from "../adapters/watch-requests";
import { DEFAULT_JOB, DEFAULT_SETTINGS_NAME } from "../convert/default-job";
import { buildCreateJobRequest, requestToken } from "../convert/request";
import { parseS3Event, type SkippedRecord, type Upload } from "../convert/s3-event";
import type { SettingsFile } from "../convert/settings";
import { ENV } from "../domain/env";
import { submittedEvent } from "../domain/job-source";

// ---------------------------------------------------------------------------------------------------------------
// Configuration (validated once per container)

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:mediaconvert:[a-z0-9-]+:\d{12}:queues\/[A-Za-z0-9_-]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const ConvertConfigSchema = z.object({
  [ENV.jobsTable]: z.string({ error: "must name the Jobs table" }).min(1, "must name the Jobs table"),
  [ENV.queuesTable]: z.string({ error: "must name the Queues table" }).min(1, "must name the Queues table"),
  [ENV.tableTtlDays]: z.coerce
    .number({ error: "must be a number of days (the stack's tableTTL)" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days"),
  [ENV.application]: z.string({ error: "must be the stack's application name (letters, digits, hyphens)" }).regex(/^[A-Za-z][A-Za-z0-9-]{0,29}$/, "must be the stack's application name (letters, digits, hyphens)"),
  [ENV.mediaConvertRoleArn]: z.string({ error: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) MediaConvert can assume" }).regex(ROLE_ARN, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) MediaConvert can assume"),
  [ENV.mediaConvertQueueArn]: z.string().regex(QUEUE_ARN, "must be a MediaConvert queue ARN (arn:aws:mediaconvert:<region>:<account>:queues/<name>)").optional(),
  [ENV.watchBucket]: z.string({ error: "must be the watch folder's bucket name" }).regex(BUCKET, "must be the watch folder's bucket name"),
  [ENV.outputBucket]: z.string({ error: "must be the media bucket's name (where outputs go)" }).regex(BUCKET, "must be the media bucket's name (where outputs go)"),
});

export interface ConvertConfig {
  jobsTable: string;
  queuesTable: string;
  ttlSeconds: number;
  application: string;
  roleArn: string;
  queueArn?: string;
  watchBucket: string;
  outputBucket: string;
}

/** Reads and validates the handler's settings; throws one message naming every bad variable and its value. */
export function loadConvertConfig(env: NodeJS.ProcessEnv = process.env): ConvertConfig {
  const blankToUndefined = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));
  const parsed = ConvertConfigSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "?");
      const value = env[name];
      return `  ${name}${value === undefined ? " (not set)" : ` = ${JSON.stringify(value)}`}: ${i.message}`;
    });
    throw new Error(`Convert configuration is invalid:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  return {
    jobsTable: c[ENV.jobsTable],
    queuesTable: c[ENV.queuesTable],
    ttlSeconds: c[ENV.tableTtlDays] * 86_400,
    application: c[ENV.application],
    roleArn: c[ENV.mediaConvertRoleArn],
    queueArn: c[ENV.mediaConvertQueueArn],
    watchBucket: c[ENV.watchBucket],
    outputBucket: c[ENV.outputBucket],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dependencies

export interface ConvertDeps {
  config: ConvertConfig;
  /** Lists and reads the settings files of a bucket. */
  settings: (bucket: string) => Promise<SettingsListing>;
  mediaConvert: MediaConvertJobs;
  jobs: JobsStore;
  queues: QueueCounters;
  requests: WatchRequests;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Age after which a claim without a recorded job is outside MediaConvert's token window (default 55 s). */
  tokenWindowMs?: number;
}

export interface ConvertedJob {
  input: string;
  settings: string;
  jobId: string;
  token: string;
  /** "created": CreateJob ran now; "existing": the ledger already had the job (a re-delivery or a retry). */
  how: "created" | "existing";
  /** The SUBMITTED record was written (false when it already was, on an earlier attempt). */
  recorded: boolean;
}

export interface ConvertResult {
  uploads: number;
  jobs: ConvertedJob[];
  /** Settings files that could not be used, by name, with the reason. */
  brokenSettings: { name: string; problem: string }[];
  /** Settings files beyond the limit, not used. */
  ignoredSettings: string[];
  /** Records that were not uploads to convert (other prefixes, folder markers, other event types). */
  skipped: SkippedRecord[];
  /** Jobs that could not be created or recorded (the invocation throws when there are any). */
  failures: { input: string; settings: string; reason: string }[];
}

export class ConvertError extends Error {
  constructor(
    message: string,
    readonly result: ConvertResult,
  ) {
    super(message);
    this.name = "ConvertError";
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
}

export function createConvert(deps: ConvertDeps) {
  const { config, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const tokenWindowMs = deps.tokenWindowMs ?? 55_000;

  async function submit(upload: Upload, settingsName: string, settings: SettingsFile): Promise<ConvertedJob> {
    const token = requestToken(upload, settingsName);
    const base = { input: upload.key, settings: settingsName, token };
    const entry = await deps.requests.get(token);
    if (entry?.recordedAt !== undefined && entry.createdJobId) {
      logger.info("already converted: this upload and settings file have a job", { ...base, jobId: entry.createdJobId });
      metrics.addMetric("DuplicateUploads", MetricUnit.Count, 1);
      return { ...base, jobId: entry.createdJobId, how: "existing", recorded: false };
    }

    let job: unknown;
    let how: ConvertedJob["how"];
    if (entry?.createdJobId) {
      // An earlier attempt created the job but did not get to record it: fetch it instead of creating another.
      job = await deps.mediaConvert.getJob(entry.createdJobId);
      how = "existing";
      if (!job) {
        logger.warn("the job an earlier attempt created no longer exists; nothing to record", { ...base, jobId: entry.createdJobId });
        await deps.requests.recorded(token, now());
        return { ...base, jobId: entry.createdJobId, how, recorded: false };
      }
    } else {
      const claim = await deps.requests.claim(token, { input: upload.key, settings: settingsName, now: now(), ttlSeconds: config.ttlSeconds });
      if (claim.claimAt !== undefined && now() - claim.claimAt > tokenWindowMs) {
        logger.warn(
          "an earlier attempt for this upload stopped before recording its job, longer ago than MediaConvert remembers request tokens; " +
            "submitting again, which may duplicate that job",
          { ...base, claimedAt: new Date(claim.claimAt).toISOString() },
        );
        metrics.addMetric("StaleClaims", MetricUnit.Count, 1);
      }
      const request = buildCreateJobRequest({
        upload,
        settingsName,
        settings,
        application: config.application,
        roleArn: config.roleArn,
        queueArn: config.queueArn,
        outputBucket: config.outputBucket,
      });
      const created = await deps.mediaConvert.createJob(request);
      job = created;
      how = "created";
      await deps.requests.created(token, String(created.Id), now());
      metrics.addMetric("JobsCreated", MetricUnit.Count, 1);
      logger.info("job created", { ...base, jobId: created.Id, queue: created.Queue });
    }

    const jobId = String((job as { Id?: unknown }).Id);
    const event = submittedEvent(job, { region: upload.region, at: now() });
    if (!event.ok) {
      // The job exists; only its early record is missing. The collector will still see it through its events.
      logger.error("the job was created but its answer could not be read to record it as SUBMITTED", { ...base, jobId, reason: event.reason });
      await deps.requests.recorded(token, now());
      return { ...base, jobId, how, recorded: false };
    }
    const applied = await deps.jobs.apply(event.event, { now: now(), ttlSeconds: config.ttlSeconds });
    await syncQueueCounters(deps.queues, (id) => deps.jobs.get(id), applied.item, { now: now(), ttlSeconds: config.ttlSeconds });
    await deps.requests.recorded(token, now());
    return { ...base, jobId, how, recorded: applied.changed };
  }

  return async function convert(input: unknown): Promise<ConvertResult> {
    const { uploads, skipped } = parseS3Event(input);
    const result: ConvertResult = { uploads: uploads.length, jobs: [], brokenSettings: [], ignoredSettings: [], skipped, failures: [] };
    for (const s of skipped) logger.info("record skipped", { key: s.key, reason: s.reason });
    if (uploads.length === 0) return result;

    const listings = new Map<string, Promise<SettingsListing>>();
    const settingsOf = (bucket: string) => {
      if (!listings.has(bucket)) listings.set(bucket, deps.settings(bucket));
      return listings.get(bucket)!;
    };

    const work: Array<{ upload: Upload; name: string; file: SettingsFile }> = [];
    for (const upload of uploads) {
      if (upload.bucket !== config.watchBucket) {
        // Only the watch bucket's notifications are routed here; anything else is a wiring mistake.
        result.skipped.push({ index: -1, key: upload.key, reason: `bucket ${upload.bucket} is not the watch folder (${config.watchBucket})` });
        logger.warn("upload from another bucket skipped", { bucket: upload.bucket, key: upload.key });
        continue;
      }
      let listing: SettingsListing;
      try {
        listing = await settingsOf(upload.bucket);
      } catch (err) {
        result.failures.push({ input: upload.key, settings: "jobs/", reason: `could not list the settings files: ${describe(err)}` });
        continue;
      }
      for (const f of listing.files) {
        if (f.ok) continue;
        if (f.retryable) {
          result.failures.push({ input: upload.key, settings: f.name, reason: f.problem });
        } else if (!result.brokenSettings.some((b) => b.name === f.name)) {
          result.brokenSettings.push({ name: f.name, problem: f.problem });
          logger.error("settings file skipped: fix it and upload again", { settings: f.name, problem: f.problem });
          metrics.addMetric("BrokenSettingsFiles", MetricUnit.Count, 1);
        }
      }
      for (const name of listing.ignored) if (!result.ignoredSettings.includes(name)) result.ignoredSettings.push(name);
      const good = listing.files.filter((f) => f.ok);
      if (listing.files.length === 0) {
        work.push({ upload, name: DEFAULT_SETTINGS_NAME, file: DEFAULT_JOB });
      } else if (good.length === 0) {
        if (!listing.files.some((f) => !f.ok && f.retryable)) {
          result.failures.push({ input: upload.key, settings: "jobs/", reason: "every settings file in jobs/ is broken, so this upload would get no job" });
        }
      } else {
        for (const f of good) work.push({ upload, name: f.name, file: f.file });
      }
    }
    if (result.ignoredSettings.length) {
      logger.warn("too many settings files; the extra ones are not used", { ignored: result.ignoredSettings });
    }

    // Jobs of one invocation are independent; a few at a time keeps MediaConvert's CreateJob rate in mind.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(4, work.length) }, async () => {
        while (next < work.length) {
          const w = work[next++];
          try {
            result.jobs.push(await submit(w.upload, w.name, w.file));
          } catch (err) {
            result.failures.push({ input: w.upload.key, settings: w.name, reason: describe(err) });
          }
        }
      }),
    );

    if (result.failures.length > 0) {
      metrics.addMetric("ConvertFailures", MetricUnit.Count, result.failures.length);
      for (const f of result.failures) logger.error("upload not converted; the invocation fails so Lambda retries it", f);
      const first = result.failures[0];
      throw new ConvertError(
        `${result.failures.length} job(s) could not be submitted (first: ${first.input} with ${first.settings}: ${first.reason}); ` +
          "the invocation fails so Lambda retries it, then sends it to the dead-letter queue — jobs already created are not created again",
        result,
      );
    }
    return result;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lambda wiring

export interface ConvertClients {
  dynamoDb?: DynamoDBDocumentClient;
  s3?: S3Client;
  mediaConvert?: MediaConvertClient;
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env, extra: Partial<ConvertDeps> & { clients?: ConvertClients } = {}): ConvertDeps {
  const { clients: given = {}, ...overrides } = extra;
  const config = loadConvertConfig(env);
  const ddb = given.dynamoDb ?? clients.dynamoDb(env);
  const s3 = given.s3 ?? clients.s3(env);
  return {
    config,
    settings: (bucket) => readSettingsFiles(s3, bucket),
    mediaConvert: mediaConvertJobs(given.mediaConvert ?? clients.mediaConvert(env)),
    jobs: dynamoJobsStore(ddb, config.jobsTable),
    queues: dynamoQueueCounters(ddb, { queuesTable: config.queuesTable, jobsTable: config.jobsTable }),
    requests: dynamoWatchRequests(ddb, config.jobsTable),
    logger: extra.logger ?? new Logger({ serviceName: "mcjobs-convert" }),
    metrics: extra.metrics ?? new Metrics({ namespace: "mcjobs", serviceName: "convert" }),
    ...overrides,
  };
}

let cached: { convert: ReturnType<typeof createConvert>; deps: ConvertDeps } | undefined;

/** The Lambda entry point (S3 event notification). Configuration is read at the first invocation of a container. */
export async function handler(input: unknown, context?: Context): Promise<ConvertResult> {
  if (!cached) {
    const deps = depsFromEnv();
    cached = { convert: createConvert(deps), deps };
    if (context?.functionName) deps.metrics.setFunctionName(context.functionName);
    deps.metrics.captureColdStartMetric();
  }
  const { convert, deps } = cached;
  if (context) deps.logger.addContext(context);
  try {
    return await convert(input);
  } finally {
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
  }
}
