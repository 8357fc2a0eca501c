/**
 * The history consumer's batch handler. For each stream record: validate, flatten to a `job_events` row (every
 * record) and a `jobs` row (when the job is terminal), and deliver both datasets with full PutRecordBatch calls
 * (lib/adapters/delivery.ts).
 *
 * Failure handling:
 * - A record that could not be delivered after the bounded per-record retries is reported in
 *   `batchItemFailures`; Lambda retries from it (records after it may be re-sent: rows carry event_key / job_id
 *   and the queries de-duplicate). After the mapping's retry limit the record's coordinates go to the on-failure
 *   SQS destination (StreamConsumers component), so nothing is lost silently.
 * - A poison record (poison.ts) is dead-lettered, counted (metric `InvalidStreamRecords`) and skipped; the rest
 *   of the batch goes on. Only if the dead-letter send itself fails is the record reported as a batch item
 *   failure, so it is retried rather than lost.
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import type { DeadLetterSink } from "../adapters/dead-letter";
import type { HistoryRow } from "../domain/history";
import { flatten, parseKinesisData } from "../domain/history-rows";
import { parkPoisonRecord } from "./poison";
import type { ConsumerLogger, RowSink } from "./ports";

export interface HistoryDeps {
  delivery: RowSink;
  streams: { jobEvents: string; jobs: string };
  logger: ConsumerLogger;
  /** Where poison records go; without one they are only logged. */
  deadLetter?: DeadLetterSink;
  metrics?: Pick<Metrics, "addMetric" | "publishStoredMetrics">;
}

export interface HistoryBatchSummary {
  records: number;
  invalid: number;
  jobEventRows: number;
  jobRows: number;
  failed: number;
}

export function createHistoryHandler(deps: HistoryDeps) {
  return async function historyHandler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse & { summary: HistoryBatchSummary }> {
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
