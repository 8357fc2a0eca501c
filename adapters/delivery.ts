/**
 * Firehose delivery: hands rows to a delivery stream with PutRecordBatch.
 *
 * - Full batches: rows are packed into as few calls as possible, each call at most 500 records and 4 MiB
 *   (the service limits); one record is at most 1,000 KiB.
 * - Partial failures: PutRecordBatch can accept some records and reject others (FailedPutCount > 0, an ErrorCode
 *   per rejected record). Only the rejected records are sent again, with exponential backoff and full jitter,
 *   for a bounded number of attempts. A call that fails as a whole (throttling, 5xx, timeout after the SDK's own
 *   retries) is retried the same way.
 * - Whatever is still undelivered at the end is reported back by input index, so the caller can report those
 *   records as batch item failures (nothing is dropped silently).
 */
import { PutRecordBatchCommand, type FirehoseClient } from "@aws-sdk/client-firehose";

export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const MAX_RECORD_BYTES = 1000 * 1024;

export interface DeliveryOptions {
  /** Attempts per record, including the first (default 5). */
  maxAttempts?: number;
  /** First backoff step in ms (default 100); doubles each attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

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

interface Pending {
  index: number;
  data: Uint8Array;
  lastError?: { code: string; message: string };
}

const encoder = new TextEncoder();

/** One row as Firehose record bytes: JSON followed by a newline (so the S3 objects are newline-delimited JSON). */
export function encodeRow(row: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(row)}\n`);
}

/** Split records into batches within both Firehose limits, keeping the input order. */
export function packBatches<T extends { data: Uint8Array }>(records: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.data.byteLength;
    if (current.length > 0 && (current.length >= MAX_BATCH_RECORDS || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export class FirehoseDelivery {
  readonly stats: DeliveryStats = { calls: 0, recordsSent: 0, retriedRecords: 0 };
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly client: FirehoseClient,
    opts: DeliveryOptions = {},
  ) {
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.baseDelayMs = opts.baseDelayMs ?? 100;
    this.maxDelayMs = opts.maxDelayMs ?? 2000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
  }

  /** Deliver `rows` to `streamName`; resolves with what could not be delivered after the bounded retries. */
  async put(streamName: string, rows: unknown[]): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, undelivered: [], calls: 0, recordsSent: 0 };
    let pending: Pending[] = [];
    rows.forEach((row, index) => {
      const data = encodeRow(row);
      if (data.byteLength > MAX_RECORD_BYTES) {
        result.undelivered.push({
          index,
          errorCode: "RecordTooLarge",
          errorMessage: `Row is ${data.byteLength} bytes; Firehose accepts at most ${MAX_RECORD_BYTES} bytes per record.`,
        });
      } else {
        pending.push({ index, data });
      }
    });

    for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        this.stats.retriedRecords += pending.length;
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 2));
        await this.sleep(Math.floor(this.random() * cap));
      }
      const failed: Pending[] = [];
      for (const batch of packBatches(pending)) {
        result.calls++;
        result.recordsSent += batch.length;
        this.stats.calls++;
        this.stats.recordsSent += batch.length;
        try {
          const out = await this.client.send(
            new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: batch.map((p) => ({ Data: p.data })) }),
          );
          const responses = out.RequestResponses ?? [];
          if ((out.FailedPutCount ?? 0) === 0 && responses.length === batch.length) {
            result.delivered += batch.length;
            continue;
          }
          batch.forEach((p, k) => {
            const r = responses[k];
            if (r && !r.ErrorCode && r.RecordId) {
              result.delivered++;
            } else {
              p.lastError = {
                code: r?.ErrorCode ?? "MissingResponse",
                message: r?.ErrorMessage ?? "Firehose returned no response entry for this record.",
              };
              failed.push(p);
            }
          });
        } catch (err) {
          const e = err as { name?: string; message?: string };
          for (const p of batch) {
            p.lastError = { code: e.name ?? "Error", message: e.message ?? String(err) };
            failed.push(p);
          }
        }
      }
      pending = failed;
    }
    for (const p of pending) {
      result.undelivered.push({
        index: p.index,
        errorCode: p.lastError?.code ?? "Unknown",
        errorMessage: `${p.lastError?.message ?? "not delivered"} (after ${this.maxAttempts} attempts)`,
      });
    }
    result.undelivered.sort((a, b) => a.index - b.index);
    return result;
  }
}
