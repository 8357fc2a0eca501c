import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { runProgram, outputOf } from "../support/pulumi-harness";

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

  it("a later deployment of the same stack gets new autonames and key ids; fixed names stay", async () => {
    const program = () => {
      new aws.s3.Bucket("media", {});
      new aws.kms.Key("key", {});
      new aws.glue.CatalogDatabase("db", { name: "fixed_name" });
    };
    const a = await runProgram(program, { stack: "prod", deployment: "1" });
    const b = await runProgram(program, { stack: "prod", deployment: "2" });
    assert.notEqual(a.one("aws:s3/bucket:Bucket").state.bucket, b.one("aws:s3/bucket:Bucket").state.bucket);
    assert.notEqual(a.one("aws:kms/key:Key").state.keyId, b.one("aws:kms/key:Key").state.keyId);
    assert.equal(
      a.one("aws:glue/catalogDatabase:CatalogDatabase").state.name,
      b.one("aws:glue/catalogDatabase:CatalogDatabase").state.name,
    );
    const again = await runProgram(program, { stack: "prod", deployment: "1" });
    assert.equal(
      again.one("aws:s3/bucket:Bucket").state.bucket,
      a.one("aws:s3/bucket:Bucket").state.bucket,
      "one deployment is reproducible",
    );
  });

  it("records retainOnDelete as the SDK sends it", async () => {
    const run = await runProgram(() => {
      new aws.s3.Bucket("kept", {}, { retainOnDelete: true });
      new aws.s3.Bucket("gone", {});
    });
    assert.equal(run.one("aws:s3/bucket:Bucket", "kept").retainOnDelete, true);
    assert.equal(run.one("aws:s3/bucket:Bucket", "gone").retainOnDelete, false);
  });

  it("answers and builds ARNs and hosts in the run's partition", async () => {
    const run = await runProgram(
      async () => {
        const part = await aws.getPartition();
        const spn = await aws.getServicePrincipal({ serviceName: "logs" });
        new aws.sqs.Queue("q", {});
        return { part, spn };
      },
      { partition: "aws-cn", region: "cn-north-1" },
    );
    assert.deepEqual([run.result.part.partition, run.result.part.dnsSuffix], ["aws-cn", "amazonaws.com.cn"]);
    assert.deepEqual([run.result.spn.name, run.result.spn.id], ["logs.amazonaws.com.cn", "logs.cn-north-1.amazonaws.com.cn"]);
    const q = run.one("aws:sqs/queue:Queue").state;
    assert.match(q.arn, /^arn:aws-cn:sqs:cn-north-1:123456789012:q-/);
    assert.match(q.url, /^https:\/\/sqs\.cn-north-1\.amazonaws\.com\.cn\//);
    assert.deepEqual(run.unknownCalls, []);
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

  it("records each resource's parent and the aliases the SDK sends for it", async () => {
    class Box extends pulumi.ComponentResource {
      constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
        new aws.sqs.Queue(`${name}-q`, {}, { parent: this });
      }
    }
    const run = await runProgram(() => {
      const outer = new Box("outer");
      new Box("renamed", { parent: outer, aliases: [{ name: "before" }] });
      new aws.sqs.Queue("moved", {}, { aliases: ["urn:pulumi:test::mcjobs::aws:sqs/queue:Queue::old-name"] });
    });
    const outer = run.one("test:index:Box", "outer");
    const renamed = run.one("test:index:Box", "renamed");
    assert.equal(outer.parent, undefined);
    assert.deepEqual(outer.aliases, []);
    assert.equal(renamed.parent, "urn:pulumi:test::mcjobs::test:index:Box::outer");
    assert.deepEqual(renamed.aliases, [{ name: "before", parentUrn: "urn:pulumi:test::mcjobs::test:index:Box::outer" }]);
    assert.deepEqual(run.one("aws:sqs/queue:Queue", "moved").aliases, [{ urn: "urn:pulumi:test::mcjobs::aws:sqs/queue:Queue::old-name" }]);
    assert.deepEqual(
      run
        .childrenOf(outer)
        .map((r) => r.name)
        .sort(),
      ["outer-q", "renamed"],
    );
    assert.deepEqual(
      run.childrenOf(renamed).map((r) => r.name),
      ["renamed-q"],
    );
  });

  it("serialises concurrent runs so their records never mix", async () => {
    const [a, b] = await Promise.all([
      runProgram(() => new aws.sqs.Queue("only-a", {}), { stack: "a" }),
      runProgram(() => new aws.sqs.Queue("only-b", {}), { stack: "b" }),
    ]);
    assert.deepEqual(
      a.resources.map((r) => r.name),
      ["only-a"],
    );
    assert.deepEqual(
      b.resources.map((r) => r.name),
      ["only-b"],
    );
  });
});
