/**
 * History consumer: Lambda on the job stream (Kinesis event source, ReportBatchItemFailures).
 *
 * For each stream record: validate, flatten to a `job_events` row (every record) and a `jobs` row (when the job
 * is terminal), and deliver both datasets with full PutRecordBatch calls (adapters/delivery.ts).
 *
 * Failure handling, decided here:
 * - A record that could not be delivered after the bounded per-record retries is reported in
 *   `batchItemFailures`; Lambda retries from it (records after it may be re-sent: rows carry event_key / job_id
 *   and the queries de-duplicate). After the mapping's retry limit the record's coordinates go to the on-failure
 *   SQS destination (StreamConsumers component), so nothing is lost silently.
 * - A record that is not a valid stream record (not JSON, wrong shape, a value outside its column type) is a
 *   poison record: retrying it can never succeed and would stall the shard. It is sent to the dead-letter queue
 *   (`DEAD_LETTER_QUEUE_URL`, the StreamConsumers failure queue) with the reason, logged with its sequence number,
 *   counted (metric `InvalidStreamRecords`) and skipped; the rest of the batch goes on. Only if the dead-letter
 *   send itself fails is the record reported as a batch item failure, so it is retried rather than lost.
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { z } from "zod";
import * as clients from "../adapters/clients";
import { sqsDeadLetter, type DeadLetterSink } from "../adapters/dead-letter";
import { FirehoseDelivery } from "../adapters/delivery";
import { ENV } from "../domain/env";
import type { HistoryRow } from "../domain/history";
import { flatten, parseKinesisData } from "./rows";

export interface RowSink {
  put(streamName: string, rows: unknown[]): Promise<{ undelivered: { index: number; errorCode: string; errorMessage: string }[] }>;
}

/** The logging the consumers need (Powertools Logger in Lambda). */
export interface ConsumerLogger {
  error(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
}

/** Powertools Logger behind the ConsumerLogger interface (extra fields become structured log attributes). */
export function powertoolsLogger(serviceName: string): ConsumerLogger {
  const l = new Logger({ serviceName });
  return {
    error: (m, extra) => (extra ? l.error(m, extra as never) : l.error(m)),
    warn: (m, extra) => (extra ? l.warn(m, extra as never) : l.warn(m)),
    info: (m, extra) => (extra ? l.info(m, extra as never) : l.info(m)),
  };
}

export interface HistoryDeps {
  delivery: RowSink;
  streams: { jobEvents: string; jobs: string };
  logger: ConsumerLogger;
  /** Where poison records go; without one they are only logged. */
  deadLetter?: DeadLetterSink;
  metrics?: Pick<Metrics, "addMetric" | "publishStoredMetrics">;
}

/** Parks a record that can never be processed; false when the dead-letter send failed (retry the record). */
export async function parkPoisonRecord(
  deps: { deadLetter?: DeadLetterSink; logger: ConsumerLogger },
  rec: KinesisStreamRecord,
  reason: string,
): Promise<boolean> {
  deps.logger.error("Skipping invalid stream record", {
    sequenceNumber: rec.kinesis.sequenceNumber,
    partitionKey: rec.kinesis.partitionKey,
    eventSourceARN: rec.eventSourceARN,
    reason,
  });
  if (!deps.deadLetter) return true;
  const text = Buffer.from(rec.kinesis.data, "base64").toString("utf8");
  try {
    await deps.deadLetter.send({
      kind: "malformed",
      reason: `stream record ${rec.kinesis.sequenceNumber} (${rec.eventSourceARN}): ${reason}`,
      raw: text,
      rejectedAt: Date.now(),
      jobId: rec.kinesis.partitionKey,
    });
    return true;
  } catch (err) {
    deps.logger.warn("Could not dead-letter an invalid record; it will be retried", {
      sequenceNumber: rec.kinesis.sequenceNumber,
      reason: err instanceof Error ? err.message : String(err),
    });
    return false;
  }
}

export interface HistoryBatchSummary {
  records: number;
  invalid: number;
  jobEventRows: number;
  jobRows: number;
  failed: number;
}

export function createHistoryHandler(deps: HistoryDeps) {
  return async function historyHandler(
    event: KinesisStreamEvent,
  ): Promise<KinesisStreamBatchResponse & { summary: HistoryBatchSummary }> {
    const eventRows: HistoryRow[] = [];
    const eventSeq: string[] = [];
    const jobRows: HistoryRow[] = [];
    const jobSeq: string[] = [];
    let invalid = 0;
    const failed = new Set<string>();
    for (const rec of event.Records ?? []) {
      const seq = rec.kinesis.sequenceNumber;
      const parsed = parseKinesisData(rec.kinesis.data);
      const flat = parsed.ok ? flatten(parsed.record) : parsed;
      if (!flat.ok) {
        invalid++;
        if (!(await parkPoisonRecord(deps, rec, flat.reason))) failed.add(seq);
        continue;
      }
      eventRows.push(flat.rows.jobEvent);
      eventSeq.push(seq);
      if (flat.rows.job) {
        jobRows.push(flat.rows.job);
        jobSeq.push(seq);
      }
    }

    const [ev, jobs] = await Promise.all([
      eventRows.length ? deps.delivery.put(deps.streams.jobEvents, eventRows) : { undelivered: [] },
      jobRows.length ? deps.delivery.put(deps.streams.jobs, jobRows) : { undelivered: [] },
    ]);
    for (const [result, seqs, stream] of [
      [ev, eventSeq, deps.streams.jobEvents],
      [jobs, jobSeq, deps.streams.jobs],
    ] as const) {
      for (const u of result.undelivered) {
        failed.add(seqs[u.index]);
        deps.logger.warn("Row not delivered; the record will be retried", {
          sequenceNumber: seqs[u.index],
          deliveryStream: stream,
          errorCode: u.errorCode,
          errorMessage: u.errorMessage,
        });
      }
    }

    const summary: HistoryBatchSummary = {
      records: event.Records?.length ?? 0,
      invalid,
      jobEventRows: eventRows.length,
      jobRows: jobRows.length,
      failed: failed.size,
    };
    if (deps.metrics) {
      deps.metrics.addMetric("StreamRecords", MetricUnit.Count, summary.records);
      deps.metrics.addMetric("InvalidStreamRecords", MetricUnit.Count, invalid);
      deps.metrics.addMetric("UndeliveredRecords", MetricUnit.Count, failed.size);
      deps.metrics.publishStoredMetrics();
    }
    // Kinesis resumes from the lowest failed sequence number; report in stream order.
    const order = new Map((event.Records ?? []).map((r, i) => [r.kinesis.sequenceNumber, i]));
    const batchItemFailures = [...failed]
      .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
      .map((itemIdentifier) => ({ itemIdentifier }));
    return { batchItemFailures, summary };
  };
}

/** The SQS dead-letter sink when a queue is configured; otherwise poison records are only logged (local twin). */
export function deadLetterFromEnv(queueUrl: string | undefined, env: NodeJS.ProcessEnv, logger: ConsumerLogger): DeadLetterSink {
  if (queueUrl) return sqsDeadLetter(clients.sqs(env), queueUrl);
  logger.warn(`${ENV.deadLetterQueueUrl} is not set: invalid stream records are only logged`);
  return { send: async () => undefined };
}

const EnvSchema = z.object({
  [ENV.deadLetterQueueUrl]: z
    .url({ message: `${ENV.deadLetterQueueUrl} must be an SQS queue URL` })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  [ENV.jobEventsDeliveryStream]: z.string().min(1, `${ENV.jobEventsDeliveryStream} must name the job_events delivery stream`),
  [ENV.jobsDeliveryStream]: z.string().min(1, `${ENV.jobsDeliveryStream} must name the jobs delivery stream`),
});

let cached: ReturnType<typeof createHistoryHandler> | undefined;

/** Builds the handler from the environment (validated once per cold start). */
export function handlerFromEnv(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof createHistoryHandler> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `History consumer configuration is invalid: ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join("; ")}`,
    );
  }
  const logger = powertoolsLogger("mcjobs-history");
  return createHistoryHandler({
    delivery: new FirehoseDelivery(clients.firehose(env)),
    deadLetter: deadLetterFromEnv(parsed.data[ENV.deadLetterQueueUrl], env, logger),
    streams: { jobEvents: parsed.data[ENV.jobEventsDeliveryStream], jobs: parsed.data[ENV.jobsDeliveryStream] },
    logger,
    metrics: new Metrics({ namespace: "mcjobs", serviceName: "history-consumer" }),
  });
}

export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  cached ??= handlerFromEnv();
  const { batchItemFailures } = await cached(event);
  return { batchItemFailures };
}
