/**
 * The twin's reconciler: the product's reconciler handler (handlers/reconciler.ts), loaded as a cold start like the
 * other functions and invoked on a timer, as EventBridge Scheduler invokes it in AWS. One sweep at a time; the
 * first right after the start, so jobs that finished while the twin was stopped are healed at once.
 *
 * The simulator plays jobs faster than real time, and the events carry real (wall-clock) times, so the
 * status-update interval the reconciler measures silence in is the simulated one divided by the speed.
 */
import { DEFAULT_STATUS_UPDATE_INTERVAL_MS } from "../../lib/domain/staleness";
import type { SweepResult } from "../../lib/reconciler/sweep";
import { invoke, loadHandler, type LambdaHandler } from "./lambda";

export interface TwinReconciler {
  /** Sweeps finished so far. */
  readonly sweeps: number;
  readonly last?: SweepResult;
  /** Runs a sweep now (after the one in flight, if any). */
  sweepNow(): Promise<SweepResult | undefined>;
  stop(): Promise<void>;
}

/** The reconciler's environment in the twin: silence measured in real time at the simulator's speed. */
export function reconcilerEnv(o: { speed: number; statusUpdateIntervalMs?: number }): Record<string, string> {
  const intervalMs = Math.max(10, Math.round((o.statusUpdateIntervalMs ?? DEFAULT_STATUS_UPDATE_INTERVAL_MS) / o.speed));
  return { RECONCILE_STATUS_UPDATE_INTERVAL_MS: String(intervalMs) };
}

/** Loads the handler (its environment must be in process.env) and starts sweeping every `everySeconds`. */
export function startReconciler(o: { everySeconds: number; functionName: string; log: (line: string) => void }): TwinReconciler {
  if (!(o.everySeconds > 0) || !Number.isFinite(o.everySeconds))
    throw new Error(`reconcile interval must be above 0 seconds (got ${o.everySeconds}).`);
  let handler: LambdaHandler<unknown, SweepResult>;
  try {
    handler = loadHandler<unknown, SweepResult>("handlers/reconciler.ts");
  } catch (err) {
    throw new Error(`The twin cannot load the reconciler from handlers/reconciler.ts: ${(err as Error).message}`, { cause: err });
  }
  let sweeps = 0;
  let last: SweepResult | undefined;
  let running: Promise<SweepResult | undefined> = Promise.resolve(undefined);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<SweepResult | undefined> => {
    try {
      const r = await invoke(handler, { source: "mcjobs.reconciler" }, { functionName: o.functionName, timeoutMs: 300_000 });
      sweeps++;
      last = r;
      if (r.healed || r.lost || r.failed)
        o.log(`reconciler: ${r.checked} checked, ${r.discovered} discovered, ${r.healed} healed, ${r.lost} lost, ${r.failed} failed`);
      return r;
    } catch (err) {
      o.log(`reconciler sweep failed: ${(err as Error).message}`);
      return undefined;
    }
  };
  const sweepNow = () => {
    running = running.then(once, once);
    return running;
  };
  const loop = () => {
    if (stopped) return;
    void sweepNow().finally(() => {
      if (!stopped) timer = setTimeout(loop, o.everySeconds * 1000);
    });
  };
  timer = setTimeout(loop, 0);

  return {
    get sweeps() {
      return sweeps;
    },
    get last() {
      return last;
    },
    sweepNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
