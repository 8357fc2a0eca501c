import { strict as assert } from "node:assert";
import { analyticsDepsFromEnv, historyDepsFromEnv } from "../../lib/consumers/wiring";

describe("stream consumers: configuration from the environment", () => {
  it("history: refuses to start without its delivery stream names, naming the variable", () => {
    assert.throws(
      () => historyDepsFromEnv({ AWS_REGION: "us-east-1", JOBS_DELIVERY_STREAM: "x" }),
      /JOB_EVENTS_DELIVERY_STREAM \(not set\): must name the job_events delivery stream/,
    );
    assert.throws(
      () =>
        historyDepsFromEnv({
          AWS_REGION: "us-east-1",
          JOBS_DELIVERY_STREAM: "x",
          JOB_EVENTS_DELIVERY_STREAM: "y",
          DEAD_LETTER_QUEUE_URL: "not a url",
        }),
      /DEAD_LETTER_QUEUE_URL = "not a url": must be an SQS queue URL/,
    );
  });

  it("analytics: refuses to start without its delivery stream name, naming the variable", () => {
    assert.throws(
      () => analyticsDepsFromEnv({ AWS_REGION: "us-east-1", QUEUE_METRICS_DELIVERY_STREAM: "" }),
      /^Error: Analytics consumer configuration is invalid:\n {2}QUEUE_METRICS_DELIVERY_STREAM \(not set\): must name the queue_metrics delivery stream$/,
    );
  });
});
