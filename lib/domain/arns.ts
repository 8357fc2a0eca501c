/**
 * Identifier and ARN shapes this program reads and writes: MediaConvert job ids, MediaConvert queue and job ARNs
 * (parsed strictly and built) in the partitions MediaConvert runs in (aws, aws-cn, aws-us-gov), and the SQS queue
 * and Lambda function ARNs a notification subscriber may be. Pure: no AWS imports.
 *
 * A MediaConvert job id is the job's creation time as 13 digits of epoch ms, a hyphen and 6 lower-case letters or
 * digits (`1717171717171-abc123`). It becomes a DynamoDB key, a Kinesis partition key and part of URLs and file
 * names, so anything else (over-long text, `../x`, upper case) is refused where it enters, never stored.
 */

/** The one definition of a MediaConvert job id's shape. */
export const JOB_ID_PATTERN = /^\d{13}-[a-z0-9]{6}$/;

/** How a job id is written, for messages that tell a person what to give. */
export const JOB_ID_FORM =
  "13 digits (the creation time in epoch ms), a hyphen and 6 lower-case letters or digits, e.g. 1717171717171-abc123";

/** The partitions MediaConvert runs in. */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type Partition = (typeof PARTITIONS)[number];

/** A region name: `us-east-1`, `ap-southeast-3`, `cn-north-1`, `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/;
/** An AWS account id. */
export const ACCOUNT_PATTERN = /^\d{12}$/;

const PARTITION = "(aws|aws-cn|aws-us-gov)";
const REGION = "([a-z]{2}(?:-gov)?-[a-z]+-\\d{1,2})";
const ACCOUNT = "(\\d{12})";

/** How a MediaConvert queue ARN is written, for messages that tell a person what to give. */
export const QUEUE_ARN_FORM = "arn:aws:mediaconvert:<region>:<account>:queues/<name>";
/** How a MediaConvert job ARN is written. */
export const JOB_ARN_FORM = "arn:<aws|aws-cn|aws-us-gov>:mediaconvert:<region>:<12-digit account>:jobs/<job id>";

/** A MediaConvert queue ARN (groups: partition, region, 12-digit account, queue name of letters, digits, - and _). */
const QUEUE_ARN_PATTERN = new RegExp(`^arn:${PARTITION}:mediaconvert:${REGION}:${ACCOUNT}:queues\\/([A-Za-z0-9_-]{1,128})$`);

/** A MediaConvert job ARN (groups: partition, region, account, job id). */
const JOB_ARN_PATTERN = new RegExp(`^arn:${PARTITION}:mediaconvert:${REGION}:${ACCOUNT}:jobs\\/(\\d{13}-[a-z0-9]{6})$`);

/** An SNS topic ARN (standard or FIFO). */
const SNS_TOPIC_ARN = new RegExp(`^arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$`);
/** How an SNS topic ARN is written. */
export const SNS_TOPIC_ARN_FORM = "arn:<aws|aws-cn|aws-us-gov>:sns:<region>:<12-digit account>:<topic name>";

const SQS_QUEUE_ARN = new RegExp(`^arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:[A-Za-z0-9_-]{1,80}(\\.fifo)?$`);
const LAMBDA_FUNCTION_ARN = new RegExp(`^arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$`);

export interface QueueArnParts {
  partition: Partition;
  region: string;
  accountId: string;
  name: string;
}

export interface JobArnParts {
  partition: Partition;
  region: string;
  accountId: string;
  jobId: string;
}

