/**
 * ARN shapes this program reads and writes, in any AWS partition (aws, aws-cn, aws-us-gov, …): MediaConvert
 * queue and job ARNs (parsed and built), and the SQS queue and Lambda function ARNs a notification subscriber
 * may be. Pure: no AWS imports.
 */

/** How a MediaConvert queue ARN is written, for messages that tell a person what to give. */
export const QUEUE_ARN_FORM = "arn:aws:mediaconvert:<region>:<account>:queues/<name>";

/** A MediaConvert queue ARN (groups: partition, region, 12-digit account, queue name of letters, digits, - and _). */
export const QUEUE_ARN_PATTERN = /^arn:(aws[a-z-]*):mediaconvert:([a-z0-9-]+):(\d{12}):queues\/([A-Za-z0-9_-]+)$/;

/**
 * A MediaConvert job ARN as events and GetJob answers carry it. Read leniently (any partition, region and account
 * text): the job id is what matters, and the region and account are checked where they are used.
 */
const JOB_ARN = /^arn:([^:]+):mediaconvert:([^:]*):([^:]*):jobs\/(.+)$/;

const SQS_QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/;

export interface QueueArnParts {
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

export interface JobArnParts {
  partition: string;
  region: string;
  accountId: string;
  jobId: string;
}

/** A MediaConvert queue ARN → its parts; undefined when the text is not one. */
export function parseQueueArn(arn: string): QueueArnParts | undefined {
  const m = QUEUE_ARN_PATTERN.exec(arn);
  return m ? { partition: m[1], region: m[2], accountId: m[3], name: m[4] } : undefined;
}

export function isQueueArn(arn: string): boolean {
  return QUEUE_ARN_PATTERN.test(arn);
}

/** The ARN of the MediaConvert queue `name` (`Default` is every account's own queue). */
export function queueArn(region: string, accountId: string, name: string, partition = "aws"): string {
  return `arn:${partition}:mediaconvert:${region}:${accountId}:queues/${name}`;
}

/** `arn:<partition>:mediaconvert:<region>:<account>:jobs/<jobId>` → its parts, when it has that shape. */
export function parseJobArn(arn: string): JobArnParts | undefined {
  const m = JOB_ARN.exec(arn);
  return m ? { partition: m[1], region: m[2], accountId: m[3], jobId: m[4] } : undefined;
}

/** The ARN of a MediaConvert job; `*` as the job id gives the resource of every job of the account and region. */
export function jobArn(region: string, accountId: string, jobId: string, partition = "aws"): string {
  return `arn:${partition}:mediaconvert:${region}:${accountId}:jobs/${jobId}`;
}

/** The last path segment of a queue ARN (its name), or the text itself when it has no `/`. */
export function queueNameOf(queueArn: string | undefined): string | undefined {
  if (!queueArn) return undefined;
  const slash = queueArn.lastIndexOf("/");
  const name = slash >= 0 ? queueArn.slice(slash + 1) : queueArn;
  return name || undefined;
}

/** The region field of any ARN, when it has one. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const parts = arn?.split(":");
  return parts && parts.length >= 6 && parts[0] === "arn" && parts[3] ? parts[3] : undefined;
}

/** A standard SQS queue ARN or a FIFO one (`.fifo`). */
export function isSqsQueueArn(arn: string): boolean {
  return SQS_QUEUE_ARN.test(arn);
}

/** A Lambda function ARN, with or without a version or alias qualifier. */
export function isLambdaFunctionArn(arn: string): boolean {
  return LAMBDA_FUNCTION_ARN.test(arn);
}
