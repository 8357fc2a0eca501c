/**
 * Folding MediaConvert's answers into the live records with the collector's own steps, so a healed job looks
 * exactly as if its events had arrived: each answer becomes a JOB_DETAILS event (lib/domain/job-source.ts) that is
 * claimed in the Events table, folded into the job's record, moves the queue counters (process-event.ts), goes
 * onto the Kinesis stream as an enriched record (publish.ts) and is marked done (finish.ts). A failed step
 * releases the claim; the job stays as it was and the next sweep asks again.
 */
import type { Job } from "@aws-sdk/client-mediaconvert";
import type { QuietJob } from "../adapters/jobs-query";
import { mapLimit } from "../collector/async";
import { settleClaims } from "../collector/finish";
import { processEvent } from "../collector/process-event";
import { publishRecords } from "../collector/publish";
import type { CollectorContext, CollectorResult, Work } from "../collector/types";
import type { JobDetailsEvent } from "../domain/events";
import type { JobStatus } from "../domain/job";
import { jobDetailsEventResult } from "../domain/job-source";
import { LOST_JOB_ERROR_CODE, LOST_JOB_MESSAGE } from "../domain/staleness";

/** One answer to fold, and what became of it. */
export interface Answer {
  jobId: string;
  work: Work;
  /** The status on record before the fold (undefined: the job was not on record). */
  before?: string;
  /** The status on record after a successful fold. */
  after?: JobStatus;
  lost?: boolean;
}

export type AnswerResult = { ok: true; event: JobDetailsEvent } | { ok: false; reason: string };

/** A GetJob (or ListJobs) answer as the event the collector folds. */
export function answerEvent(job: Job | unknown, at: number): AnswerResult {
  return jobDetailsEventResult(job, { at });
}

/**
 * The event that marks a job MediaConvert no longer knows: ERROR with LOST_JOB_ERROR_CODE. Its status claim is
 * timed at the job's last event, so a real terminal event that still arrives (it can only be later) wins over it;
 * it carries no settings, and the record's queue and metadata, so it changes nothing else on the record.
 */
export function lostEvent(job: QuietJob, at: number): AnswerResult {
  const r = jobDetailsEventResult(
    {
      Id: job.jobId,
      Arn: job.arn,
      Queue: job.queue,
      UserMetadata: job.userMetadata ?? {},
      Status: "ERROR",
      ErrorCode: LOST_JOB_ERROR_CODE,
      ErrorMessage: LOST_JOB_MESSAGE,
      Timing: { FinishTime: job.lastEventAt },
    },
    { at, accountId: job.accountId, region: job.region },
  );
  if (!r.ok) return r;
  const { settings: _none, ...event } = r.event;
  return { ok: true, event: { ...event, queueTransitions: [] } };
}

/** Folds the answers (one per job) through the collector's steps 2–7; fills each answer's `after` or `work.error`. */
export async function foldAnswers(ctx: CollectorContext, answers: Answer[], concurrency: number): Promise<void> {
  const result: CollectorResult = {
    received: answers.length,
    rejected: 0,
    ignored: 0,
    duplicates: 0,
    processed: 0,
    streamed: 0,
    failed: 0,
  };
  const works = answers.map((a) => a.work);
  const leaseMs = 60_000;
  const started = Date.now();
  const remainingMs = () => leaseMs - (Date.now() - started);
  await mapLimit(answers, concurrency, async (a) => {
    try {
      await processEvent(ctx, a.work, leaseMs, remainingMs, result);
    } catch (err) {
      a.work.error = err;
    }
  });
  await publishRecords(ctx, works, result);
  await settleClaims(ctx, works);
  for (const a of answers) if (!a.work.error && a.work.record) a.after = a.work.record.job.status;
}
