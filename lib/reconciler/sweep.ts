/**
 * One reconciler sweep: make the live records converge on MediaConvert's own state when events were lost.
 *
 *  1. select: the unfinished jobs (SUBMITTED, PROGRESSING) not heard from for longer than three status-update
 *     intervals (lib/domain/staleness.ts), the longest-silent first, at most `maxJobs`;
 *  2. discover: per queue (ListQueues), ListJobs newest first down to the queue's sweep mark: jobs none of whose
 *     events arrived are not on record at all. Jobs younger than the silence limit are left to the next sweep
 *     (their events may still be on the way), which is why the new mark is that limit (and a minute) back;
 *  3. ask: GetJob for the selected jobs ListJobs did not already answer, batched through the adapter's limiter;
 *  4. fold: every answer through the collector's steps (fold.ts). A job GetJob no longer finds is marked lost
 *     (an ERROR the domain defines, see fold.ts `lostEvent`), never left PROGRESSING;
 *  5. keep the marks of the queues whose listing and folds all succeeded.
 * Nothing is lost on a fault: selection is by state, so a job whose GetJob or fold failed is selected again next
 * time, and a queue whose listing failed keeps its old mark.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Job } from "@aws-sdk/client-mediaconvert";
import type { QuietJob } from "../adapters/jobs-query";
import type { MediaConvertSweep } from "../adapters/mediaconvert";
import { describe } from "../collector/async";
import type { CollectorContext } from "../collector/types";
import { checkCutoff, UNFINISHED_STATUSES } from "../domain/staleness";
import { answerEvent, foldAnswers, lostEvent, type Answer } from "./fold";
import type { SweepMarks } from "./marks";

export interface SweepSettings {
  statusUpdateIntervalMs: number;
  maxJobs: number;
  concurrency: number;
  firstLookbackMs: number;
  onlyApplication?: string;
}

export interface SweepDeps {
  /** The collector's steps and stores (its extras off). */
  collector: CollectorContext;
  mediaConvert: MediaConvertSweep;
  quietJobs(status: string, heardBefore: number, max: number): Promise<QuietJob[]>;
  marks: SweepMarks;
  settings: SweepSettings;
}

export interface SweepResult {
  /** Jobs selected as silent, and asked about. */
  checked: number;
  /** Jobs found by ListJobs that were not on record. */
  discovered: number;
  /** Folds that changed a job's status (discovered jobs included). */
  healed: number;
  /** Jobs MediaConvert no longer knows, now marked lost. */
  lost: number;
  /** GetJob or ListJobs calls that failed (after the limiter's retries), and folds that failed. */
  failed: number;
  throttled: number;
  /** Job ids per outcome, for logs and tests. */
  healedJobs: string[];
  lostJobs: string[];
}

const MARK_MARGIN_MS = 60_000;

