import { strict as assert } from "node:assert";
import { BasePipeline } from "../../components/base-pipeline";
import { EventCollector } from "../../components/event-collector";
import { Notifications } from "../../components/notifications";
import { collectorPattern } from "../../lib/domain/patterns";
import { RUNTIME_SETTINGS_KEY } from "../../lib/domain/runtime-settings";
import { ENV } from "../../lib/domain/env";
import { runProgram, policyStatements, asList, MOCK_ACCOUNT, type MockRun } from "../support/pulumi-harness";

function deploy(opts: { useStreams: boolean; application?: string; buckets?: string[]; notify?: boolean }) {
  return runProgram(
    () => {
      const pipeline = new BasePipeline("p", { tableTTLDays: 30, streamTTLHours: 24, useStreams: opts.useStreams, retainData: false });
      const notifications = opts.notify ? new Notifications("n", { application: "studio", kmsKeyArn: pipeline.keyArn }) : undefined;
      return new EventCollector("c", {
        notifications,
        pipeline,
        application: opts.application,
        probeBucketArns: opts.buckets ?? ["arn:aws:s3:::watch-bucket"],
        probeBudgetBytes: 4 * 1024 * 1024,
        maxEventAgeSeconds: 3600,
        maxAttempts: 20,
      });
    },
    { region: "eu-west-1" },
  );
}

function rolePolicy(run: MockRun) {
  return policyStatements(run.one("aws:iam/rolePolicy:RolePolicy", "c-fn-policy").inputs.policy);
}
function resourcesFor(run: MockRun, action: string): string[] {
  return rolePolicy(run)
    .filter((s) => asList(s.Action).includes(action))
    .flatMap((s) => asList(s.Resource));
}

