/**
 * Reconciler: heals job records whose MediaConvert events were lost (a DLQ'd delivery, a rule disabled during a
 * deploy), on a schedule.
 *
 *  EventBridge Scheduler, rate(N minutes) ──(retry policy, DLQ)──▶ reconciler Lambda ──GetJob/ListJobs──▶ MediaConvert
 *                                                                     │ async invoke: 1 retry, on-failure ─▶ DLQ
 *                                                                     └ folds answers into Jobs/Events/Queues, stream
 *
 * The schedule's target has its own retry policy and dead-letter queue (an invocation Scheduler could not make),
 * and the function's async-invoke configuration sends a sweep that failed on every attempt to the same queue;
 * an alarm fires when the queue holds anything. Sweeps never overlap (reserved concurrency 1).
 *
 * The role gets exactly: GetItem/Query/UpdateItem/PutItem/ConditionCheckItem on the Jobs, Events and Queues tables
 * (Query on the Jobs table's byStatus index), GetItem/PutItem on the Config table (the sweep marks),
 * mediaconvert:GetJob on this account's jobs in this region, mediaconvert:ListQueues and ListJobs on this
 * account's queues in this region, PutRecord(s) on the stream when there is one, and use of the stack key.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { deadLetterAlarmArgs, denyInsecureTransport } from "../infra/kit";
import { jobArn, queueArn } from "../lib/domain/arns";
import { JOBS_INDEX } from "../lib/domain/tables";
import type { BasePipeline } from "./base-pipeline";
import { BundledFunction, type PermissionStatement } from "./bundled-function";
import { servicePrincipal } from "./tags";

export interface ReconcilerArgs {
  pipeline: BasePipeline;
  /** Minutes between sweeps (stack `reconcileMinutes`), 1–1440. @default 5 */
  reconcileMinutes?: number;
  /** Record jobs found by ListJobs only when their userMetadata.application is this (stack `collectOnlyApplication`). */
  onlyApplication?: string;
  /** Alarm actions (e.g. an operations SNS topic ARN) for the dead-letter alarm. @default none */
  alarmActions?: pulumi.Input<string>[];
  logRetentionDays?: number;
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** The function's timeout in seconds. @default 300 */
  timeoutSeconds?: number;
}

export class Reconciler extends pulumi.ComponentResource {
  readonly schedule: aws.scheduler.Schedule;
  readonly schedulerRole: aws.iam.Role;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly fn: BundledFunction;
  readonly dlqAlarm: aws.cloudwatch.MetricAlarm;
  readonly functionName: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;

  constructor(name: string, args: ReconcilerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:Reconciler", name, {}, opts);
    const minutes = args.reconcileMinutes ?? 5;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw new Error(`Reconciler reconcileMinutes = ${minutes} is out of range: 1–1440 minutes`);
    }
    const child = { parent: this };
    const p = args.pipeline;
    const scoped = (make: (region: string, accountId: string, partition: string) => string) =>
      pulumi.all([p.region, p.accountId, p.partition]).apply(([region, accountId, partition]) => make(region, accountId, partition));

    this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true }, child);
    new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: this.deadLetterQueue.arn.apply((arn) =>
          JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport("TlsOnly", "sqs:*", arn)] }),
        ),
      },
      child,
    );

    const statements: PermissionStatement[] = [
      ...p.foldStatements(),
      {
        sid: "UnfinishedJobs",
        actions: ["dynamodb:Query"],
        resources: [pulumi.interpolate`${p.tableArns.jobs}/index/${JOBS_INDEX.byStatus}`],
      },
      { sid: "SweepMarks", actions: ["dynamodb:GetItem", "dynamodb:PutItem"], resources: [p.tableArns.config] },
      { sid: "JobDetails", actions: ["mediaconvert:GetJob"], resources: [scoped((r, a, part) => jobArn(r, a, "*", part))] },
      {
        sid: "ListJobs",
        actions: ["mediaconvert:ListQueues", "mediaconvert:ListJobs"],
        resources: [scoped((r, a, part) => queueArn(r, a, "*", part))],
      },
      p.keyUse(p.streamArn ? ["dynamodb", "kinesis"] : ["dynamodb"]),
    ];

    this.fn = new BundledFunction(
      `${name}-fn`,
      {
        bundle: "reconciler",
        description: "mcjobs reconciler: asks MediaConvert about jobs whose events stopped arriving and folds the answers in",
        timeoutSeconds: args.timeoutSeconds ?? 300,
        memoryMb: 512,
        reservedConcurrency: 1,
        logRetentionDays: args.logRetentionDays,
        logLevel: args.logLevel,
        kmsKeyArn: p.keyArn,
        environment: {
          ...p.environment(),
          RECONCILE_STATUS_UPDATE_INTERVAL_MS: "60000",
          ...(args.onlyApplication ? { RECONCILE_ONLY_APPLICATION: args.onlyApplication } : {}),
        },
        statements,
        asyncInvoke: { onFailureArn: this.deadLetterQueue.arn, maximumRetryAttempts: 1, maximumEventAgeSeconds: minutes * 60 },
      },
      child,
    );

    // Scheduler assumes this role to invoke the function and to park an invocation it could not make.
    this.schedulerRole = new aws.iam.Role(
      `${name}-scheduler-role`,
      {
        description: "EventBridge Scheduler: invokes the mcjobs reconciler",
        assumeRolePolicy: pulumi.all([p.accountId, servicePrincipal("scheduler", child)]).apply(([accountId, scheduler]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: scheduler },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
              },
            ],
          }),
        ),
      },
      child,
    );
    const schedulerPolicy = new aws.iam.RolePolicy(
      `${name}-scheduler-policy`,
      {
        role: this.schedulerRole.id,
        policy: pulumi.all([this.fn.arn, this.deadLetterQueue.arn]).apply(([fnArn, dlqArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "InvokeReconciler", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [fnArn] },
              { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlqArn] },
            ],
          }),
        ),
      },
      child,
    );

    this.schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        description: `Every ${minutes} minute(s): the mcjobs reconciler sweep`,
        scheduleExpression: `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: this.fn.arn,
          roleArn: this.schedulerRole.arn,
          input: JSON.stringify({ source: "mcjobs.reconciler" }),
          // A sweep older than the next one is worth nothing: the next one does the same work.
          retryPolicy: { maximumEventAgeInSeconds: Math.max(60, minutes * 60), maximumRetryAttempts: 3 },
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
        },
      },
      { parent: this, dependsOn: [schedulerPolicy] },
    );

    this.dlqAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-dlq-alarm`,
      {
        ...deadLetterAlarmArgs(
          "mcjobs reconciler sweeps failed or could not be invoked: see its dead-letter queue and logs",
          this.deadLetterQueue.name,
        ),
        alarmActions: args.alarmActions ?? [],
      },
      child,
    );

    this.functionName = this.fn.name;
    this.deadLetterQueueUrl = this.deadLetterQueue.url;
    this.registerOutputs({ functionName: this.functionName, deadLetterQueueUrl: this.deadLetterQueueUrl, scheduleArn: this.schedule.arn });
  }
}
