/**
 * The operations topic (components/operations.ts) on its own, and in the whole program: every alarm names it as
 * alarm and OK action, every failure queue has an alarm, every EventBridge target retries and dead-letters.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { Operations, notifyOnAlarms } from "../../components/operations";
import { checkPosture, failureViolations, formatViolations } from "../../infra/policy/rules";
import { asList, MOCK_ACCOUNT, policyStatements, runModule, runProgram, type MockRun } from "../support/pulumi-harness";
import { splitOwned, toPosture } from "./posture-support";

const INDEX = path.join(__dirname, "..", "..", "index.ts");
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function deployOps(subscribers: string[] = [], region = "eu-west-1") {
  return runProgram(() => new Operations("ops", { application: "studio", subscribers }), { region });
}

describe("infra: Operations (alarms topic)", () => {
  it("encrypts the topic with a key of its own that CloudWatch may use only for this account's alarms", async () => {
    const run = await deployOps();
    const key = run.one("aws:kms/key:Key");
    const topic = run.one("aws:sns/topic:Topic");
    assert.equal(topic.inputs.kmsMasterKeyId, key.state.arn);
    assert.equal(key.inputs.enableKeyRotation, true);
    const fromAlarms = {
      StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:eu-west-1:${MOCK_ACCOUNT}:alarm:*` },
    };
    const ks = policyStatements(key.inputs.policy);
    assert.deepEqual(
      ks.map((s) => [s.Principal, s.Condition]),
      [
        [{ AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` }, undefined],
        [{ Service: "cloudwatch.amazonaws.com" }, fromAlarms],
      ],
    );
    // Only CloudWatch alarms of this account publish, only over TLS.
    const tp = policyStatements(run.one("aws:sns/topicPolicy:TopicPolicy").inputs.policy);
    const allow = tp.filter((s) => s.Effect === "Allow");
    assert.deepEqual(
      allow.map((s) => [s.Principal, asList(s.Action), s.Resource, s.Condition]),
      [[{ Service: "cloudwatch.amazonaws.com" }, ["sns:Publish"], topic.state.arn, fromAlarms]],
    );
    assert.ok(
      tp.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { "aws:SecureTransport": "false" } })),
    );
    // Neither the key nor the topic is kept on destroy: they hold no data once a message is delivered.
    assert.deepEqual(
      run.resources.filter((r) => r.retainOnDelete).map((r) => r.name),
      [],
    );
    assert.deepEqual(checkPosture(run.resources.map(toPosture)), []);
  });

  it("subscribes e-mail, https, SQS and Lambda subscribers (with its invoke permission), refuses anything else", async () => {
    const fn = `arn:aws:lambda:eu-west-1:${MOCK_ACCOUNT}:function:pager`;
    const queue = `arn:aws:sqs:eu-west-1:${MOCK_ACCOUNT}:ops-inbox`;
    const run = await deployOps(["oncall@example.com", "https://hooks.example.com/alarm", queue, fn]);
    const topic = run.one("aws:sns/topic:Topic").state.arn;
    const subs = run
      .all("aws:sns/topicSubscription:TopicSubscription")
      .map((s) => `${s.inputs.protocol} ${s.inputs.endpoint} ${s.inputs.topic}`);
    assert.deepEqual(subs.sort(), [
      `email oncall@example.com ${topic}`,
      `https https://hooks.example.com/alarm ${topic}`,
      `lambda ${fn} ${topic}`,
      `sqs ${queue} ${topic}`,
    ]);
    const perm = run.one("aws:lambda/permission:Permission");
    assert.deepEqual([perm.inputs.function, perm.inputs.principal, perm.inputs.sourceArn], [fn, "sns.amazonaws.com", topic]);
    await assert.rejects(
      deployOps(["ops at example.com"]),
      /"ops at example.com" is not an e-mail address, an https:\/\/ URL, an SQS queue ARN or a Lambda function ARN/,
    );
  });

  it("warns at deploy time when nobody would hear the alarms", async () => {
    const warnings: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = (msg: string, ...rest: unknown[]) => {
      warnings.push(msg);
      return (warn as (...a: unknown[]) => Promise<void>)(msg, ...rest);
    };
    try {
      await deployOps([]);
      assert.equal(warnings.filter((w) => /no alarmSubscribers/.test(w)).length, 1);
      warnings.length = 0;
      await deployOps(["oncall@example.com"]);
      assert.deepEqual(warnings, []);
    } finally {
      pulumi.log.warn = warn;
    }
  });

  it("notifyOnAlarms gives every alarm in a component the topic as alarm and OK action, keeping actions it names", async () => {
    const topic = `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:ops`;
    const other = `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:team`;
    const run = await runProgram(() => {
      const parent = new pulumi.ComponentResource("test:index:Holder", "holder", {}, { transformations: [notifyOnAlarms(topic)] });
      const base = {
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 1,
        threshold: 0,
        metricName: "M",
        namespace: "N",
        period: 60,
        statistic: "Sum",
      };
      new aws.cloudwatch.MetricAlarm("bare", base, { parent });
      new aws.cloudwatch.MetricAlarm("named", { ...base, alarmActions: [other], okActions: [topic] }, { parent });
      new aws.sqs.Queue("q", { sqsManagedSseEnabled: true }, { parent });
    });
    const bare = run.one(ALARM, "bare").inputs;
    assert.deepEqual([bare.alarmActions, bare.okActions], [[topic], [topic]]);
    const named = run.one(ALARM, "named").inputs;
    assert.deepEqual([named.alarmActions, named.okActions], [[other, topic], [topic]]);
    assert.equal(run.one("aws:sqs/queue:Queue").inputs.alarmActions, undefined);
  });
});

describe("infra: every alarm of the program reaches the operations topic", () => {
  let run: MockRun<Record<string, unknown>>;
  before(async () => {
    run = await runModule(INDEX, {
      stack: "prod-eu-west-1",
      region: "eu-west-1",
      config: { alarmSubscribers: "ops@example.com,https://pager.example.com/mcjobs", retainData: "true" },
    });
  });

  it("the topic is the stack's alarmTopicArn output, with the configured subscribers", () => {
    const topic = run.one("aws:sns/topic:Topic", "ops-topic").state.arn;
    assert.equal(run.result.alarmTopicArn, topic);
    const subs = run.all("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.topic === topic);
    assert.deepEqual(subs.map((s) => `${s.inputs.protocol} ${s.inputs.endpoint}`).sort(), [
      "email ops@example.com",
      "https https://pager.example.com/mcjobs",
    ]);
  });

  it("every metric alarm has exactly the operations topic as alarm action and as OK action", () => {
    const topic = run.one("aws:sns/topic:Topic", "ops-topic").state.arn;
    const alarms = run.all(ALARM);
    assert.ok(alarms.length >= 3, `only ${alarms.length} alarms`);
    for (const a of alarms) assert.deepEqual([a.inputs.alarmActions, a.inputs.okActions], [[topic], [topic]], a.name);
  });

  it("every queue of the program holds failures of something, and an alarm watches each one", () => {
    const queues = run.all("aws:sqs/queue:Queue");
    assert.deepEqual(queues.map((q) => q.name).sort(), ["collector-dlq", "consumers-failures", "reconciler-dlq", "watch-dlq"]);
    const destinations = new Set([
      ...run.all("aws:cloudwatch/eventTarget:EventTarget").map((t) => t.inputs.deadLetterConfig?.arn),
      ...run
        .all("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
        .map((c) => c.inputs.destinationConfig.onFailure.destination),
      ...run.all("aws:lambda/eventSourceMapping:EventSourceMapping").map((m) => m.inputs.destinationConfig.onFailure.destinationArn),
    ]);
    for (const q of queues) {
      assert.ok(destinations.has(q.state.arn), `${q.name} is no failure destination`);
      const watching = run.all(ALARM).filter((a) => a.inputs.namespace === "AWS/SQS" && a.inputs.dimensions?.QueueName === q.state.name);
      assert.equal(watching.length, 1, `${q.name}: ${watching.length} alarms`);
      assert.equal(watching[0].inputs.metricName, "ApproximateNumberOfMessagesVisible");
      assert.equal(watching[0].inputs.threshold, 0);
    }
  });

  it("every EventBridge target retries and dead-letters into a queue its rule may send to", () => {
    const targets = run.all("aws:cloudwatch/eventTarget:EventTarget");
    assert.ok(targets.length >= 1);
    for (const t of targets) {
      assert.ok(t.inputs.retryPolicy.maximumRetryAttempts > 0 && t.inputs.retryPolicy.maximumEventAgeInSeconds >= 60, t.name);
      const dlq = run.byArn(t.inputs.deadLetterConfig.arn);
      assert.equal(dlq?.type, "aws:sqs/queue:Queue", `${t.name}: dead letters go to a queue of the stack`);
      const rule = run.all("aws:cloudwatch/eventRule:EventRule").find((r) => r.state.name === t.inputs.rule);
      const policy = run.all("aws:sqs/queuePolicy:QueuePolicy").find((p) => p.inputs.queueUrl === dlq.state.url);
      const allow = policyStatements(policy?.inputs.policy).find((s) => s.Effect === "Allow");
      assert.deepEqual(
        [allow?.Principal, allow?.Action, allow?.Condition],
        [{ Service: "events.amazonaws.com" }, "sqs:SendMessage", { ArnEquals: { "aws:SourceArn": rule?.state.arn } }],
      );
    }
    const { ours } = splitOwned(failureViolations(run.resources.map(toPosture)));
    assert.deepEqual(ours, [], formatViolations(ours));
  });
});
