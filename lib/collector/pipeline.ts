/**
 * The collector pipeline: what the collector Lambda does with one invocation's MediaConvert events.
 *
 * Per event, in this order (each step has its own module; see the adapters for each step's guarantees):
 *  1. validate (validate.ts): bad events go to the dead-letter queue, other detail-types are skipped;
 *  2–5. claim, fold into the Jobs table, move the queue counters, once-per-job extras (process-event.ts,
 *     extras.ts), one job's events in time order, jobs in parallel;
 *  6. one notification per job outcome, COMPLETE or ERROR of this stack's application (notify.ts);
 *  7. one enriched StreamRecord per event on Kinesis (publish.ts);
 *  8. mark the event done in the Events table (finish.ts).
 *
 * A transient AWS failure in any step (after the SDK's and our bounded retries) fails that event: its claim is
 * released and the invocation throws once every other event is handled, so Lambda's async retry (then the rule's
 * DLQ) keeps it. A retry is idempotent: steps 2–4 and 8 are conditional, the probe/GetJob claims make step 5 run
 * once, the notification claim makes step 6 send once, and step 7 runs only for events not yet marked done.
 *
 * What stays at-least-once: if an invocation dies after Kinesis accepted a record but before step 8 marked the
 * event done, the retry puts that record again (consumers dedupe on eventKey); if it dies between SNS accepting a
 * notification and the claim being marked sent, the retry sends it again once the claim's lease is over.
 */
import type { Context } from "aws-lambda";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { mapLimit } from "./async";
import { failIfAny, settleClaims } from "./finish";
import { eventsOf } from "./input";
import { processEvent } from "./process-event";
import { publishRecords } from "./publish";
import type { CollectorContext, CollectorDeps, CollectorResult, Work } from "./types";
import { validateEvents } from "./validate";

/** The accepted events grouped by job, each job's events in eventKey (time) order. */
function byJob(accepted: Work[]): Work[][] {
  const groups = new Map<string, Work[]>();
  for (const w of accepted) {
    const list = groups.get(w.event.jobId) ?? [];
    list.push(w);
    groups.set(w.event.jobId, list);
  }
  for (const list of groups.values()) list.sort((a, b) => a.event.eventKey.localeCompare(b.event.eventKey));
  return [...groups.values()];
}

export function createCollector(deps: CollectorDeps) {
  const base: CollectorContext = { ...deps, now: deps.now ?? Date.now };
  const concurrency = deps.concurrency ?? 8;

  return async function collect(input: unknown, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<CollectorResult> {
    // One set of probe/GetJob settings for the whole invocation (the runtime-settings item, when there is one).
    const ctx: CollectorContext = base.runtimeSettings ? { ...base, config: { ...base.config, ...(await base.runtimeSettings()) } } : base;
    const { metrics, now } = ctx;
    const raws = eventsOf(input);
    const result: CollectorResult = { received: raws.length, rejected: 0, ignored: 0, duplicates: 0, processed: 0, streamed: 0, failed: 0 };
    metrics.addMetric("EventsReceived", MetricUnit.Count, raws.length);
    const leaseMs = context ? Math.max(1000, context.getRemainingTimeInMillis() + 1000) : (deps.defaultLeaseMs ?? 60_000);
    const started = now();
    const remainingMs = context ? () => context.getRemainingTimeInMillis() : () => leaseMs - (now() - started);

    const { accepted, letters } = validateEvents(ctx, raws, result);
    await mapLimit(byJob(accepted), concurrency, async (list) => {
      for (const w of list) {
        try {
          await processEvent(ctx, w, leaseMs, remainingMs, result);
        } catch (err) {
          w.error = err;
        }
      }
    });
    await publishRecords(ctx, accepted, result);
    await settleClaims(ctx, accepted);
    const letterFailures = (await Promise.all(letters)).filter((sent) => !sent).length;
    failIfAny(ctx, accepted, letterFailures, result);
    return result;
  };
}
