/**
 * Firehose delivery: hands rows to a delivery stream with PutRecordBatch.
 *
 * - Full batches: rows are packed into as few calls as possible, each call at most 500 records and 4 MiB
 *   (the service limits); one record is at most 1,000 KiB.
 * - Partial failures: PutRecordBatch can accept some records and reject others (FailedPutCount > 0, an ErrorCode
 *   per rejected record). Only the rejected records are sent again, with exponential backoff and full jitter,
 *   for a bounded number of attempts (lib/adapters/partial-batch.ts). A call that fails as a whole (throttling,
 *   5xx, timeout after the SDK's own retries, an unknown stream) is retried the same way.
 * - Whatever is still undelivered at the end is reported back by input index, so the caller can report those
 *   records as batch item failures (nothing is dropped silently).
 */
import { PutRecordBatchCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { packCalls, sendPartialBatch, type EntryOutcome, type RetryOptions } from "./partial-batch";

export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const MAX_RECORD_BYTES = 1000 * 1024;

/** Retry options of PutRecordBatch; the defaults are 5 attempts and a backoff from 100 ms up to 2 s. */
export type DeliveryOptions = RetryOptions;

export interface UndeliveredRecord {
  /** Index of the row in the `rows` array given to `put`. */
  index: number;
  errorCode: string;
  errorMessage: string;
}

export interface DeliveryResult {
  delivered: number;
  undelivered: UndeliveredRecord[];
  /** PutRecordBatch calls made (including retries). */
  calls: number;
  /** Records sent across all calls (≥ rows on retries). */
  recordsSent: number;
}

/** Running totals across `put` calls (for the bench and metrics). */
export interface DeliveryStats {
  calls: number;
  recordsSent: number;
  retriedRecords: number;
}

interface Encoded {
  index: number;
  data: Uint8Array;
}

const encoder = new TextEncoder();

/** One row as Firehose record bytes: JSON followed by a newline (so the S3 objects are newline-delimited JSON). */
export function encodeRow(row: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(row)}\n`);
}

const BATCH_LIMITS = { maxEntries: MAX_BATCH_RECORDS, maxBytes: MAX_BATCH_BYTES, sizeOf: (r: { data: Uint8Array }) => r.data.byteLength };

/** Split records into batches within both Firehose limits, keeping the input order. */
export function packBatches<T extends { data: Uint8Array }>(records: T[]): T[][] {
  return packCalls(records, BATCH_LIMITS);
}

export class FirehoseDelivery {
  readonly stats: DeliveryStats = { calls: 0, recordsSent: 0, retriedRecords: 0 };
  private readonly options: RetryOptions;

  constructor(
    private readonly client: FirehoseClient,
    opts: DeliveryOptions = {},
  ) {
    this.options = {
      maxAttempts: Math.max(1, opts.maxAttempts ?? 5),
      baseDelayMs: opts.baseDelayMs ?? 100,
      maxDelayMs: opts.maxDelayMs ?? 2000,
      sleep: opts.sleep,
      random: opts.random,
    };
  }

  /** Deliver `rows` to `streamName`; resolves with what could not be delivered after the bounded retries. */
  async put(streamName: string, rows: unknown[]): Promise<DeliveryResult> {
    const tooLarge: UndeliveredRecord[] = [];
    const sendable: Encoded[] = [];
    rows.forEach((row, index) => {
      const data = encodeRow(row);
      if (data.byteLength > MAX_RECORD_BYTES) {
        tooLarge.push({
          index,
          errorCode: "RecordTooLarge",
          errorMessage: `Row is ${data.byteLength} bytes; Firehose accepts at most ${MAX_RECORD_BYTES} bytes per record.`,
        });
      } else {
        sendable.push({ index, data });
      }
    });

    const res = await sendPartialBatch(sendable, { ...this.options, limits: BATCH_LIMITS, send: (batch) => this.send(streamName, batch) });
    this.stats.calls += res.calls;
    this.stats.recordsSent += res.sent;
    this.stats.retriedRecords += res.resent;
    const undelivered = [
      ...tooLarge,
      ...res.failed.map((f) => ({
        index: f.entry.index,
        errorCode: f.errorCode,
        errorMessage: `${f.errorMessage} (after ${f.attempts} attempts)`,
      })),
    ].sort((a, b) => a.index - b.index);
    return { delivered: res.accepted.length, undelivered, calls: res.calls, recordsSent: res.sent };
  }

  /** One PutRecordBatch call: an outcome per record, from the per-record responses when some were rejected. */
  private async send(streamName: string, batch: Encoded[]): Promise<EntryOutcome<true>[]> {
    const out = await this.client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: batch.map((p) => ({ Data: p.data })) }),
    );
    const responses = out.RequestResponses ?? [];
    if ((out.FailedPutCount ?? 0) === 0 && responses.length === batch.length) return batch.map(() => ({ ok: true, value: true }));
    return batch.map((_, k) => {
      const r = responses[k];
      if (r && !r.ErrorCode && r.RecordId) return { ok: true, value: true };
      return {
        ok: false,
        errorCode: r?.ErrorCode ?? "MissingResponse",
        errorMessage: r?.ErrorMessage ?? "Firehose returned no response entry for this record.",
      };
    });
  }
}
