import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { BundledFunction } from "../../components/bundled-function";
import { runProgram, outputOf, policyStatements, asList } from "./harness";

describe("infra: BundledFunction", () => {
  it("makes an arm64 nodejs22.x Lambda from dist/<bundle> with env, limits, tracing and a log group with retention", async () => {
    const run = await runProgram(
      () =>
        new BundledFunction("probe", {
          bundle: "collector",
          environment: { JOBS_TABLE: "jobs-table" },
          timeoutSeconds: 60,
          memoryMb: 1024,
          logRetentionDays: 14,
          kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc",
        }),
      { region: "eu-west-1" },
    );
    const fn = run.one("aws:lambda/function:Function");
    assert.equal(fn.inputs.runtime, "nodejs22.x");
    assert.deepEqual(fn.inputs.architectures, ["arm64"]);
    assert.equal(fn.inputs.handler, "index.handler");
    assert.equal(fn.inputs.timeout, 60);
    assert.equal(fn.inputs.memorySize, 1024);
    assert.equal(fn.inputs.tracingConfig.mode, "Active");
    assert.equal(fn.inputs.environment.variables.JOBS_TABLE, "jobs-table");
    assert.equal(fn.inputs.kmsKeyArn, "arn:aws:kms:us-east-1:123456789012:key/abc");
    assert.match(JSON.stringify(fn.inputs.code), /dist\/collector/);
    const logs = run.one("aws:cloudwatch/logGroup:LogGroup");
    assert.equal(logs.inputs.retentionInDays, 14);
    assert.equal(logs.inputs.kmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/abc");
    assert.equal(fn.inputs.loggingConfig.logGroup, logs.state.name);
    const role = run.one("aws:iam/role:Role");
    assert.equal(fn.inputs.role, role.state.arn);
    const assume = policyStatements(role.inputs.assumeRolePolicy);
    assert.deepEqual(assume[0].Principal, { Service: "lambda.amazonaws.com" });
    assert.equal(await outputOf(run.result.arn), fn.state.arn);
  });

  it("gives the role exactly the caller's statements plus logs, tracing and key access", async () => {
    const tableArn = pulumi.output("arn:aws:dynamodb:us-east-1:123456789012:table/jobs");
    const run = await runProgram(() =>
      new BundledFunction("api", {
        bundle: "api",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
        statements: [{ actions: ["dynamodb:Query", "dynamodb:GetItem"], resources: [tableArn, pulumi.interpolate`${tableArn}/index/*`] }],
      }),
    );
    const policy = run.one("aws:iam/rolePolicy:RolePolicy");
    const role = run.one("aws:iam/role:Role");
    assert.equal(policy.inputs.role, role.id);
    const sts = policyStatements(policy.inputs.policy);
    const logs = run.one("aws:cloudwatch/logGroup:LogGroup");
    const byAction = (a: string) => sts.filter((s) => asList(s.Action).includes(a));
    assert.deepEqual(byAction("logs:PutLogEvents")[0].Resource, [`${logs.state.arn}:*`]);
    assert.deepEqual(byAction("kms:Decrypt")[0].Resource, ["arn:aws:kms:us-east-1:123456789012:key/k"]);
    assert.deepEqual(byAction("dynamodb:Query")[0].Resource, [
      "arn:aws:dynamodb:us-east-1:123456789012:table/jobs",
      "arn:aws:dynamodb:us-east-1:123456789012:table/jobs/index/*",
    ]);
    for (const s of sts) for (const a of asList(s.Action)) assert.ok(!a.includes("*"), a);
    assert.deepEqual(
      sts.filter((s) => asList(s.Resource).includes("*")).flatMap((s) => asList(s.Action)),
      ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    );
  });

  it("refuses wildcard actions and '*' resources for scopable actions", async () => {
    await assert.rejects(
      runProgram(() => new BundledFunction("bad", { bundle: "api", statements: [{ actions: ["dynamodb:*"], resources: ["arn:x"] }] })),
      /wildcard action "dynamodb:\*"/,
    );
    await assert.rejects(
      runProgram(() => new BundledFunction("bad2", { bundle: "api", statements: [{ actions: ["s3:GetObject"], resources: ["*"] }] })),
      /resource "\*" for actions that can be scoped \(s3:GetObject\)/,
    );
  });

  it("wires async invocations to an on-failure destination with retries, and lets the role send there", async () => {
    const dlq = "arn:aws:sqs:us-east-1:123456789012:collector-dlq";
    const run = await runProgram(() =>
      new BundledFunction("collector", { bundle: "collector", asyncInvoke: { onFailureArn: dlq, maximumRetryAttempts: 1, maximumEventAgeSeconds: 600 } }),
    );
    const cfg = run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    assert.equal(cfg.inputs.maximumRetryAttempts, 1);
    assert.equal(cfg.inputs.maximumEventAgeInSeconds, 600);
    assert.equal(cfg.inputs.destinationConfig.onFailure.destination, dlq);
    const sts = policyStatements(run.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    assert.ok(sts.some((s) => asList(s.Action).includes("sqs:SendMessage") && asList(s.Resource).includes(dlq)));
  });

  it("rejects out-of-range limits with the allowed range", async () => {
    await assert.rejects(runProgram(() => new BundledFunction("t", { bundle: "api", timeoutSeconds: 901 })), /timeoutSeconds must be an integer from 1 to 900; got 901/);
    await assert.rejects(runProgram(() => new BundledFunction("m", { bundle: "api", memoryMb: 64 })), /memoryMb .* from 128 to 10240; got 64/);
  });

  it("refuses to deploy when the bundle was not built", async () => {
    const prev = process.env.MCJOBS_SKIP_BUNDLE_CHECK;
    process.env.MCJOBS_SKIP_BUNDLE_CHECK = "";
    try {
      await assert.rejects(runProgram(() => new BundledFunction("x", { bundle: "no-such-bundle" })), /no-such-bundle\/index\.js is missing: run `npm run build`/);
    } finally {
      process.env.MCJOBS_SKIP_BUNDLE_CHECK = prev;
    }
  });
});

describe("infra: BundledFunction statements given as Outputs", () => {
  it("refuses '*' resources that only show up once an Output resolves", async () => {
    await assert.rejects(
      runProgram(() => new BundledFunction("late", { bundle: "api", statements: [{ actions: ["s3:PutObject"], resources: pulumi.output(["*"]) }] })),
      /resource "\*" for actions that can be scoped \(s3:PutObject\)/,
    );
  });
});

describe("infra: BundledFunction SNS on-failure destination", () => {
  it("grants sns:Publish (not sqs:SendMessage) when the destination is a topic", async () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:failures";
    const run = await runProgram(() => new BundledFunction("conv", { bundle: "convert", asyncInvoke: { onFailureArn: pulumi.output(topic) } }));
    const sts = policyStatements(run.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const dest = sts.find((s) => s.Sid === "OnFailureDestination")!;
    assert.deepEqual(dest.Action, ["sns:Publish"]);
    assert.deepEqual(dest.Resource, [topic]);
  });
});
