/**
 * The policy pack (infra/policy/index.ts) wires the shared rules into @pulumi/policy. The real PolicyPack starts a gRPC
 * server for the Pulumi engine, so this test loads the pack with PolicyPack replaced by a recorder and drives its
 * validate callbacks the way the engine would.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";

interface Captured {
  name: string;
  policies: {
    name: string;
    enforcementLevel?: string;
    validateResource?: (...args: unknown[]) => unknown;
    validateStack?: (...args: unknown[]) => unknown;
  }[];
}

function loadPack(): Captured {
  const policyModule = require.resolve("@pulumi/policy");
  const packPath = require.resolve(path.join(__dirname, "..", "..", "infra", "policy", "index.ts"));
  const real = require.cache[policyModule];
  let captured: Captured | undefined;
  class RecordingPolicyPack {
    constructor(name: string, args: { policies: Captured["policies"] }) {
      captured = { name, policies: args.policies };
    }
  }
  const actual = require("@pulumi/policy");
  require.cache[policyModule] = { ...(real as NodeJS.Module), exports: { ...actual, PolicyPack: RecordingPolicyPack } } as NodeJS.Module;
  try {
    delete require.cache[packPath];
    require(packPath);
  } finally {
    if (real) require.cache[policyModule] = real;
    delete require.cache[packPath];
  }
  assert.ok(captured, "infra/policy/index.ts did not create a PolicyPack");
  return captured;
}

describe("infra: Pulumi policy pack", () => {
  const pack = loadPack();

  it("declares every rule as a mandatory policy", () => {
    assert.equal(pack.name, "mcjobs-posture");
    assert.deepEqual(pack.policies.map((p) => p.name).sort(), [
      "api-authorization",
      "bucket-posture",
      "encryption-at-rest",
      "failure-visibility",
      "iam-least-privilege",
      "kms-least-privilege",
    ]);
    for (const p of pack.policies) assert.equal(p.enforcementLevel, "mandatory", p.name);
  });

  it("reports a wildcard IAM action and an unencrypted queue through the engine callback", () => {
    const reported: string[] = [];
    const report = (m: string) => reported.push(m);
    const byName = Object.fromEntries(pack.policies.map((p) => [p.name, p]));
    byName["iam-least-privilege"].validateResource!(
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "p",
        urn: "urn:p",
        props: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }] }) },
      },
      report,
    );
    byName["encryption-at-rest"].validateResource!({ type: "aws:sqs/queue:Queue", name: "q", urn: "urn:q", props: {} }, report);
    byName["encryption-at-rest"].validateResource!(
      { type: "aws:sqs/queue:Queue", name: "ok", urn: "urn:ok", props: { sqsManagedSseEnabled: true } },
      report,
    );
    assert.equal(reported.length, 2, reported.join("\n"));
    assert.match(reported[0], /wildcard action "s3:\*"/);
    assert.match(reported[1], /queue without kmsMasterKeyId/);
  });

  it("checks buckets across the stack, linking switches by property dependencies, and names the bucket's URN", () => {
    const reported: { m: string; urn?: string }[] = [];
    const bucket = { type: "aws:s3/bucket:Bucket", name: "lake", urn: "urn:lake", props: {}, propertyDependencies: {} };
    const pab = {
      type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      name: "pab",
      urn: "urn:pab",
      props: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      propertyDependencies: { bucket: [bucket] },
    };
    const stackPolicy = pack.policies.find((p) => p.name === "bucket-posture")!;
    stackPolicy.validateStack!({ resources: [bucket, pab] }, (m: string, urn?: string) => reported.push({ m, urn }));
    assert.deepEqual(
      reported.map((r) => r.urn),
      ["urn:lake", "urn:lake"],
    );
    assert.ok(reported.some((r) => /without TLS/.test(r.m)));
    assert.ok(reported.some((r) => /server-side encryption/.test(r.m)));
    assert.ok(!reported.some((r) => /public access block/.test(r.m)));
  });

  it("reports an EventBridge target without a dead-letter queue and a KMS grant without kms:ViaService through the engine callbacks", () => {
    const byName = Object.fromEntries(pack.policies.map((p) => [p.name, p]));
    const reported: { m: string; urn?: string }[] = [];
    const target = {
      type: "aws:cloudwatch/eventTarget:EventTarget",
      name: "t",
      urn: "urn:t",
      props: { retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 60 } },
      propertyDependencies: {},
    };
    byName["failure-visibility"].validateStack!({ resources: [target] }, (m: string, urn?: string) => reported.push({ m, urn }));
    assert.deepEqual(
      reported.map((r) => r.urn),
      ["urn:t"],
    );
    assert.match(reported[0].m, /without a dead-letter queue/);
    const kms: string[] = [];
    const policy = JSON.stringify({
      Statement: [{ Effect: "Allow", Action: ["kms:Decrypt"], Resource: "arn:aws:kms:eu-west-1:123456789012:key/k" }],
    });
    byName["kms-least-privilege"].validateResource!(
      { type: "aws:iam/rolePolicy:RolePolicy", name: "p", urn: "urn:p", props: { policy } },
      (m: string) => kms.push(m),
    );
    assert.equal(kms.length, 1);
    assert.match(kms[0], /without a kms:ViaService condition/);
  });
});
