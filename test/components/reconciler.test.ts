import { strict as assert } from "node:assert";
import { BasePipeline } from "../../components/base-pipeline";
import { Reconciler } from "../../components/reconciler";
import { parseStackConfig } from "../../infra/stack-config";
import { LAMBDA_ENTRIES } from "../../infra/lambda-bundle";
import { runProgram, policyStatements, asList, MOCK_ACCOUNT, type MockRun } from "../support/pulumi-harness";

function deploy(opts: { useStreams: boolean; minutes?: number; alarmActions?: string[]; onlyApplication?: string }) {
  return runProgram(
    () => {
      const pipeline = new BasePipeline("p", { tableTTLDays: 30, streamTTLHours: 24, useStreams: opts.useStreams, retainData: false });
      return new Reconciler("r", {
        pipeline,
        reconcileMinutes: opts.minutes,
        alarmActions: opts.alarmActions,
        onlyApplication: opts.onlyApplication,
      });
    },
    { region: "eu-west-1" },
  );
}

const fnPolicy = (run: MockRun) => policyStatements(run.one("aws:iam/rolePolicy:RolePolicy", "r-fn-policy").inputs.policy);
const resourcesFor = (run: MockRun, action: string) =>
  fnPolicy(run)
    .filter((s) => asList(s.Action).includes(action))
    .flatMap((s) => asList(s.Resource));

describe("infra: Reconciler", () => {
  it("schedules the function every reconcileMinutes with a retry policy and its own encrypted DLQ", async () => {
    const run = await deploy({ useStreams: true, minutes: 7 });
    const schedule = run.one("aws:scheduler/schedule:Schedule");
    const fn = run.one("aws:lambda/function:Function");
    const dlq = run.one("aws:sqs/queue:Queue", "r-dlq");
    assert.equal(schedule.inputs.scheduleExpression, "rate(7 minutes)");
    assert.equal(schedule.inputs.target.arn, fn.state.arn);
    assert.equal(schedule.inputs.target.deadLetterConfig.arn, dlq.state.arn);
    assert.deepEqual(schedule.inputs.target.retryPolicy, { maximumEventAgeInSeconds: 420, maximumRetryAttempts: 3 });
    assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
    // A sweep that failed on every async attempt goes to the same queue; sweeps never overlap.
    const invoke = run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    assert.equal(invoke.inputs.destinationConfig.onFailure.destination, dlq.state.arn);
    assert.equal(fn.inputs.reservedConcurrentExecutions, 1);
    assert.match(String(fn.inputs.code?.path), /\/dist\/reconciler$/);
    assert.equal(LAMBDA_ENTRIES.reconciler, "handlers/reconciler.ts");
  });

  it("the schedule's role may invoke only this function and send only to this DLQ, assumed only by Scheduler of this account", async () => {
    const run = await deploy({ useStreams: false });
    const role = run.one("aws:iam/role:Role", "r-scheduler-role");
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement[0].Principal, { Service: "scheduler.amazonaws.com" });
    assert.equal(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], MOCK_ACCOUNT);
    const statements = policyStatements(run.one("aws:iam/rolePolicy:RolePolicy", "r-scheduler-policy").inputs.policy);
    const fn = run.one("aws:lambda/function:Function");
    const dlq = run.one("aws:sqs/queue:Queue", "r-dlq");
    assert.deepEqual(
      statements.map((s) => [asList(s.Action), asList(s.Resource)]),
      [
        [["lambda:InvokeFunction"], [fn.state.arn]],
        [["sqs:SendMessage"], [dlq.state.arn]],
      ],
    );
  });

  it("least privilege: GetJob on this account's jobs, ListJobs/ListQueues on its queues, the tables, the stream, the key", async () => {
    const run = await deploy({ useStreams: true });
    assert.deepEqual(resourcesFor(run, "mediaconvert:GetJob"), [`arn:aws:mediaconvert:eu-west-1:${MOCK_ACCOUNT}:jobs/*`]);
    for (const action of ["mediaconvert:ListJobs", "mediaconvert:ListQueues"]) {
      assert.deepEqual(resourcesFor(run, action), [`arn:aws:mediaconvert:eu-west-1:${MOCK_ACCOUNT}:queues/*`], action);
    }
    const tables = Object.fromEntries(run.all("aws:dynamodb/table:Table").map((t) => [t.name, t.state.arn]));
    const config = Object.entries(tables).find(([n]) => n.endsWith("config"))![1];
    assert.deepEqual(resourcesFor(run, "dynamodb:PutItem").sort(), Object.values(tables).sort(), "writes the live tables and its marks");
    assert.ok(!resourcesFor(run, "dynamodb:UpdateItem").includes(config), "never updates the Pulumi-written settings");
    assert.ok(resourcesFor(run, "dynamodb:Query").some((r) => r.endsWith("/index/byStatus")));
    assert.equal(resourcesFor(run, "kinesis:PutRecords").length, 1);
    const actions = fnPolicy(run).flatMap((s) => asList(s.Action));
    assert.ok(actions.includes("kms:GenerateDataKey"), "uses the stack key through keyUse()");
    assert.ok(!actions.some((a) => a.includes("*")), actions.join(", "));
    assert.ok(!actions.includes("dynamodb:Scan") && !actions.includes("dynamodb:DeleteItem"));
    const noStream = await deploy({ useStreams: false });
    assert.equal(resourcesFor(noStream, "kinesis:PutRecords").length, 0);
  });

  it("alarms on anything in its DLQ, with the given actions", async () => {
    const run = await deploy({ useStreams: false, alarmActions: ["arn:aws:sns:eu-west-1:123456789012:ops"] });
    const alarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm");
    const dlq = run.one("aws:sqs/queue:Queue", "r-dlq");
    assert.equal(alarm.inputs.dimensions.QueueName, dlq.state.name);
    assert.equal(alarm.inputs.threshold, 0);
    assert.deepEqual(alarm.inputs.alarmActions, ["arn:aws:sns:eu-west-1:123456789012:ops"]);
  });

  it("passes the application filter to the function; refuses an interval out of range", async () => {
    const run = await deploy({ useStreams: false, onlyApplication: "studio" });
    assert.equal(run.one("aws:lambda/function:Function").inputs.environment.variables.RECONCILE_ONLY_APPLICATION, "studio");
    await assert.rejects(deploy({ useStreams: false, minutes: 0 }), /reconcileMinutes = 0 is out of range/);
  });

  it("stack config: reconcileMinutes defaults to 5 and is validated", () => {
    assert.equal(parseStackConfig({}).reconcileMinutes, 5);
    assert.equal(parseStackConfig({ reconcileMinutes: "15" }).reconcileMinutes, 15);
    assert.throws(() => parseStackConfig({ reconcileMinutes: "0" }), /mcjobs:reconcileMinutes = "0" is out of range/);
    assert.throws(() => parseStackConfig({ reconcileMinutes: "five" }), /mcjobs:reconcileMinutes = "five" must be a whole number/);
  });
});
