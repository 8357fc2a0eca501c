/**
 * The twin's Lambda event source mapping for Kinesis: reads every shard of a stream (GetShardIterator /
 * GetRecords against kinesalite) and invokes a consumer with real `KinesisStreamEvent`s.
 *
 * Semantics copied from Lambda:
 * - a batch is sent when `batchSize` records are waiting or `maxBatchingWindowMs` has passed since the first;
 * - records of one shard are delivered in order, one batch at a time;
 * - retries, on-failure and `batchItemFailures` as in kinesis-delivery.ts: the shard is checkpointed just before
 *   the first record to deliver again;
 * - tumbling windows: records are grouped by arrival time into windows of `tumblingWindowSeconds`; the handler's
 *   returned `state` is passed to the next invocation of the same window, and once the window is over a final
 *   invocation (`isFinalInvokeForWindow: true`, no records) hands the last state over.
 * The checkpoint (and open window state) is kept in `checkpointFile` (kinesis-checkpoints.ts), so a restarted
 * twin resumes where it was.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type GetRecordsCommandOutput } from "@aws-sdk/client-kinesis";
import type { KinesisStreamRecord } from "aws-lambda";
import * as clients from "../../lib/adapters/clients";
import { loadCheckpoints } from "./kinesis-checkpoints";
import {
  deliverBatch,
  sleep,
  toLambdaRecord,
  type BatchFailure,
  type ConsumerEvent,
  type ConsumerResult,
  type DeliveryContext,
  type DeliveryCounters,
  type DeliveryOutcome,
  type OpenWindow,
} from "./kinesis-delivery";

export type { ConsumerEvent, ConsumerResult } from "./kinesis-delivery";

export interface PollerOptions {
  /** Environment reaching kinesalite (MCJOBS_ENDPOINT_KINESIS, AWS_REGION). */
  env: Record<string, string | undefined>;
  streamName: string;
  /** The consumer function's name (for ARNs and logs). */
  functionName: string;
  invoke(event: ConsumerEvent): Promise<ConsumerResult>;
  batchSize?: number;
  maxBatchingWindowMs?: number;
  tumblingWindowSeconds?: number;
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  /** Where the checkpoint lives between runs; none = start from `startingPosition` every time. */
  checkpointFile?: string;
  /** Pause between GetRecords calls when a shard has nothing new (Lambda: about 1 s). */
  pollIntervalMs?: number;
  /** Retries of a failing batch before giving up on it; -1 (default) = until it succeeds, as in Lambda. */
  maxRetryAttempts?: number;
  retryDelaysMs?: number[];
  onFailure?: (info: BatchFailure) => void;
  onError?: (what: string, err: unknown) => void;
  accountId?: string;
}

export interface PollerStats extends DeliveryCounters {
  recordsDelivered: number;
  redelivered: number;
  getRecordsErrors: number;
}

export interface KinesisPoller {
  /** Resolves when every shard has read up to the stream's tip, delivered everything and (if `closeWindows`) closed its window. */
  idle(opts?: { closeWindows?: boolean; timeoutMs?: number }): Promise<void>;
  stats(): PollerStats;
  stop(): Promise<void>;
}

