/**
 * One consumer invocation as Lambda's Kinesis event source mapping makes it: the event the function gets (plain
 * records, or a tumbling-window event with the window's state) and what its answer means:
 * - a thrown error retries the same batch (forever unless `maxRetries` is set, then `onFailure` gets the batch's
 *   metadata and the shard moves on, as with an on-failure destination);
 * - `batchItemFailures` (ReportBatchItemFailures): everything from the failed record with the lowest sequence
 *   number is delivered again; an identifier that is not a sequence number of the batch fails the whole batch.
 */
import type { _Record } from "@aws-sdk/client-kinesis";
import type {
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
  KinesisStreamStateResponse,
  KinesisStreamTumblingWindowEvent,
} from "aws-lambda";

export type ConsumerEvent = KinesisStreamEvent | KinesisStreamTumblingWindowEvent;
// biome-ignore lint/suspicious/noConfusingVoidType: a consumer, like any Lambda handler, may return nothing at all
export type ConsumerResult = KinesisStreamBatchResponse | KinesisStreamStateResponse | void | undefined | null;

/** A tumbling window not closed yet, with the state the consumer returned last. */
export interface OpenWindow {
  start: number;
  end: number;
  state: Record<string, unknown>;
}

/** What `onFailure` gets for a batch given up on (the on-failure destination's payload, in short). */
export interface BatchFailure {
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  size: number;
  error: string;
}

export interface DeliveryCounters {
  invocations: number;
  failedInvocations: number;
  partialFailures: number;
  finalWindowInvocations: number;
}

export interface DeliveryContext {
  functionName: string;
  streamArn: string;
  invoke(event: ConsumerEvent): Promise<ConsumerResult>;
  /** Retries of a failing batch before giving up on it; -1 = until it succeeds. */
  maxRetries: number;
  retryDelays: number[];
  /** Aborted when the poller stops: no further attempt starts and waits end at once. */
  signal: AbortSignal;
  counters: DeliveryCounters;
  onFailure?: (info: BatchFailure) => void;
  onError?: (what: string, err: unknown) => void;
}

export interface DeliveryOutcome {
  /** Index of the first record to deliver again, or -1 when the whole batch is done with. */
  retryFrom: number;
  /** The window state to keep (the consumer's answer, else the state it was given). */
  state?: Record<string, unknown>;
  gaveUp: boolean;
}

const cmpSeq = (a: string, b: string) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Waits `ms`, or less when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** A Kinesis record as Lambda hands it to the function. */
export function toLambdaRecord(
  r: _Record,
  o: { shardId: string; region: string; account: string; functionName: string; streamArn: string },
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: r.PartitionKey!,
      sequenceNumber: r.SequenceNumber!,
      data: Buffer.from(r.Data ?? new Uint8Array()).toString("base64"),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${o.shardId}:${r.SequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: `arn:aws:iam::${o.account}:role/${o.functionName}-role`,
    awsRegion: o.region,
    eventSourceARN: o.streamArn,
  };
}

/** Invokes until the consumer accepts the batch (or retries run out); throws "stopped" once the signal aborts. */
export async function deliverBatch(
  ctx: DeliveryContext,
  shardId: string,
  records: KinesisStreamRecord[],
  window: OpenWindow | undefined,
  final: boolean,
): Promise<DeliveryOutcome> {
  const { counters, retryDelays } = ctx;
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal.aborted) throw new Error("stopped");
    const event: ConsumerEvent = window
      ? ({
          Records: records,
          window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
          state: window.state,
          shardId,
          eventSourceARN: ctx.streamArn,
          isFinalInvokeForWindow: final,
          isWindowTerminatedEarly: false,
        } as KinesisStreamTumblingWindowEvent)
      : { Records: records };
    counters.invocations++;
    if (final) counters.finalWindowInvocations++;
    let result: ConsumerResult;
    try {
      result = await ctx.invoke(event);
    } catch (err) {
      counters.failedInvocations++;
      ctx.onError?.(`${ctx.functionName} invocation`, err);
      if (ctx.maxRetries >= 0 && attempt >= ctx.maxRetries) {
        if (records.length > 0) {
          ctx.onFailure?.({
            shardId,
            firstSequenceNumber: records[0].kinesis.sequenceNumber,
            lastSequenceNumber: records[records.length - 1].kinesis.sequenceNumber,
            size: records.length,
            error: err instanceof Error ? err.message : String(err),
          });
        }
        return { retryFrom: -1, gaveUp: true, state: window?.state };
      }
      await sleep(retryDelays[Math.min(attempt, retryDelays.length - 1)], ctx.signal);
      continue;
    }
    const state = result && "state" in result && result.state && typeof result.state === "object" ? result.state : window?.state;
    const failures = (result && Array.isArray(result.batchItemFailures) ? result.batchItemFailures : []).map((f) => f?.itemIdentifier);
    if (failures.length === 0) return { retryFrom: -1, state, gaveUp: false };
    counters.partialFailures++;
    const seqs = records.map((r) => r.kinesis.sequenceNumber);
    const valid = failures.filter((f): f is string => typeof f === "string" && seqs.includes(f));
    if (valid.length !== failures.length || valid.length === 0) {
      // Lambda treats an unknown identifier as a failure of the whole batch.
      ctx.onError?.(`${ctx.functionName} batchItemFailures`, new Error(`unknown itemIdentifier in ${JSON.stringify(failures)}`));
      await sleep(retryDelays[Math.min(attempt, retryDelays.length - 1)], ctx.signal);
      continue;
    }
    const lowest = valid.reduce((a, b) => (cmpSeq(a, b) <= 0 ? a : b));
    return { retryFrom: seqs.indexOf(lowest), state, gaveUp: false };
  }
}
