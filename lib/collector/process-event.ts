/**
 * Steps 2–6 of the collector for one accepted event:
 *  2. claim it in the Events table (conditional put, idempotent on eventKey): a duplicate that was fully processed
 *     stops here; a half-processed one (an earlier attempt died) is taken over; one another attempt holds is
 *     waited for briefly, then failed so Lambda retries it;
 *  3. fold it into the job's live record in the Jobs table (fast or slow path, see the jobs store);
 *  4. move the job's queue counters when its (queue, status) really changed (see syncQueueCounters);
 *  5. the once-per-job extras (GetJob backfill, probe), which never fail the event;
 *  6. for a COMPLETE or ERROR of this stack's application, one notification per job and status (notify.ts).
 * On success the event's stream record is left on its Work for step 7.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { JobItem } from "../adapters/jobs-store";
import { syncQueueCounters } from "../adapters/queue-counters";
import { describe } from "./async";
import { backfillDetails, probeOnce } from "./extras";
import { safeJson } from "./input";
import { notifyOutcome } from "./notify";
import type { CollectorContext, CollectorResult, Work } from "./types";

/** Moves the job's queue counters until they reflect its live position (see syncQueueCounters). */
async function reconcileCounters(ctx: CollectorContext, item: JobItem): Promise<JobItem> {
  const { config, jobs, queues, logger, metrics, now } = ctx;
  const synced = await syncQueueCounters(queues, (id) => jobs.get(id), item, { now: now(), ttlSeconds: config.ttlSeconds });
  if (synced.moves > 0) {
    metrics.addMetric("QueueTransitions", MetricUnit.Count, synced.moves);
    logger.debug("queue counters moved", { jobId: item.jobId, moves: synced.moves });
  }
  return synced.item;
}

export async function processEvent(
  ctx: CollectorContext,
  w: Work,
  leaseMs: number,
  remainingMs: () => number,
  result: CollectorResult,
): Promise<void> {
  const { config, events, jobs, logger, metrics, now } = ctx;
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
  const waitUntil = Date.now() + Math.min(ctx.inFlightWaitMs ?? 3000, Math.max(0, remainingMs() - 2000));
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
    item = await backfillDetails(ctx, item);
  } catch (err) {
    logger.warn("GetJob backfill skipped after an error", { jobId: event.jobId, reason: describe(err) });
  }
  // After the backfill (which may move the status too); a failure here fails the event, whose retry re-checks.
  item = await reconcileCounters(ctx, item);
  try {
    item = await probeOnce(ctx, item, remainingMs);
  } catch (err) {
    logger.warn("probe skipped after an error", { jobId: event.jobId, reason: describe(err) });
  }
  // After the fold and the extras, so the message names what the record knows; a failure fails the event.
  await notifyOutcome(ctx, w, item);
  w.record = { v: 1, eventKey: event.eventKey, event, job: jobs.toRecord(item), at: now() };
  result.processed++;
}
