/**
 * Pure builders the components share, so each rule is written once: the policy statement that refuses any
 * request not sent over TLS, and the alarm on a dead-letter queue that holds anything. They return plain values
 * (Outputs inside are fine); the components make the resources, with their own names.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";

/** A resource-policy statement denying every listed action to anyone when the request did not use TLS. */
export interface TlsOnlyStatement<A, R> {
  Sid: string;
  Effect: "Deny";
  Principal: "*";
  Action: A;
  Resource: R;
  Condition: { Bool: { "aws:SecureTransport": "false" } };
}

/**
 * The TLS-only statement for a bucket, queue or topic policy: `action` is what is refused (`"s3:*"`, `"sqs:*"`,
 * or a list), `resource` the ARN or ARNs it protects.
 */
export function denyInsecureTransport<A extends string | string[], R>(sid: string, action: A, resource: R): TlsOnlyStatement<A, R> {
  return {
    Sid: sid,
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * Arguments of an alarm that fires as soon as the SQS queue `queueName` holds a visible message (the largest
 * ApproximateNumberOfMessagesVisible over 5 minutes above 0); no data, as for an idle queue, is not a breach.
 * The alarm names no action here: index.ts gives every alarm of the program the operations topic as alarm and OK
 * action (components/operations.ts notifyOnAlarms), so a new alarm cannot be forgotten.
 */
export function deadLetterAlarmArgs(alarmDescription: string, queueName: pulumi.Input<string>): aws.cloudwatch.MetricAlarmArgs {
  return {
    alarmDescription,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  };
}
