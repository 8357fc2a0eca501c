import { strict as assert } from "node:assert";
import { loadCollectorConfig } from "../../../lib/collector/config";
import { eventsOf, inputUri } from "../../../lib/collector/input";
import { depsFromEnv } from "../../../lib/collector/wiring";

const base = {
  JOBS_TABLE: "p-Jobs",
  EVENTS_TABLE: "p-Events",
  QUEUES_TABLE: "p-Queues",
  TABLE_TTL_DAYS: "14",
  STREAM_NAME: "p-stream",
};

describe("collector: configuration from the environment", () => {
  it("reads the settings with their defaults", () => {
    const c = loadCollectorConfig(base);
    assert.equal(c.ttlSeconds, 14 * 86_400);
    assert.equal(c.useStreams, true);
    assert.equal(c.streamName, "p-stream");
    assert.equal(c.probeBudgetBytes, 4 * 1024 * 1024);
    assert.equal(c.deadLetterQueueUrl, undefined);
    assert.equal(c.probe, true);
    assert.equal(c.getJob, true);
  });

  it("needs no stream name when streams are off", () => {
    const { STREAM_NAME: _s, ...rest } = base;
    const c = loadCollectorConfig({ ...rest, USE_STREAMS: "false" });
    assert.equal(c.useStreams, false);
  });

  it("names every bad variable, its value and what is allowed, in one message", () => {
    assert.throws(
      () =>
        loadCollectorConfig({
          ...base,
          STREAM_NAME: "",
          TABLE_TTL_DAYS: "0",
          PROBE_BUDGET_BYTES: "1000",
          USE_STREAMS: "yes",
          DEAD_LETTER_QUEUE_URL: "not a url",
        }),
      (err: Error) => {
        assert.match(err.message, /TABLE_TTL_DAYS = "0": must be at least 1 day/);
        assert.match(err.message, /PROBE_BUDGET_BYTES = "1000": must be at least 65536 bytes/);
        assert.match(err.message, /USE_STREAMS = "yes": must be "true" or "false"/);
        assert.match(err.message, /DEAD_LETTER_QUEUE_URL = "not a url": must be an SQS queue URL/);
        return true;
      },
    );
    assert.throws(() => loadCollectorConfig({ ...base, JOBS_TABLE: undefined }), /JOBS_TABLE \(not set\)/);
    assert.throws(
      () => loadCollectorConfig({ ...base, STREAM_NAME: undefined }),
      /STREAM_NAME \(not set\): is required when USE_STREAMS is true/,
    );
  });

  it("notifications: none without a topic; with one, the topic and the application whose jobs are notified", () => {
    assert.equal(loadCollectorConfig(base).notifications, undefined);
    assert.equal(loadCollectorConfig({ ...base, APPLICATION: "studio" }).notifications, undefined, "an application alone sends nothing");
    const topicArn = "arn:aws:sns:eu-west-1:111122223333:mcjobs-notify-topic-1a2b3c";
    assert.deepEqual(loadCollectorConfig({ ...base, NOTIFICATION_TOPIC_ARN: topicArn, APPLICATION: "studio" }).notifications, {
      topicArn,
      application: "studio",
    });
    const china = "arn:aws-cn:sns:cn-north-1:111122223333:jobs";
    assert.equal(loadCollectorConfig({ ...base, NOTIFICATION_TOPIC_ARN: china, APPLICATION: "studio" }).notifications?.topicArn, china);
  });

  it("refuses a topic that is not an SNS topic ARN, and a topic without the application it notifies for", () => {
    for (const bad of [
      "mcjobs-notify",
      "arn:aws:sqs:eu-west-1:111122223333:q",
      "arn:aws:sns:cn-north-1:111122223333:t",
      "arn:aws:sns:eu-west-1:1:t",
    ]) {
      assert.throws(
        () => loadCollectorConfig({ ...base, NOTIFICATION_TOPIC_ARN: bad, APPLICATION: "studio" }),
        new RegExp(
          `NOTIFICATION_TOPIC_ARN = "${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}": must be an SNS topic ARN \\(arn:<aws\\|aws-cn\\|aws-us-gov>:sns:`,
        ),
        bad,
      );
    }
    assert.throws(
      () => loadCollectorConfig({ ...base, NOTIFICATION_TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:t" }),
      /APPLICATION \(not set\): is required when NOTIFICATION_TOPIC_ARN is set: only jobs with this userMetadata\.application are notified/,
    );
    assert.throws(
      () => loadCollectorConfig({ ...base, NOTIFICATION_TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:t", APPLICATION: "9 lives" }),
      /APPLICATION = "9 lives": must be 1–30 letters, digits or hyphens, starting with a letter/,
    );
  });

  it("refuses to start inside a Lambda runtime without a dead-letter queue (rejected events must go somewhere)", () => {
    assert.throws(
      () => depsFromEnv({ ...base, AWS_REGION: "us-east-1", AWS_LAMBDA_FUNCTION_NAME: "collector" }),
      /DEAD_LETTER_QUEUE_URL \(not set\): required in Lambda/,
    );
  });
});

describe("collector: input shapes", () => {
  it("takes one event, an array, or { events: [...] }", () => {
    const e = { id: "1" };
    assert.deepEqual(eventsOf(e), [e]);
    assert.deepEqual(eventsOf([e, e]), [e, e]);
    assert.deepEqual(eventsOf({ events: [e] }), [e]);
    assert.deepEqual(eventsOf(undefined), [undefined], "anything else is one (bad) event, rejected with a reason");
  });

  it("probes the INPUT_INFORMATION input, else the first input of the settings, and only s3:// inputs", () => {
    assert.equal(inputUri({ input: { uri: "s3://b/a.mp4" }, settings: { inputs: [{ uri: "s3://b/other.mp4" }] } }), "s3://b/a.mp4");
    assert.equal(inputUri({ settings: { inputs: [{ uri: "s3://b/other.mp4" }] } }), "s3://b/other.mp4");
    assert.equal(inputUri({ input: { uri: "https://example.com/a.mp4" } }), undefined);
    assert.equal(inputUri({}), undefined);
  });
});
