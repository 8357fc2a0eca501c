/**
 * WatchFolder: drop a file in, get MediaConvert outputs out.
 *
 *   watch bucket  inputs/<file>  ──S3 notification (ObjectCreated, prefix inputs/)──▶ watch-folder Lambda
 *                 jobs/<name>.json  (settings files; none = the bundled default job)      │ CreateJob (per
 *                                                                                         │ settings file),
 *   media bucket  outputs/<file>/<settings>/<group>/  ◀──── MediaConvert (its own role) ◀─┘ SUBMITTED record
 *
 *  - Both buckets: public access blocked, bucket owner owns every object (no ACLs), SSE-KMS with the stack key
 *    (bucket keys on), a policy refusing anything not over TLS, lifecycle rules. The watch bucket is versioned, so
 *    every upload has a version id and the watch-folder handler can tell a re-delivered notification (same version)
 *    from a new upload of the same name; old versions expire after 7 days.
 *  - Expiry (`mediaExpirationDays`): uploads under `inputs/` and outputs under `outputs/` are deleted that many
 *    days after they were written. Settings files under `jobs/` never expire.
 *  - No public read of media. Players get **presigned URLs** (S3 GetObject signed by someone allowed to read the
 *    bucket and use the stack key, e.g. `aws s3 presign s3://<mediaBucket>/outputs/…`): the bucket answers the
 *    browser's CORS preflight for the origins in `corsOrigins` (GET/HEAD, Range requests). For HLS each playlist
 *    and segment needs its own signature, so for streaming many files to many viewers a CloudFront distribution
 *    with origin access control in front of this bucket is the better tool; it is not part of this component.
 *  - MediaConvert role: assumable by MediaConvert of this account only; reads `inputs/*` of the watch bucket,
 *    writes the media bucket, uses the stack key for both through S3 only (kms:ViaService). Nothing else.
 *  - Watch-folder Lambda role: lists `jobs/` and reads the settings files, CreateJob on `jobs/*` in the configured
 *    queue (or the Default one) and nothing else (no presets, job templates or hop queues: lib/watch-folder/
 *    settings.ts refuses files naming them), GetJob on this account's jobs in this region, iam:PassRole of exactly
 *    the MediaConvert role to MediaConvert, writes the Jobs and Queues tables, uses the stack key through DynamoDB
 *    and S3 only.
 *  - Failed invocations (after Lambda's two retries) go to an encrypted SQS dead-letter queue, with the S3 event
 *    inside, so no upload is lost; an alarm fires when it holds anything (its action: the operations topic).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { deadLetterAlarmArgs, denyInsecureTransport } from "../infra/kit";
import { isQueueArn, jobArn, queueArn as mediaConvertQueueArn, QUEUE_ARN_FORM } from "../lib/domain/arns";
import { ENV } from "../lib/domain/env";
import { INPUT_PREFIX } from "../lib/watch-folder/s3-event";
import { OUTPUT_PREFIX } from "../lib/watch-folder/request";
import { SETTINGS_PREFIX } from "../lib/watch-folder/settings";
import type { BasePipeline } from "./base-pipeline";
import { BundledFunction, type PermissionStatement } from "./bundled-function";
import { privateBucket } from "./private-bucket";
import { servicePrincipal, viaServices } from "./tags";

export interface WatchFolderArgs {
  /** Tables, key and handler environment the watch-folder Lambda uses. */
  pipeline: BasePipeline;
  /** This stack's application name: jobs carry it in userMetadata.application. */
  application: string;
  /** MediaConvert queue ARN jobs are submitted to (stack `queueArn`). @default none: the account's Default queue */
  queueArn?: string;
  /** Days after which uploads (inputs/) and outputs (outputs/) are deleted (stack `mediaExpirationDays`). */
  mediaExpirationDays: number;
  /** Browser origins allowed to fetch media from the media bucket (stack `corsOrigins`); empty = no CORS. @default [] */
  corsOrigins?: string[];
  /** Let `pulumi destroy` delete buckets that still hold objects (stack `retainData` false). @default false */
  forceDestroy?: boolean;
  /** Days to keep the watch-folder Lambda's logs (stack `logRetentionDays`). @default 30 */
  logRetentionDays?: number;
  /** The watch-folder Lambda's log level (stack `logLevel`). @default "INFO" */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Watch-folder Lambda timeout in seconds. @default 120 */
  timeoutSeconds?: number;
}

