/**
 * Destroy and re-create: with `retainData`, `pulumi destroy` keeps only what holds data (tables, buckets, the stack
 * key), and a fresh deployment of the same stack afterwards makes no resource whose physical name equals a kept
 * one. What is kept is what the SDK asks the engine to retain (the harness records `retainOnDelete` from each
 * registration); a re-creation is the same stack run again as another deployment, so autonamed resources get new
 * suffixes exactly where Pulumi's random ones would differ, and fixed names stay the same.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { HistoryLake } from "../../components/history-lake";
import { retainData } from "../../components/tags";
import { runModule, runProgram, type MockRun, type RecordedResource } from "../support/pulumi-harness";

const INDEX = path.join(__dirname, "..", "..", "index.ts");
const STACK = { stack: "prod-eu-west-1", region: "eu-west-1" };

/** The name a resource has in AWS: a bucket's name, a table's, a key's id, else its name or id. */
function physicalName(r: RecordedResource): string {
  if (r.type === "aws:kms/key:Key") return String(r.state.keyId ?? r.id);
  return String(r.state.bucket ?? r.state.name ?? r.id);
}

/** Kept resources of `before` whose (type, physical name) `after` creates again. */
function collisions(before: MockRun, after: MockRun): string[] {
  const kept = before.resources.filter((r) => r.custom && r.retainOnDelete);
  const created = new Set(after.resources.filter((r) => r.custom).map((r) => `${r.type} ${physicalName(r)}`));
  return kept.map((r) => `${r.type} ${physicalName(r)}`).filter((k) => created.has(k));
}

describe("infra: destroy and re-create with retainData", () => {
  let first: MockRun<Record<string, unknown>>;
  let second: MockRun<Record<string, unknown>>;
  before(async () => {
    const config = { retainData: "true", useStreams: "true" };
    first = await runModule(INDEX, { ...STACK, config, deployment: "first" });
    second = await runModule(INDEX, { ...STACK, config, deployment: "after-destroy" });
  });

  it("keeps exactly the tables, the buckets and the stack key", () => {
    const kept = first.resources
      .filter((r) => r.retainOnDelete)
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    assert.deepEqual(kept, [
      "aws:dynamodb/table:Table mcjobs-config",
      "aws:dynamodb/table:Table mcjobs-events",
      "aws:dynamodb/table:Table mcjobs-jobs",
      "aws:dynamodb/table:Table mcjobs-queues",
      "aws:kms/key:Key mcjobs-key",
      "aws:s3/bucket:Bucket history-bucket",
      "aws:s3/bucket:Bucket watch-media",
      "aws:s3/bucket:Bucket watch-watch",
    ]);
    // Named because they were kept before: the stream is a buffer, the catalog metadata over the kept bucket.
    for (const type of ["aws:kinesis/stream:Stream", "aws:glue/catalogDatabase:CatalogDatabase", "aws:glue/catalogTable:CatalogTable"]) {
      const rs = first.all(type);
      assert.ok(rs.length > 0, `${type} is deployed`);
      for (const r of rs) assert.equal(r.retainOnDelete, false, `${r.type} ${r.name} is kept`);
    }
    for (const t of first.all("aws:dynamodb/table:Table")) assert.equal(t.inputs.deletionProtectionEnabled, true, t.name);
  });

  it("a fresh deployment of the same stack creates no name equal to a kept one", () => {
    const kept = first.resources.filter((r) => r.retainOnDelete);
    assert.equal(kept.length, 8);
    assert.deepEqual(collisions(first, second), []);
    // The same resources exist again, under new names, beside what was kept.
    for (const r of kept) {
      const again = second.one(r.type, r.name);
      assert.notEqual(physicalName(again), physicalName(r), `${r.name} got the same name`);
    }
  });

  it("the check finds a kept resource with a fixed name (a retained Glue database would collide)", async () => {
    const lake = (deployment: string) =>
      runProgram(
        () => {
          const parent = new pulumi.ComponentResource(
            "test:index:Holder",
            "holder",
            {},
            {
              transformations: [retainData(["aws:s3/bucket:Bucket", "aws:glue/catalogDatabase:CatalogDatabase"])],
            },
          );
          return new HistoryLake("history", { bufferIntervalSeconds: 60, databaseName: "mcjobs_prod" }, { parent });
        },
        { ...STACK, deployment },
      );
    const found = collisions(await lake("first"), await lake("after-destroy"));
    assert.deepEqual(found, ["aws:glue/catalogDatabase:CatalogDatabase mcjobs_prod"]);
  });

  it("without retainData nothing is kept", async () => {
    const run = await runModule(INDEX, { ...STACK, config: { retainData: "false" } });
    assert.deepEqual(
      run.resources.filter((r) => r.retainOnDelete).map((r) => r.name),
      [],
    );
    for (const t of run.all("aws:dynamodb/table:Table")) assert.equal(t.inputs.deletionProtectionEnabled, false, t.name);
    for (const b of run.all("aws:s3/bucket:Bucket")) assert.equal(b.inputs.forceDestroy, true, b.name);
  });
});
