/**
 * Names of the environment variables through which Pulumi (in AWS) and the local twin (on this machine) tell the
 * Lambda handlers where things are. One list, so the component that sets a variable and the handler that reads
 * it cannot drift apart. Each handler validates the ones it needs at cold start with `loadEnv` and its own zod
 * schema, so every handler reports a bad setting the same way.
 */
import type { z } from "zod";

export const ENV = {
  // DynamoDB tables (physical names)
  jobsTable: "JOBS_TABLE",
  eventsTable: "EVENTS_TABLE",
  queuesTable: "QUEUES_TABLE",
  configTable: "CONFIG_TABLE",
  /** Days an item lives after its last write (stack `tableTTL`). */
  tableTtlDays: "TABLE_TTL_DAYS",
  // Kinesis
  streamName: "STREAM_NAME",
  /** "true" | "false": when false the collector writes no Kinesis records (stack `useStreams`). */
  useStreams: "USE_STREAMS",
  // Collector
  /** SQS queue URL where the collector parks events it cannot parse (poison events). */
  deadLetterQueueUrl: "DEAD_LETTER_QUEUE_URL",
  /** mediainfo probe byte budget per job (default 4 MiB). */
  probeBudgetBytes: "PROBE_BUDGET_BYTES",
  /** Most S3 ranged GETs one probe makes (default 16; stack `probeMaxRequests`). */
  probeMaxRequests: "PROBE_MAX_REQUESTS",
  /** SNS topic ARN the collector publishes one message per finished or failed job of APPLICATION to; unset = none. */
  notificationTopicArn: "NOTIFICATION_TOPIC_ARN",
  // History (Firehose delivery streams, one per dataset)
  jobEventsDeliveryStream: "JOB_EVENTS_DELIVERY_STREAM",
  jobsDeliveryStream: "JOBS_DELIVERY_STREAM",
  queueMetricsDeliveryStream: "QUEUE_METRICS_DELIVERY_STREAM",
  // Jobs API
  /** Base64 HMAC key (≥ 32 bytes) that signs the API's nextToken; set by the JobsApi component (local: the twin). */
  apiTokenKey: "API_TOKEN_KEY",
  // Watch folder / convert
  application: "APPLICATION",
  mediaConvertRoleArn: "MEDIACONVERT_ROLE_ARN",
  mediaConvertQueueArn: "MEDIACONVERT_QUEUE_ARN",
  watchBucket: "WATCH_BUCKET",
  outputBucket: "OUTPUT_BUCKET",
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** The environment as handlers see it (`process.env`, or a test's plain object). */
export type Env = Readonly<Record<string, string | undefined>>;

/** One bad or missing variable and what it must be. */
export interface EnvProblem {
  name: string;
  message: string;
}

export interface EnvOptions {
  /** Variables whose value must never appear in a message (keys, tokens): only their name is shown. */
  secret?: readonly string[];
}

/**
 * The error a handler throws when its settings are wrong: a title line, then one line per problem naming the
 * variable, its value as given (or "not set"; never the value of a secret) and what it must be.
 */
export function envError(what: string, problems: readonly EnvProblem[], env: Env, opts: EnvOptions = {}): Error {
  const lines = problems.map(({ name, message }) => {
    const value = env[name];
    const shown = value === undefined || value === "" ? " (not set)" : opts.secret?.includes(name) ? "" : ` = ${JSON.stringify(value)}`;
    return `  ${name}${shown}: ${message}`;
  });
  return new Error(`${what} configuration is invalid:\n${lines.join("\n")}`);
}

/**
 * Validates `env` against `schema` and returns the parsed settings. A blank value counts as not set, so an empty
 * variable gets the schema's default or its "required" message. Throws one `envError` naming every problem.
 */
export function loadEnv<S extends z.ZodType>(what: string, schema: S, env: Env, opts: EnvOptions = {}): z.output<S> {
  const unblanked = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));
  const parsed = schema.safeParse(unblanked);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => ({ name: String(i.path[0] ?? "?"), message: i.message }));
  throw envError(what, problems, env, opts);
}