function show(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

export function isJobId(id: string): boolean {
  return JOB_ID_PATTERN.test(id);
}

/**
 * Why `id` is not a job id, in a few words (the first problem found: emptiness, a path, the length, upper case,
 * the time part, the suffix); undefined when it is one.
 */
export function jobIdFault(id: string): string | undefined {
  if (JOB_ID_PATTERN.test(id)) return undefined;
  if (id.length === 0) return "it is empty";
  if (/[/\\]|\.\./.test(id)) return "it contains a path separator or `..`";
  if (id.length !== 20) return `it has ${id.length} characters, not 20`;
  if (/[A-Z]/.test(id)) return "it has upper-case letters; job ids are lower-case";
  if (!/^\d{13}-/.test(id)) return "it does not start with 13 digits and a hyphen";
  return "the part after the hyphen is not 6 lower-case letters or digits";
}

/** What is wrong with a job id, as a sentence a person can act on; undefined when it is one. */
export function jobIdProblem(id: string): string | undefined {
  const fault = jobIdFault(id);
  return fault === undefined ? undefined : `${show(id)} is not a MediaConvert job id (${fault}): expected ${JOB_ID_FORM}`;
}

/** The partition a region belongs to: `cn-*` to aws-cn, `us-gov-*` to aws-us-gov, any other to aws. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** Whether `region` is shaped like a region name. */
export function isRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/** A MediaConvert queue ARN → its parts; undefined when the text is not one or names a region of another partition. */
export function parseQueueArn(arn: string): QueueArnParts | undefined {
  const m = QUEUE_ARN_PATTERN.exec(arn);
  if (!m || partitionOfRegion(m[2]) !== m[1]) return undefined;
  return { partition: m[1] as Partition, region: m[2], accountId: m[3], name: m[4] };
}

export function isQueueArn(arn: string): boolean {
  return parseQueueArn(arn) !== undefined;
}

/** What is wrong with a queue ARN, naming the expected form; undefined when it is one. */
export function queueArnProblem(arn: string): string | undefined {
  if (parseQueueArn(arn)) return undefined;
  const m = QUEUE_ARN_PATTERN.exec(arn);
  if (m) return `${show(arn)} names region ${m[2]} in partition ${m[1]}; that region is in ${partitionOfRegion(m[2])}`;
  return `${show(arn)} is not a MediaConvert queue ARN (${QUEUE_ARN_FORM}, partition aws, aws-cn or aws-us-gov, a 12-digit account)`;
}

/** The ARN of the MediaConvert queue `name` (`Default` is every account's own queue). */
export function queueArn(region: string, accountId: string, name: string, partition: string = partitionOfRegion(region)): string {
  return `arn:${partition}:mediaconvert:${region}:${accountId}:queues/${name}`;
}

/**
 * A MediaConvert job ARN → its parts, when it is one: a known partition holding its region, a 12-digit account
 * and a job id of the strict shape.
 */
export function parseJobArn(arn: string): JobArnParts | undefined {
  const m = JOB_ARN_PATTERN.exec(arn);
  if (!m || partitionOfRegion(m[2]) !== m[1]) return undefined;
  return { partition: m[1] as Partition, region: m[2], accountId: m[3], jobId: m[4] };
}

/**
 * What is wrong with a job ARN, naming the expected form; undefined when it is one and (with `jobId`) names that
 * job.
 */
export function jobArnProblem(arn: string, jobId?: string): string | undefined {
  const parts = parseJobArn(arn);
  if (!parts) {
    const m = JOB_ARN_PATTERN.exec(arn);
    if (m) return `${show(arn)} names region ${m[2]} in partition ${m[1]}; that region is in ${partitionOfRegion(m[2])}`;
    return `${show(arn)} is not a MediaConvert job ARN (${JOB_ARN_FORM})`;
  }
  if (jobId !== undefined && parts.jobId !== jobId) return `${show(arn)} is the ARN of job ${parts.jobId}, not of ${jobId}`;
  return undefined;
}

/**
 * The ARN of a MediaConvert job, in the region's partition unless one is given; `*` as the job id gives the
 * resource of every job of the account and region (IAM statements).
 */
export function jobArn(region: string, accountId: string, jobId: string, partition: string = partitionOfRegion(region)): string {
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

/** An SNS topic ARN, its region in its partition. */
export function isSnsTopicArn(arn: string): boolean {
  const m = SNS_TOPIC_ARN.exec(arn);
  return m !== null && partitionOfRegion(m[2]) === m[1];
}
