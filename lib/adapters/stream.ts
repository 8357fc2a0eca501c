/**
 * Kinesis writer for the collector: PutRecords in as few calls as the service limits allow (500 records and
 * 5 MiB per call, 1 MiB per record including its partition key), and when Kinesis accepts only part of a call
 * (FailedRecordCount > 0, typically ProvisionedThroughputExceeded), only the rejected records are sent again,
 * with exponential backoff and full jitter, for a bounded number of attempts (lib/adapters/partial-batch.ts).
 * A call that fails as a whole (throttling or 5xx after the SDK's own retries) is retried the same way; one that
 * names a missing stream or an invalid request is not, as it would fail again.
 *
 * Records still not accepted at the end are reported back by input index; the caller decides what that means
 * (the collector throws so Lambda retries the invocation, nothing is dropped silently).
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { describeError, packCalls, sendPartialBatch, type EntryOutcome, type RetryOptions } from "./partial-batch";

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

export interface StreamWriterOptions extends RetryOptions {
  /** Backoff ceiling before the second attempt, in ms; doubles per attempt up to `maxDelayMs`. @default 50 */
  baseDelayMs?: number;
}

const encoder = new TextEncoder();

interface Encoded {
  /** Index of the entry in the array given to `put`. */
  index: number;
  data: Uint8Array;
  partitionKey: string;
  size: number;
}

const PUT_RECORDS_LIMITS = {
  maxEntries: MAX_RECORDS_PER_CALL,
  maxBytes: MAX_BYTES_PER_CALL,
  sizeOf: (item: { size: number }) => item.size,
};

/** Splits pending records into PutRecords-sized calls, preserving their order. */
export function chunkForPutRecords<T extends { size: number }>(items: T[]): T[][] {
  return packCalls(items, PUT_RECORDS_LIMITS);
}

/** Whole-call errors that a retry cannot cure: the request is wrong or the stream does not exist. */
const PERMANENT_ERRORS = new Set(["ResourceNotFoundException", "ValidationException", "InvalidArgumentException"]);

export function kinesisStreamWriter(client: KinesisClient, streamName: string, opts: StreamWriterOptions = {}): StreamWriter {
  type Stored = { shardId?: string; sequenceNumber: string };
  const send = async (chunk: Encoded[]): Promise<EntryOutcome<Stored>[]> => {
    const Records: PutRecordsRequestEntry[] = chunk.map((p) => ({ Data: p.data, PartitionKey: p.partitionKey }));
    const res = await client.send(new PutRecordsCommand({ StreamName: streamName, Records }));
    const results = res.Records ?? [];
    return chunk.map((_, i) => {
      const r = results[i];
      if (r && !r.ErrorCode && r.SequenceNumber) return { ok: true, value: { shardId: r.ShardId, sequenceNumber: r.SequenceNumber } };
      return {
        ok: false,
        errorCode: r?.ErrorCode ?? "MissingResult",
        errorMessage: r?.ErrorMessage ?? "Kinesis returned no result for this record",
      };
    });
  };

  return {
    async put(entries) {
      const tooLarge: StreamFailure[] = [];
      const sendable: Encoded[] = [];
      entries.forEach((e, index) => {
        const data = typeof e.data === "string" ? encoder.encode(e.data) : e.data;
        const size = data.byteLength + Buffer.byteLength(e.partitionKey);
        if (size > MAX_RECORD_BYTES) {
          tooLarge.push({
            index,
            errorCode: "RecordTooLarge",
            errorMessage: `record of ${size} bytes exceeds the Kinesis limit of ${MAX_RECORD_BYTES} bytes`,
          });
        } else {
          sendable.push({ index, data, partitionKey: e.partitionKey, size });
        }
      });

      const res = await sendPartialBatch(sendable, {
        maxAttempts: opts.maxAttempts ?? 5,
        baseDelayMs: opts.baseDelayMs ?? 50,
        maxDelayMs: opts.maxDelayMs ?? 2000,
        sleep: opts.sleep,
        random: opts.random,
        limits: PUT_RECORDS_LIMITS,
        send,
        isPermanent: (err) => PERMANENT_ERRORS.has(describeError(err).code),
      });
      const accepted = res.accepted.map((a) => ({
        index: a.entry.index,
        shardId: a.value.shardId,
        sequenceNumber: a.value.sequenceNumber,
      }));
      const failed = [
        ...tooLarge,
        ...res.failed.map((f) => ({ index: f.entry.index, errorCode: f.errorCode, errorMessage: f.errorMessage })),
      ].sort((a, b) => a.index - b.index);
      return { accepted, failed, calls: res.calls };
    },
  };
}
