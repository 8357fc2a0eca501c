/**
 * The mcjobs Pulumi program: one stack per region where you run MediaConvert (docs/deploy.md).
 *
 * Reads and validates the stack config (infra/stack-config.ts; a bad value stops here with the key named), builds an AWS
 * provider for the stack's region whose defaultTags put the stack tags on every taggable resource, composes the
 * components, and exports what a user needs.
 *
 * Names: every global or account-wide name is either left to Pulumi's autonaming (random suffix) or carries the
 * stack and region, so stacks never collide (test/components/posture.test.ts deploys two regions side by side).
 * Data retention: with `retainData` (default true) what holds data is kept on `pulumi destroy` (retainOnDelete):
 * the tables, the buckets and the stack KMS key (components/tags.ts DATA_TYPES), all autonamed, so a later
 * `pulumi up` of the same stack creates new ones beside them; tables get deletion protection. Set it false for
 * throw-away stacks.
 * Alarms: every alarm of every component has the operations topic (components/operations.ts) as its alarm and OK
 * action, through a transformation on each component; people subscribe with `alarmSubscribers`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { loadStackConfig } from "./infra/stack-config";
import { stackTags, retainData } from "./components/tags";
import { BasePipeline } from "./components/base-pipeline";
import { EventCollector } from "./components/event-collector";
import { HistoryLake } from "./components/history-lake";
import { StreamConsumers } from "./components/stream-consumers";
import { WatchFolder } from "./components/watch-folder";
import { Notifications } from "./components/notifications";
import { JobsApi } from "./components/jobs-api";
import { Operations, notifyOnAlarms } from "./components/operations";
import { Reconciler } from "./components/reconciler";

const cfg = loadStackConfig();
const tags = stackTags({ application: cfg.application, stack: cfg.stack, region: cfg.region, project: cfg.project });

// An explicit provider reads no stack config of its own: the `aws:` settings the program knows are passed here.
const provider = new aws.Provider(`aws-${cfg.region}`, {
  region: cfg.region as aws.Region,
  profile: cfg.aws.profile,
  allowedAccountIds: cfg.aws.allowedAccountIds,
  forbiddenAccountIds: cfg.aws.forbiddenAccountIds,
  defaultTags: { tags },
});

// The operations topic first: every other component's alarms name it as their action.
const operations = new Operations(
  "ops",
  { application: cfg.application, subscribers: cfg.alarmSubscribers },
  { providers: { aws: provider } },
);
const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider }, transformations: [notifyOnAlarms(operations.topicArn)] };
// Components holding data: with retainData, their buckets, tables and keys survive `pulumi destroy`.
const dataOpts: pulumi.ComponentResourceOptions = {
  ...opts,
  transformations: [notifyOnAlarms(operations.topicArn), ...(cfg.retainData ? [retainData()] : [])],
};

/** Lower-case, `_`-separated: Glue database names are account+region wide and must not collide across stacks. */
const glueSafe = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, "_");

const pipeline = new BasePipeline(
  "mcjobs",
  {
    tableTTLDays: cfg.tableTTL,
    streamTTLHours: cfg.streamTTL,
    useStreams: cfg.useStreams,
    retainData: cfg.retainData,
    runtimeSettings: {
      application: cfg.application,
      bufferInterval: cfg.bufferInterval,
      probeBudgetBytes: cfg.probeBudgetBytes,
      probeMaxRequests: cfg.probeMaxRequests,
      collectOnlyApplication: cfg.collectOnlyApplication,
    },
  },
  opts,
);

// The watch folder comes before the collector: its bucket is one the collector may probe inputs from.
// Its buckets hold media, not history: they follow retainData too (kept, and not emptied, on destroy).
const watch = new WatchFolder(
  "watch",
  {
    pipeline,
    application: cfg.application,
    queueArn: cfg.queueArn,
    mediaExpirationDays: cfg.mediaExpirationDays,
    corsOrigins: cfg.corsOrigins,
    forceDestroy: !cfg.retainData,
    logRetentionDays: cfg.logRetentionDays,
    logLevel: cfg.logLevel,
  },
  dataOpts,
);

// Buckets the collector may probe inputs from: the watch folder and the stack's extra input buckets.
const probeBucketArns: pulumi.Input<string>[] = [watch.watchBucketArn, ...cfg.inputBucketArns];

// The topic for COMPLETE/ERROR of this stack's jobs (encrypted with the stack key); the collector publishes to it,
// once per job outcome, after folding the event into the job record.
const notifications = new Notifications(
  "notify",
  {
    application: cfg.application,
    kmsKeyArn: pipeline.keyArn,
    emails: cfg.notificationEmails,
    subscribers: cfg.notificationSubscribers,
  },
  opts,
);

const collector = new EventCollector(
  "collector",
  {
    pipeline,
    application: cfg.collectOnlyApplication ? cfg.application : undefined,
    probeBucketArns,
    probeBudgetBytes: cfg.probeBudgetBytes,
    probeMaxRequests: cfg.probeMaxRequests,
    logRetentionDays: cfg.logRetentionDays,
    logLevel: cfg.logLevel,
    notifications,
  },
  opts,
);

