/**
 * Collector Lambda: the target of the EventBridge rule that matches every `aws.mediaconvert` event.
 *
 * Input: one EventBridge event per invocation (asynchronous invoke), or — for the local twin and replays — an array
 * of events or `{ events: [...] }`; each event is handled independently by the pipeline in lib/collector
 * (pipeline.ts describes its steps and guarantees).
 *
 * This entry point reads the settings and builds the dependencies at the first invocation of a container, then
 * runs the pipeline once per invocation and publishes the metrics it recorded.
 */
import type { Context } from "aws-lambda";
import { createCollector } from "../lib/collector/pipeline";
import type { CollectorDeps, CollectorResult } from "../lib/collector/types";
import { depsFromEnv } from "../lib/collector/wiring";

export { createCollector } from "../lib/collector/pipeline";
export { depsFromEnv, type CollectorClients } from "../lib/collector/wiring";
export { CollectorError, type CollectorDeps, type CollectorResult } from "../lib/collector/types";

let cached: { collect: ReturnType<typeof createCollector>; deps: CollectorDeps } | undefined;

/** The Lambda entry point. Configuration is read at the first invocation of a container. */
export async function handler(input: unknown, context?: Context): Promise<CollectorResult> {
  if (!cached) {
    const deps = depsFromEnv();
    cached = { collect: createCollector(deps), deps };
    if (context?.functionName) deps.metrics.setFunctionName(context.functionName);
    deps.metrics.captureColdStartMetric();
  }
  const { collect, deps } = cached;
  if (context) deps.logger.addContext(context);
  try {
    return await collect(input, context);
  } finally {
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
  }
}
