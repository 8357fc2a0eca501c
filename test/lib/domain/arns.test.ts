/**
 * lib/domain/arns.ts: MediaConvert queue and job ARNs in every partition, and the subscriber ARN shapes.
 */
import { strict as assert } from "node:assert";
import {
  isLambdaFunctionArn,
  isQueueArn,
  isSqsQueueArn,
  jobArn,
  parseJobArn,
  parseQueueArn,
  queueArn,
  queueNameOf,
  regionOfArn,
} from "../../../lib/domain/arns";

describe("domain: ARNs", () => {
  it("parses a queue ARN of any partition into its parts, and builds the same text back", () => {
    for (const partition of ["aws", "aws-cn", "aws-us-gov"]) {
      const arn = `arn:${partition}:mediaconvert:cn-north-1:123456789012:queues/Rush_1`;
      const parts = parseQueueArn(arn);
      assert.deepEqual(parts, { partition, region: "cn-north-1", accountId: "123456789012", name: "Rush_1" });
      assert.equal(queueArn(parts!.region, parts!.accountId, parts!.name, partition), arn);
    }
    assert.equal(queueArn("us-east-1", "123456789012", "Default"), "arn:aws:mediaconvert:us-east-1:123456789012:queues/Default");
  });

  it("refuses what is not a queue ARN: another service, a short account, a bad name, a job ARN", () => {
    for (const bad of [
      "arn:aws:sqs:us-east-1:123456789012:queues/Default",
      "arn:aws:mediaconvert:us-east-1:12345:queues/Default",
      "arn:aws:mediaconvert:us-east-1:123456789012:queues/has space",
      "arn:aws:mediaconvert:us-east-1:123456789012:queues/",
      "arn:aws:mediaconvert:us-east-1:123456789012:jobs/1717000000000-abc123",
      "arn:azure:mediaconvert:us-east-1:123456789012:queues/Default",
      "Default",
    ]) {
      assert.equal(isQueueArn(bad), false, bad);
      assert.equal(parseQueueArn(bad), undefined, bad);
    }
  });

  it("reads a job ARN of any partition and builds one, `*` standing for every job", () => {
    assert.deepEqual(parseJobArn("arn:aws-us-gov:mediaconvert:us-gov-west-1:123456789012:jobs/1717000000000-abc123"), {
      partition: "aws-us-gov",
      region: "us-gov-west-1",
      accountId: "123456789012",
      jobId: "1717000000000-abc123",
    });
    assert.equal(parseJobArn("arn:aws:mediaconvert:us-east-1:123456789012:queues/Default"), undefined);
    assert.equal(parseJobArn("1717000000000-abc123"), undefined);
    assert.equal(jobArn("eu-west-1", "123456789012", "j-1"), "arn:aws:mediaconvert:eu-west-1:123456789012:jobs/j-1");
    assert.equal(jobArn("cn-north-1", "123456789012", "*", "aws-cn"), "arn:aws-cn:mediaconvert:cn-north-1:123456789012:jobs/*");
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
