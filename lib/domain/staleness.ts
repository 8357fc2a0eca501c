/**
 * Staleness: how long a job that is not finished may stay silent before what we show of it is no longer to be
 * trusted. One rule, used by the Jobs API's view (lib/api/view.ts, `stale`) and by the reconciler (which jobs it
 * asks MediaConvert about).
 *
 * MediaConvert sends a running job's STATUS_UPDATE once per status-update interval (the job's
 * StatusUpdateInterval, SECONDS_10..SECONDS_600; 60 s by default), at least once, in no guaranteed order, and
 * some never. A PROGRESSING job silent for more than STALE_INTERVALS (3) intervals has lost events, or its
 * events are not reaching us. A SUBMITTED job sends nothing while it waits in its queue, so silence says less:
 * it is stale only after SUBMITTED_STALE_INTERVALS (15) intervals. Finished jobs are never stale.
 *
 * The reconciler checks every unfinished job silent for more than three intervals (SUBMITTED included: a GetJob
 * is cheap, and its answer counts as hearing from the job), so a queued job keeps being heard from and a job whose
 * events were lost is healed before it would show as stale.
 *
 * Pure code, no AWS imports.
 */
import type { JobStatus } from "./job";

/** MediaConvert's default StatusUpdateInterval. */
export const DEFAULT_STATUS_UPDATE_INTERVAL_MS = 60_000;
/** Silent intervals after which a PROGRESSING job is stale, and any unfinished job is checked. */
export const STALE_INTERVALS = 3;
/** Silent intervals after which a SUBMITTED job is stale (it sends nothing while queued). */
export const SUBMITTED_STALE_INTERVALS = 15;
/** The statuses a job can still leave. */
export const UNFINISHED_STATUSES = ["SUBMITTED", "PROGRESSING"] as const satisfies readonly JobStatus[];

/** The error code the record carries when MediaConvert no longer knows a job (outside MediaConvert's own codes). */
export const LOST_JOB_ERROR_CODE = 0;
export const LOST_JOB_MESSAGE = "mcjobs: MediaConvert no longer knows this job (GetJob answered NotFoundException); its outcome is unknown";

const isUnfinished = (status: JobStatus) => status === "SUBMITTED" || status === "PROGRESSING";

function checkInterval(intervalMs: number): number {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`status-update interval must be above 0 ms; got ${intervalMs}`);
  return intervalMs;
}

/** How long a job in `status` may stay silent before it is stale; undefined for a finished job. */
export function staleAfterMs(status: JobStatus, intervalMs = DEFAULT_STATUS_UPDATE_INTERVAL_MS): number | undefined {
  if (!isUnfinished(status)) return undefined;
  return checkInterval(intervalMs) * (status === "SUBMITTED" ? SUBMITTED_STALE_INTERVALS : STALE_INTERVALS);
}

export interface Staleness {
  stale: boolean;
  /** When the job became stale: its last event plus the silence allowed for its status. */
  staleSince?: number;
}

/** Whether a job last heard from at `lastEventAt` is stale at `asOf`. */
export function stalenessOf(
  job: { status: JobStatus; lastEventAt: number },
  asOf: number,
  intervalMs = DEFAULT_STATUS_UPDATE_INTERVAL_MS,
): Staleness {
  const limit = staleAfterMs(job.status, intervalMs);
  if (limit === undefined || !Number.isFinite(job.lastEventAt)) return { stale: false };
  const since = job.lastEventAt + limit;
  return asOf > since ? { stale: true, staleSince: since } : { stale: false };
}

/** Jobs last heard from before this time are the reconciler's to check (three intervals of silence). */
export function checkCutoff(now: number, intervalMs = DEFAULT_STATUS_UPDATE_INTERVAL_MS): number {
  return now - checkInterval(intervalMs) * STALE_INTERVALS;
}

/** Whether the reconciler should ask MediaConvert about this job now. */
export function needsCheck(
  job: { status: JobStatus; lastEventAt: number },
  now: number,
  intervalMs = DEFAULT_STATUS_UPDATE_INTERVAL_MS,
): boolean {
  return isUnfinished(job.status) && job.lastEventAt < checkCutoff(now, intervalMs);
}
