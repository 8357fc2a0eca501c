/**
 * The reconciler's real dependencies, built from the environment: AWS clients (or the stand-ins through
 * MCJOBS_ENDPOINT_*), the collector's stores over them, Powertools logging and metrics.
 */
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import * as clients from "../adapters/clients";
import { memoryDeadLetter } from "../adapters/dead-letter";
import { dynamoEventsStore } from "../adapters/events-store";
import { quietJobs } from "../adapters/jobs-query";
import { dynamoJobsStore } from "../adapters/jobs-store";
import { mediaConvertSweep, type SweepLimits } from "../adapters/mediaconvert";
import { dynamoQueueCounters } from "../adapters/queue-counters";
import { kinesisStreamWriter } from "../adapters/stream";
import type { CollectorContext } from "../collector/types";
import { loadReconcilerConfig, type ReconcilerConfig } from "./config";
import { dynamoSweepMarks } from "./marks";
import type { SweepDeps } from "./sweep";

export interface ReconcilerClients {
  dynamoDb?: DynamoDBDocumentClient;
  kinesis?: KinesisClient;
  mediaConvert?: MediaConvertClient;
}

export interface ReconcilerWiring {
  config: ReconcilerConfig;
  /** A fresh set of dependencies for one sweep (its own limiter). */
  depsForSweep(now?: () => number): SweepDeps;
  logger: Logger;
  metrics: Metrics;
}

export function reconcilerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: { clients?: ReconcilerClients; logger?: Logger; metrics?: Metrics; limits?: SweepLimits } = {},
): ReconcilerWiring {
  const config = loadReconcilerConfig(env);
  const c = config.collector;
  const logger = extra.logger ?? new Logger({ serviceName: "mcjobs-reconciler" });
  const metrics = extra.metrics ?? new Metrics({ namespace: "mcjobs", serviceName: "reconciler" });
  const ddb = extra.clients?.dynamoDb ?? clients.dynamoDb(env);
  const mediaConvert = extra.clients?.mediaConvert ?? clients.mediaConvert(env);
  const stream =
    c.useStreams && c.streamName ? kinesisStreamWriter(extra.clients?.kinesis ?? clients.kinesis(env), c.streamName) : undefined;
  const jobs = dynamoJobsStore(ddb, c.jobsTable);
  const events = dynamoEventsStore(ddb, c.eventsTable);
  const queues = dynamoQueueCounters(ddb, { queuesTable: c.queuesTable, jobsTable: c.jobsTable });
  const marks = dynamoSweepMarks(ddb, config.configTable);
  return {
    config,
    logger,
    metrics,
    depsForSweep(now = Date.now) {
      const collector: CollectorContext = {
        config: c,
        jobs,
        events,
        queues,
        stream,
        // Answers are built by the domain from MediaConvert's own objects, never parsed from outside events:
        // nothing here is ever rejected as poison.
        deadLetter: memoryDeadLetter(),
        logger,
        metrics,
        now,
      };
      return {
        collector,
        mediaConvert: mediaConvertSweep(mediaConvert, {
          concurrency: config.concurrency,
          ratePerSecond: config.ratePerSecond,
          ...extra.limits,
        }),
        quietJobs: (status, heardBefore, max) => quietJobs(ddb, c.jobsTable, { status, heardBefore, max, now: now() }),
        marks,
        settings: {
          statusUpdateIntervalMs: config.statusUpdateIntervalMs,
          maxJobs: config.maxJobs,
          concurrency: config.concurrency,
          firstLookbackMs: config.firstLookbackMs,
          onlyApplication: config.onlyApplication,
        },
      };
    },
  };
}