export async function sweep(deps: SweepDeps): Promise<SweepResult> {
  const { collector: ctx, mediaConvert: mc, settings } = deps;
  const { logger } = ctx;
  const now = ctx.now();
  const cutoff = checkCutoff(now, settings.statusUpdateIntervalMs);
  const result: SweepResult = { checked: 0, discovered: 0, healed: 0, lost: 0, failed: 0, throttled: 0, healedJobs: [], lostJobs: [] };

  // 1. select
  let selected: QuietJob[] = [];
  for (const status of UNFINISHED_STATUSES) selected.push(...(await deps.quietJobs(status, cutoff, settings.maxJobs)));
  selected = selected.sort((a, b) => a.lastEventAt - b.lastEventAt).slice(0, settings.maxJobs);
  result.checked = selected.length;

  // 2. discover
  const marks = await deps.marks.get();
  const nextMarks: Record<string, number> = { ...marks };
  const listed = new Map<string, Job>();
  const discoveredByQueue = new Map<string, string[]>();
  const queues = await mc.listQueues();
  for (const queueArn of queues) {
    const since = marks[queueArn] ?? now - settings.firstLookbackMs;
    try {
      const jobs = await mc.listJobsSince(queueArn, since);
      const ids: string[] = [];
      for (const job of jobs) {
        if (!job.Id || (job.CreatedAt?.getTime() ?? now) >= cutoff) continue;
        if (settings.onlyApplication && job.UserMetadata?.application !== settings.onlyApplication) continue;
        listed.set(job.Id, job);
        ids.push(job.Id);
      }
      discoveredByQueue.set(queueArn, ids);
      nextMarks[queueArn] = Math.max(since, cutoff - MARK_MARGIN_MS);
    } catch (err) {
      result.failed++;
      logger.warn("ListJobs failed; this queue is listed again from the same mark next sweep", { queueArn, reason: describe(err) });
    }
  }
  const onRecord = new Map(selected.map((j) => [j.jobId, j]));
  const unknown = new Set<string>();
  await Promise.all(
    [...listed.keys()]
      .filter((id) => !onRecord.has(id))
      .map(async (id) => {
        if (!(await ctx.jobs.get(id))) unknown.add(id);
      }),
  );
  result.discovered = unknown.size;

  // 3. ask
  const toAsk = selected.filter((j) => !listed.has(j.jobId)).map((j) => j.jobId);
  const outcomes = await mc.getJobs(toAsk);
  result.throttled = mc.throttled;

  // 4. fold
  const answers: Answer[] = [];
  const add = (jobId: string, raw: unknown, made: ReturnType<typeof answerEvent>, before: string | undefined, lost = false) => {
    if (!made.ok) {
      result.failed++;
      logger.warn("MediaConvert's answer could not be read; the job is left as it is", { jobId, reason: made.reason });
      return;
    }
    answers.push({ jobId, work: { raw, event: made.event }, before, lost });
  };
  for (const job of selected) {
    const answer = listed.get(job.jobId);
    if (answer) {
      add(job.jobId, answer, answerEvent(answer, now), job.status);
      continue;
    }
    const outcome = outcomes.get(job.jobId);
    if (outcome?.kind === "found") add(job.jobId, outcome.job, answerEvent(outcome.job, now), job.status);
    else if (outcome?.kind === "not-found") add(job.jobId, { notFound: job.jobId }, lostEvent(job, now), job.status, true);
    else {
      result.failed++;
      logger.warn("GetJob failed; the job is asked about again next sweep", { jobId: job.jobId, reason: outcome?.reason });
    }
  }
  for (const id of unknown) add(id, listed.get(id), answerEvent(listed.get(id), now), undefined);
  await foldAnswers(ctx, answers, settings.concurrency);

  const failedJobs = new Set<string>();
  for (const a of answers) {
    if (a.work.error || a.after === undefined) {
      result.failed++;
      failedJobs.add(a.jobId);
      logger.warn("folding MediaConvert's answer failed; the job is asked about again next sweep", {
        jobId: a.jobId,
        reason: describe(a.work.error),
      });
      continue;
    }
    if (a.lost) {
      result.lost++;
      result.lostJobs.push(a.jobId);
    } else if (a.after !== a.before) {
      result.healed++;
      result.healedJobs.push(a.jobId);
    }
  }

  // 5. marks: a queue whose discovered job could not be folded is listed again from its old mark.
  for (const [queueArn, ids] of discoveredByQueue) {
    if (ids.some((id) => unknown.has(id) && failedJobs.has(id))) nextMarks[queueArn] = marks[queueArn] ?? now - settings.firstLookbackMs;
  }
  await deps.marks.put(nextMarks, now);

  const { metrics } = ctx;
  metrics.addMetric("ReconcileJobsChecked", MetricUnit.Count, result.checked);
  metrics.addMetric("ReconcileJobsDiscovered", MetricUnit.Count, result.discovered);
  metrics.addMetric("ReconcileJobsHealed", MetricUnit.Count, result.healed);
  metrics.addMetric("ReconcileJobsLost", MetricUnit.Count, result.lost);
  metrics.addMetric("ReconcileFailures", MetricUnit.Count, result.failed);
  metrics.addMetric("ReconcileThrottled", MetricUnit.Count, result.throttled);
  logger.info("reconciler sweep done", { ...result, healedJobs: result.healedJobs.slice(0, 20), lostJobs: result.lostJobs.slice(0, 20) });
  return result;
}
