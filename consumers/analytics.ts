/**
 * Analytics consumer: Lambda on the job stream with tumbling windows. Each window becomes one `queue_metrics` row
 * per queue and the matching CloudWatch metrics; lib/consumers/analytics.ts describes the window state and how
 * failures are handled.
 *
 * This entry point builds the handler from the environment at the first invocation of a container.
 */
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from "aws-lambda";
import { createAnalyticsHandler } from "../lib/consumers/analytics";
import { analyticsDepsFromEnv } from "../lib/consumers/wiring";

export { createAnalyticsHandler, type AnalyticsDeps } from "../lib/consumers/analytics";

let cached: ReturnType<typeof createAnalyticsHandler> | undefined;

export async function handler(event: KinesisStreamTumblingWindowEvent): Promise<KinesisStreamStateResponse> {
  cached ??= createAnalyticsHandler(analyticsDepsFromEnv());
  return cached(event);
}
