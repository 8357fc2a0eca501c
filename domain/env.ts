/**
 * Names of the environment variables through which Pulumi (in AWS) and the local twin (on this machine) tell the
 * Lambda handlers where things are. One list, so the component that sets a variable and the handler that reads
 * it cannot drift apart. Each handler validates the ones it needs with zod at cold start.
 */
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
