/**
 * What the Jobs API returns for a job, an event and a queue: the domain's JobRecord (from `toJobRecord`) with
 * every time given twice, as epoch ms (`createdAt`) and as ISO 8601 (`createdAtIso`), plus `waitingMs` for a job
 * still waiting in its queue. Numbers stay numbers. Pure.
 */
import type { JobRecord } from "../domain/job";

const iso = (ms: number) => new Date(ms).toISOString();
const TIME_FIELDS = ["createdAt", "submittedAt", "progressingAt", "finishedAt", "lastEventAt", "estimatedFinishAt"] as const;

export type JobView = JobRecord & Record<string, unknown>;

function withIso(out: Record<string, unknown>, field: string): void {
  const v = out[field];
  if (typeof v === "number" && Number.isFinite(v)) out[`${field}Iso`] = iso(v);
}

export function jobView(rec: JobRecord, asOf: number): JobView {
  const out: Record<string, unknown> = { ...rec };
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
