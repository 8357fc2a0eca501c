/**
 * The posture rules added for keys and failures (infra/policy/kms.ts, infra/policy/failures.ts, and the service
 * principal check of iam-least-privilege), each shown to fail on a bad resource and to stay quiet on a good one,
 * including the policy pack's preview view where values are unknown and only property dependencies link resources.
 */
import { strict as assert } from "node:assert";
import { failureViolations, fromPolicyResource, iamViolations, kmsViolations, type PostureResource } from "../../infra/policy/rules";

const res = (type: string, inputs: Record<string, any>, extra: Partial<PostureResource> = {}): PostureResource => ({
  type,
  name: extra.name ?? "r",
  inputs,
  ...extra,
});
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const via = (...v: string[]) => ({ StringEquals: { "kms:ViaService": v } });

describe("infra: kms-least-privilege", () => {
  const role = (st: object) => res("aws:iam/rolePolicy:RolePolicy", { policy: doc(st) });

  it("a role's KMS grant needs StringEquals kms:ViaService with exact endpoints", () => {
    const bad: [object, RegExp][] = [
      [{ Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY }, /grants kms:Decrypt without a kms:ViaService condition/],
      [
        {
          Effect: "Allow",
          Action: "kms:GenerateDataKey",
          Resource: KEY,
          Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } },
        },
        /without a kms:ViaService/,
      ],
      [
        {
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: KEY,
          Condition: { StringLike: { "kms:ViaService": "*.eu-west-1.amazonaws.com" } },
        },
        /tests kms:ViaService with StringLike/,
      ],
      [
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY, Condition: via("s3.*.amazonaws.com") },
        /must list exact service endpoints/,
      ],
      [{ Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY, Condition: via() }, /must list exact service endpoints/],
    ];
    for (const [st, expected] of bad) {
      const v = kmsViolations(role(st));
      assert.equal(v.length, 1, JSON.stringify(st));
      assert.match(v[0].message, expected);
    }
    assert.deepEqual(
      kmsViolations(
        role({
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: KEY,
          Condition: via("dynamodb.eu-west-1.amazonaws.com"),
        }),
      ),
      [],
    );
    // Condition keys compare case-insensitively, as IAM does; non-KMS statements and Deny are not this rule's.
    assert.deepEqual(
      kmsViolations(
        role({
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: KEY,
          Condition: { StringEquals: { "KMS:ViaService": ["s3.eu-west-1.amazonaws.com"] } },
        }),
      ),
      [],
    );
    assert.deepEqual(kmsViolations(role({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" })), []);
    assert.deepEqual(kmsViolations(role({ Effect: "Deny", Action: ["kms:Decrypt"], Resource: "*" })), []);
    // Inline policies of a role count too.
    const inline = res("aws:iam/role:Role", {
      inlinePolicies: [{ name: "x", policy: doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: KEY }) }],
    });
    assert.match(kmsViolations(inline)[0].message, /inlinePolicies\.x statement 0: grants kms:Decrypt/);
  });

  it("a key policy scopes every service it trusts: Logs by encryption context, others by source ARN or account", () => {
    const key = (st: object) => res("aws:kms/key:Key", { policy: doc(st) });
    const logs = { Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Action: ["kms:Encrypt"], Resource: "*" };
    assert.match(
      kmsViolations(key(logs))[0].message,
      /logs\.eu-west-1\.amazonaws\.com use the key without a kms:EncryptionContext:aws:logs:arn/,
    );
    assert.match(
      kmsViolations(key({ ...logs, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }))[0].message,
      /EncryptionContext/,
    );
    assert.deepEqual(
      kmsViolations(
        key({
          ...logs,
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*" } },
        }),
      ),
      [],
    );
    const events = { Effect: "Allow", Principal: { Service: ["events.amazonaws.com"] }, Action: ["kms:Decrypt"], Resource: "*" };
    assert.match(kmsViolations(key(events))[0].message, /events\.amazonaws\.com use the key without an aws:SourceArn or aws:SourceAccount/);
    assert.deepEqual(kmsViolations(key({ ...events, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } })), []);
    assert.deepEqual(
      kmsViolations(key({ ...events, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/*" } } })),
      [],
    );
    // The account root administering through IAM is no service.
    assert.deepEqual(
      kmsViolations(key({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" })),
      [],
    );
  });
});

describe("infra: iam-least-privilege, services in resource policies", () => {
  it("a queue or topic policy letting a service in is scoped by aws:SourceArn or aws:SourceAccount", () => {
    const st = {
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: "arn:aws:sqs:eu-west-1:123456789012:q",
    };
    assert.match(
      iamViolations(res("aws:sqs/queuePolicy:QueuePolicy", { policy: doc(st) }))[0].message,
      /lets events\.amazonaws\.com in without an aws:SourceArn/,
    );
    assert.match(
      iamViolations(res("aws:sns/topicPolicy:TopicPolicy", { policy: doc({ ...st, Action: "sns:Publish" }) }))[0].message,
      /without an aws:SourceArn/,
    );
    assert.deepEqual(
      iamViolations(
        res("aws:sqs/queuePolicy:QueuePolicy", {
          policy: doc({ ...st, Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/r" } } }),
        }),
      ),
      [],
    );
  });
});

describe("infra: failure-visibility", () => {
  const queue = res(
    "aws:sqs/queue:Queue",
    { sqsManagedSseEnabled: true },
    { name: "dlq", urn: "urn:dlq", ids: ["arn:aws:sqs:eu-west-1:1:dlq-1", "dlq-1"] },
  );
  const target = (inputs: Record<string, any>) => res("aws:cloudwatch/eventTarget:EventTarget", inputs, { name: "t" });
  const retry = { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 };
  const alarm = (inputs: Record<string, any>) =>
    res(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: "dlq-1" },
        alarmActions: ["arn:aws:sns:eu-west-1:1:ops"],
        ...inputs,
      },
      { name: "a" },
    );

  it("an EventBridge target needs a retry policy and a dead-letter queue", () => {
    const msgs = (t: PostureResource) => failureViolations([t]).map((v) => v.message);
    assert.deepEqual(msgs(target({ arn: "x" })).length, 2);
    assert.match(msgs(target({ arn: "x", deadLetterConfig: { arn: queue.ids![0] } })).join(), /without a retry policy/);
    assert.match(msgs(target({ arn: "x", retryPolicy: retry })).join(), /without a dead-letter queue/);
    assert.deepEqual(msgs(target({ arn: "x", retryPolicy: retry, deadLetterConfig: { arn: "arn:elsewhere" } })), []);
  });

  it("every queue holding failures has an alarm on its QueueName, and every alarm has an action", () => {
    const sources: PostureResource[] = [
      target({ retryPolicy: retry, deadLetterConfig: { arn: queue.ids![0] } }),
      res("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", {
        destinationConfig: { onFailure: { destination: queue.ids![0] } },
      }),
      res("aws:lambda/eventSourceMapping:EventSourceMapping", { destinationConfig: { onFailure: { destinationArn: queue.ids![0] } } }),
      res(
        "aws:sqs/queue:Queue",
        { sqsManagedSseEnabled: true, redrivePolicy: JSON.stringify({ deadLetterTargetArn: queue.ids![0], maxReceiveCount: 3 }) },
        { name: "main" },
      ),
    ];
    for (const src of sources) {
      const v = failureViolations([queue, src]);
      assert.equal(v.length, 1, `${src.type}: ${JSON.stringify(v)}`);
      assert.match(v[0].message, /^holds the failures of .* but no alarm watches it/);
      assert.deepEqual(failureViolations([queue, src, alarm({})]), []);
    }
    // An alarm on another queue, or on another metric, does not count; an alarm without action is flagged.
    assert.equal(failureViolations([queue, sources[1], alarm({ dimensions: { QueueName: "other" } })]).length, 1);
    assert.equal(failureViolations([queue, sources[1], alarm({ namespace: "AWS/Lambda", metricName: "Errors" })]).length, 1);
    assert.match(failureViolations([queue, sources[1], alarm({ alarmActions: [] })])[0].message, /without an alarm action/);
    // A queue nothing parks failures in needs no alarm.
    assert.deepEqual(failureViolations([queue]), []);
  });

  it("at preview (policy pack) unknown ARNs are linked through property dependencies", () => {
    const q = fromPolicyResource({ type: "aws:sqs/queue:Queue", name: "dlq", urn: "urn:dlq", props: { sqsManagedSseEnabled: true } });
    const t = fromPolicyResource({
      type: "aws:cloudwatch/eventTarget:EventTarget",
      name: "t",
      urn: "urn:t",
      props: { retryPolicy: retry, deadLetterConfig: {} },
      propertyDependencies: { deadLetterConfig: [{ urn: "urn:dlq" }] },
    });
    const unwatched = failureViolations([q, t]);
    assert.deepEqual(
      unwatched.map((v) => v.name),
      ["dlq"],
    );
    const a = fromPolicyResource({
      type: "aws:cloudwatch/metricAlarm:MetricAlarm",
      name: "a",
      urn: "urn:a",
      props: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: {}, alarmActions: [] },
      propertyDependencies: { dimensions: [{ urn: "urn:dlq" }], alarmActions: [{ urn: "urn:topic" }] },
    });
    assert.deepEqual(failureViolations([q, t, a]), []);
  });
});
