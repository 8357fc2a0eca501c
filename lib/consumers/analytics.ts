/**
 * The analytics consumer's window handler, for the job stream with tumbling windows (`tumblingWindowInSeconds`
 * on the event source mapping). Each invocation of a window folds its records into the state Lambda hands back
 * (lib/domain/queue-window.ts); the final invocation (`isFinalInvokeForWindow`) writes one `queue_metrics` row per
 * queue through Firehose and emits the same figures as CloudWatch metrics (EMF, Powertools Metrics, dimension
 * QueueName).
 *
 * Failures:
 * - an invalid stream record is dead-lettered, logged and skipped (poison.ts; counted in the state and the
 *   `InvalidStreamRecords` metric). If the dead-letter send fails, the record is reported in batchItemFailures
 *   so it is retried rather than lost;
 * - if the final rows cannot be delivered, the invocation throws: Lambda retries the final invocation with the
 *   same state (rows carry row_id, so a retry that lands twice is de-duplicated by the queries), and after the
 *   mapping's retry limit the window's coordinates go to the on-failure destination. Metrics are emitted only
 *   after the rows are delivered.
 */
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from "aws-lambda";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import type { DeadLetterSink } from "../adapters/dead-letter";
import type { HistoryRow } from "../domain/history";
import { parseKinesisData } from "../domain/history-rows";
import { coerceState, foldRecord, windowRows, type WindowState } from "../domain/queue-window";
import { parkPoisonRecord } from "./poison";
import type { ConsumerLogger, RowSink } from "./ports";

type WindowMetrics = Pick<Metrics, "addMetric" | "addDimension" | "publishStoredMetrics">;

export interface AnalyticsDeps {
  delivery: RowSink;
  stream: string;
  logger: ConsumerLogger;
  deadLetter?: DeadLetterSink;
  /** Builds a fresh Metrics object per window (dimensions differ per queue). */
  metrics?: () => WindowMetrics;
  now?: () => number;
}

function shardOf(event: KinesisStreamTumblingWindowEvent, state: WindowState): string {
  const top = (event as unknown as { shardId?: unknown }).shardId;
  if (typeof top === "string" && top) return top;
  const fromRecord = event.Records?.[0]?.eventID?.split(":")[0];
  return fromRecord || state.shardId || "unknown-shard";
}

/** The window's figures as CloudWatch metrics: one set per queue row, then the count of invalid records. */
function publishWindowMetrics(metrics: () => WindowMetrics, rows: HistoryRow[], state: WindowState): void {
  for (const row of rows) {
    const m = metrics();
    m.addDimension("QueueName", String(row.queue_name));
    m.addMetric("JobsStarted", MetricUnit.Count, Number(row.jobs_started));
    m.addMetric("JobsCompleted", MetricUnit.Count, Number(row.jobs_completed));
    m.addMetric("JobsFailed", MetricUnit.Count, Number(row.jobs_failed));
    m.addMetric("JobsCanceled", MetricUnit.Count, Number(row.jobs_canceled));
    const opt: [string, unknown, (typeof MetricUnit)[keyof typeof MetricUnit]][] = [
      ["QueueWaitP50", row.queue_wait_p50_ms, MetricUnit.Milliseconds],
      ["QueueWaitP90", row.queue_wait_p90_ms, MetricUnit.Milliseconds],
      ["TranscodingTimeP50", row.transcoding_p50_ms, MetricUnit.Milliseconds],
      ["TranscodingTimeP90", row.transcoding_p90_ms, MetricUnit.Milliseconds],
      ["SpeedP50", row.speed_p50, MetricUnit.NoUnit],
      ["SpeedP90", row.speed_p90, MetricUnit.NoUnit],
    ];
    for (const [name, value, unit] of opt) if (typeof value === "number") m.addMetric(name, unit, value);
    m.publishStoredMetrics();
  }
  if (state.invalid > 0) {
    const m = metrics();
    m.addMetric("InvalidStreamRecords", MetricUnit.Count, state.invalid);
    m.publishStoredMetrics();
  }
}

export function createAnalyticsHandler(deps: AnalyticsDeps) {
  const now = deps.now ?? Date.now;
  return async function analyticsHandler(event: KinesisStreamTumblingWindowEvent): Promise<KinesisStreamStateResponse> {
    const state = coerceState(event.state);
    state.shardId = shardOf(event, state);
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const rec of event.Records ?? []) {
      const parsed = parseKinesisData(rec.kinesis.data);
      if (!parsed.ok) {
        state.invalid++;
        if (!(await parkPoisonRecord(deps, rec, parsed.reason))) batchItemFailures.push({ itemIdentifier: rec.kinesis.sequenceNumber });
        continue;
      }
      foldRecord(state, parsed.record);
    }
    if (!event.isFinalInvokeForWindow) return { state, batchItemFailures };

    const win = {
      start: Date.parse(event.window?.start ?? "") || now(),
      end: Date.parse(event.window?.end ?? "") || now(),
      shardId: state.shardId,
    };
    const rows = windowRows(state, win, now());
    if (rows.length > 0) {
      const result = await deps.delivery.put(deps.stream, rows);
      if (result.undelivered.length > 0) {
        const first = result.undelivered[0];
        throw new Error(
          `${result.undelivered.length} of ${rows.length} queue_metrics rows for window ${event.window?.start} were not delivered ` +
            `(${first.errorCode}: ${first.errorMessage}); the final invocation will be retried.`,
        );
      }
    }
    if (state.saturated)
      deps.logger.warn("Window had more jobs than the de-dup budget; counts may include duplicates", { window: event.window });
    if (deps.metrics) publishWindowMetrics(deps.metrics, rows, state);
    return { state: {}, batchItemFailures: [] };
  };
}
