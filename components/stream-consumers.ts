/**
 * StreamConsumers: the two Lambdas that read the job stream (consumers/history.ts, consumers/analytics.ts),
 * their Kinesis event source mappings and an encrypted SQS queue that is both the mappings' on-failure
 * destination (batches that failed every retry) and the consumers' dead-letter queue (poison records).
 *
 * Both mappings: start at TRIM_HORIZON, batch window from `bufferIntervalSeconds` (capped at Lambda's 300 s),
 * bisect a failing batch, ReportBatchItemFailures, bounded retries and record age, on-failure destination.
 * The analytics mapping adds a tumbling window. Roles hold exactly: read this stream (and decrypt it through
 * Kinesis when a key is given), PutRecordBatch on their own delivery streams, send to the on-failure queue (and use
 * its key through SQS). An alarm fires when the queue holds anything: a batch that failed every retry, or a poison
 * record (index.ts gives every alarm the operations topic as its action).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { deadLetterAlarmArgs, denyInsecureTransport } from "../infra/kit";
import { BundledFunction, type PermissionStatement } from "./bundled-function";
import { awsContext, keyGrant } from "./tags";
import { ENV } from "../lib/domain/env";

export interface DeliveryStreamInput {
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}

export interface StreamConsumersArgs {
  /** The job stream the collector writes. */
  streamArn: pulumi.Input<string>;
  /** KMS key the stream is encrypted with (consumers need kms:Decrypt). @default none: the stream uses AWS-managed encryption */
  streamKmsKeyArn?: pulumi.Input<string>;
  /** HistoryLake.deliveryStreams. */
  deliveryStreams: { job_events: DeliveryStreamInput; jobs: DeliveryStreamInput; queue_metrics: DeliveryStreamInput };
  /** Stack `bufferInterval` in seconds: the mappings' batching window (capped at 300). */
  bufferIntervalSeconds: number;
  /** Records per history invocation, 1–10000. @default 500 (one full PutRecordBatch) */
  batchSize?: number;
  /** Analytics tumbling window, 1–900 s. @default 300 */
  tumblingWindowSeconds?: number;
  /** Retries of a failing batch before it goes to the on-failure destination, 0–10000. @default 10 */
  maximumRetryAttempts?: number;
  /** Records older than this are sent to the on-failure destination, 60–604800 s. @default 86400 */
  maximumRecordAgeSeconds?: number;
  /** Parallel batches per shard, 1–10. @default 1 */
  parallelizationFactor?: number;
  /** Customer-managed key for the functions' environment/logs and the failure queue. @default none: AWS-managed encryption */
  kmsKeyArn?: pulumi.Input<string>;
  /** Bundle name of the history consumer under dist/. @default "history" */
  historyBundle?: string;
  /** Bundle name of the analytics consumer under dist/. @default "analytics" */
  analyticsBundle?: string;
  /** Days to keep both consumers' logs (stack `logRetentionDays`). @default 30 */
  logRetentionDays?: number;
  /** Both consumers' log level (stack `logLevel`). @default "INFO" */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Extra tags on the consumers' resources (stack-wide tags come from the provider's defaultTags). @default none */
  tags?: Record<string, pulumi.Input<string>>;
}

function checkInt(what: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(`StreamConsumers ${what} must be a whole number from ${min} to ${max}; got ${v}`);
  return v;
}

export class StreamConsumers extends pulumi.ComponentResource {
  readonly history: BundledFunction;
  readonly analytics: BundledFunction;
  readonly failureQueue: aws.sqs.Queue;
  readonly historyMapping: aws.lambda.EventSourceMapping;
  readonly analyticsMapping: aws.lambda.EventSourceMapping;
  readonly failureQueueArn: pulumi.Output<string>;
  readonly failureQueueUrl: pulumi.Output<string>;
  readonly failureAlarm: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: StreamConsumersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:StreamConsumers", name, {}, opts);
    const window = Math.min(300, checkInt("bufferIntervalSeconds", args.bufferIntervalSeconds, 0, 900));
    const batchSize = checkInt("batchSize", args.batchSize ?? 500, 1, 10_000);
    const tumbling = checkInt("tumblingWindowSeconds", args.tumblingWindowSeconds ?? 300, 1, 900);
    const retries = checkInt("maximumRetryAttempts", args.maximumRetryAttempts ?? 10, 0, 10_000);
    const maxAge = checkInt("maximumRecordAgeSeconds", args.maximumRecordAgeSeconds ?? 86_400, 60, 604_800);
    const parallel = checkInt("parallelizationFactor", args.parallelizationFactor ?? 1, 1, 10);
    const child = { parent: this };

