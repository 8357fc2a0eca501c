/**
 * Analytics consumer: Lambda on the job stream with tumbling windows (`tumblingWindowInSeconds` on the event
 * source mapping). Each invocation of a window folds its records into the state Lambda hands back
 * (consumers/queue-window.ts); the final invocation (`isFinalInvokeForWindow`) writes one `queue_metrics` row per
 * queue through Firehose and emits the same figures as CloudWatch metrics (EMF, Powertools Metrics, dimension
 * QueueName).
 *
 * Failures:
 * - an invalid stream record is dead-lettered, logged and skipped (counted in the state and the
 *   `InvalidStreamRecords` metric); retrying it could never succeed. If the dead-letter send fails, the record
 *   is reported in batchItemFailures so it is retried rather than lost;
 * - if the final rows cannot be delivered, the invocation throws: Lambda retries the final invocation with the
 *   same state (rows carry row_id, so a retry that lands twice is de-duplicated by the queries), and after the
 *   mapping's retry limit the window's coordinates go to the on-failure destination. Metrics are emitted only
 *   after the rows are delivered.
 */
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from "aws-lambda";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { z } from "zod";
import * as clients from "../adapters/clients";
import { FirehoseDelivery } from "../adapters/delivery";
import { ENV } from "../domain/env";
import { parseKinesisData } from "./rows";
import type { DeadLetterSink } from "../adapters/dead-letter";
import { deadLetterFromEnv, parkPoisonRecord, powertoolsLogger, type ConsumerLogger, type RowSink } from "./history";
import { coerceState, foldRecord, windowRows, type WindowState } from "./queue-window";

export interface AnalyticsDeps {
  delivery: RowSink;
  stream: string;
  logger: ConsumerLogger;
  deadLetter?: DeadLetterSink;
  /** Builds a fresh Metrics object per window (dimensions differ per queue). */
  metrics?: () => Pick<Metrics, "addMetric" | "addDimension" | "publishStoredMetrics">;
  now?: () => number;
}

function shardOf(event: KinesisStreamTumblingWindowEvent, state: WindowState): string {
  const top = (event as unknown as { shardId?: unknown }).shardId;
  if (typeof top === "string" && top) return top;
  const fromRecord = event.Records?.[0]?.eventID?.split(":")[0];
  return fromRecord || state.shardId || "unknown-shard";
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
    if (state.saturated) deps.logger.warn("Window had more jobs than the de-dup budget; counts may include duplicates", { window: event.window });
    if (deps.metrics) {
      for (const row of rows) {
        const m = deps.metrics();
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
        const m = deps.metrics();
        m.addMetric("InvalidStreamRecords", MetricUnit.Count, state.invalid);
        m.publishStoredMetrics();
      }
    }
    return { state: {}, batchItemFailures: [] };
  };
}

const EnvSchema = z.object({
  [ENV.deadLetterQueueUrl]: z
    .url({ message: `${ENV.deadLetterQueueUrl} must be an SQS queue URL` })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  [ENV.queueMetricsDeliveryStream]: z
    .string()
    .min(1, `${ENV.queueMetricsDeliveryStream} must name the queue_metrics delivery stream`),
});

let cached: ReturnType<typeof createAnalyticsHandler> | undefined;

export function handlerFromEnv(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof createAnalyticsHandler> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Analytics consumer configuration is invalid: ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join("; ")}`,
    );
  }
  const logger = powertoolsLogger("mcjobs-analytics");
  return createAnalyticsHandler({
    delivery: new FirehoseDelivery(clients.firehose(env)),
    deadLetter: deadLetterFromEnv(parsed.data[ENV.deadLetterQueueUrl], env, logger),
    stream: parsed.data[ENV.queueMetricsDeliveryStream],
    logger,
    metrics: () => new Metrics({ namespace: "mcjobs", serviceName: "analytics-consumer" }),
  });
}

export async function handler(event: KinesisStreamTumblingWindowEvent): Promise<KinesisStreamStateResponse> {
  cached ??= handlerFromEnv();
  return cached(event);
}
