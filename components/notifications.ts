/**
 * Notifications: a person hears when one of this stack's jobs finishes or fails.
 *
 *   EventBridge rules (lib/domain/notifications.ts: COMPLETE, ERROR by error category, ERROR with an unlisted code;
 *   only jobs whose userMetadata.application is this stack's) ──InputTransformer──▶ SNS topic (KMS-encrypted)
 *                                                                                  ├─▶ e-mail subscriptions
 *                                                                                  └─▶ extra subscribers
 *
 * The topic is encrypted with a customer-managed key whose policy lets EventBridge use it (BasePipeline's key
 * does; without `kmsKeyArn` the component makes a key of its own with that policy). Its policy lets EventBridge
 * publish only from these rules, and refuses any request not over TLS. E-mail subscribers must confirm the
 * message AWS sends them. Extra subscribers are HTTPS endpoints, SQS queue ARNs or Lambda function ARNs; for a
 * Lambda the invoke permission is created here, an SQS queue's own policy must let this topic send (and, if the
 * queue is KMS-encrypted, its key must let SNS use it).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { denyInsecureTransport } from "../infra/kit";
import { isLambdaFunctionArn, isSqsQueueArn } from "../lib/domain/arns";
import { notificationRules } from "../lib/domain/notifications";

export interface NotificationsArgs {
  /** This stack's application name: only jobs with this userMetadata.application are notified. */
  application: string;
  /**
   * Customer-managed KMS key ARN for the topic; its key policy must let events.amazonaws.com use kms:Decrypt and
   * kms:GenerateDataKey (BasePipeline's key does).
   * @default none: the component creates a key with that policy
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Addresses to subscribe by e-mail (stack `notificationEmails`); each must confirm. @default [] */
  emails?: string[];
  /** Other subscribers (stack `notificationSubscribers`): `https://…` URLs, SQS queue ARNs, Lambda function ARNs. @default [] */
  subscribers?: string[];
  /** Keep the component's own key on destroy (only when it makes one). @default false */
  retainKey?: boolean;
}

export type SubscriberProtocol = "https" | "sqs" | "lambda";

/** The SNS protocol for an extra subscriber, or an error message saying what is accepted. */
export function subscriberProtocol(endpoint: string): SubscriberProtocol | { error: string } {
  if (/^https:\/\/[^\s/]+\.[^\s/]+(\/\S*)?$/.test(endpoint)) return "https";
  if (isSqsQueueArn(endpoint)) return "sqs";
  if (isLambdaFunctionArn(endpoint)) return "lambda";
  return { error: `"${endpoint}" is not an https:// URL, an SQS queue ARN or a Lambda function ARN` };
}

export class Notifications extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly topicArn: pulumi.Output<string>;
  readonly rules: aws.cloudwatch.EventRule[];
  readonly key?: aws.kms.Key;

  constructor(name: string, args: NotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:Notifications", name, {}, opts);
    if (!/^[A-Za-z][A-Za-z0-9-]{0,29}$/.test(args.application)) {
      throw new Error(
        `Notifications application = ${JSON.stringify(args.application)}: must be 1–30 letters, digits or hyphens, starting with a letter`,
      );
    }
    const protocols = (args.subscribers ?? []).map((s) => ({ endpoint: s, protocol: subscriberProtocol(s) }));
    const bad = protocols.filter((p) => typeof p.protocol !== "string");
    if (bad.length) throw new Error(`Notifications subscribers: ${bad.map((b) => (b.protocol as { error: string }).error).join("; ")}`);
    const child = { parent: this };
    const region = aws.getRegionOutput({}, child).region;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const partition = aws.getPartitionOutput({}, child).partition;

    let keyArn: pulumi.Input<string>;
    if (args.kmsKeyArn) {
      keyArn = args.kmsKeyArn;
    } else {
      this.key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `mcjobs ${pulumi.getStack()}: encrypts the notifications topic`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: pulumi.all([account, partition]).apply(([acct, part]) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "AccountAdministersKeyThroughIam",
                  Effect: "Allow",
                  Principal: { AWS: `arn:${part}:iam::${acct}:root` },
                  Action: "kms:*",
                  Resource: "*",
                },
                {
                  Sid: "EventBridgePublishesToTheEncryptedTopic",
                  Effect: "Allow",
                  Principal: { Service: "events.amazonaws.com" },
                  Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                  Resource: "*",
                  Condition: { StringEquals: { "aws:SourceAccount": acct } },
                },
              ],
            }),
          ),
        },
        { parent: this, retainOnDelete: args.retainKey ?? false },
      );
      keyArn = this.key.arn;
    }

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { displayName: `MediaConvert jobs (${args.application})`, kmsMasterKeyId: keyArn },
      child,
    );
    this.topicArn = this.topic.arn;

    const defs = region.apply((r) => notificationRules(args.application, r));
    // The set of rules depends only on the error-code table, not on the region: make the resources from a
    // region-free copy and take each one's template from the resolved list.
    const shape = notificationRules(args.application, "region");
    this.rules = shape.map((def, i) => {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${def.id}`,
        { description: def.description, eventPattern: JSON.stringify(def.pattern), state: "ENABLED" },
        child,
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${def.id}-target`,
        {
          rule: rule.name,
          arn: this.topic.arn,
          inputTransformer: { inputPaths: def.inputPaths, inputTemplate: defs.apply((d) => d[i].inputTemplate) },
          retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
        },
        child,
      );
      return rule;
    });

    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: this.topic.arn,
        policy: pulumi.all([this.topic.arn, ...this.rules.map((r) => r.arn)]).apply(([topicArn, ...ruleArns]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "OnlyTheseRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
              },
              denyInsecureTransport("TlsOnly", ["sns:Publish", "sns:Subscribe", "sns:Receive"], topicArn),
            ],
          }),
        ),
      },
      child,
    );

    (args.emails ?? []).forEach((email, i) => {
      new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, child);
    });
    protocols.forEach(({ endpoint, protocol }, i) => {
      const p = protocol as SubscriberProtocol;
      const deps: pulumi.Resource[] = [];
      if (p === "lambda") {
        deps.push(
          new aws.lambda.Permission(
            `${name}-subscriber-${i}-invoke`,
            { action: "lambda:InvokeFunction", function: endpoint, principal: "sns.amazonaws.com", sourceArn: this.topic.arn },
            child,
          ),
        );
      }
      new aws.sns.TopicSubscription(
        `${name}-subscriber-${i}`,
        { topic: this.topic.arn, protocol: p, endpoint, ...(p === "https" ? { endpointAutoConfirms: false } : {}) },
        { parent: this, dependsOn: deps },
      );
    });

    this.registerOutputs({ topicArn: this.topicArn });
  }
}
