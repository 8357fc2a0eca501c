/**
 * Notifications: a person hears once when one of this stack's jobs finishes or fails.
 *
 *   collector Lambda (after it folded a COMPLETE or ERROR event of this application into the job record, claimed
 *   on the Jobs item so each outcome is sent once; lib/collector/notify.ts) ──sns:Publish──▶ SNS topic (KMS)
 *                                                                                          ├─▶ e-mail subscriptions
 *                                                                                          └─▶ extra subscribers
 *
 * The component owns the topic and its subscribers; the collector publishes. `publishStatements()` is what a role
 * needs to publish: sns:Publish on this topic only, and use of the topic's key through SNS only (kms:ViaService);
 * index.ts gives it to the collector with the topic ARN. The topic is encrypted with a customer-managed key (the
 * stack key when `kmsKeyArn` is given, else a key of its own that this account administers through IAM). Its
 * policy refuses any request not over TLS. E-mail subscribers must confirm the message AWS sends them. Extra
 * subscribers are HTTPS endpoints, SQS queue ARNs or Lambda function ARNs; for a Lambda the invoke permission is
 * created here, an SQS queue's own policy must let this topic send (and, if the queue is KMS-encrypted, its key
 * must let SNS use it).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { denyInsecureTransport } from "../infra/kit";
import { APPLICATION_PATTERN } from "../lib/domain/job";
import type { PermissionStatement } from "./bundled-function";
import { awsContext, keyGrant, subscribeAll, subscriberProtocol, type SubscriberProtocol } from "./tags";

export interface NotificationsArgs {
  /** This stack's application name: only jobs with this userMetadata.application are notified. */
  application: string;
  /**
   * Customer-managed KMS key ARN for the topic (BasePipeline's key). The publisher gets its use through SNS only.
   * @default none: the component creates a key of its own
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Addresses to subscribe by e-mail (stack `notificationEmails`); each must confirm. @default [] */
  emails?: string[];
  /** Other subscribers (stack `notificationSubscribers`): `https://…` URLs, SQS queue ARNs, Lambda function ARNs. @default [] */
  subscribers?: string[];
  /** Keep the component's own key on destroy (only when it makes one). @default false */
  retainKey?: boolean;
}

/** The SNS protocol for an extra subscriber (e-mail addresses have their own list), or what is accepted. */
export function notificationSubscriberProtocol(endpoint: string): SubscriberProtocol | { error: string } {
  return subscriberProtocol(endpoint, { email: false });
}

export class Notifications extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly topicArn: pulumi.Output<string>;
  /** The application whose jobs are notified (the collector's APPLICATION). */
  readonly application: string;
  readonly key?: aws.kms.Key;
  private readonly keyArn: pulumi.Input<string>;
  private readonly where: ReturnType<typeof awsContext>;

  constructor(name: string, args: NotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:Notifications", name, {}, opts);
    if (!APPLICATION_PATTERN.test(args.application)) {
      throw new Error(
        `Notifications application = ${JSON.stringify(args.application)}: must be 1–30 letters, digits or hyphens, starting with a letter`,
      );
    }
    this.application = args.application;
    const protocols = (args.subscribers ?? []).map((s) => ({ endpoint: s, protocol: notificationSubscriberProtocol(s) }));
    const bad = protocols.filter((p) => typeof p.protocol !== "string");
    if (bad.length) throw new Error(`Notifications subscribers: ${bad.map((b) => (b.protocol as { error: string }).error).join("; ")}`);
    const child = { parent: this };
    this.where = awsContext(child);

    if (args.kmsKeyArn) {
      this.keyArn = args.kmsKeyArn;
    } else {
      this.key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `mcjobs ${pulumi.getStack()}: encrypts the notifications topic`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          // Only this account, through IAM: the collector's role gets its use through SNS (publishStatements).
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${this.where.partition}:iam::${this.where.accountId}:root` },
                Action: "kms:*",
                Resource: "*",
              },
            ],
          }),
        },
        { parent: this, retainOnDelete: args.retainKey ?? false },
      );
      this.keyArn = this.key.arn;
    }

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { displayName: `MediaConvert jobs (${args.application})`, kmsMasterKeyId: this.keyArn },
      child,
    );
    this.topicArn = this.topic.arn;

    // Publishers are this account's roles allowed by IAM (the collector's); the policy only refuses plain HTTP.
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: this.topic.arn,
        policy: this.topic.arn.apply((topicArn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [denyInsecureTransport("TlsOnly", ["sns:Publish", "sns:Subscribe", "sns:Receive"], topicArn)],
          }),
        ),
      },
      child,
    );

    subscribeAll(this, this.topic.arn, [
      ...(args.emails ?? []).map((email, i) => ({ name: `${name}-email-${i}`, endpoint: email, protocol: "email" as const })),
      ...protocols.map(({ endpoint, protocol }, i) => ({
        name: `${name}-subscriber-${i}`,
        endpoint,
        protocol: protocol as SubscriberProtocol,
      })),
    ]);

    this.registerOutputs({ topicArn: this.topicArn });
  }

  /**
   * What a role needs to publish to the topic, and nothing more: sns:Publish on this topic, and the topic's key
   * for the data keys SNS makes on the publisher's behalf, through SNS only.
   */
  publishStatements(): PermissionStatement[] {
    return [
      { sid: "PublishNotifications", actions: ["sns:Publish"], resources: [this.topicArn] },
      keyGrant("NotificationsKey", this.keyArn, this.where, ["sns"], ["kms:GenerateDataKey", "kms:Decrypt"]),
    ];
  }
}
