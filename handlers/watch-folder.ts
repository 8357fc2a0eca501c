/**
 * Watch-folder Lambda: S3 invokes it (asynchronously) for every object created under `inputs/` in the watch
 * bucket; the pipeline in lib/watch-folder (convert.ts describes its steps and failure handling) submits one
 * MediaConvert job per upload and settings file and records it as SUBMITTED.
 *
 * This entry point reads the settings and builds the dependencies at the first invocation of a container, then
 * runs the pipeline once per invocation and publishes the metrics it recorded.
 */
import type { Context } from "aws-lambda";
import { createWatchFolder } from "../lib/watch-folder/convert";
import type { WatchFolderDeps, WatchFolderResult } from "../lib/watch-folder/types";
import { depsFromEnv } from "../lib/watch-folder/wiring";

export { createWatchFolder } from "../lib/watch-folder/convert";
export { depsFromEnv, type WatchFolderClients } from "../lib/watch-folder/wiring";
export { WatchFolderError, type WatchFolderDeps, type WatchFolderResult } from "../lib/watch-folder/types";

let cached: { convert: ReturnType<typeof createWatchFolder>; deps: WatchFolderDeps } | undefined;

/** The Lambda entry point (S3 event notification). Configuration is read at the first invocation of a container. */
export async function handler(input: unknown, context?: Context): Promise<WatchFolderResult> {
  if (!cached) {
    const deps = depsFromEnv();
    cached = { convert: createWatchFolder(deps), deps };
    if (context?.functionName) deps.metrics.setFunctionName(context.functionName);
    deps.metrics.captureColdStartMetric();
  }
  const { convert, deps } = cached;
  if (context) deps.logger.addContext(context);
  try {
    return await convert(input);
  } finally {
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
  }
}
