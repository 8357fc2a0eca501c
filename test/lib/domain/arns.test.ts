/**
 * lib/domain/arns.ts: MediaConvert queue and job ARNs in every partition, and the subscriber ARN shapes.
 */
import { strict as assert } from "node:assert";
import {
  isLambdaFunctionArn,
  isQueueArn,
  isSqsQueueArn,
  JOB_ID_PATTERN,
  jobArn,
  jobArnProblem,
  jobIdFault,
  jobIdProblem,
  parseJobArn,
  parseQueueArn,
  partitionOfRegion,
  queueArn,
  queueArnProblem,
  queueNameOf,
  regionOfArn,
} from "../../../lib/domain/arns";

describe("domain: ARNs", () => {
  it("parses a queue ARN of each partition into its parts, and builds the same text back", () => {
    for (const [partition, region] of [
      ["aws", "eu-west-1"],
      ["aws-cn", "cn-north-1"],
      ["aws-us-gov", "us-gov-west-1"],
    ]) {
      const arn = `arn:${partition}:mediaconvert:${region}:123456789012:queues/Rush_1`;
      const parts = parseQueueArn(arn);
      assert.deepEqual(parts, { partition, region, accountId: "123456789012", name: "Rush_1" });
      assert.equal(queueArn(parts!.region, parts!.accountId, parts!.name), arn, "the partition follows from the region");
      assert.equal(queueArnProblem(arn), undefined);
    }
    assert.equal(queueArn("us-east-1", "123456789012", "Default"), "arn:aws:mediaconvert:us-east-1:123456789012:queues/Default");
  });

  it("a region belongs to one partition: an ARN that puts it in another is refused, saying which", () => {
    assert.equal(partitionOfRegion("cn-northwest-1"), "aws-cn");
    assert.equal(partitionOfRegion("us-gov-east-1"), "aws-us-gov");
    assert.equal(partitionOfRegion("ap-southeast-3"), "aws");
    assert.equal(parseQueueArn("arn:aws:mediaconvert:cn-north-1:123456789012:queues/Rush"), undefined);
    assert.match(queueArnProblem("arn:aws:mediaconvert:cn-north-1:123456789012:queues/Rush")!, /that region is in aws-cn/);
    assert.equal(parseJobArn("arn:aws-cn:mediaconvert:us-east-1:123456789012:jobs/1717000000000-abc123"), undefined);
    assert.match(jobArnProblem("arn:aws-cn:mediaconvert:us-east-1:123456789012:jobs/1717000000000-abc123")!, /that region is in aws\b/);
  });

  it("refuses what is not a queue ARN: another service, a short account, a bad name, a job ARN", () => {
    for (const bad of [
      "arn:aws:sqs:us-east-1:123456789012:queues/Default",
      "arn:aws:mediaconvert:us-east-1:12345:queues/Default",
      "arn:aws:mediaconvert:us-east-1:123456789012:queues/has space",
      "arn:aws:mediaconvert:us-east-1:123456789012:queues/",
      "arn:aws:mediaconvert:us-east-1:123456789012:jobs/1717000000000-abc123",
      "arn:azure:mediaconvert:us-east-1:123456789012:queues/Default",
      "arn:aws-iso:mediaconvert:us-iso-east-1:123456789012:queues/Default",
      "arn:aws:mediaconvert:Mars:123456789012:queues/Default",
      "arn:aws:mediaconvert:us-east-1:123456789012:queues/Default/../x",
      "Default",
    ]) {
      assert.equal(isQueueArn(bad), false, bad);
      assert.equal(parseQueueArn(bad), undefined, bad);
    }
  });

  it("reads a job ARN of each partition and builds one, `*` standing for every job", () => {
    assert.deepEqual(parseJobArn("arn:aws-us-gov:mediaconvert:us-gov-west-1:123456789012:jobs/1717000000000-abc123"), {
      partition: "aws-us-gov",
      region: "us-gov-west-1",
      accountId: "123456789012",
      jobId: "1717000000000-abc123",
    });
    assert.equal(parseJobArn("arn:aws:mediaconvert:us-east-1:123456789012:queues/Default"), undefined);
    assert.equal(parseJobArn("1717000000000-abc123"), undefined);
    assert.equal(
      jobArn("eu-west-1", "123456789012", "1717000000000-abc123"),
      "arn:aws:mediaconvert:eu-west-1:123456789012:jobs/1717000000000-abc123",
    );
    assert.equal(jobArn("cn-north-1", "123456789012", "*"), "arn:aws-cn:mediaconvert:cn-north-1:123456789012:jobs/*");
  });

  it("refuses a job ARN with a bad account, region or job id, or one naming another job than the one expected", () => {
    const good = "arn:aws:mediaconvert:us-east-1:123456789012:jobs/1717000000000-abc123";
    assert.equal(jobArnProblem(good), undefined);
    assert.equal(jobArnProblem(good, "1717000000000-abc123"), undefined);
    assert.match(jobArnProblem(good, "1717000000000-zzz999")!, /is the ARN of job 1717000000000-abc123, not of 1717000000000-zzz999/);
    for (const bad of [
      "arn:aws:mediaconvert:us-east-1::jobs/1717000000000-abc123",
      "arn:aws:mediaconvert:us-east-1:1234:jobs/1717000000000-abc123",
      "arn:aws:mediaconvert:useast1:123456789012:jobs/1717000000000-abc123",
      "arn:aws:mediaconvert:us-east-1:123456789012:jobs/../../1717000000000-abc123",
      "arn:aws:mediaconvert:us-east-1:123456789012:jobs/1717000000000-abc1234",
      "arn:aws:mediaconvert:us-east-1:123456789012:jobs/1717000000000-ABC123",
      "arn:aws:s3:us-east-1:123456789012:jobs/1717000000000-abc123",
    ]) {
      assert.equal(parseJobArn(bad), undefined, bad);
      assert.match(jobArnProblem(bad)!, /is not a MediaConvert job ARN \(arn:<aws\|aws-cn\|aws-us-gov>:mediaconvert:/, bad);
    }
  });

  it("job ids: 13 digits of epoch ms, a hyphen, 6 lower-case letters or digits; anything else is named with its fault", () => {
    for (const id of ["1717171717171-abc123", "0000000000000-000000", "9999999999999-zzzzzz"]) assert.ok(JOB_ID_PATTERN.test(id), id);
    const faults: Array<[string, RegExp]> = [
      ["", /it is empty/],
      ["../../etc/passwd", /path separator/],
      ["1717171717171-abc123/..", /path separator/],
      [`1717171717171-${"a".repeat(300)}`, /it has 314 characters, not 20/],
      ["1717171717171-ABC123", /upper-case/],
      ["171717171717x-abc123", /13 digits and a hyphen/],
      ["1717171717171-abc_12", /6 lower-case letters or digits$/],
      ["1717171717171-abc123\n", /21 characters/],
    ];
    for (const [id, fault] of faults) {
      assert.ok(!JOB_ID_PATTERN.test(id), id);
      assert.match(jobIdFault(id)!, fault, id);
      assert.match(jobIdProblem(id)!, /is not a MediaConvert job id \(.*\): expected 13 digits .* e\.g\. 1717171717171-abc123$/s, id);
    }
    assert.equal(jobIdFault("1717171717171-abc123"), undefined);
    assert.ok(jobIdProblem(`1717171717171-${"a".repeat(300)}`)!.length < 300, "a long id is shortened in the message");
  });

  it("takes a queue's name and any ARN's region", () => {
    assert.equal(queueNameOf("arn:aws:mediaconvert:us-east-1:123456789012:queues/Rush"), "Rush");
    assert.equal(queueNameOf("Rush"), "Rush");
    assert.equal(queueNameOf("arn:aws:mediaconvert:us-east-1:123456789012:queues/"), undefined);
    assert.equal(queueNameOf(undefined), undefined);
    assert.equal(regionOfArn("arn:aws:mediaconvert:ap-south-1:123456789012:queues/Rush"), "ap-south-1");
    assert.equal(regionOfArn("arn:aws:s3:::bucket"), undefined);
    assert.equal(regionOfArn("not an arn"), undefined);
  });

  it("tells SQS queue ARNs (FIFO too) and Lambda function ARNs (qualified too) from anything else", () => {
    assert.ok(isSqsQueueArn("arn:aws:sqs:eu-west-1:123456789012:alerts"));
    assert.ok(isSqsQueueArn("arn:aws-cn:sqs:cn-north-1:123456789012:alerts.fifo"));
    assert.ok(!isSqsQueueArn("arn:aws:sqs:eu-west-1:123456789012:bad.name"));
    assert.ok(isLambdaFunctionArn("arn:aws:lambda:eu-west-1:123456789012:function:notify"));
    assert.ok(isLambdaFunctionArn("arn:aws:lambda:eu-west-1:123456789012:function:notify:live"));
    assert.ok(!isLambdaFunctionArn("arn:aws:lambda:eu-west-1:123456789012:layer:notify"));
    assert.ok(!isSqsQueueArn("arn:aws:lambda:eu-west-1:123456789012:function:notify"));
  });
});
