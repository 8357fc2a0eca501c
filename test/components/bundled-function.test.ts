import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BundledFunction, bundleDir, REPO_ROOT } from "../../components/bundled-function";
import { archiveHash } from "../../infra/archive-hash";
import { setLambdaCodeSources } from "../../infra/lambda-code";
import { runProgram, outputOf, policyStatements, asList } from "../support/pulumi-harness";

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
    const run = await runProgram(
      () =>
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
    const run = await runProgram(
      () =>
        new BundledFunction("collector", {
          bundle: "collector",
          asyncInvoke: { onFailureArn: dlq, maximumRetryAttempts: 1, maximumEventAgeSeconds: 600 },
        }),
    );
    const cfg = run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    assert.equal(cfg.inputs.maximumRetryAttempts, 1);
    assert.equal(cfg.inputs.maximumEventAgeInSeconds, 600);
    assert.equal(cfg.inputs.destinationConfig.onFailure.destination, dlq);
    const sts = policyStatements(run.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    assert.ok(sts.some((s) => asList(s.Action).includes("sqs:SendMessage") && asList(s.Resource).includes(dlq)));
  });

  it("rejects out-of-range limits with the allowed range", async () => {
    await assert.rejects(
      runProgram(() => new BundledFunction("t", { bundle: "api", timeoutSeconds: 901 })),
      /timeoutSeconds must be an integer from 1 to 900; got 901/,
    );
    await assert.rejects(
      runProgram(() => new BundledFunction("m", { bundle: "api", memoryMb: 64 })),
      /memoryMb .* from 128 to 10240; got 64/,
    );
  });

  it("refuses a bundle name with no entry, naming the known ones", async () => {
    await assert.rejects(
      runProgram(() => new BundledFunction("x", { bundle: "no-such-bundle" })),
      /BundledFunction x: unknown bundle "no-such-bundle"; known: collector, api, watch-folder, history, analytics/,
    );
  });
});

describe("infra: BundledFunction builds the code it deploys", () => {
  for (const preview of [true, false]) {
    it(`${preview ? "preview" : "update"}: the archive is the freshly built dist/<bundle>, holding index.js`, async () => {
      const run = await runProgram(() => new BundledFunction("probe", { bundle: "api" }), { preview });
      const code = run.one("aws:lambda/function:Function").inputs.code;
      assert.equal(code.kind, "archive");
      assert.equal(code.path, bundleDir("api"));
      assert.equal(path.relative(REPO_ROOT, code.path), path.join("dist", "api"));
      assert.ok(fs.statSync(path.join(code.path, "index.js")).size > 0);
      assert.equal(code.hash, archiveHash(code.path));
    });
  }

  it("a bundle that does not build stops the run, naming the bundle, its entry and esbuild's error", async () => {
    const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-broken-"));
    fs.mkdirSync(path.join(checkout, "handlers"));
    fs.writeFileSync(path.join(checkout, "handlers", "api.ts"), "export const handler = async (event) => {\n  return (;\n};\n");
    const previous = setLambdaCodeSources({ repoRoot: checkout });
    try {
      await assert.rejects(
        runProgram(() => new BundledFunction("broken", { bundle: "api" }), { preview: true }),
        /Lambda bundle "api" \(handlers\/api\.ts\) failed to build:\n {2}handlers\/api\.ts:2:\d+: Unexpected "?;"?/,
      );
      assert.ok(!fs.existsSync(path.join(checkout, "dist", "api")), "nothing written for a failed build");
    } finally {
      setLambdaCodeSources(previous);
      fs.rmSync(checkout, { recursive: true, force: true });
    }
  });

  it("codePath is deployed as it is; the harness, like the engine, refuses a folder that is missing or has no index.js", async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-code-"));
    try {
      await assert.rejects(
        runProgram(() => new BundledFunction("empty", { bundle: "api", codePath: folder })),
        /file archive .* holds no index\.js/,
      );
      const gone = path.join(folder, "gone");
      await assert.rejects(
        runProgram(() => new BundledFunction("gone", { bundle: "api", codePath: gone }), { preview: true }),
        /file archive .*gone does not exist/,
      );
      fs.writeFileSync(path.join(folder, "index.js"), "exports.handler = async () => 1;\n");
      const run = await runProgram(() => new BundledFunction("given", { bundle: "api", codePath: folder }));
      const code = run.one("aws:lambda/function:Function").inputs.code;
      assert.equal(code.path, folder);
      assert.equal(code.hash, archiveHash(folder));
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("infra: BundledFunction statements given as Outputs", () => {
  it("refuses '*' resources that only show up once an Output resolves", async () => {
    await assert.rejects(
      runProgram(
        () => new BundledFunction("late", { bundle: "api", statements: [{ actions: ["s3:PutObject"], resources: pulumi.output(["*"]) }] }),
      ),
      /resource "\*" for actions that can be scoped \(s3:PutObject\)/,
    );
  });
});

describe("infra: BundledFunction SNS on-failure destination", () => {
  it("grants sns:Publish (not sqs:SendMessage) when the destination is a topic", async () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:failures";
    const run = await runProgram(
      () => new BundledFunction("conv", { bundle: "watch-folder", asyncInvoke: { onFailureArn: pulumi.output(topic) } }),
    );
    const sts = policyStatements(run.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const dest = sts.find((s) => s.Sid === "OnFailureDestination")!;
    assert.deepEqual(dest.Action, ["sns:Publish"]);
    assert.deepEqual(dest.Resource, [topic]);
  });
});
