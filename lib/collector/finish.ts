/**
 * Step 8 of the collector: mark every event that went through done in the Events table, give the claims of
 * failed ones back so a retry can take them at once, then fail the invocation if any event (or dead-letter send)
 * failed, so Lambda retries it.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { describe } from "./async";
import { CollectorError, type CollectorContext, type CollectorResult, type Work } from "./types";

export async function settleClaims(ctx: CollectorContext, accepted: Work[]): Promise<void> {
  const { config, events, now } = ctx;
  await Promise.all(
    accepted.map(async (w) => {
      if (w.claimUntil === undefined) return;
      if (!w.error) {
        try {
          await events.markDone(w.event.jobId, w.event.eventKey, { now: now(), streamed: config.useStreams });
          w.done = true;
          return;
        } catch (err) {
          w.error = err;
        }
      }
      await events.release(w.event.jobId, w.event.eventKey, w.claimUntil).catch(() => undefined);
    }),
  );
}

/** Counts the failures into `result` and throws a CollectorError naming the first when there are any. */
export function failIfAny(ctx: CollectorContext, accepted: Work[], letterFailures: number, result: CollectorResult): void {
  const { logger, metrics } = ctx;
  const failed = accepted.filter((w) => w.error);
  result.failed = failed.length + letterFailures;
  if (result.failed === 0) return;
  metrics.addMetric("EventsFailed", MetricUnit.Count, result.failed);
  for (const w of failed) {
    logger.error("event not processed; the invocation fails so Lambda retries it", {
      eventKey: w.event.eventKey,
      jobId: w.event.jobId,
      reason: describe(w.error),
    });
  }
  const first = failed[0]?.error;
  throw new CollectorError(
    `${result.failed} of ${result.received} event(s) could not be processed (first: ${first ? describe(first) : "dead-letter send failed"}); ` +
      "the invocation fails so Lambda retries it — already-processed events are skipped on retry",
    result,
  );
}
