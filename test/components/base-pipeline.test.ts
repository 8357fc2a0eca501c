import { strict as assert } from "node:assert";
import { BasePipeline } from "../../components/base-pipeline";
import { JOBS_TABLE, EVENTS_TABLE, TTL_ATTRIBUTE } from "../../lib/domain/tables";
import { runProgram, outputOf, policyStatements, asList, MOCK_ACCOUNT } from "../support/pulumi-harness";

const TABLE = "aws:dynamodb/table:Table";

describe("infra: BasePipeline", () => {
  it("lays out the four tables from lib/domain/tables.ts with TTL, on-demand, PITR and KMS", async () => {
    const run = await runProgram(
      () => new BasePipeline("p", { tableTTLDays: 30, streamTTLHours: 48, useStreams: true, retainData: false }),
      {
        region: "eu-west-1",
      },
    );
    const key = run.one("aws:kms/key:Key");
    assert.equal(key.inputs.enableKeyRotation, true);
    const tables = run.all(TABLE);
    assert.deepEqual(tables.map((t) => t.name).sort(), ["p-config", "p-events", "p-jobs", "p-queues"]);
    for (const t of tables) {
      assert.deepEqual(t.inputs.ttl, { attributeName: TTL_ATTRIBUTE, enabled: true }, t.name);
      assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
      assert.equal(t.inputs.pointInTimeRecovery.enabled, true);
      assert.equal(t.inputs.serverSideEncryption.enabled, true);
      assert.equal(t.inputs.serverSideEncryption.kmsKeyArn, key.state.arn);
      assert.equal(t.inputs.deletionProtectionEnabled, false);
    }
    const jobs = run.one(TABLE, "p-jobs");
    assert.equal(jobs.inputs.hashKey, JOBS_TABLE.partitionKey.name);
    assert.deepEqual(
      jobs.inputs.globalSecondaryIndexes.map((g: any) => [g.name, g.hashKey, g.rangeKey, g.projectionType]),
      JOBS_TABLE.globalSecondaryIndexes.map((g) => [g.name, g.partitionKey.name, g.sortKey?.name, "ALL"]),
    );
    assert.deepEqual(jobs.inputs.attributes.map((a: any) => `${a.name}:${a.type}`).sort(), [
      "createdAt:N",
      "inputNameKey:S",
      "inputShard:S",
      "jobId:S",
      "queueName:S",
      "queueStatus:S",
      "status:S",
    ]);
    const events = run.one(TABLE, "p-events");
    assert.equal(events.inputs.hashKey, EVENTS_TABLE.partitionKey.name);
    assert.equal(events.inputs.rangeKey, EVENTS_TABLE.sortKey!.name);
    // The key policy lets CloudWatch Logs of this region use it, only for this account's log groups.
    const logs = policyStatements(key.inputs.policy).find((s) => JSON.stringify(s.Principal).includes("logs.eu-west-1.amazonaws.com"));
    assert.ok(logs, "no statement for CloudWatch Logs");
    assert.match(JSON.stringify(logs.Condition), new RegExp(`arn:aws:logs:eu-west-1:${MOCK_ACCOUNT}:log-group:\\*`));
  });

  it("creates an on-demand, KMS-encrypted stream with retention = streamTTL hours", async () => {
    const run = await runProgram(
      () => new BasePipeline("p", { tableTTLDays: 30, streamTTLHours: 168, useStreams: true, retainData: true }),
    );
    const s = run.one("aws:kinesis/stream:Stream");
    assert.equal(s.inputs.retentionPeriod, 168);
    assert.equal(s.inputs.streamModeDetails.streamMode, "ON_DEMAND");
    assert.equal(s.inputs.shardCount, undefined);
    assert.equal(s.inputs.encryptionType, "KMS");
    assert.equal(s.inputs.kmsKeyId, run.one("aws:kms/key:Key").state.arn);
    assert.equal(await outputOf(run.result.streamName!), s.state.name);
    for (const t of run.all(TABLE)) assert.equal(t.inputs.deletionProtectionEnabled, true);
    // With retainData the tables and the key stay on destroy; the stream, a buffer, does not.
    assert.deepEqual(
      run.resources
        .filter((r) => r.retainOnDelete)
        .map((r) => r.name)
        .sort(),
      ["p-config", "p-events", "p-jobs", "p-key", "p-queues"],
    );
    assert.equal(s.retainOnDelete, false);
  });

  it("leaves the stream out when useStreams is false, and the environment says so", async () => {
    const run = await runProgram(() => {
      const p = new BasePipeline("p", { tableTTLDays: 5, streamTTLHours: 24, useStreams: false, retainData: false });
      return { p, env: p.environment() };
    });
    assert.equal(run.all("aws:kinesis/stream:Stream").length, 0);
    assert.equal(run.result.p.streamArn, undefined);
    assert.equal(run.result.env.USE_STREAMS, "false");
    assert.equal(run.result.env.TABLE_TTL_DAYS, "5");
    assert.equal(run.result.env.STREAM_NAME, undefined);
    assert.equal(await outputOf(run.result.env.JOBS_TABLE), run.one(TABLE, "p-jobs").state.name);
  });

  it("writes the runtime settings into the Config table, one item per key, with no expiry", async () => {
    const run = await runProgram(
      () =>
        new BasePipeline("p", {
          tableTTLDays: 7,
          streamTTLHours: 24,
          useStreams: true,
          retainData: false,
          runtimeSettings: { bufferInterval: 120, application: "studio" },
        }),
    );
    const items = run.all("aws:dynamodb/tableItem:TableItem");
    const config = run.one(TABLE, "p-config");
    const byKey = new Map(items.map((i) => [JSON.parse(i.inputs.item).key.S, JSON.parse(i.inputs.item)]));
    for (const i of items) {
      assert.equal(i.inputs.tableName, config.state.name);
      assert.equal(i.inputs.hashKey, "key");
    }
    assert.deepEqual(byKey.get("tableTTL").value, { N: "7" });
    assert.deepEqual(byKey.get("bufferInterval").value, { N: "120" });
    assert.deepEqual(byKey.get("application").value, { S: "studio" });
    assert.deepEqual(byKey.get("useStreams").value, { BOOL: true });
    for (const item of byKey.values()) assert.equal(item[TTL_ATTRIBUTE], undefined);
  });

  it("refuses a streamTTL outside 24–8760 hours", async () => {
    await assert.rejects(
      runProgram(() => new BasePipeline("p", { tableTTLDays: 7, streamTTLHours: 12, useStreams: true, retainData: false })),
      /streamTTLHours = 12 is out of range: 24–8760 hours/,
    );
  });

  it("grants consumers read access to exactly the stream and key", async () => {
    const run = await runProgram(() => {
      const p = new BasePipeline("p", { tableTTLDays: 7, streamTTLHours: 24, useStreams: true, retainData: false });
      return p.streamReadStatements();
    });
    const resolved = await Promise.all(run.result.map(async (s) => ({ actions: s.actions, resources: await outputOf(s.resources) })));
    const streamArn = run.one("aws:kinesis/stream:Stream").state.arn;
    assert.deepEqual(resolved[0].resources, [streamArn]);
    assert.deepEqual(await outputOf(run.result[1].condition!), { StringEquals: { "kms:ViaService": ["kinesis.us-east-1.amazonaws.com"] } });
    for (const s of resolved) for (const a of asList(s.actions)) assert.ok(!a.includes("*"));
  });
});
