/**
 * One upload with one settings file: build the CreateJob request and submit it at most once (the request ledger,
 * lib/adapters/watch-requests.ts, plus MediaConvert's clientRequestToken), then record the job as SUBMITTED in the
 * Jobs table through the same order-proof conditional write as the collector's events (a PROGRESSING or terminal
 * record that got there first is never regressed) and move the queue counters.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { syncQueueCounters } from "../adapters/queue-counters";
import { submittedEvent } from "../domain/job-source";
import { buildCreateJobRequest, requestToken } from "./request";
import type { Upload } from "./s3-event";
import type { SettingsFile } from "./settings";
import type { WatchFolderDeps, WatchFolderJob } from "./types";

/** The dependencies as `submit` uses them: clock and token window resolved. */
export type SubmitContext = WatchFolderDeps & { now: () => number; tokenWindowMs: number };

export async function submit(ctx: SubmitContext, upload: Upload, settingsName: string, settings: SettingsFile): Promise<WatchFolderJob> {
  const { config, logger, metrics, now } = ctx;
  const token = requestToken(upload, settingsName);
  const base = { input: upload.key, settings: settingsName, token };
  const entry = await ctx.requests.get(token);
  if (entry?.recordedAt !== undefined && entry.createdJobId) {
    logger.info("already converted: this upload and settings file have a job", { ...base, jobId: entry.createdJobId });
    metrics.addMetric("DuplicateUploads", MetricUnit.Count, 1);
    return { ...base, jobId: entry.createdJobId, how: "existing", recorded: false };
  }

  let job: unknown;
  let how: WatchFolderJob["how"];
  if (entry?.createdJobId) {
    // An earlier attempt created the job but did not get to record it: fetch it instead of creating another.
    job = await ctx.mediaConvert.getJob(entry.createdJobId);
    how = "existing";
    if (!job) {
      logger.warn("the job an earlier attempt created no longer exists; nothing to record", { ...base, jobId: entry.createdJobId });
      await ctx.requests.recorded(token, now());
      return { ...base, jobId: entry.createdJobId, how, recorded: false };
    }
  } else {
    const claim = await ctx.requests.claim(token, { input: upload.key, settings: settingsName, now: now(), ttlSeconds: config.ttlSeconds });
    if (claim.claimAt !== undefined && now() - claim.claimAt > ctx.tokenWindowMs) {
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
    const created = await ctx.mediaConvert.createJob(request);
    job = created;
    how = "created";
    await ctx.requests.created(token, String(created.Id), now());
    metrics.addMetric("JobsCreated", MetricUnit.Count, 1);
    logger.info("job created", { ...base, jobId: created.Id, queue: created.Queue });
  }

  const jobId = String((job as { Id?: unknown }).Id);
  const event = submittedEvent(job, { region: upload.region, at: now() });
  if (!event.ok) {
    // The job exists; only its early record is missing. The collector will still see it through its events.
    logger.error("the job was created but its answer could not be read to record it as SUBMITTED", {
      ...base,
      jobId,
      reason: event.reason,
    });
    await ctx.requests.recorded(token, now());
    return { ...base, jobId, how, recorded: false };
  }
  const applied = await ctx.jobs.apply(event.event, { now: now(), ttlSeconds: config.ttlSeconds });
  await syncQueueCounters(ctx.queues, (id) => ctx.jobs.get(id), applied.item, { now: now(), ttlSeconds: config.ttlSeconds });
  await ctx.requests.recorded(token, now());
  return { ...base, jobId, how, recorded: applied.changed };
}
