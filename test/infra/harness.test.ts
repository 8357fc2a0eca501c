import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { runProgram, outputOf } from "./harness";

describe("infra: mocks harness", () => {
  it("records type, name and resolved inputs, and answers region/account calls from the run", async () => {
    const run = await runProgram(
      async () => {
        const region = await aws.getRegion();
        const me = await aws.getCallerIdentity();
        const q = new aws.sqs.Queue("q", { name: pulumi.output(`jobs-${region.region}-${me.accountId}`) });
        return { q, cfg: new pulumi.Config().get("tableTTL") };
      },
      { region: "eu-west-1", stack: "s1", config: { tableTTL: 30 } },
    );
    const q = run.one("aws:sqs/queue:Queue", "q");
    assert.equal(q.inputs.name, "jobs-eu-west-1-123456789012");
    assert.equal(await outputOf(run.result.q.url), "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-eu-west-1-123456789012");
    assert.equal(run.result.cfg, "30");
  });

  it("autonames like Pulumi: the same logical name differs across stacks", async () => {
    const a = await runProgram(() => new aws.s3.Bucket("media", {}), { stack: "a" });
    const b = await runProgram(() => new aws.s3.Bucket("media", {}), { stack: "b" });
    assert.equal(a.one("aws:s3/bucket:Bucket").inputs.bucket, undefined);
    assert.notEqual(a.one("aws:s3/bucket:Bucket").state.bucket, b.one("aws:s3/bucket:Bucket").state.bucket);
  });

  it("fails fast with the program's error when an apply throws", async () => {
    const started = Date.now();
    await assert.rejects(
      runProgram(() => {
        const bad = pulumi.output("x").apply((): string => {
          throw new Error("boom in apply");
        });
        const t = new aws.sqs.Queue("t", { name: bad });
        new aws.sqs.QueuePolicy("tp", { queueUrl: t.url, policy: "{}" });
      }),
      /boom in apply/,
    );
    assert.ok(Date.now() - started < 10_000);
  });

  it("serialises concurrent runs so their records never mix", async () => {
    const [a, b] = await Promise.all([
      runProgram(() => new aws.sqs.Queue("only-a", {}), { stack: "a" }),
      runProgram(() => new aws.sqs.Queue("only-b", {}), { stack: "b" }),
    ]);
    assert.deepEqual(a.resources.map((r) => r.name), ["only-a"]);
    assert.deepEqual(b.resources.map((r) => r.name), ["only-b"]);
  });
});
