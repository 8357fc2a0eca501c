/**
 * The Kinesis event source mappings of the jobs stream: the history consumer (batches) and the analytics consumer
 * (batches in tumbling windows), each a poller (kinesis-poller.ts) with its checkpoint under `<twinDir>`.
 */
import * as path from "node:path";
import { startKinesisPoller, type KinesisPoller, type PollerStats } from "./kinesis-poller";
import { invoke } from "./lambda";
import type { TwinFunctions } from "./functions";

export interface StreamConsumersOptions {
  /** The stand-ins' environment (the pollers read kinesalite directly, never through a fault proxy). */
  env: Record<string, string>;
  streamName: string;
  prefix: string;
  functions: Pick<TwinFunctions, "history" | "analytics">;
  /** The Firehose buffer interval: batching longer than it (or 1 s) would only delay the lake. */
  bufferIntervalMs: number;
  tumblingWindowSeconds: number;
  twinDir: string;
  log: (line: string) => void;
}

export interface StreamConsumers {
  pollers: { history: KinesisPoller; analytics: KinesisPoller };
  stats(): Record<string, PollerStats>;
  /** Every consumer caught up (and, with `closeWindows`, its window closed). */
  idle(opts: { closeWindows?: boolean; timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamConsumers(o: StreamConsumersOptions): Promise<StreamConsumers> {
  const start = (name: "history" | "analytics", tumblingWindowSeconds?: number) => {
    const functionName = `${o.prefix}-${name}`;
    return startKinesisPoller({
      env: o.env,
      streamName: o.streamName,
      functionName,
      batchSize: 500,
      maxBatchingWindowMs: Math.min(o.bufferIntervalMs, 1000),
      tumblingWindowSeconds,
      checkpointFile: path.join(o.twinDir, `checkpoints-${name}.json`),
      invoke: (event) => invoke(o.functions[name], event, { functionName, timeoutMs: 120_000 }),
      onError: (what, err) => o.log(`${what}: ${(err as Error).message}`),
    });
  };
  const history = await start("history");
  let analytics: KinesisPoller;
  try {
    analytics = await start("analytics", o.tumblingWindowSeconds);
  } catch (err) {
    await history.stop();
    throw err;
  }
  const pollers = { history, analytics };
  const all = () => Object.values(pollers);
  return {
    pollers,
    stats: () => Object.fromEntries(Object.entries(pollers).map(([k, p]) => [k, p.stats()])),
    idle: async (opts) => {
      await Promise.all(all().map((p) => p.idle(opts)));
    },
    async stop() {
      try {
        await analytics.stop();
      } finally {
        await history.stop();
      }
    },
  };
}
