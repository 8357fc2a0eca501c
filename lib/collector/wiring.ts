/**
 * The collector's real dependencies, built from the environment: AWS clients (or the stand-ins through
 * MCJOBS_ENDPOINT_*), the adapters over them, Powertools logging and metrics.
 */
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import * as clients from "../adapters/clients";
import { memoryDeadLetter, sqsDeadLetter, type DeadLetterSink } from "../adapters/dead-letter";
import { dynamoRuntimeSettings } from "../adapters/config-store";
import { dynamoEventsStore } from "../adapters/events-store";
import { mediaConvertJobDetails } from "../adapters/job-details";
import { dynamoJobsStore } from "../adapters/jobs-store";
import { snsNotifier } from "../adapters/notify";
import { dynamoQueueCounters } from "../adapters/queue-counters";
import { kinesisStreamWriter } from "../adapters/stream";
import { ENV, envError } from "../domain/env";
import { COLLECTOR_SETTINGS, loadCollectorConfig } from "./config";
import { cachedRuntimeSettings } from "./runtime-settings";
import type { CollectorDeps, Prober } from "./types";

/** AWS clients the collector uses; the bench passes instrumented ones. Built from env when absent. */
export interface CollectorClients {
  dynamoDb?: DynamoDBDocumentClient;
  kinesis?: KinesisClient;
  s3?: S3Client;
  sqs?: SQSClient;
  sns?: SNSClient;
  mediaConvert?: MediaConvertClient;
}

/** Builds the real dependencies from the environment; `extra` replaces any of them (and supplies clients). */
export function depsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: Partial<CollectorDeps> & { clients?: CollectorClients; runtimeSettingsTtlMs?: number } = {},
): CollectorDeps {
  const { clients: given = {}, runtimeSettingsTtlMs, ...overrides } = extra;
  const config = loadCollectorConfig(env);
  const logger = extra.logger ?? new Logger({ serviceName: "mcjobs-collector" });
  const metrics = extra.metrics ?? new Metrics({ namespace: "mcjobs", serviceName: "collector" });
  const ddb = given.dynamoDb ?? clients.dynamoDb(env);
  let deadLetter: DeadLetterSink;
  if (config.deadLetterQueueUrl) {
    deadLetter = sqsDeadLetter(given.sqs ?? clients.sqs(env), config.deadLetterQueueUrl);
  } else if (env.AWS_LAMBDA_FUNCTION_NAME && !overrides.deadLetter) {
    // In a real Lambda runtime a rejected event must land somewhere durable.
    throw envError(
      COLLECTOR_SETTINGS,
      [{ name: ENV.deadLetterQueueUrl, message: "required in Lambda, where rejected events go to that SQS queue" }],
      env,
    );
  } else {
    logger.warn(`${ENV.deadLetterQueueUrl} is not set: rejected events are only logged (fine locally; set it in AWS)`);
    deadLetter = memoryDeadLetter();
  }
  // With a Config table the runtime-settings item may switch the probe and GetJob on later: build both.
  const mayProbe = config.probe || config.configTable !== undefined;
  const mayGetJob = config.getJob || config.configTable !== undefined;
  let probe: Prober | undefined;
  if (mayProbe) {
    const s3 = given.s3 ?? clients.s3(env);
    probe = async (uri, opts) => {
      // Loaded on first use: the wasm module costs memory and start-up time only for jobs that need it.
      // A plain require: esbuild bundles it, and it resolves the same under tsx and in the bundle.
      const mod = require("../probe") as typeof import("../probe");
      return mod.probeS3(uri, { ...opts, s3 });
    };
  }
  return {
    config,
    jobs: dynamoJobsStore(ddb, config.jobsTable),
    events: dynamoEventsStore(ddb, config.eventsTable),
    queues: dynamoQueueCounters(ddb, { queuesTable: config.queuesTable, jobsTable: config.jobsTable }),
    stream:
      config.useStreams && config.streamName ? kinesisStreamWriter(given.kinesis ?? clients.kinesis(env), config.streamName) : undefined,
    deadLetter,
    probe,
    jobDetails: mayGetJob ? mediaConvertJobDetails(given.mediaConvert ?? clients.mediaConvert(env)) : undefined,
    notifier: config.notifications ? snsNotifier(given.sns ?? clients.sns(env), config.notifications.topicArn) : undefined,
    logger,
    metrics,
    runtimeSettings: config.configTable
      ? cachedRuntimeSettings({
          store: dynamoRuntimeSettings(ddb, config.configTable),
          deployed: {
            probe: config.probe,
            probeBudgetBytes: config.probeBudgetBytes,
            probeMaxRequests: config.probeMaxRequests,
            getJob: config.getJob,
          },
          logger,
          now: extra.now ?? Date.now,
          ttlMs: runtimeSettingsTtlMs,
        })
      : undefined,
    ...overrides,
  };
}