describe("infra: EventCollector", () => {
  it("routes every aws.mediaconvert event to the collector, or only this application's when asked", async () => {
    const all = await deploy({ useStreams: true });
    assert.deepEqual(JSON.parse(all.one("aws:cloudwatch/eventRule:EventRule").inputs.eventPattern), { source: ["aws.mediaconvert"] });
    const only = await deploy({ useStreams: true, application: "studio" });
    assert.deepEqual(JSON.parse(only.one("aws:cloudwatch/eventRule:EventRule").inputs.eventPattern), collectorPattern("studio"));
  });

  it("wires the target to the Lambda with a retry policy and the encrypted DLQ, plus the async on-failure destination", async () => {
    const run = await deploy({ useStreams: true });
    const target = run.one("aws:cloudwatch/eventTarget:EventTarget");
    const fn = run.one("aws:lambda/function:Function");
    const dlq = run.one("aws:sqs/queue:Queue", "c-dlq");
    const rule = run.one("aws:cloudwatch/eventRule:EventRule");
    assert.equal(target.inputs.arn, fn.state.arn);
    assert.equal(target.inputs.rule, rule.state.name);
    assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 20 });
    assert.equal(target.inputs.deadLetterConfig.arn, dlq.state.arn);
    assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
    assert.equal(dlq.inputs.messageRetentionSeconds, 1209600);
    const invoke = run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    assert.equal(invoke.inputs.destinationConfig.onFailure.destination, dlq.state.arn);
    const perm = run.one("aws:lambda/permission:Permission");
    assert.equal(perm.inputs.principal, "events.amazonaws.com");
    assert.equal(perm.inputs.sourceArn, rule.state.arn);
    // Only this rule may drop dead letters into the queue.
    const qp = policyStatements(run.one("aws:sqs/queuePolicy:QueuePolicy").inputs.policy);
    const allow = qp.find((s) => s.Effect === "Allow")!;
    assert.deepEqual(allow.Condition, { ArnEquals: { "aws:SourceArn": rule.state.arn } });
    assert.equal(run.one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs.dimensions.QueueName, dlq.state.name);
  });

  it("sets the handler environment from lib/domain/env.ts names", async () => {
    const run = await deploy({ useStreams: true });
    const env = run.one("aws:lambda/function:Function").inputs.environment.variables;
    assert.equal(env[ENV.jobsTable], run.one("aws:dynamodb/table:Table", "p-jobs").state.name);
    assert.equal(env[ENV.eventsTable], run.one("aws:dynamodb/table:Table", "p-events").state.name);
    assert.equal(env[ENV.queuesTable], run.one("aws:dynamodb/table:Table", "p-queues").state.name);
    assert.equal(env[ENV.streamName], run.one("aws:kinesis/stream:Stream").state.name);
    assert.equal(env[ENV.useStreams], "true");
    assert.equal(env[ENV.tableTtlDays], "30");
    assert.equal(env[ENV.deadLetterQueueUrl], run.one("aws:sqs/queue:Queue", "c-dlq").state.url);
    assert.equal(env[ENV.probeBudgetBytes], "4194304");
    assert.equal(env[ENV.probeMaxRequests], "16", "the probe's request bound, default 16");
    assert.equal(env[ENV.configTable], run.one("aws:dynamodb/table:Table", "p-config").state.name);
  });

  it("grants exactly the tables, stream, DLQ, probe buckets, GetJob and the key", async () => {
    const run = await deploy({ useStreams: true, buckets: ["arn:aws:s3:::watch-bucket", "arn:aws:s3:::ingest"] });
    const arn = (n: string) => run.one("aws:dynamodb/table:Table", n).state.arn;
    assert.deepEqual(resourcesFor(run, "dynamodb:UpdateItem").sort(), [arn("p-events"), arn("p-jobs"), arn("p-queues")].sort());
    assert.deepEqual(resourcesFor(run, "dynamodb:PutItem").sort(), [arn("p-events"), arn("p-jobs"), arn("p-queues")].sort());
    assert.ok(!resourcesFor(run, "dynamodb:UpdateItem").includes(arn("p-config")));
    // Of the Config table, GetItem of the runtime-settings item only.
    const configGrants = rolePolicy(run).filter((st) => asList(st.Resource).includes(arn("p-config")));
    assert.equal(configGrants.length, 1, JSON.stringify(configGrants));
    assert.deepEqual(asList(configGrants[0].Action), ["dynamodb:GetItem"]);
    assert.deepEqual(configGrants[0].Condition, { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [RUNTIME_SETTINGS_KEY] } });
    assert.deepEqual(resourcesFor(run, "kinesis:PutRecords"), [run.one("aws:kinesis/stream:Stream").state.arn]);
    assert.deepEqual(resourcesFor(run, "sqs:SendMessage"), [
      run.one("aws:sqs/queue:Queue", "c-dlq").state.arn,
      run.one("aws:sqs/queue:Queue", "c-dlq").state.arn,
    ]);
    assert.deepEqual(resourcesFor(run, "s3:GetObject"), ["arn:aws:s3:::watch-bucket/*", "arn:aws:s3:::ingest/*"]);
    assert.deepEqual(resourcesFor(run, "mediaconvert:GetJob"), [`arn:aws:mediaconvert:eu-west-1:${MOCK_ACCOUNT}:jobs/*`]);
    assert.ok(resourcesFor(run, "kms:GenerateDataKey").includes(run.one("aws:kms/key:Key").state.arn));
    for (const s of rolePolicy(run)) {
      for (const a of asList(s.Action)) assert.ok(!a.includes("*"), `wildcard action ${a}`);
      if (asList(s.Resource).includes("*"))
        assert.ok(
          asList(s.Action).every((a) => a.startsWith("xray:")),
          JSON.stringify(s),
        );
    }
    const allActions = rolePolicy(run).flatMap((s) => asList(s.Action));
    assert.ok(!allActions.includes("dynamodb:Scan") && !allActions.includes("dynamodb:DeleteItem"));
  });

  it("without notifications: no topic variable, no SNS permission", async () => {
    const run = await deploy({ useStreams: true });
    const env = run.one("aws:lambda/function:Function").inputs.environment.variables;
    assert.equal(env[ENV.notificationTopicArn], undefined);
    assert.ok(!rolePolicy(run).some((s) => asList(s.Action).some((a) => a.startsWith("sns:"))));
  });

  it("with notifications: the topic ARN and application in the environment, sns:Publish on that topic only, its key through SNS only", async () => {
    const run = await deploy({ useStreams: true, notify: true });
    const topic = run.one("aws:sns/topic:Topic");
    const key = run.one("aws:kms/key:Key");
    const env = run.one("aws:lambda/function:Function").inputs.environment.variables;
    assert.equal(env[ENV.notificationTopicArn], topic.state.arn);
    assert.equal(env[ENV.application], "studio");
    const sns = rolePolicy(run).filter((s) => asList(s.Action).some((a) => a.startsWith("sns:")));
    assert.deepEqual(
      sns.map((s) => [s.Sid, asList(s.Action), asList(s.Resource)]),
      [["PublishNotifications", ["sns:Publish"], [topic.state.arn]]],
    );
    const keyGrant = rolePolicy(run).find((s) => s.Sid === "NotificationsKey")!;
    assert.deepEqual(asList(keyGrant.Resource), [key.state.arn]);
    assert.deepEqual(keyGrant.Condition, { StringEquals: { "kms:ViaService": ["sns.eu-west-1.amazonaws.com"] } });
    assert.equal(run.all("aws:cloudwatch/eventRule:EventRule").length, 1, "only the collector's rule");
  });

  it("without streams: no Kinesis permission, no stream variable", async () => {
    const run = await deploy({ useStreams: false });
    assert.deepEqual(resourcesFor(run, "kinesis:PutRecords"), []);
    const env = run.one("aws:lambda/function:Function").inputs.environment.variables;
    assert.equal(env[ENV.streamName], undefined);
    assert.equal(env[ENV.useStreams], "false");
  });

  it("without probe buckets: no S3 access at all", async () => {
    const run = await deploy({ useStreams: true, buckets: [] });
    assert.ok(!rolePolicy(run).some((s) => asList(s.Action).some((a) => a.startsWith("s3:"))));
  });

  it("uses the stack key only through the services holding its data: tables, plus the stream and probed objects when there are any", async () => {
    const viaOf = async (opts: Parameters<typeof deploy>[0]) => {
      const run = await deploy(opts);
      const st = rolePolicy(run).find((s) => s.Sid === "StackKey")!;
      assert.deepEqual(asList(st.Resource), [run.one("aws:kms/key:Key").state.arn]);
      return st.Condition?.StringEquals["kms:ViaService"];
    };
    assert.deepEqual(await viaOf({ useStreams: true }), [
      "dynamodb.eu-west-1.amazonaws.com",
      "kinesis.eu-west-1.amazonaws.com",
      "s3.eu-west-1.amazonaws.com",
    ]);
    assert.deepEqual(await viaOf({ useStreams: false, buckets: [] }), ["dynamodb.eu-west-1.amazonaws.com"]);
  });

  it("refuses retry settings EventBridge would reject", async () => {
    await assert.rejects(
      runProgram(() => {
        const pipeline = new BasePipeline("p", { tableTTLDays: 30, streamTTLHours: 24, useStreams: false, retainData: false });
        return new EventCollector("c", { pipeline, probeBucketArns: [], probeBudgetBytes: 1, maxAttempts: 200 });
      }),
      /maxAttempts = 200 is out of range: 0–185/,
    );
  });
});
