/**
 * EventCollector: every MediaConvert event of the account and region (or only this stack's application's jobs)
 * reaches the collector Lambda, and none is lost on a fault.
 *
 *  EventBridge rule (pattern from lib/domain/patterns.ts) ──target (retry policy, DLQ)──▶ collector Lambda
 *                                                                     │ async invoke: retries, on-failure ─▶ DLQ
 *                                                                     └ poison events (cannot parse) ───────▶ DLQ
 *
 * Three ways an event can end up in the dead-letter queue, all the same encrypted SQS queue, kept 14 days:
 * EventBridge could not invoke the function (after `maxEventAgeSeconds`/`maxAttempts`), the function failed on
 * every async attempt (Lambda on-failure destination), or the handler itself parked an event it cannot parse.
 * An alarm fires when the queue holds anything (index.ts gives every alarm the operations topic as its action).
 *
 * The role gets exactly: UpdateItem/PutItem/GetItem/Query/ConditionCheckItem on the Jobs, Events and Queues
 * tables (and GetItem of the one runtime-settings item of Config), PutRecord(s) on the stream when there is one, SendMessage to the DLQ,
 * GetObject on the buckets inputs may be probed from, mediaconvert:GetJob on this account's jobs in this region,
 * and use of the stack key through DynamoDB, Kinesis and S3 only (kms:ViaService: the tables, the stream and the
 * watch folder's objects are encrypted with it; the role never calls KMS itself). With `notifications`, also what
 * its `publishStatements()` name (sns:Publish on that topic, its key through SNS), and the topic ARN and the
 * application in the environment: the collector then sends one message per finished or failed job of it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { deadLetterAlarmArgs, denyInsecureTransport } from "../infra/kit";
import { collectorPattern } from "../lib/domain/patterns";
import { jobArn } from "../lib/domain/arns";
import { ENV } from "../lib/domain/env";
import { RUNTIME_SETTINGS_KEY } from "../lib/domain/runtime-settings";
import type { BasePipeline } from "./base-pipeline";
import { BundledFunction, type PermissionStatement } from "./bundled-function";
import type { Notifications } from "./notifications";
import { servicePrincipal, type KeyService } from "./tags";

export interface EventCollectorArgs {
  /** The tables, stream and key the collector writes to. */
  pipeline: BasePipeline;
  /**
   * Only collect jobs whose userMetadata.application equals this (stack `collectOnlyApplication`).
   * @default none: every job of the account and region
   */
  application?: string;
  /**
   * S3 bucket ARNs whose objects the mediainfo probe may read: the watch folder plus stack
   * `inputBucketArns`. Empty = the probe gets no S3 access (it then records that it could not read the input).
   */
  probeBucketArns: pulumi.Input<string>[];
  /** mediainfo probe byte budget per job (stack `probeBudgetBytes`). */
  probeBudgetBytes: number;
  /** Most S3 ranged GETs one probe makes, 2–64 (stack `probeMaxRequests`). @default 16 */
  probeMaxRequests?: number;
  /** How long EventBridge keeps retrying delivery, 60–86400 s. @default 86400 (24 h) */
  maxEventAgeSeconds?: number;
  /** EventBridge delivery attempts, 0–185. @default 185 */
  maxAttempts?: number;
  /** Lambda log retention in days (stack `logRetentionDays`). @default 30 */
  logRetentionDays?: number;
  /** The collector's log level (stack `logLevel`). @default "INFO" */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Memory for the collector in MB (the probe's wasm wants room). @default 1024 */
  memoryMb?: number;
  /** The collector's timeout in seconds. @default 60 */
  timeoutSeconds?: number;
  /**
   * The notifications topic the collector publishes to, once per COMPLETE or ERROR of its application's jobs.
   * @default none: no notifications are sent
   */
  notifications?: Pick<Notifications, "topicArn" | "application" | "publishStatements">;
}

export class EventCollector extends pulumi.ComponentResource {
  readonly rule: aws.cloudwatch.EventRule;
  readonly target: aws.cloudwatch.EventTarget;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly fn: BundledFunction;
  readonly dlqAlarm: aws.cloudwatch.MetricAlarm;
  readonly functionName: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;

