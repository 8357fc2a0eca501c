/**
 * Watching the running pipeline: the counters behind `/twin/status` and `Twin.status()`, and `settle`, which
 * waits until a whole pass from the simulator to the lake finds nothing new.
 */
import type { MediaConvertSimulator } from "./mediaconvert";
import type { KinesisPoller } from "./kinesis-poller";
import type { Rules } from "./rules";
import type { Router } from "./router";
import type { StreamConsumers } from "./stream-consumers";
import type { WatchBucket, WatchCounts } from "./watch-bucket";

export interface TwinStatus {
  startedAt: number;
  router: ReturnType<Router["stats"]>;
  consumers: Record<string, ReturnType<KinesisPoller["stats"]>>;
  simulator?: { jobs: number; delivered: number; failedDeliveries: number };
  watchFolder: WatchCounts;
  deadLetters: number;
  /** Messages the handlers parked in the dead-letter queue (files under <dir>/twin/dlq/). */
  deadLetterQueue: Record<string, number>;
  /** Messages published to the notifications topic (the SNS stand-in, sns.ts). */
  notifications: number;
  /** Parts of the pipeline not wired: none, since a part that cannot start fails the start instead. */
  missing: string[];
}

/** The running parts that status and settle look at. */
export interface WatchedParts {
  startedAt: number;
  simulator: MediaConvertSimulator;
  rules: Rules;
  consumers: StreamConsumers;
  watch: WatchBucket;
  deadLetterQueue: { counts(): Record<string, number> };
  notifications: { messages: readonly unknown[] };
  firehose: { flush(): Promise<void> };
  log: (line: string) => void;
}

export function twinStatus(p: WatchedParts): TwinStatus {
  return {
    startedAt: p.startedAt,
    router: p.rules.router.stats(),
    consumers: p.consumers.stats(),
    simulator: {
      jobs: p.simulator.listJobs().length,
      delivered: p.simulator.delivered.length,
      failedDeliveries: p.simulator.failedDeliveries.length,
    },
    watchFolder: p.watch.counts(),
    deadLetters: p.rules.deadLetters.length,
    deadLetterQueue: p.deadLetterQueue.counts(),
    notifications: p.notifications.messages.length,
    missing: [],
  };
}

/**
 * Waits until the simulator, router, consumers and Firehose are all quiet, and flushes the lake. Loops until a
 * full pass (events → collector → stream → consumers → Firehose) changes no counter and leaves nothing pending.
 */
export async function settle(p: WatchedParts, { timeoutMs = 120_000, closeWindows = true } = {}): Promise<void> {
  const router = p.rules.router;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const progress = () => JSON.stringify([router.stats(), Object.values(p.consumers.stats()).map((s) => s.recordsDelivered)]);
  for (let pass = 0; pass < 50; pass++) {
    const before = progress();
    const t0 = Date.now();
    await p.simulator.idle(left());
    const t1 = Date.now();
    await p.watch.busy();
    await router.idle();
    const t2 = Date.now();
    await p.consumers.idle({ closeWindows, timeoutMs: left() });
    const t3 = Date.now();
    await p.firehose.flush();
    p.log(`settle pass ${pass}: simulator ${t1 - t0} ms, router ${t2 - t1} ms, consumers ${t3 - t2} ms, firehose ${Date.now() - t3} ms`);
    if (before === progress() && router.pending() === 0) return;
    if (Date.now() > deadline) throw new Error(`twin did not settle within ${timeoutMs} ms: ${JSON.stringify(twinStatus(p))}`);
  }
}
