/**
 * The collector's settings: the environment variables Pulumi (or the local twin) sets on the function, validated
 * once per container.
 */
import { z } from "zod";
import { isSnsTopicArn, SNS_TOPIC_ARN_FORM } from "../domain/arns";
import { ENV, loadEnv, type Env } from "../domain/env";
import { APPLICATION_PATTERN } from "../domain/job";
import { DEFAULT_PROBE_BUDGET_BYTES, DEFAULT_PROBE_MAX_REQUESTS } from "../domain/probe";

const boolText = z
  .enum(["true", "false", "TRUE", "FALSE", "1", "0"], { message: 'must be "true" or "false"' })
  .transform((v) => v === "true" || v === "TRUE" || v === "1");

export const CollectorConfigSchema = z
  .object({
    [ENV.jobsTable]: z.string({ error: "must name the Jobs table" }).min(1, "must name the Jobs table"),
    [ENV.eventsTable]: z.string({ error: "must name the Events table" }).min(1, "must name the Events table"),
    [ENV.queuesTable]: z.string({ error: "must name the Queues table" }).min(1, "must name the Queues table"),
    [ENV.tableTtlDays]: z.coerce
      .number({ message: "must be a number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(3650, "must be at most 3650 days"),
    [ENV.useStreams]: boolText.default(true),
    [ENV.streamName]: z.string().min(1).optional(),
    [ENV.deadLetterQueueUrl]: z
      .url({ message: "must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)" })
      .optional(),
    [ENV.probeBudgetBytes]: z.coerce
      .number({ message: "must be a number of bytes" })
      .int("must be a whole number of bytes")
      .min(64 * 1024, "must be at least 65536 bytes (64 KiB)")
      .max(512 * 1024 * 1024, "must be at most 536870912 bytes (512 MiB)")
      .default(DEFAULT_PROBE_BUDGET_BYTES),
    [ENV.probeMaxRequests]: z.coerce
      .number({ message: "must be a number of requests" })
      .int("must be a whole number of requests")
      .min(2, "must be at least 2 (one read for the start of the file, one for its end)")
      .max(64, "must be at most 64")
      .default(DEFAULT_PROBE_MAX_REQUESTS),
    /** The Config table; when set, its runtime-settings item may override the probe and GetJob settings. */
    [ENV.configTable]: z.string().min(1).optional(),
    /** The notifications topic; absent = the collector sends no notifications. */
    [ENV.notificationTopicArn]: z
      .string()
      .refine(isSnsTopicArn, { message: `must be an SNS topic ARN (${SNS_TOPIC_ARN_FORM})` })
      .optional(),
    /** The stack's application (userMetadata.application of its jobs): only its jobs are notified. */
    [ENV.application]: z.string().regex(APPLICATION_PATTERN, "must be 1–30 letters, digits or hyphens, starting with a letter").optional(),
    /** Off switches for the once-per-job extras (default on). */
    COLLECTOR_PROBE: boolText.default(true),
    COLLECTOR_GET_JOB: boolText.default(true),
  })
  .superRefine((v, ctx) => {
    if (v[ENV.useStreams] && !v[ENV.streamName]) {
      ctx.addIssue({ code: "custom", path: [ENV.streamName], message: `is required when ${ENV.useStreams} is true` });
    }
    if (v[ENV.notificationTopicArn] && !v[ENV.application]) {
      ctx.addIssue({
        code: "custom",
        path: [ENV.application],
        message: `is required when ${ENV.notificationTopicArn} is set: only jobs with this userMetadata.application are notified`,
      });
    }
  });

export interface CollectorConfig {
  jobsTable: string;
  eventsTable: string;
  queuesTable: string;
  ttlSeconds: number;
  useStreams: boolean;
  streamName?: string;
  deadLetterQueueUrl?: string;
  probeBudgetBytes: number;
  probeMaxRequests: number;
  probe: boolean;
  getJob: boolean;
  /** Config table holding the runtime-settings item (lib/domain/runtime-settings.ts); absent = none is read. */
  configTable?: string;
  /** One message per COMPLETE and ERROR of `application`'s jobs goes to this topic; absent = none is sent. */
  notifications?: { topicArn: string; application: string };
}

/** The notification settings: both set (the schema refuses a topic without an application), or none. */
function notificationsOf(topicArn: string | undefined, application: string | undefined): CollectorConfig["notifications"] {
  return topicArn && application ? { topicArn, application } : undefined;
}

/** The title of every collector configuration error. */
export const COLLECTOR_SETTINGS = "Collector";

/** Reads and validates the collector's settings; throws one message naming every bad variable and its value. */
export function loadCollectorConfig(env: Env = process.env): CollectorConfig {
  const c = loadEnv(COLLECTOR_SETTINGS, CollectorConfigSchema, env);
  return {
    jobsTable: c[ENV.jobsTable],
    eventsTable: c[ENV.eventsTable],
    queuesTable: c[ENV.queuesTable],
    ttlSeconds: c[ENV.tableTtlDays] * 86_400,
    useStreams: c[ENV.useStreams],
    streamName: c[ENV.streamName],
    deadLetterQueueUrl: c[ENV.deadLetterQueueUrl],
    probeBudgetBytes: c[ENV.probeBudgetBytes],
    probeMaxRequests: c[ENV.probeMaxRequests],
    probe: c.COLLECTOR_PROBE,
    getJob: c.COLLECTOR_GET_JOB,
    configTable: c[ENV.configTable],
    notifications: notificationsOf(c[ENV.notificationTopicArn], c[ENV.application]),
  };
}
