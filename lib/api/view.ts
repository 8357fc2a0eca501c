/**
 * What the Jobs API returns for a job, an event and a queue: the domain's JobRecord (from `toJobRecord`) with
 * every time given twice, as epoch ms (`createdAt`) and as ISO 8601 (`createdAtIso`), plus `waitingMs` for a job
 * still waiting in its queue. Numbers stay numbers. Pure.
 *
 * `stale` (with `staleSince`) is decided here, at read time, by lib/domain/staleness.ts: an unfinished job not
 * heard from for longer than its status allows. It shows until the next event or reconciler sweep; a stale job
 * shows no ETA, since the ETA assumes progress we have not heard of.
 */
import type { JobRecord } from "../domain/job";
import { DEFAULT_STATUS_UPDATE_INTERVAL_MS, stalenessOf } from "../domain/staleness";

const iso = (ms: number) => new Date(ms).toISOString();
const TIME_FIELDS = [
  "createdAt",
  "submittedAt",
  "progressingAt",
  "finishedAt",
  "lastEventAt",
  "estimatedFinishAt",
  "stalledSince",
  "staleSince",
] as const;

export type JobView = JobRecord & Record<string, unknown>;

function withIso(out: Record<string, unknown>, field: string): void {
  const v = out[field];
  if (typeof v === "number" && Number.isFinite(v)) out[`${field}Iso`] = iso(v);
}

export interface JobViewOptions {
  /** The status-update interval staleness is measured in (default MediaConvert's 60 s). */
  statusUpdateIntervalMs?: number;
}

export function jobView(rec: JobRecord, asOf: number, opts: JobViewOptions = {}): JobView {
  const out: Record<string, unknown> = { ...rec };
  const staleness = stalenessOf(rec, asOf, opts.statusUpdateIntervalMs ?? DEFAULT_STATUS_UPDATE_INTERVAL_MS);
  if (staleness.stale) {
    out.stale = true;
    out.staleSince = staleness.staleSince;
    delete out.etaMs;
    delete out.estimatedFinishAt;
  }
  for (const f of TIME_FIELDS) withIso(out, f);
  out.queueHops = rec.queueHops.map((h) => ({ ...h, atIso: iso(h.at) }));
  if (rec.status === "SUBMITTED") out.waitingMs = Math.max(0, asOf - (rec.submittedAt ?? rec.createdAt));
  return out as JobView;
}

/** One stored event (Events table item) without the collector's bookkeeping or the raw text. */
export function eventView(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    eventKey: item.eventKey,
    eventId: item.eventId,
    status: item.status,
    timestamp: item.timestamp,
  };
  withIso(out, "timestamp");
  if (typeof item.receivedAt === "number") {
    out.receivedAt = item.receivedAt;
    withIso(out, "receivedAt");
  }
  if (item.event !== undefined) out.event = item.event;
  else if (item.eventOmitted) out.eventOmitted = true;
  return out;
}

export const COUNTER_FIELDS = ["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"] as const;

/** A Queues table item: the five counters (0 when never counted), last activity. */
export function queueView(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { queueName: item.queueName };
  for (const c of COUNTER_FIELDS) out[c] = typeof item[c] === "number" ? item[c] : 0;
  if (typeof item.lastActivityAt === "number") {
    out.lastActivityAt = item.lastActivityAt;
    withIso(out, "lastActivityAt");
  }
  if (typeof item.lastJobId === "string") out.lastJobId = item.lastJobId;
  if (typeof item.lastStatus === "string") out.lastStatus = item.lastStatus;
  return out;
}
