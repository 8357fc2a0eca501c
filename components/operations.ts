/**
 * Operations: every alarm of the stack reaches a person.
 *
 *   CloudWatch alarms of this account and region ──alarm / OK action──▶ operations topic (SNS, KMS-encrypted)
 *                                                                         ├─▶ e-mail subscriptions (must confirm)
 *                                                                         └─▶ https endpoints, SQS queues, Lambdas
 *
 * The topic has a key of its own (rotation on) whose policy lets this account administer it through IAM and lets
 * CloudWatch use it only for alarms of this account and region; the stack's data key never has to trust CloudWatch.
 * The topic's policy lets CloudWatch publish only for those alarms, and refuses any request not sent over TLS.
 * Neither the key nor the topic holds data once a message is delivered: neither is kept on `pulumi destroy`.
 *
 * `notifyOnAlarms(topicArn)` is the transformation index.ts puts on every component: each MetricAlarm, whichever
 * component makes it, gets the topic as alarm action and as OK action (so the all-clear arrives too).
 *
 * Subscribers (stack `alarmSubscribers`): e-mail addresses, `https://` URLs, SQS queue ARNs (the queue's own policy
 * must let the topic send, and its key, if any, let SNS use it) and Lambda function ARNs (the invoke permission is
 * made here). With none, `pulumi up` warns: the alarms would reach nobody.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { denyInsecureTransport } from "../infra/kit";
import { awsContext, servicePrincipal, subscribeAll, subscriberProtocol, type SubscriberProtocol } from "./tags";

export interface OperationsArgs {
  /** This stack's application name, shown in the topic's display name. */
  application: string;
  /** Who hears the alarms (stack `alarmSubscribers`): e-mail addresses, https URLs, SQS or Lambda ARNs. @default [] */
  subscribers?: string[];
}

/** The SNS protocol for an alarm subscriber (e-mail addresses included), or what is accepted. */
export function alarmSubscriberProtocol(endpoint: string): SubscriberProtocol | { error: string } {
  return subscriberProtocol(endpoint, { email: true });
}

/** Type token of the resources `notifyOnAlarms` acts on. */
export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/**
 * A transformation giving every MetricAlarm inside a component `topicArn` as an alarm action and an OK action,
 * next to any action the alarm already names.
 */
export function notifyOnAlarms(topicArn: pulumi.Input<string>): pulumi.ResourceTransformation {
  // An action may be given as a Topic resource: it stands for its ARN.
  const arnOf = (a: pulumi.Input<string | aws.sns.Topic>): pulumi.Input<string> =>
    a instanceof aws.sns.Topic ? a.arn : (a as pulumi.Input<string>);
  const withTopic = (actions: aws.cloudwatch.MetricAlarmArgs["alarmActions"]) => {
    const given = (Array.isArray(actions) ? actions.map(arnOf) : (actions ?? [])) as pulumi.Input<pulumi.Input<string>[]>;
    return pulumi.all([pulumi.output(given), topicArn]).apply(([list, topic]) => (list.includes(topic) ? list : [...list, topic]));
  };
  return (args) => {
    if (args.type !== METRIC_ALARM) return undefined;
    const props = args.props as aws.cloudwatch.MetricAlarmArgs;
    return { props: { ...props, alarmActions: withTopic(props.alarmActions), okActions: withTopic(props.okActions) }, opts: args.opts };
  };
}

export class Operations extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly topic: aws.sns.Topic;
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: OperationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:Operations", name, {}, opts);
    const subscribers = (args.subscribers ?? []).map((endpoint) => ({ endpoint, protocol: alarmSubscriberProtocol(endpoint) }));
    const bad = subscribers.flatMap((s) => (typeof s.protocol === "string" ? [] : [s.protocol.error]));
    if (bad.length) throw new Error(`Operations subscribers: ${bad.join("; ")}`);
    if (subscribers.length === 0) {
      pulumi.log.warn(
        "no alarmSubscribers configured: the stack's alarms reach nobody (pulumi config set alarmSubscribers ops@example.com)",
        this,
      );
    }
    const child = { parent: this };
    const where = awsContext(child);
    const cloudwatch = servicePrincipal("cloudwatch", child);
    // The alarms of this account and region, as CloudWatch names them when it publishes or uses the key.
    const fromAlarms = pulumi.all([where.partition, where.region, where.accountId]).apply(([part, region, acct]) => ({
      StringEquals: { "aws:SourceAccount": acct },
      ArnLike: { "aws:SourceArn": `arn:${part}:cloudwatch:${region}:${acct}:alarm:*` },
    }));

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `mcjobs ${pulumi.getStack()}: encrypts the operations (alarms) topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AccountAdministersKeyThroughIam",
              Effect: "Allow",
              Principal: { AWS: pulumi.interpolate`arn:${where.partition}:iam::${where.accountId}:root` },
              Action: "kms:*",
              Resource: "*",
            },
            {
              Sid: "AlarmsOfThisAccountPublishToTheEncryptedTopic",
              Effect: "Allow",
              Principal: { Service: cloudwatch },
              Action: ["kms:Decrypt", "kms:GenerateDataKey"],
              Resource: "*",
              Condition: fromAlarms,
            },
          ],
        }),
      },
      child,
    );

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { displayName: `mcjobs alarms (${args.application})`, kmsMasterKeyId: this.key.arn },
      child,
    );
    this.topicArn = this.topic.arn;

    const policy = new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: this.topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "OnlyAlarmsOfThisAccountPublish",
              Effect: "Allow",
              Principal: { Service: cloudwatch },
              Action: "sns:Publish",
              Resource: this.topic.arn,
              Condition: fromAlarms,
            },
            denyInsecureTransport("TlsOnly", ["sns:Publish", "sns:Subscribe", "sns:Receive"], this.topic.arn),
          ],
        }),
      },
      child,
    );

    subscribeAll(
      this,
      this.topic.arn,
      subscribers.map(({ endpoint, protocol }, i) => ({
        name: `${name}-subscriber-${i}`,
        endpoint,
        protocol: protocol as SubscriberProtocol,
      })),
      [policy],
    );

    this.registerOutputs({ topicArn: this.topicArn });
  }
}