export async function startKinesisPoller(opts: PollerOptions): Promise<KinesisPoller> {
  const kinesis = clients.kinesis(opts.env as NodeJS.ProcessEnv);
  const region = opts.env.AWS_REGION ?? "us-east-1";
  const account = opts.accountId ?? "000000000000";
  const streamArn = `arn:aws:kinesis:${region}:${account}:stream/${opts.streamName}`;
  const batchSize = Math.max(1, opts.batchSize ?? 100);
  const windowMs = Math.max(0, opts.maxBatchingWindowMs ?? 0);
  const tumblingMs = opts.tumblingWindowSeconds ? opts.tumblingWindowSeconds * 1000 : 0;
  const pollMs = opts.pollIntervalMs ?? 250;
  const maxRetries = opts.maxRetryAttempts ?? -1;
  const retryDelays = opts.retryDelaysMs ?? [100, 250, 500, 1000, 2000];
  const stats: PollerStats = {
    invocations: 0,
    recordsDelivered: 0,
    redelivered: 0,
    failedInvocations: 0,
    partialFailures: 0,
    finalWindowInvocations: 0,
    getRecordsErrors: 0,
  };
  const abort = new AbortController();

  const checkpoints = loadCheckpoints(opts.checkpointFile);
  const saveCheckpoints = checkpoints.save;

  const shards = await kinesis.send(new ListShardsCommand({ StreamName: opts.streamName }));
  const shardIds = (shards.Shards ?? []).map((s) => s.ShardId!).filter(Boolean);
  if (shardIds.length === 0) throw new Error(`Kinesis stream ${opts.streamName} has no shards.`);

  interface ShardState {
    id: string;
    caughtUp: boolean;
    busy: boolean;
    pendingCount: number;
    windowOpen: boolean;
    closeWindowsNow: boolean;
  }
  const shardStates: ShardState[] = shardIds.map((id) => ({
    id,
    caughtUp: false,
    busy: false,
    pendingCount: 0,
    windowOpen: !!checkpoints.shards[id]?.window,
    closeWindowsNow: false,
  }));

  const delivery: DeliveryContext = {
    functionName: opts.functionName,
    streamArn,
    invoke: opts.invoke,
    maxRetries,
    retryDelays,
    signal: abort.signal,
    counters: stats,
    onFailure: opts.onFailure,
    onError: opts.onError,
  };
  const deliver = (shard: ShardState, records: KinesisStreamRecord[], window: OpenWindow | undefined, final: boolean) =>
    deliverBatch(delivery, shard.id, records, window, final);
  const recordSource = { region, account, functionName: opts.functionName, streamArn };

  async function newIterator(shardId: string, afterSeq: string | undefined): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await kinesis.send(
          new GetShardIteratorCommand(
            afterSeq
              ? {
                  StreamName: opts.streamName,
                  ShardId: shardId,
                  ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
                  StartingSequenceNumber: afterSeq,
                }
              : { StreamName: opts.streamName, ShardId: shardId, ShardIteratorType: opts.startingPosition ?? "TRIM_HORIZON" },
          ),
        );
        return out.ShardIterator!;
      } catch (err) {
        if (abort.signal.aborted) throw err;
        stats.getRecordsErrors++;
        opts.onError?.(`GetShardIterator ${shardId}`, err);
        await sleep(Math.min(2000, 100 * 2 ** attempt), abort.signal);
      }
    }
  }

  async function runShard(shard: ShardState): Promise<void> {
    checkpoints.shards[shard.id] ??= {};
    const cp = checkpoints.shards[shard.id];
    let lastFetched = cp.seq;
    let iterator: string | undefined = await newIterator(shard.id, lastFetched);
    const pending: KinesisStreamRecord[] = [];
    let firstPendingAt = 0;
    let failedStreak = 0;
    while (!abort.signal.aborted) {
      // 1. Read more when the batch is not full yet.
      let gotNew = false;
      if (pending.length < batchSize && iterator) {
        try {
          // Not aborted on stop: the call is short, and cutting it off leaves kinesalite reading a closing store.
          const out: GetRecordsCommandOutput = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
          iterator = out.NextShardIterator;
          const recs = out.Records ?? [];
          if (recs.length > 0) {
            if (pending.length === 0) firstPendingAt = Date.now();
            for (const r of recs) pending.push(toLambdaRecord(r, { ...recordSource, shardId: shard.id }));
            lastFetched = recs[recs.length - 1].SequenceNumber;
            gotNew = true;
          }
          shard.caughtUp = recs.length === 0 && (out.MillisBehindLatest ?? 0) === 0;
          failedStreak = 0;
        } catch (err) {
          if (abort.signal.aborted) break;
          stats.getRecordsErrors++;
          shard.caughtUp = false;
          const name = (err as { name?: string }).name;
          if (name === "ExpiredIteratorException") {
            iterator = await newIterator(shard.id, lastFetched);
          } else {
            opts.onError?.(`GetRecords ${shard.id}`, err);
            await sleep(Math.min(2000, 100 * 2 ** failedStreak++), abort.signal);
          }
          continue;
        }
      }
      shard.pendingCount = pending.length;

      // 2. Tumbling windows: close the open window when it is over and none of its records wait.
      if (tumblingMs > 0) {
        const arrival = (r: KinesisStreamRecord) => Math.round(r.kinesis.approximateArrivalTimestamp * 1000);
        if (cp.window) {
          const inWindow = pending.length > 0 && arrival(pending[0]) < cp.window.end;
          const over = Date.now() >= cp.window.end || shard.closeWindowsNow || (pending.length > 0 && !inWindow);
          if (over && !inWindow) {
            shard.busy = true;
            try {
              await deliver(shard, [], cp.window, true);
            } finally {
              shard.busy = false;
            }
            cp.window = undefined;
            shard.windowOpen = false;
            saveCheckpoints();
            continue;
          }
        }
      }

      // 3. Send a batch when full, or when the batching window has passed, or when the shard has nothing more.
      const due =
        pending.length >= batchSize || (pending.length > 0 && (Date.now() - firstPendingAt >= windowMs || (!gotNew && windowMs === 0)));
      if (!due) {
        if (!gotNew)
          await sleep(pending.length > 0 ? Math.min(pollMs, Math.max(10, windowMs - (Date.now() - firstPendingAt))) : pollMs, abort.signal);
        continue;
      }
      let batch = pending.slice(0, batchSize);
      let window: OpenWindow | undefined;
      if (tumblingMs > 0) {
        const arrival = (r: KinesisStreamRecord) => Math.round(r.kinesis.approximateArrivalTimestamp * 1000);
        if (!cp.window) {
          const start = Math.floor(arrival(batch[0]) / tumblingMs) * tumblingMs;
          cp.window = { start, end: start + tumblingMs, state: {} };
          shard.windowOpen = true;
        }
        const end = cp.window.end;
        // Only the leading run of records that arrived inside this window (a shard's records are in arrival order).
        const cut = batch.findIndex((r) => arrival(r) >= end);
        if (cut >= 0) batch = batch.slice(0, cut);
        window = cp.window;
      }
      shard.busy = true;
      let outcome: DeliveryOutcome;
      try {
        outcome = await deliver(shard, batch, window, false);
      } catch (err) {
        shard.busy = false;
        if (abort.signal.aborted) break;
        throw err;
      }
      shard.busy = false;
      const accepted = outcome.retryFrom >= 0 ? outcome.retryFrom : batch.length;
      stats.recordsDelivered += batch.length;
      if (outcome.retryFrom >= 0) stats.redelivered += batch.length - outcome.retryFrom;
      if (window && outcome.state) window.state = outcome.state;
      if (accepted > 0) {
        cp.seq = batch[accepted - 1].kinesis.sequenceNumber;
        pending.splice(0, accepted);
        firstPendingAt = Date.now();
        saveCheckpoints();
      } else if (outcome.retryFrom === 0) {
        await sleep(retryDelays[0], abort.signal);
      }
      shard.pendingCount = pending.length;
    }
  }

  const loops = shardStates.map((s) =>
    runShard(s).catch((err) => {
      if (!abort.signal.aborted) opts.onError?.(`shard ${s.id} stopped`, err);
    }),
  );

  return {
    stats: () => ({ ...stats }),
    async idle({ closeWindows = false, timeoutMs = 60_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (const s of shardStates) s.closeWindowsNow = closeWindows;
      try {
        // Two consecutive quiet looks, so a record read between checks is not missed.
        let quiet = 0;
        while (quiet < 2) {
          const ok = shardStates.every((s) => s.caughtUp && !s.busy && s.pendingCount === 0 && (!closeWindows || !s.windowOpen));
          quiet = ok ? quiet + 1 : 0;
          if (Date.now() > deadline) {
            throw new Error(
              `Kinesis consumer ${opts.functionName} not idle after ${timeoutMs} ms: ${JSON.stringify(shardStates)} ${JSON.stringify(stats)}`,
            );
          }
          await sleep(Math.max(50, pollMs));
        }
      } finally {
        for (const s of shardStates) s.closeWindowsNow = false;
      }
    },
    async stop() {
      abort.abort();
      await Promise.all(loops);
      saveCheckpoints();
      kinesis.destroy();
    },
  };
}
