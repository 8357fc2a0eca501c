/**
 * Several stacks in one account and region: with the default collectOnlyApplication each stack's collector rule
 * matches only events of jobs carrying its own application, and no resource of one stack has the physical name of
 * a resource of the other.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { matchesPattern, type EventPattern } from "../../lib/domain/patterns";
import { runModule, type MockRun } from "../support/pulumi-harness";

const ROOT = path.join(__dirname, "..", "..");
const INDEX = path.join(ROOT, "index.ts");
const yaml = require("js-yaml") as { load(s: string): unknown };

function shippedStack(stack: string): { region: string; config: Record<string, string> } {
  const doc = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config)) if (k.startsWith("mcjobs:")) config[k.slice("mcjobs:".length)] = String(v);
  return { region: String(doc.config["aws:region"]), config };
}

/** A MediaConvert event of a job tagged with `application` (or untagged). */
function eventOf(application: string | undefined, region: string) {
  return {
    source: "aws.mediaconvert",
    "detail-type": "MediaConvert Job State Change",
    region,
    detail: { status: "PROGRESSING", jobId: "1717000000000-abcdef", userMetadata: application ? { application } : {} },
  };
}

/** Types whose name only has to be unique within its parent (a table, a log group, a Glue database, an API...). */
const PARENT_SCOPED = new Set([
  "aws:dynamodb/tableItem:TableItem",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:cloudwatch/logStream:LogStream",
  "aws:glue/catalogTable:CatalogTable",
  "aws:athena/namedQuery:NamedQuery",
  "aws:apigatewayv2/stage:Stage",
  "aws:apigatewayv2/route:Route",
  "aws:apigatewayv2/integration:Integration",
  "aws:cloudwatch/eventTarget:EventTarget",
]);

/** Physical names (type + name) of every named account- or region-wide AWS resource of a run. */
function physicalNames(run: MockRun): Set<string> {
  const out = new Set<string>();
  for (const r of run.resources) {
    if (!r.custom || !r.type.startsWith("aws:") || PARENT_SCOPED.has(r.type)) continue;
    const physical = r.state.bucket ?? r.state.name ?? r.state.dashboardName;
    if (typeof physical === "string") out.add(`${r.type} ${physical}`);
  }
  return out;
}

function collectorPatternOf(run: MockRun): EventPattern {
  return JSON.parse(run.one("aws:cloudwatch/eventRule:EventRule", "collector-rule").inputs.eventPattern) as EventPattern;
}

describe("infra: several stacks in one account and region", () => {
  describe("the shipped dev and prod-us-east-1 stacks (both us-east-1)", () => {
    const runs: Record<string, MockRun<Record<string, unknown>>> = {};
    before(async () => {
      for (const stack of ["dev", "prod-us-east-1"]) {
        const { region, config } = shippedStack(stack);
        runs[stack] = await runModule(INDEX, { stack, region, config });
      }
    });

    it("give every shipped stack its own application", () => {
      const apps = ["dev", "prod-us-east-1", "prod-eu-west-1"].map((s) => shippedStack(s).config.application);
      assert.deepEqual(apps, ["mcjobs-dev", "mcjobs-prod-us", "mcjobs-prod-eu"]);
      assert.equal(new Set(apps).size, apps.length);
    });

    it("each collector rule matches only its own application's jobs", () => {
      const dev = collectorPatternOf(runs.dev);
      const prod = collectorPatternOf(runs["prod-us-east-1"]);
      assert.ok(matchesPattern(dev, eventOf("mcjobs-dev", "us-east-1")));
      assert.ok(!matchesPattern(dev, eventOf("mcjobs-prod-us", "us-east-1")));
      assert.ok(matchesPattern(prod, eventOf("mcjobs-prod-us", "us-east-1")));
      assert.ok(!matchesPattern(prod, eventOf("mcjobs-dev", "us-east-1")));
      for (const p of [dev, prod]) assert.ok(!matchesPattern(p, eventOf(undefined, "us-east-1")), "an untagged job belongs to neither");
    });

    it("no physical name of one stack is used by the other", () => {
      const a = physicalNames(runs.dev);
      const b = physicalNames(runs["prod-us-east-1"]);
      assert.ok(a.size > 20, `expected many names, got ${a.size}`);
      assert.deepEqual(
        [...a].filter((n) => b.has(n)),
        [],
      );
    });
  });

  it("two new stacks that set only aws:region and application are kept apart by default", async () => {
    const a = await runModule(INDEX, { stack: "team-a", region: "eu-west-1", config: { application: "team-a" } });
    const b = await runModule(INDEX, { stack: "team-b", region: "eu-west-1", config: { application: "team-b" } });
    assert.ok(matchesPattern(collectorPatternOf(a), eventOf("team-a", "eu-west-1")));
    assert.ok(!matchesPattern(collectorPatternOf(a), eventOf("team-b", "eu-west-1")));
    assert.ok(!matchesPattern(collectorPatternOf(b), eventOf("team-a", "eu-west-1")));
    const names = physicalNames(b);
    assert.deepEqual(
      [...physicalNames(a)].filter((n) => names.has(n)),
      [],
    );
    assert.notEqual(a.result.glueDatabase, b.result.glueDatabase);
    assert.notEqual(a.result.dashboardUrl, b.result.dashboardUrl);
  });
});