    this.failureQueue = new aws.sqs.Queue(
      `${name}-failures`,
      {
        messageRetentionSeconds: 14 * 86_400,
        ...(args.kmsKeyArn ? { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 } : { sqsManagedSseEnabled: true }),
        tags: args.tags,
      },
      child,
    );
    this.failureQueueArn = this.failureQueue.arn;
    this.failureQueueUrl = this.failureQueue.url;
    new aws.sqs.QueuePolicy(
      `${name}-failures-tls`,
      {
        queueUrl: this.failureQueue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [denyInsecureTransport("DenyInsecureTransport", "sqs:*", this.failureQueue.arn)],
        }),
      },
      child,
    );

    const readStream: PermissionStatement[] = [
      {
        sid: "ReadStream",
        actions: [
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:ListShards",
        ],
        resources: [args.streamArn],
      },
      { sid: "OnFailure", actions: ["sqs:SendMessage"], resources: [this.failureQueue.arn] },
    ];
    const where = awsContext(child);
    if (args.streamKmsKeyArn) readStream.push(keyGrant("DecryptStream", args.streamKmsKeyArn, where, ["kinesis"], ["kms:Decrypt"]));
    if (args.kmsKeyArn)
      readStream.push(keyGrant("FailureQueueKey", args.kmsKeyArn, where, ["sqs"], ["kms:GenerateDataKey", "kms:Decrypt"]));

    const ds = args.deliveryStreams;
    this.history = new BundledFunction(
      `${name}-history`,
      {
        bundle: args.historyBundle ?? "history",
        description: "mcjobs: job stream → job_events and jobs history (Firehose)",
        timeoutSeconds: 120,
        memoryMb: 512,
        kmsKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
        logLevel: args.logLevel,
        environment: {
          [ENV.jobEventsDeliveryStream]: ds.job_events.name,
          [ENV.jobsDeliveryStream]: ds.jobs.name,
          [ENV.deadLetterQueueUrl]: this.failureQueue.url,
        },
        statements: [...readStream, { sid: "Deliver", actions: ["firehose:PutRecordBatch"], resources: [ds.job_events.arn, ds.jobs.arn] }],
        tags: args.tags,
      },
      child,
    );
    this.analytics = new BundledFunction(
      `${name}-analytics`,
      {
        bundle: args.analyticsBundle ?? "analytics",
        description: "mcjobs: per-queue tumbling-window aggregates → queue_metrics + CloudWatch (EMF)",
        timeoutSeconds: 60,
        memoryMb: 256,
        kmsKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
        logLevel: args.logLevel,
        environment: { [ENV.queueMetricsDeliveryStream]: ds.queue_metrics.name, [ENV.deadLetterQueueUrl]: this.failureQueue.url },
        statements: [...readStream, { sid: "Deliver", actions: ["firehose:PutRecordBatch"], resources: [ds.queue_metrics.arn] }],
        tags: args.tags,
      },
      child,
    );

    const common = {
      eventSourceArn: args.streamArn,
      startingPosition: "TRIM_HORIZON",
      maximumBatchingWindowInSeconds: window,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ["ReportBatchItemFailures"],
      maximumRetryAttempts: retries,
      maximumRecordAgeInSeconds: maxAge,
      parallelizationFactor: parallel,
      destinationConfig: { onFailure: { destinationArn: this.failureQueue.arn } },
    };
    this.historyMapping = new aws.lambda.EventSourceMapping(
      `${name}-history-source`,
      { ...common, functionName: this.history.function.arn, batchSize },
      { parent: this, dependsOn: [this.history] },
    );
    this.analyticsMapping = new aws.lambda.EventSourceMapping(
      `${name}-analytics-source`,
      { ...common, functionName: this.analytics.function.arn, batchSize: 1000, tumblingWindowInSeconds: tumbling },
      { parent: this, dependsOn: [this.analytics] },
    );

    this.failureAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-failures-alarm`,
      deadLetterAlarmArgs(
        "Job stream records the mcjobs history/analytics consumers could not process are waiting in their failure queue: inspect and replay them",
        this.failureQueue.name,
      ),
      child,
    );

    this.registerOutputs({
      historyFunction: this.history.name,
      analyticsFunction: this.analytics.name,
      failureQueueUrl: this.failureQueueUrl,
    });
  }
}
