/**
 * The watch folder's real dependencies, built from the environment: AWS clients (or the stand-ins through
 * MCJOBS_ENDPOINT_*), the adapters over them, Powertools logging and metrics.
 */
import type { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import * as clients from "../adapters/clients";
import { dynamoJobsStore } from "../adapters/jobs-store";
import { mediaConvertJobs } from "../adapters/mediaconvert";
import { dynamoQueueCounters } from "../adapters/queue-counters";
import { readSettingsFiles } from "../adapters/settings-files";
import { dynamoWatchRequests } from "../adapters/watch-requests";
import { loadWatchFolderConfig } from "./config";
import type { WatchFolderDeps } from "./types";

/** AWS clients the watch folder uses; built from env when absent. */
export interface WatchFolderClients {
  dynamoDb?: DynamoDBDocumentClient;
  s3?: S3Client;
  mediaConvert?: MediaConvertClient;
}

/** Builds the real dependencies from the environment; `extra` replaces any of them (and supplies clients). */
export function depsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: Partial<WatchFolderDeps> & { clients?: WatchFolderClients } = {},
): WatchFolderDeps {
  const { clients: given = {}, ...overrides } = extra;
  const config = loadWatchFolderConfig(env);
  const ddb = given.dynamoDb ?? clients.dynamoDb(env);
  const s3 = given.s3 ?? clients.s3(env);
  return {
    config,
    settings: (bucket) => readSettingsFiles(s3, bucket),
    mediaConvert: mediaConvertJobs(given.mediaConvert ?? clients.mediaConvert(env)),
    jobs: dynamoJobsStore(ddb, config.jobsTable),
    queues: dynamoQueueCounters(ddb, { queuesTable: config.queuesTable, jobsTable: config.jobsTable }),
    requests: dynamoWatchRequests(ddb, config.jobsTable),
    logger: extra.logger ?? new Logger({ serviceName: "mcjobs-watch-folder" }),
    metrics: extra.metrics ?? new Metrics({ namespace: "mcjobs", serviceName: "watch-folder" }),
    ...overrides,
  };
}
