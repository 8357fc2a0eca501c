/**
 * Step 1 of the collector: validate each raw event with the domain's `parseEvent`. A bad event goes to the
 * dead-letter queue with its reason (never thrown); MediaConvert events of other detail-types are skipped; an
 * event seen twice in one invocation is counted as a duplicate once.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DeadLetterKind } from "../adapters/dead-letter";
import { parseEvent } from "../domain/events";
import { describe } from "./async";
import { rawIds } from "./input";
import type { CollectorContext, CollectorResult, Work } from "./types";

export interface Validated {
  /** The events to process, once each, in arrival order. */
  accepted: Work[];
  /** One dead-letter send per rejected event, resolving false when the send failed. */
  letters: Array<Promise<boolean>>;
}

export function validateEvents(ctx: CollectorContext, raws: unknown[], result: CollectorResult): Validated {
  const { deadLetter, logger, metrics, now } = ctx;
  const accepted: Work[] = [];
  const seen = new Set<string>();
  const letters: Array<Promise<boolean>> = [];
  for (const raw of raws) {
    const parsed = parseEvent(raw);
    if (!parsed.ok && parsed.kind === "other-detail-type" && (raw as { source?: unknown } | null)?.source === "aws.mediaconvert") {
      // The rule takes every MediaConvert event; detail-types other than job state changes are not ours to
      // fold, and not poison either: skip them without alarming anyone through the dead-letter queue.
      result.ignored++;
      metrics.addMetric("EventsIgnored", MetricUnit.Count, 1);
      logger.info("event ignored", { reason: parsed.reason, ...rawIds(raw) });
      continue;
    }
    if (!parsed.ok) {
      result.rejected++;
      metrics.addMetric("EventsRejected", MetricUnit.Count, 1);
      const kind: DeadLetterKind = parsed.kind;
      logger.warn("event rejected", { kind, reason: parsed.reason, ...rawIds(raw) });
      letters.push(
        deadLetter.send({ kind, reason: parsed.reason, raw, rejectedAt: now(), ...rawIds(raw) }).then(
          () => true,
          (err) => {
            logger.error("could not send the rejected event to the dead-letter queue", { reason: describe(err), ...rawIds(raw) });
            return false;
          },
        ),
      );
      continue;
    }
    if (seen.has(parsed.event.eventKey)) {
      result.duplicates++;
      metrics.addMetric("DuplicateEvents", MetricUnit.Count, 1);
      continue;
    }
    seen.add(parsed.event.eventKey);
    accepted.push({ raw, event: parsed.event });
  }
  return { accepted, letters };
}