let lake: HistoryLake | undefined;
let consumers: StreamConsumers | undefined;
if (cfg.useStreams && pipeline.streamArn) {
  lake = new HistoryLake(
    "history",
    {
      bufferIntervalSeconds: cfg.bufferInterval,
      kmsKeyArn: pipeline.keyArn,
      bytesScannedCutoffPerQuery: cfg.athenaBytesScannedLimit,
      databaseName: glueSafe(`${cfg.application}_${cfg.stack}`),
      forceDestroy: !cfg.retainData,
      logRetentionDays: cfg.logRetentionDays,
    },
    dataOpts,
  );
  consumers = new StreamConsumers(
    "consumers",
    {
      streamArn: pipeline.streamArn,
      streamKmsKeyArn: pipeline.keyArn,
      deliveryStreams: lake.deliveryStreams,
      bufferIntervalSeconds: cfg.bufferInterval,
      kmsKeyArn: pipeline.keyArn,
      logRetentionDays: cfg.logRetentionDays,
      logLevel: cfg.logLevel,
    },
    opts,
  );
}

// Jobs API: read-only, IAM-authorized HTTP API over the live tables (export apiUrl).
const jobsApi = new JobsApi(
  "api",
  {
    pipeline,
    corsOrigins: cfg.corsOrigins,
    rateLimit: cfg.apiRateLimit,
    burstLimit: cfg.apiBurstLimit,
    logRetentionDays: cfg.logRetentionDays,
    logLevel: cfg.logLevel,
  },
  opts,
);

// Reconciler: every reconcileMinutes, asks MediaConvert about jobs whose events stopped arriving and records jobs
// none of whose events arrived. No operations topic exists yet: its dead-letter alarm has no actions.
const reconciler = new Reconciler(
  "reconciler",
  {
    pipeline,
    reconcileMinutes: cfg.reconcileMinutes,
    onlyApplication: cfg.collectOnlyApplication ? cfg.application : undefined,
    logRetentionDays: cfg.logRetentionDays,
    logLevel: cfg.logLevel,
  },
  opts,
);

// ---- Operations dashboard -------------------------------------------------------------------------------------
// One CloudWatch dashboard per stack: collector health, dead letters, stream lag, consumer errors.
// Dashboard names are account-wide: application + stack (+ region unless the stack name already has it).
const dashboardName = `${cfg.application}-${cfg.stack}${cfg.stack.includes(cfg.region) ? "" : `-${cfg.region}`}`
  .replace(/[^A-Za-z0-9_-]/g, "-")
  .slice(0, 255);
const lambdaMetric = (fn: pulumi.Output<string>, metric: string, stat = "Sum") =>
  fn.apply((name) => ["AWS/Lambda", metric, "FunctionName", name, { stat }]);
const widget = (title: string, metrics: pulumi.Input<unknown[]>[], x: number, y: number) =>
  pulumi.all(metrics).apply((m) => ({
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region: cfg.region, view: "timeSeries", stacked: false, period: 60, metrics: m },
  }));
const widgets: pulumi.Output<unknown>[] = [
  widget(
    "Collector invocations and errors",
    [lambdaMetric(collector.functionName, "Invocations"), lambdaMetric(collector.functionName, "Errors")],
    0,
    0,
  ),
  widget("Collector duration (p99, ms)", [lambdaMetric(collector.functionName, "Duration", "p99")], 12, 0),
  widget(
    "Dead letters waiting",
    [collector.deadLetterQueue.name.apply((q) => ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat: "Maximum" }])],
    0,
    6,
  ),
];
if (pipeline.stream && consumers) {
  widgets.push(
    widget(
      "Stream: records in, consumer lag (ms)",
      [
        pipeline.stream.name.apply((n) => ["AWS/Kinesis", "IncomingRecords", "StreamName", n, { stat: "Sum" }]),
        pipeline.stream.name.apply((n) => [
          "AWS/Kinesis",
          "GetRecords.IteratorAgeMilliseconds",
          "StreamName",
          n,
          { stat: "Maximum", yAxis: "right" },
        ]),
      ],
      12,
      6,
    ),
    widget("Consumer errors", [lambdaMetric(consumers.history.name, "Errors"), lambdaMetric(consumers.analytics.name, "Errors")], 0, 12),
  );
}
const dashboard = new aws.cloudwatch.Dashboard(
  "ops",
  { dashboardName, dashboardBody: pulumi.all(widgets).apply((w) => JSON.stringify({ widgets: w })) },
  { provider },
);

// ---- Outputs ----------------------------------------------------------------------------------------------------
export const region = cfg.region;
export const dashboardUrl = pulumi.interpolate`https://${cfg.region}.console.aws.amazon.com/cloudwatch/home?region=${cfg.region}#dashboards:name=${dashboard.dashboardName}`;
export const application = cfg.application;
export const jobsTable = pipeline.tableNames.jobs;
export const eventsTable = pipeline.tableNames.events;
export const queuesTable = pipeline.tableNames.queues;
export const configTable = pipeline.tableNames.config;
export const streamName = pipeline.streamName;
export const kmsKeyArn = pipeline.keyArn;
export const collectorFunction = collector.functionName;
export const apiUrl = jobsApi.url;
export const apiInvokeArn = jobsApi.invokeArn;
export const collectorDeadLetterQueueUrl = collector.deadLetterQueueUrl;
export const historyBucket = lake?.bucketName;
export const glueDatabase = lake?.databaseName;
export const athenaWorkgroup = lake?.workgroupName;
export const consumerFailureQueueUrl = consumers?.failureQueueUrl;
export const watchBucket = watch.watchBucketName;
export const mediaBucket = watch.mediaBucketName;
export const watchFolderFunction = watch.functionName;
export const watchFolderDeadLetterQueueUrl = watch.deadLetterQueue.url;
export const mediaConvertRoleArn = watch.mediaConvertRole.arn;
export const notificationTopicArn = notifications.topicArn;
export const alarmTopicArn = operations.topicArn;
export const reconcilerFunction = reconciler.functionName;
export const reconcilerDeadLetterQueueUrl = reconciler.deadLetterQueueUrl;
