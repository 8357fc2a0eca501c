/**
 * Kinesis writer for the collector: PutRecords in as few calls as the service limits allow (500 records and
 * 5 MiB per call, 1 MiB per record including its partition key), and when Kinesis accepts only part of a call
 * (FailedRecordCount > 0, typically ProvisionedThroughputExceeded), only the rejected records are sent again,
 * with exponential backoff and full jitter, for a bounded number of attempts. A call that fails as a whole
 * (throttling or 5xx after the SDK's own retries) is retried the same way.
 *
 * Records still not accepted at the end are reported back by input index; the caller decides what that means
 * (the collector throws so Lambda retries the invocation, nothing is dropped silently).
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";

export const MAX_RECORDS_PER_CALL = 500;
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface StreamEntry {
  partitionKey: string;
  data: Uint8Array | string;
}

export interface StreamFailure {
  /** Index of the entry in the array given to `put`. */
  index: number;
  errorCode: string;
  errorMessage: string;
}

export interface StreamPutResult {
  /** Per input index: the shard and sequence number Kinesis gave the record, when it was accepted. */
  accepted: Array<{ index: number; shardId?: string; sequenceNumber?: string }>;
  failed: StreamFailure[];
  /** PutRecords calls made, retries included. */
  calls: number;
}

export interface StreamWriter {
  put(entries: StreamEntry[]): Promise<StreamPutResult>;
}

export interface StreamWriterOptions {
  /** Attempts per record, the first included (default 5). */
  maxAttempts?: number;
  /** First backoff step (default 50 ms); doubles per attempt up to maxDelayMs (default 2 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const encoder = new TextEncoder();

interface Pending {
  index: number;
  data: Uint8Array;
  partitionKey: string;
  size: number;
  last?: { code: string; message: string };
}

/** Splits pending records into PutRecords-sized calls, preserving their order. */
export function chunkForPutRecords<T extends { size: number }>(items: T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (cur.length > 0 && (cur.length >= MAX_RECORDS_PER_CALL || bytes + item.size > MAX_BYTES_PER_CALL)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += item.size;
  }
  if (cur.length) out.push(cur);
  return out;
}

function errorName(err: unknown): string {
  return (err as { name?: string })?.name ?? "Error";
}

export function kinesisStreamWriter(client: KinesisClient, streamName: string, opts: StreamWriterOptions = {}): StreamWriter {
  const maxAttempts = opts.maxAttempts ?? 5;
  const base = opts.baseDelayMs ?? 50;
  const cap = opts.maxDelayMs ?? 2000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;

  return {
    async put(entries) {
      const accepted: StreamPutResult["accepted"] = [];
      const failed: StreamFailure[] = [];
      let calls = 0;
      let pending: Pending[] = [];
      entries.forEach((e, index) => {
        const data = typeof e.data === "string" ? encoder.encode(e.data) : e.data;
        const size = data.byteLength + Buffer.byteLength(e.partitionKey);
        if (size > MAX_RECORD_BYTES) {
          failed.push({
            index,
            errorCode: "RecordTooLarge",
            errorMessage: `record of ${size} bytes exceeds the Kinesis limit of ${MAX_RECORD_BYTES} bytes`,
          });
        } else {
          pending.push({ index, data, partitionKey: e.partitionKey, size });
        }
      });

      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 1) {
          const ceiling = Math.min(cap, base * 2 ** (attempt - 2));
          await sleep(Math.floor(random() * ceiling));
        }
        const retry: Pending[] = [];
        for (const chunk of chunkForPutRecords(pending)) {
          calls++;
          const Records: PutRecordsRequestEntry[] = chunk.map((p) => ({ Data: p.data, PartitionKey: p.partitionKey }));
          try {
            const res = await client.send(new PutRecordsCommand({ StreamName: streamName, Records }));
            const results = res.Records ?? [];
            chunk.forEach((p, i) => {
              const r = results[i];
              if (r && !r.ErrorCode && r.SequenceNumber) {
                accepted.push({ index: p.index, shardId: r.ShardId, sequenceNumber: r.SequenceNumber });
              } else {
                p.last = {
                  code: r?.ErrorCode ?? "MissingResult",
                  message: r?.ErrorMessage ?? "Kinesis returned no result for this record",
                };
                retry.push(p);
              }
            });
          } catch (err) {
            // Whole call failed: a bad request (validation, missing stream) will fail again, anything else may pass.
            const name = errorName(err);
            const message = err instanceof Error ? err.message : String(err);
            const permanent = name === "ResourceNotFoundException" || name === "ValidationException" || name === "InvalidArgumentException";
            for (const p of chunk) {
              p.last = { code: name, message };
              if (permanent) failed.push({ index: p.index, errorCode: name, errorMessage: message });
              else retry.push(p);
            }
          }
        }
        if (attempt >= maxAttempts) {
          for (const p of retry) failed.push({ index: p.index, errorCode: p.last!.code, errorMessage: p.last!.message });
          break;
        }
        pending = retry;
      }
      accepted.sort((a, b) => a.index - b.index);
      failed.sort((a, b) => a.index - b.index);
      return { accepted, failed, calls };
    },
  };
}
