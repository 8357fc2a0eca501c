/**
 * History consumer: Lambda on the job stream (Kinesis event source, ReportBatchItemFailures). Each batch becomes
 * `job_events` and `jobs` rows in the history lake; lib/consumers/history.ts describes the rows and how failed
 * deliveries and poison records are handled.
 *
 * This entry point builds the handler from the environment at the first invocation of a container and returns
 * only the batch item failures to Lambda.
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { createHistoryHandler } from "../lib/consumers/history";
import { historyDepsFromEnv } from "../lib/consumers/wiring";

export { createHistoryHandler, type HistoryBatchSummary, type HistoryDeps } from "../lib/consumers/history";

let cached: ReturnType<typeof createHistoryHandler> | undefined;

export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  cached ??= createHistoryHandler(historyDepsFromEnv());
  const { batchItemFailures } = await cached(event);
  return { batchItemFailures };
}
