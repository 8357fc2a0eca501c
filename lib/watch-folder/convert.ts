/**
 * The watch-folder pipeline: what the watch-folder Lambda does with one S3 notification.
 *
 *  1. read the notification (s3-event.ts): decoded keys, only uploads under `inputs/`, no folder markers;
 *  2. read and validate every `jobs/*.json` settings file of the bucket once (plan.ts); a broken file is reported
 *     by name (logged, and listed in the result) and skipped, the others still run; no files at all = the default job;
 *  3. per upload and settings file: build the CreateJob request and submit it at most once (submit.ts);
 *  4. record the job as SUBMITTED in the Jobs table right away and move the queue counters (submit.ts).
 *
 * Failures: any CreateJob or table write that fails makes the invocation throw once everything else is done, so
 * Lambda retries it and finally hands it to the on-failure destination (a dead-letter queue): an upload is never
 * silently dropped. A retry skips what already succeeded: the ledger remembers created jobs and recorded
 * SUBMITTED records. Settings files that are wrong are not failures (a retry cannot fix them) — unless every
 * settings file is wrong, in which case the upload would get no job at all, so the invocation throws too.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { planJobs } from "./plan";
import { parseS3Event } from "./s3-event";
import { submit, type SubmitContext } from "./submit";
import { describe, WatchFolderError, type WatchFolderDeps, type WatchFolderResult } from "./types";

/** CreateJob calls in flight at once within one invocation (MediaConvert's CreateJob rate is limited). */
const SUBMIT_CONCURRENCY = 4;

export function createWatchFolder(deps: WatchFolderDeps) {
  const { logger, metrics } = deps;
  const ctx: SubmitContext = { ...deps, now: deps.now ?? Date.now, tokenWindowMs: deps.tokenWindowMs ?? 55_000 };

  return async function convert(input: unknown): Promise<WatchFolderResult> {
    const { uploads, skipped } = parseS3Event(input);
    const result: WatchFolderResult = { uploads: uploads.length, jobs: [], brokenSettings: [], ignoredSettings: [], skipped, failures: [] };
    for (const s of skipped) logger.info("record skipped", { key: s.key, reason: s.reason });
    if (uploads.length === 0) return result;

    const work = await planJobs(deps, uploads, result);

    // Jobs of one invocation are independent; a few at a time keeps MediaConvert's CreateJob rate in mind.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(SUBMIT_CONCURRENCY, work.length) }, async () => {
        while (next < work.length) {
          const w = work[next++];
          try {
            result.jobs.push(await submit(ctx, w.upload, w.name, w.file));
          } catch (err) {
            result.failures.push({ input: w.upload.key, settings: w.name, reason: describe(err) });
          }
        }
      }),
    );

    if (result.failures.length > 0) {
      metrics.addMetric("WatchFolderFailures", MetricUnit.Count, result.failures.length);
      for (const f of result.failures) logger.error("upload not converted; the invocation fails so Lambda retries it", f);
      const first = result.failures[0];
      throw new WatchFolderError(
        `${result.failures.length} job(s) could not be submitted (first: ${first.input} with ${first.settings}: ${first.reason}); ` +
          "the invocation fails so Lambda retries it, then sends it to the dead-letter queue — jobs already created are not created again",
        result,
      );
    }
    return result;
  };
}
