import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { runModule, runProgram, type MockRun } from "./support/pulumi-harness";
import { retainData } from "../components/tags";
import { parseStackConfig } from "../infra/stack-config";

const INDEX = path.join(__dirname, "..", "index.ts");
const yaml = require("js-yaml") as { load(s: string): unknown };

/** The project-namespace keys of a Pulumi.<stack>.yaml, plus its aws:region. */
function stackFile(stack: string): { region: string; raw: Record<string, string> } {
  const doc = yaml.load(fs.readFileSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config)) if (k.startsWith("mcjobs:")) raw[k.slice(7)] = String(v);
  return { region: String(doc.config["aws:region"]), raw };
}

describe("infra: the program (index.ts)", () => {
  for (const stack of ["dev", "prod-us-east-1", "prod-eu-west-1"]) {
    it(`Pulumi.${stack}.yaml is a valid stack config`, () => {
      const { region, raw } = stackFile(stack);
      const cfg = parseStackConfig(raw, { region, stack });
      assert.equal(cfg.region, region);
    });
  }

  let run: MockRun<Record<string, unknown>>;
  before(async () => {
    const { region, raw } = stackFile("prod-eu-west-1");
    run = await runModule(INDEX, { stack: "prod-eu-west-1", region, config: raw });
  });

  it("exports what a user needs", () => {
    const out = run.result;
    for (const k of [
      "jobsTable",
      "eventsTable",
      "queuesTable",
      "configTable",
      "streamName",
      "collectorFunction",
      "historyBucket",
      "athenaWorkgroup",
      "glueDatabase",
      "alarmTopicArn",
    ]) {
      assert.equal(typeof out[k], "string", `output ${k} missing`);
    }
    assert.equal(out.region, "eu-west-1");
    assert.equal(
      out.dashboardUrl,
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=mcjobs-prod-eu-prod-eu-west-1",
    );
    assert.equal(out.jobsTable, run.one("aws:dynamodb/table:Table", "mcjobs-jobs").state.name);
    assert.equal(out.alarmTopicArn, run.one("aws:sns/topic:Topic", "ops-topic").state.arn);
  });

  it("tags every resource through the provider's defaultTags with stack, region and app", () => {
    const provider = run.one("pulumi:providers:aws");
    assert.equal(provider.inputs.region, "eu-west-1");
    const tags = JSON.parse(
      typeof provider.inputs.defaultTags === "string" ? provider.inputs.defaultTags : JSON.stringify(provider.inputs.defaultTags),
    ).tags;
    assert.equal(tags["mcjobs:stack"], "prod-eu-west-1");
    assert.equal(tags["mcjobs:region"], "eu-west-1");
    assert.equal(tags["mcjobs:application"], "mcjobs-prod-eu");
  });

  it("passes the stack's aws:profile and aws:allowedAccountIds to its explicit provider", async () => {
    const { region, raw } = stackFile("dev");
    const withAws = await runModule(INDEX, {
      stack: "dev",
      region,
      config: { ...raw, "aws:profile": "media-dev", "aws:allowedAccountIds": '["123456789012"]' },
    });
    const provider = withAws.one("pulumi:providers:aws");
    assert.equal(provider.inputs.profile, "media-dev");
    const ids = provider.inputs.allowedAccountIds;
    assert.deepEqual(typeof ids === "string" ? JSON.parse(ids) : ids, ["123456789012"]);
    assert.equal(run.one("pulumi:providers:aws").inputs.profile, undefined, "no profile unless the stack names one");
  });

  it("builds an operations dashboard over the collector, its DLQ, the stream and the consumers", () => {
    const body = JSON.parse(run.one("aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
    const metrics = JSON.stringify(body.widgets.map((w: any) => w.properties.metrics));
    assert.ok(metrics.includes(run.one("aws:lambda/function:Function", "collector-fn-fn").state.name));
    assert.ok(metrics.includes(run.one("aws:sqs/queue:Queue", "collector-dlq").state.name));
    assert.ok(metrics.includes("GetRecords.IteratorAgeMilliseconds"));
    for (const w of body.widgets) assert.equal(w.properties.region, "eu-west-1");
  });

  it("applies the stack's settings to the components", () => {
    assert.equal(run.one("aws:kinesis/stream:Stream").inputs.retentionPeriod, 168);
    for (const t of run.all("aws:dynamodb/table:Table")) assert.equal(t.inputs.deletionProtectionEnabled, true);
    for (const lg of run.all("aws:cloudwatch/logGroup:LogGroup").filter((l) => String(l.inputs.namePrefix).startsWith("/aws/lambda/")))
      assert.equal(lg.inputs.retentionInDays, 90, lg.name);
  });

  it("probeMaxRequests and probeBudgetBytes reach the collector's environment", async () => {
    const { region, raw } = stackFile("dev");
    const tuned = await runModule(INDEX, { stack: "dev", region, config: { ...raw, probeMaxRequests: "5", probeBudgetBytes: "1048576" } });
    const env = tuned.one("aws:lambda/function:Function", "collector-fn-fn").inputs.environment.variables;
    assert.equal(env.PROBE_MAX_REQUESTS, "5");
    assert.equal(env.PROBE_BUDGET_BYTES, "1048576");
  });

  it("without streams: no stream, no lake, no consumers", async () => {
    const { region, raw } = stackFile("dev");
    const small = await runModule(INDEX, { stack: "dev", region, config: { ...raw, useStreams: "false" } });
    assert.equal(small.all("aws:kinesis/stream:Stream").length, 0);
    assert.equal(small.all("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").length, 0);
    assert.equal(small.all("aws:lambda/eventSourceMapping:EventSourceMapping").length, 0);
    assert.equal(small.result.streamName, undefined);
  });

  it("collectOnlyApplication (on by default) narrows the collector rule to this stack's application; false widens it", async () => {
    const narrowed = JSON.parse(run.one("aws:cloudwatch/eventRule:EventRule", "collector-rule").inputs.eventPattern);
    assert.deepEqual(narrowed.detail, { userMetadata: { application: ["mcjobs-prod-eu"] } });
    const { region, raw } = stackFile("dev");
    const widened = await runModule(INDEX, { stack: "dev", region, config: { ...raw, collectOnlyApplication: "false" } });
    const wide = JSON.parse(widened.one("aws:cloudwatch/eventRule:EventRule", "collector-rule").inputs.eventPattern);
    assert.equal(wide.detail, undefined);
  });

  it("previews without built bundles (pulumi preview needs no npm run build)", async () => {
    const prev = process.env.MCJOBS_SKIP_BUNDLE_CHECK;
    process.env.MCJOBS_SKIP_BUNDLE_CHECK = "";
    try {
      const { region, raw } = stackFile("dev");
      const preview = await runModule(INDEX, { stack: "dev", region, config: raw, preview: true });
      assert.ok(preview.all("aws:lambda/function:Function").length >= 1);
    } finally {
      process.env.MCJOBS_SKIP_BUNDLE_CHECK = prev;
    }
  });

  it("a bad config value stops the program before any resource, naming the key", async () => {
    await assert.rejects(runModule(INDEX, { stack: "dev", config: { streamTTL: "2" } }), /mcjobs:streamTTL = "2" is out of range/);
  });
});

describe("infra: logLevel and logRetentionDays reach every Lambda and every log group", () => {
  const deployWith = async (logLevel: string, logRetentionDays: string) => {
    const { region, raw } = stackFile("prod-eu-west-1");
    return runModule(INDEX, { stack: "prod-eu-west-1", region, config: { ...raw, logLevel, logRetentionDays } });
  };

  for (const [level, days] of [
    ["DEBUG", 14],
    ["ERROR", 365],
  ] as const) {
    it(`logLevel ${level}, logRetentionDays ${days}: every function logs at ${level}, every log group keeps ${days} days`, async () => {
      const run = await deployWith(level, String(days));
      const fns = run.all("aws:lambda/function:Function");
      const bundles = fns.map((f) => path.basename(String(f.inputs.code?.path))).sort();
      assert.deepEqual(
        bundles,
        ["analytics", "api", "collector", "history", "reconciler", "watch-folder"],
        "the stream consumers are among them",
      );
      for (const f of fns) assert.equal(f.inputs.environment.variables.POWERTOOLS_LOG_LEVEL, level, f.name);
      const groups = run.all("aws:cloudwatch/logGroup:LogGroup");
      const prefixes = groups.map((g) => String(g.inputs.namePrefix).split("/")[2]).sort();
      assert.ok(
        prefixes.includes("kinesisfirehose") && prefixes.includes("apigateway") && prefixes.includes("lambda"),
        prefixes.join(", "),
      );
      for (const g of groups) assert.equal(g.inputs.retentionInDays, days, `${g.name} (${g.inputs.namePrefix})`);
    });
  }
});

describe("infra: docs/deploy.md", () => {
  const doc = () => fs.readFileSync(path.join(__dirname, "..", "docs", "deploy.md"), "utf8");
  const { CONFIG_KEYS } = require("../infra/stack-config") as typeof import("../infra/stack-config");

  it("explains every config key", () => {
    const text = doc();
    for (const k of CONFIG_KEYS) assert.ok(text.includes(`| \`${k}\` |`), `docs/deploy.md has no row for ${k}`);
  });
});

describe("infra: retainData transformation", () => {
  it("marks data-holding resources retainOnDelete inside a component, and leaves the rest alone", async () => {
    const seen: Record<string, boolean | undefined> = {};
    const spy: pulumi.ResourceTransformation = (a) => {
      seen[a.type] = a.opts.retainOnDelete;
      return undefined;
    };
    await runProgram(() => {
      const parent = new pulumi.ComponentResource("test:index:Holder", "holder", {}, { transformations: [retainData(), spy] });
      new aws.s3.Bucket("b", {}, { parent });
      new aws.dynamodb.Table("t", { hashKey: "k", attributes: [{ name: "k", type: "S" }] }, { parent });
      new aws.sqs.Queue("q", {}, { parent });
    });
    assert.equal(seen["aws:s3/bucket:Bucket"], true);
    assert.equal(seen["aws:dynamodb/table:Table"], true);
    assert.equal(seen["aws:sqs/queue:Queue"], undefined);
  });
});
