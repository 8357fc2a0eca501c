/**
 * The watch-folder Lambda's settings: the environment variables the WatchFolder component (or the local twin)
 * sets, validated once per container.
 */
import { z } from "zod";
import { ENV, loadEnv, type Env } from "../domain/env";
import { APPLICATION_PATTERN } from "../domain/job";

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:mediaconvert:[a-z0-9-]+:\d{12}:queues\/[A-Za-z0-9_-]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const WatchFolderConfigSchema = z.object({
  [ENV.jobsTable]: z.string({ error: "must name the Jobs table" }).min(1, "must name the Jobs table"),
  [ENV.queuesTable]: z.string({ error: "must name the Queues table" }).min(1, "must name the Queues table"),
  [ENV.tableTtlDays]: z.coerce
    .number({ error: "must be a number of days (the stack's tableTTL)" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days"),
  [ENV.application]: z
    .string({ error: "must be the stack's application name (letters, digits, hyphens)" })
    .regex(APPLICATION_PATTERN, "must be the stack's application name (letters, digits, hyphens)"),
  [ENV.mediaConvertRoleArn]: z
    .string({ error: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) MediaConvert can assume" })
    .regex(ROLE_ARN, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) MediaConvert can assume"),
  [ENV.mediaConvertQueueArn]: z
    .string()
    .regex(QUEUE_ARN, "must be a MediaConvert queue ARN (arn:aws:mediaconvert:<region>:<account>:queues/<name>)")
    .optional(),
  [ENV.watchBucket]: z.string({ error: "must be the watch folder's bucket name" }).regex(BUCKET, "must be the watch folder's bucket name"),
  [ENV.outputBucket]: z
    .string({ error: "must be the media bucket's name (where outputs go)" })
    .regex(BUCKET, "must be the media bucket's name (where outputs go)"),
});

export interface WatchFolderConfig {
  jobsTable: string;
  queuesTable: string;
  ttlSeconds: number;
  application: string;
  roleArn: string;
  queueArn?: string;
  watchBucket: string;
  outputBucket: string;
}

/** Reads and validates the handler's settings; throws one message naming every bad variable and its value. */
export function loadWatchFolderConfig(env: Env = process.env): WatchFolderConfig {
  const c = loadEnv("Watch-folder", WatchFolderConfigSchema, env);
  return {
    jobsTable: c[ENV.jobsTable],
    queuesTable: c[ENV.queuesTable],
    ttlSeconds: c[ENV.tableTtlDays] * 86_400,
    application: c[ENV.application],
    roleArn: c[ENV.mediaConvertRoleArn],
    queueArn: c[ENV.mediaConvertQueueArn],
    watchBucket: c[ENV.watchBucket],
    outputBucket: c[ENV.outputBucket],
  };
}
