/**
 * Shared helpers for components: the stack-wide tags, where the stack deploys (region, account, partition and its
 * DNS suffix, service principals) with the KMS grants built from it, the subscriptions of an SNS topic, and what
 * `retainData` keeps on destroy.
 * Tags are applied to every taggable AWS resource through the AWS provider's `defaultTags` (index.ts builds that
 * provider and hands it to every component), so no component has to remember them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { isLambdaFunctionArn, isSqsQueueArn } from "../lib/domain/arns";

export interface TagContext {
  application: string;
  stack: string;
  region: string;
  project?: string;
}

/** Tags every resource of a stack carries. */
export function stackTags(ctx: TagContext): Record<string, string> {
  return {
    "mcjobs:application": ctx.application,
    "mcjobs:stack": ctx.stack,
    "mcjobs:region": ctx.region,
    "mcjobs:project": ctx.project ?? "mcjobs",
    "pulumi:stack": ctx.stack,
  };
}

/** Where a stack deploys, as the provider reports it: region, account, partition and the partition's DNS suffix. */
export interface AwsContext {
  region: pulumi.Output<string>;
  accountId: pulumi.Output<string>;
  /** "aws", "aws-cn", "aws-us-gov", …: the second field of every ARN. */
  partition: pulumi.Output<string>;
  /** The partition's service domain (the commercial one, or China's, …), the last part of every service host. */
  dnsSuffix: pulumi.Output<string>;
}

// Imported lazily: keeps this file usable from pure code paths that never touch AWS.
const awsSdk = () => require("@pulumi/aws") as typeof import("@pulumi/aws");

/**
 * Region, account and partition from the provider (pass `{ parent: this }` so a component's provider answers).
 * Components build every ARN and service host from these, so the program deploys unchanged to any partition.
 */
export function awsContext(opts?: pulumi.InvokeOutputOptions): AwsContext {
  const aws = awsSdk();
  const partition = aws.getPartitionOutput({}, opts);
  return {
    region: aws.getRegionOutput({}, opts).region,
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    partition: partition.partition,
    dnsSuffix: partition.dnsSuffix,
  };
}

/** The name a service goes by as a policy principal in this partition, from the provider (aws.getServicePrincipal). */
export function servicePrincipal(serviceName: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return awsSdk().getServicePrincipalOutput({ serviceName }, opts).name;
}

/**
 * Services that may use a KMS key on a role's behalf, for the `kms:ViaService` condition: DynamoDB tables, the
 * Kinesis stream, SQS queues, S3 objects, SNS topics and Lambda environments encrypted with the key.
 */
export type KeyService = "dynamodb" | "kinesis" | "sqs" | "s3" | "sns" | "lambda";

/** `kms:ViaService` values: each service's endpoint in this region, `<service>.<region>.<dnsSuffix>`. */
export function viaServices(ctx: Pick<AwsContext, "region" | "dnsSuffix">, services: readonly KeyService[]): pulumi.Output<string[]> {
  if (services.length === 0) throw new Error("viaServices: name at least one service that uses the key");
  return pulumi.all([ctx.region, ctx.dnsSuffix]).apply(([region, dns]) => services.map((s) => `${s}.${region}.${dns}`));
}

/**
 * A role's grant to use a KMS key only through the listed services (`kms:ViaService`), never by calling KMS itself.
 * `sid` names the statement, `actions` default to what reading and writing encrypted data needs.
 */
export function keyGrant(
  sid: string,
  keyArn: pulumi.Input<string>,
  ctx: Pick<AwsContext, "region" | "dnsSuffix">,
  services: readonly KeyService[],
  actions: string[] = ["kms:Decrypt", "kms:GenerateDataKey"],
): {
  sid: string;
  actions: string[];
  resources: pulumi.Input<string>[];
  condition: pulumi.Output<Record<string, Record<string, unknown>>>;
} {
  return {
    sid,
    actions,
    resources: [keyArn],
    condition: viaServices(ctx, services).apply(
      (via): Record<string, Record<string, unknown>> => ({ StringEquals: { "kms:ViaService": via } }),
    ),
  };
}

/**
 * Resource types that hold data a user would not want `pulumi destroy` to delete: buckets, tables and the key that
 * encrypts them. All of them are autonamed, so a stack re-created after a destroy never collides with what was kept.
 * Not here on purpose: the Kinesis stream (a buffer whose records are already in the tables and the lake, and which
 * bills by the hour while it exists) and the Glue catalog (metadata over the lake bucket, re-declared by the next
 * `pulumi up`; keeping it would take its fixed, queried-by-name database name from the re-created stack).
 */
export const DATA_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:dynamodb/table:Table", "aws:kms/key:Key"];

/**
 * A transformation for a component's options that sets `retainOnDelete` on the data-holding resources inside it
 * (Pulumi does not pass `retainOnDelete` from a component down to its children; transformations are inherited).
 */
export function retainData(types: readonly string[] = DATA_TYPES): pulumi.ResourceTransformation {
  return (args) =>
    types.includes(args.type) ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true }) } : undefined;
}

export type SubscriberProtocol = "email" | "https" | "sqs" | "lambda";

const EMAIL = /^[^\s@,;"<>]+@[^\s@,;"<>]+\.[A-Za-z]{2,}$/;

/**
 * The SNS protocol for a topic subscriber, or an error message saying what is accepted. `email: false` is for a
 * list that takes e-mail addresses elsewhere (the notifications topic has its own list of them).
 */
export function subscriberProtocol(endpoint: string, opts: { email: boolean }): SubscriberProtocol | { error: string } {
  if (opts.email && EMAIL.test(endpoint)) return "email";
  if (/^https:\/\/[^\s/]+\.[^\s/]+(\/\S*)?$/.test(endpoint)) return "https";
  if (isSqsQueueArn(endpoint)) return "sqs";
  if (isLambdaFunctionArn(endpoint)) return "lambda";
  const kinds = opts.email
    ? "an e-mail address, an https:// URL, an SQS queue ARN or a Lambda function ARN"
    : "an https:// URL, an SQS queue ARN or a Lambda function ARN";
  return { error: `"${endpoint}" is not ${kinds}` };
}

/**
 * Subscribes each endpoint to the topic under its own resource name. A Lambda subscriber first gets the
 * permission for SNS to invoke it from this topic only; an https endpoint confirms through the message SNS sends.
 */
export function subscribeAll(
  parent: pulumi.Resource,
  topicArn: pulumi.Input<string>,
  subscribers: Array<{ name: string; endpoint: string; protocol: SubscriberProtocol }>,
  dependsOn: pulumi.Resource[] = [],
): void {
  const child = { parent };
  const sns = servicePrincipal("sns", child);
  for (const { name, endpoint, protocol } of subscribers) {
    const deps = [...dependsOn];
    if (protocol === "lambda") {
      deps.push(
        new aws.lambda.Permission(
          `${name}-invoke`,
          { action: "lambda:InvokeFunction", function: endpoint, principal: sns, sourceArn: topicArn },
          child,
        ),
      );
    }
    new aws.sns.TopicSubscription(
      name,
      { topic: topicArn, protocol, endpoint, ...(protocol === "https" ? { endpointAutoConfirms: false } : {}) },
      { parent, dependsOn: deps },
    );
  }
}
