/**
 * GET /queues/{name}/series?hours=H (1 ≤ H ≤ 24, default 6): one queue's recent history in 24 equal intervals,
 * for the dashboard's pictures. Per interval: jobs that finished COMPLETE, ERROR or CANCELED in it, the backlog
 * (jobs in SUBMITTED) at its end, and the queue wait p50/p90 (nearest rank) of the jobs that started in it.
 *
 * Read path: key-condition Queries on the Jobs table's `byQueue` index (queueName = Q AND createdAt ≥ from − 1 h),
 * page after page, never a Scan or a filter. The extra hour catches jobs created a little before the range that
 * started or finished inside it; a job older than that is not counted. At most MAX_JOBS jobs are read: past that
 * the answer says `truncated` and covers the newest MAX_JOBS jobs only. The queue must have a counters item
 * (GetItem on the Queues table), so a misspelt name is a 404 as on GET /queues/{name}.
 */
import type { JobRecord } from "../domain/job";
import { toJobRecord } from "../domain/job-update";
import { percentile } from "../domain/queue-window";
import { JOBS_INDEX } from "../domain/tables";
import { ApiError, badRequest } from "./errors";
import { decodeSegment, parseQueue } from "./params";
import type { JobsReadPort } from "./ports";

export const SERIES_INTERVALS = 24;
export const SERIES_MAX_HOURS = 24;
export const SERIES_LOOKBACK_MS = 3_600_000;
/** Most jobs read for one answer (pages of PAGE). */
export const MAX_JOBS = 5_000;
const PAGE = 1_000;

export interface SeriesInterval {
  start: number;
  startIso: string;
  end: number;
  completed: number;
  failed: number;
  canceled: number;
  /** Jobs in SUBMITTED at the interval's end. */
  backlog: number;
  /** Jobs that left the queue (started) in the interval, and their queue wait. */
  started: number;
  waitP50Ms?: number;
  waitP90Ms?: number;
}

export function parseSeriesParams(query: Record<string, string | undefined>): { hours: number } {
  for (const k of Object.keys(query)) {
    if (k !== "hours")
      throw badRequest("UnknownParameter", `GET /queues/{name}/series has no query parameter ${JSON.stringify(k)}; accepted: hours.`);
  }
  const raw = query.hours;
  if (raw === undefined) return { hours: 6 };
  const hours = /^\d{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(hours >= 1 && hours <= SERIES_MAX_HOURS)) {
    throw badRequest(
      "InvalidParameter",
      `hours must be a whole number of hours from 1 to ${SERIES_MAX_HOURS}; got ${JSON.stringify(raw.slice(0, 40))}.`,
    );
  }
  return { hours };
}

/** When a job left SUBMITTED: its start, else (canceled or failed while queued) its end. */
function leftQueueAt(j: JobRecord): number | undefined {
  return j.progressingAt ?? (j.status === "SUBMITTED" ? undefined : j.finishedAt);
}

/** Folds jobs into SERIES_INTERVALS intervals of [from, to). Pure. */
export function buildSeries(jobs: JobRecord[], from: number, to: number): SeriesInterval[] {
  const step = (to - from) / SERIES_INTERVALS;
  const out: SeriesInterval[] = [];
  const waits: number[][] = [];
  for (let i = 0; i < SERIES_INTERVALS; i++) {
    const start = Math.round(from + i * step);
    const end = Math.round(from + (i + 1) * step);
    out.push({ start, startIso: new Date(start).toISOString(), end, completed: 0, failed: 0, canceled: 0, backlog: 0, started: 0 });
    waits.push([]);
  }
  const slot = (t: number | undefined) =>
    t === undefined || t < from || t >= to ? -1 : Math.min(SERIES_INTERVALS - 1, Math.floor((t - from) / step));
  for (const j of jobs) {
    const f = slot(j.finishedAt);
    if (f >= 0 && j.status === "COMPLETE") out[f].completed++;
    if (f >= 0 && j.status === "ERROR") out[f].failed++;
    if (f >= 0 && j.status === "CANCELED") out[f].canceled++;
    const s = slot(j.progressingAt);
    if (s >= 0) {
      out[s].started++;
      const wait = j.queuedMs ?? (j.progressingAt as number) - (j.submittedAt ?? j.createdAt);
      if (Number.isFinite(wait) && wait >= 0) waits[s].push(wait);
    }
    const entered = j.submittedAt ?? j.createdAt;
    const left = leftQueueAt(j);
    for (const iv of out) if (entered < iv.end && (left === undefined || left >= iv.end)) iv.backlog++;
  }
  out.forEach((iv, i) => {
    const p50 = percentile(waits[i], 0.5);
    const p90 = percentile(waits[i], 0.9);
    if (p50 !== undefined) iv.waitP50Ms = p50;
    if (p90 !== undefined) iv.waitP90Ms = p90;
  });
  return out;
}

/** GET /queues/{segment}/series. */
export async function seriesRoute(
  segment: string,
  query: Record<string, string | undefined>,
  store: JobsReadPort,
  now: number,
): Promise<Record<string, unknown>> {
  const name = parseQueue(decodeSegment(segment, "queue name"), "The queue in the path");
  const { hours } = parseSeriesParams(query);
  if (!(await store.getQueue(name, now))) {
    throw new ApiError(
      404,
      "QueueNotFound",
      `No jobs have been recorded for a queue named ${JSON.stringify(name)} (names are case-sensitive); GET /queues lists the known ones.`,
    );
  }
  const to = now;
  const from = now - hours * 3_600_000;
  const jobs: JobRecord[] = [];
  let startKey: Record<string, string | number> | undefined;
  let queries = 0;
  let itemsRead = 0;
  do {
    const page = await store.queryJobs({
      index: JOBS_INDEX.byQueue,
      partitionAttribute: "queueName",
      partition: name,
      since: from - SERIES_LOOKBACK_MS,
      limit: Math.min(PAGE, MAX_JOBS - jobs.length),
      startKey,
      now,
    });
    queries += page.queries;
    itemsRead += page.itemsRead;
    for (const item of page.items) jobs.push(toJobRecord(item));
    startKey = page.lastKey;
  } while (startKey && jobs.length < MAX_JOBS);
  return {
    queueName: name,
    hours,
    from,
    fromIso: new Date(from).toISOString(),
    to,
    toIso: new Date(to).toISOString(),
    intervalMs: (to - from) / SERIES_INTERVALS,
    intervals: buildSeries(jobs, from, to),
    jobsCounted: jobs.length,
    ...(startKey ? { truncated: true } : {}),
    reads: { queries, itemsRead },
  };
}
