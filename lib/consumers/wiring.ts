/**
 * The stream consumers' real dependencies, built from the environment: Firehose delivery, the SQS dead-letter
 * queue for poison records, Powertools logging and metrics.
 */
import { Metrics } from "@aws-lambda-powertools/metrics";
import * as clients from "../adapters/clients";
import { sqsDeadLetter, type DeadLetterSink } from "../adapters/dead-letter";
import { FirehoseDelivery } from "../adapters/delivery";
import { ENV } from "../domain/env";
import type { AnalyticsDeps } from "./analytics";
import { loadAnalyticsConfig, loadHistoryConfig } from "./config";
import type { HistoryDeps } from "./history";
import { powertoolsLogger, type ConsumerLogger } from "./ports";

/** The SQS dead-letter sink when a queue is configured; otherwise poison records are only logged (local twin). */
export function deadLetterFromEnv(queueUrl: string | undefined, env: NodeJS.ProcessEnv, logger: ConsumerLogger): DeadLetterSink {
  if (queueUrl) return sqsDeadLetter(clients.sqs(env), queueUrl);
  logger.warn(`${ENV.deadLetterQueueUrl} is not set: invalid stream records are only logged`);
  return { send: async () => undefined };
}

/** The history consumer's dependencies; throws one message naming every bad setting. */
export function historyDepsFromEnv(env: NodeJS.ProcessEnv = process.env): HistoryDeps {
  const config = loadHistoryConfig(env);
  const logger = powertoolsLogger("mcjobs-history");
  return {
    delivery: new FirehoseDelivery(clients.firehose(env)),
    deadLetter: deadLetterFromEnv(config.deadLetterQueueUrl, env, logger),
    streams: config.streams,
    logger,
    metrics: new Metrics({ namespace: "mcjobs", serviceName: "history-consumer" }),
  };
}

/** The analytics consumer's dependencies; throws one message naming every bad setting. */
export function analyticsDepsFromEnv(env: NodeJS.ProcessEnv = process.env): AnalyticsDeps {
  const config = loadAnalyticsConfig(env);
  const logger = powertoolsLogger("mcjobs-analytics");
  return {
    delivery: new FirehoseDelivery(clients.firehose(env)),
    deadLetter: deadLetterFromEnv(config.deadLetterQueueUrl, env, logger),
    stream: config.stream,
    logger,
    metrics: () => new Metrics({ namespace: "mcjobs", serviceName: "analytics-consumer" }),
  };
}
