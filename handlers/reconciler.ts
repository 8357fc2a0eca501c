/**
 * Reconciler Lambda: invoked on a schedule (every `reconcileMinutes`, components/reconciler.ts; every 30 s in the
 * local twin). One invocation is one sweep (lib/reconciler/sweep.ts): the jobs whose events stopped arriving are
 * asked about with GetJob, jobs none of whose events arrived are found with ListJobs, and every answer is folded in
 * through the collector's steps.
 *
 * Settings are read and clients built at the first invocation of a container. The invocation fails only when the
 * sweep could not run at all (the Jobs or Config table, or MediaConvert's ListQueues, unreachable): then Lambda's
 * async retry, and after it the dead-letter queue, keep the failure visible. A single job whose GetJob or fold
 * failed is counted (ReconcileFailures) and asked about again by the next sweep.
 */
import type { Context } from "aws-lambda";
import { reconcilerFromEnv, type ReconcilerWiring } from "../lib/reconciler/wiring";
import { sweep, type SweepResult } from "../lib/reconciler/sweep";

export { reconcilerFromEnv } from "../lib/reconciler/wiring";
export { sweep, type SweepResult } from "../lib/reconciler/sweep";

let cached: ReconcilerWiring | undefined;

export async function handler(_event: unknown, context?: Context): Promise<SweepResult> {
  if (!cached) {
    cached = reconcilerFromEnv();
    if (context?.functionName) cached.metrics.setFunctionName(context.functionName);
    cached.metrics.captureColdStartMetric();
  }
  const wiring = cached;
  if (context) wiring.logger.addContext(context);
  try {
    return await sweep(wiring.depsForSweep());
  } finally {
    if (wiring.metrics.hasStoredMetrics()) wiring.metrics.publishStoredMetrics();
  }
}