  constructor(name: string, args: EventCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:EventCollector", name, {}, opts);
    const maxEventAge = args.maxEventAgeSeconds ?? 86_400;
    const maxAttempts = args.maxAttempts ?? 185;
    const probeMaxRequests = args.probeMaxRequests ?? 16;
    if (!Number.isInteger(probeMaxRequests) || probeMaxRequests < 2 || probeMaxRequests > 64) {
      throw new Error(`EventCollector probeMaxRequests = ${probeMaxRequests} is out of range: 2–64 requests`);
    }
    if (!Number.isInteger(maxEventAge) || maxEventAge < 60 || maxEventAge > 86_400) {
      throw new Error(`EventCollector maxEventAgeSeconds = ${maxEventAge} is out of range: 60–86400 seconds`);
    }
    if (!Number.isInteger(maxAttempts) || maxAttempts < 0 || maxAttempts > 185) {
      throw new Error(`EventCollector maxAttempts = ${maxAttempts} is out of range: 0–185`);
    }
    const child = { parent: this };
    const p = args.pipeline;
    const events = servicePrincipal("events", child);

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        messageRetentionSeconds: 14 * 24 * 3600,
        sqsManagedSseEnabled: true,
      },
      child,
    );

    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        description: args.application
          ? `Every MediaConvert event of jobs with userMetadata.application = ${args.application}, to the mcjobs collector`
          : "Every MediaConvert event of this account and region, to the mcjobs collector",
        eventPattern: JSON.stringify(collectorPattern(args.application)),
        state: "ENABLED",
      },
      child,
    );

    // EventBridge may send failed deliveries to the DLQ only from this rule, and only over TLS.
    new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: pulumi.all([this.deadLetterQueue.arn, this.rule.arn, events]).apply(([queueArn, ruleArn, eventsPrincipal]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "CollectorRuleDeadLetters",
                Effect: "Allow",
                Principal: { Service: eventsPrincipal },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
              },
              denyInsecureTransport("TlsOnly", "sqs:*", queueArn),
            ],
          }),
        ),
      },
      child,
    );

    const statements: PermissionStatement[] = [
      ...p.foldStatements(),
      // The one Config item it reads: the runtime settings an operator may change without a deploy.
      {
        sid: "RuntimeSettings",
        actions: ["dynamodb:GetItem"],
        resources: [p.tableArns.config],
        condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [RUNTIME_SETTINGS_KEY] } },
      },
      { sid: "DeadLetters", actions: ["sqs:SendMessage"], resources: [this.deadLetterQueue.arn] },
      {
        sid: "JobDetails",
        actions: ["mediaconvert:GetJob"],
        resources: [
          pulumi
            .all([p.partition, p.region, p.accountId])
            .apply(([partition, region, accountId]) => jobArn(region, accountId, "*", partition)),
        ],
      },
    ];
    // Services that touch stack-key-encrypted data for this role: the tables always, the stream and the probed
    // buckets when there are any (the watch folder's objects are encrypted with the stack key).
    const keyServices: KeyService[] = ["dynamodb"];
    if (p.streamArn) keyServices.push("kinesis");
    if (args.probeBucketArns.length > 0) keyServices.push("s3");
    statements.push(p.keyUse(keyServices));
    if (args.probeBucketArns.length > 0) {
      statements.push({
        sid: "ProbeInputs",
        actions: ["s3:GetObject"],
        resources: args.probeBucketArns.map((arn) => pulumi.interpolate`${arn}/*`),
      });
    }
    if (args.notifications) statements.push(...args.notifications.publishStatements());

    this.fn = new BundledFunction(
      `${name}-fn`,
      {
        bundle: "collector",
        description: "mcjobs collector: folds MediaConvert events into live job state, probes inputs, feeds the stream",
        timeoutSeconds: args.timeoutSeconds ?? 60,
        memoryMb: args.memoryMb ?? 1024,
        logRetentionDays: args.logRetentionDays,
        logLevel: args.logLevel,
        kmsKeyArn: p.keyArn,
        environment: {
          ...p.environment(),
          [ENV.deadLetterQueueUrl]: this.deadLetterQueue.url,
          [ENV.probeBudgetBytes]: String(args.probeBudgetBytes),
          [ENV.probeMaxRequests]: String(probeMaxRequests),
          ...(args.notifications
            ? { [ENV.notificationTopicArn]: args.notifications.topicArn, [ENV.application]: args.notifications.application }
            : {}),
        },
        statements,
        asyncInvoke: { onFailureArn: this.deadLetterQueue.arn, maximumRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 },
      },
      child,
    );

    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: this.fn.name,
        principal: events,
        sourceArn: this.rule.arn,
      },
      child,
    );

    this.target = new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: this.rule.name,
        arn: this.fn.arn,
        retryPolicy: { maximumEventAgeInSeconds: maxEventAge, maximumRetryAttempts: maxAttempts },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      },
      { parent: this, dependsOn: [permission] },
    );

    this.dlqAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-dlq-alarm`,
      deadLetterAlarmArgs(
        "MediaConvert events are waiting in the mcjobs collector dead-letter queue: inspect and redrive them",
        this.deadLetterQueue.name,
      ),
      child,
    );

    this.functionName = this.fn.name;
    this.deadLetterQueueUrl = this.deadLetterQueue.url;
    this.registerOutputs({ functionName: this.functionName, deadLetterQueueUrl: this.deadLetterQueueUrl, ruleArn: this.rule.arn });
  }
}