export class WatchFolder extends pulumi.ComponentResource {
  readonly watchBucket: aws.s3.Bucket;
  readonly mediaBucket: aws.s3.Bucket;
  readonly watchBucketName: pulumi.Output<string>;
  readonly watchBucketArn: pulumi.Output<string>;
  readonly mediaBucketName: pulumi.Output<string>;
  readonly mediaBucketArn: pulumi.Output<string>;
  readonly mediaConvertRole: aws.iam.Role;
  readonly fn: BundledFunction;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: WatchFolderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:WatchFolder", name, {}, opts);
    const days = args.mediaExpirationDays;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new Error(`WatchFolder mediaExpirationDays = ${days} is out of range: a whole number of days from 1 to 3650`);
    }
    if (args.queueArn !== undefined && !isQueueArn(args.queueArn)) {
      throw new Error(`WatchFolder queueArn = ${JSON.stringify(args.queueArn)} is not a MediaConvert queue ARN (${QUEUE_ARN_FORM})`);
    }
    for (const o of args.corsOrigins ?? []) {
      if (o.includes("*")) throw new Error(`WatchFolder corsOrigins: "${o}" — list exact origins, no "*"`);
    }
    const child = { parent: this };
    const p = args.pipeline;
    const mediaConvert = servicePrincipal("mediaconvert", child);

    // ---- buckets ---------------------------------------------------------------------------------------------
    this.watchBucket = privateBucket(this, `${name}-watch`, p.keyArn, args.forceDestroy ?? false);
    this.mediaBucket = privateBucket(this, `${name}-media`, p.keyArn, args.forceDestroy ?? false);
    this.watchBucketName = this.watchBucket.bucket;
    this.watchBucketArn = this.watchBucket.arn;
    this.mediaBucketName = this.mediaBucket.bucket;
    this.mediaBucketArn = this.mediaBucket.arn;

    const versioning = new aws.s3.BucketVersioning(
      `${name}-watch-versioning`,
      { bucket: this.watchBucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-watch-lifecycle`,
      {
        bucket: this.watchBucket.id,
        rules: [
          { id: "expire-inputs", status: "Enabled", filter: { prefix: INPUT_PREFIX }, expiration: { days } },
          { id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 7 } },
          { id: "clean-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
          { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-media-lifecycle`,
      {
        bucket: this.mediaBucket.id,
        rules: [
          { id: "expire-outputs", status: "Enabled", filter: { prefix: OUTPUT_PREFIX }, expiration: { days } },
          { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ],
      },
      child,
    );
    if (args.corsOrigins && args.corsOrigins.length > 0) {
      new aws.s3.BucketCorsConfiguration(
        `${name}-media-cors`,
        {
          bucket: this.mediaBucket.id,
          corsRules: [
            {
              allowedMethods: ["GET", "HEAD"],
              allowedOrigins: [...args.corsOrigins],
              allowedHeaders: ["Range", "Origin", "Accept", "Accept-Encoding", "If-None-Match", "If-Modified-Since"],
              exposeHeaders: ["ETag", "Content-Length", "Content-Range", "Accept-Ranges", "Content-Type"],
              maxAgeSeconds: 3600,
            },
          ],
        },
        child,
      );
    }

    // ---- MediaConvert's role -----------------------------------------------------------------------------------
    this.mediaConvertRole = new aws.iam.Role(
      `${name}-mediaconvert-role`,
      {
        description: "MediaConvert reads the mcjobs watch folder's inputs and writes its media bucket",
        assumeRolePolicy: pulumi.all([p.accountId, mediaConvert]).apply(([acct, service]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": acct } },
              },
            ],
          }),
        ),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-mediaconvert-policy`,
      {
        role: this.mediaConvertRole.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ReadInputs",
              Effect: "Allow",
              Action: ["s3:GetObject", "s3:GetObjectVersion"],
              Resource: [pulumi.interpolate`${this.watchBucket.arn}/${INPUT_PREFIX}*`],
            },
            {
              Sid: "WriteOutputs",
              Effect: "Allow",
              Action: ["s3:PutObject"],
              Resource: [pulumi.interpolate`${this.mediaBucket.arn}/${OUTPUT_PREFIX}*`],
            },
            // The buckets' objects are encrypted with the stack key: MediaConvert's role may use it through S3 only.
            {
              Sid: "BucketKey",
              Effect: "Allow",
              Action: ["kms:Decrypt", "kms:GenerateDataKey"],
              Resource: [p.keyArn],
              Condition: { StringEquals: { "kms:ViaService": viaServices(p, ["s3"]) } },
            },
          ],
        }),
      },
      child,
    );

    // ---- watch-folder Lambda ------------------------------------------------------------------------------------------
    this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true }, child);
    new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [denyInsecureTransport("TlsOnly", "sqs:*", this.deadLetterQueue.arn)],
        }),
      },
      child,
    );

    const where = pulumi.all([p.partition, p.region, p.accountId]);
    const jobsArn = where.apply(([partition, region, accountId]) => jobArn(region, accountId, "*", partition));
    const queueArn = args.queueArn
      ? pulumi.output(args.queueArn)
      : where.apply(([partition, region, accountId]) => mediaConvertQueueArn(region, accountId, "Default", partition));
    const statements: PermissionStatement[] = [
      {
        sid: "ListSettingsFiles",
        actions: ["s3:ListBucket"],
        resources: [this.watchBucket.arn],
        condition: { StringLike: { "s3:prefix": [`${SETTINGS_PREFIX}*`] } },
      },
      { sid: "ReadSettingsFiles", actions: ["s3:GetObject"], resources: [pulumi.interpolate`${this.watchBucket.arn}/${SETTINGS_PREFIX}*`] },
      { sid: "CreateJobs", actions: ["mediaconvert:CreateJob"], resources: [jobsArn, queueArn] },
      { sid: "ReadOwnJobs", actions: ["mediaconvert:GetJob"], resources: [jobsArn] },
      {
        sid: "PassMediaConvertRole",
        actions: ["iam:PassRole"],
        resources: [this.mediaConvertRole.arn],
        condition: mediaConvert.apply((service) => ({ StringEquals: { "iam:PassedToService": service } })),
      },
      {
        sid: "JobsAndQueues",
        actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
        resources: [p.tableArns.jobs, p.tableArns.queues],
      },
      // Stack-key-encrypted data this role touches: the Jobs and Queues tables and the settings files.
      p.keyUse(["dynamodb", "s3"]),
    ];

    this.fn = new BundledFunction(
      `${name}-handler`,
      {
        bundle: "watch-folder",
        logGroupNamePrefix: `/aws/lambda/mcjobs-${name}-convert-`,
        description: "mcjobs watch folder: one MediaConvert job per upload and settings file, recorded as SUBMITTED",
        timeoutSeconds: args.timeoutSeconds ?? 120,
        memoryMb: 512,
        logRetentionDays: args.logRetentionDays,
        logLevel: args.logLevel,
        kmsKeyArn: p.keyArn,
        environment: {
          ...p.environment(),
          [ENV.application]: args.application,
          [ENV.mediaConvertRoleArn]: this.mediaConvertRole.arn,
          ...(args.queueArn ? { [ENV.mediaConvertQueueArn]: args.queueArn } : {}),
          [ENV.watchBucket]: this.watchBucket.bucket,
          [ENV.outputBucket]: this.mediaBucket.bucket,
        },
        statements,
        asyncInvoke: { onFailureArn: this.deadLetterQueue.arn, maximumRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 },
      },
      // Deployed before as `<name>-convert`; the alias keeps the function and its log group (with their logs)
      // instead of replacing them. Children named `<name>-handler-…` inherit it.
      { ...child, aliases: [{ name: `${name}-convert` }] },
    );
    this.functionName = this.fn.name;

    const permission = new aws.lambda.Permission(
      `${name}-s3-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: this.fn.name,
        principal: servicePrincipal("s3", child),
        sourceArn: this.watchBucket.arn,
        sourceAccount: p.accountId,
      },
      child,
    );
    new aws.s3.BucketNotification(
      `${name}-watch-notification`,
      {
        bucket: this.watchBucket.id,
        lambdaFunctions: [{ lambdaFunctionArn: this.fn.arn, events: ["s3:ObjectCreated:*"], filterPrefix: INPUT_PREFIX }],
      },
      { parent: this, dependsOn: [permission] },
    );

    new aws.cloudwatch.MetricAlarm(
      `${name}-dlq-alarm`,
      deadLetterAlarmArgs(
        "Uploads the mcjobs watch folder could not turn into MediaConvert jobs are waiting in its dead-letter queue",
        this.deadLetterQueue.name,
      ),
      child,
    );

    this.registerOutputs({
      watchBucket: this.watchBucketName,
      mediaBucket: this.mediaBucketName,
      mediaConvertRoleArn: this.mediaConvertRole.arn,
      functionName: this.functionName,
      deadLetterQueueUrl: this.deadLetterQueue.url,
    });
  }
}
