/**
 * lib/adapters/delivery.ts against the local Firehose endpoint: full batches, per-record retry of FailedPutCount,
 * bounded attempts, oversized rows, whole-call failures.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as clients from "../../../lib/adapters/clients";
import { FirehoseDelivery, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, encodeRow, packBatches } from "../../../lib/adapters/delivery";
import { startLocalFirehose, type LocalFirehose } from "../../../tools/twin/firehose/server";
import { LocalLake } from "../../../lib/sql/duckdb";

function row(n: number, pad = 0) {
  return {
    row_id: `w#shard#q${n}`,
    window_start: n,
    window_end: n + 1,
    window_date: "2024-03-04",
    shard_id: "shardId-000000000000",
    queue_name: `q${n}${"x".repeat(pad)}`,
    jobs_started: n,
    jobs_completed: 0,
    jobs_failed: 0,
    jobs_canceled: 0,
    events: 1,
    sample_size: 0,
    emitted_at: 1,
  };
}

describe("history: Firehose delivery (PutRecordBatch)", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const running: LocalFirehose[] = [];
  const env = { AWS_REGION: "us-east-1" };
  async function firehose(faults?: { recordFailureRate: number; random?: () => number }) {
    const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-delivery-"));
    dirs.push(lakeDir);
    const fh = await startLocalFirehose({ lakeDir, streams: { qm: "queue_metrics" }, faults });
    running.push(fh);
    return { fh, lakeDir, client: clients.firehose({ ...env, ...fh.env }) };
  }
  after(async () => {
    for (const fh of running) await fh.stop().catch(() => undefined);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("packs batches up to 500 records and 4 MiB, in order", () => {
    const small = Array.from({ length: 1201 }, (_, i) => ({ i, data: new Uint8Array(10) }));
    const batches = packBatches(small);
    assert.deepEqual(
      batches.map((b) => b.length),
      [500, 500, 201],
    );
    assert.deepEqual(
      batches.flat().map((r) => r.i),
      small.map((r) => r.i),
    );
    const big = Array.from({ length: 10 }, (_, i) => ({ i, data: new Uint8Array(900 * 1024) }));
    const bigBatches = packBatches(big);
    for (const b of bigBatches) assert.ok(b.reduce((n, r) => n + r.data.byteLength, 0) <= MAX_BATCH_BYTES);
    assert.deepEqual(
      bigBatches.map((b) => b.length),
      [4, 4, 2],
    );
    assert.ok(MAX_BATCH_RECORDS === 500);
  });

  it("delivers 1,200 rows in 3 full calls and they all land in Parquet", async () => {
    const { fh, lakeDir, client } = await firehose();
    const d = new FirehoseDelivery(client);
    const rows = Array.from({ length: 1200 }, (_, i) => row(i));
    const res = await d.put("qm", rows);
    assert.equal(res.delivered, 1200);
    assert.deepEqual(res.undelivered, []);
    assert.equal(res.calls, 3);
    await fh.flush();
    const lake = await LocalLake.open(lakeDir);
    const q = await lake.query("SELECT count(*) AS n, count(DISTINCT row_id) AS ids, sum(jobs_started) AS s FROM queue_metrics");
    lake.close();
    assert.deepEqual(q.rows[0], { n: 1200, ids: 1200, s: (1199 * 1200) / 2 });
  });

  it("re-sends only the records Firehose rejected (FailedPutCount), until all are in", async () => {
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 48271) >>> 0) % 2147483647;
      return seed / 2147483647;
    };
    const { fh, lakeDir, client } = await firehose({ recordFailureRate: 0.3, random });
    const sleeps: number[] = [];
    const d = new FirehoseDelivery(client, { maxAttempts: 10, sleep: async (ms) => void sleeps.push(ms) });
    const rows = Array.from({ length: 700 }, (_, i) => row(i));
    const res = await d.put("qm", rows);
    assert.equal(res.undelivered.length, 0);
    assert.equal(res.delivered, 700);
    assert.ok(fh.stats.recordsRejected > 100, `faults should have rejected records (got ${fh.stats.recordsRejected})`);
    // Only rejected records are re-sent: total sent = rows + rejections.
    assert.equal(res.recordsSent, 700 + fh.stats.recordsRejected);
    assert.ok(sleeps.length >= 1);
    await fh.flush();
    const lake = await LocalLake.open(lakeDir);
    const q = await lake.query("SELECT count(*) AS n, count(DISTINCT row_id) AS ids FROM queue_metrics");
    lake.close();
    assert.deepEqual(q.rows[0], { n: 700, ids: 700 }, "each row exactly once");
  });

  it("gives up after maxAttempts and names the rows and the reason", async () => {
    const { client } = await firehose({ recordFailureRate: 1 });
    const d = new FirehoseDelivery(client, { maxAttempts: 3, sleep: async () => undefined });
    const res = await d.put("qm", [row(1), row(2)]);
    assert.equal(res.delivered, 0);
    assert.deepEqual(
      res.undelivered.map((u) => u.index),
      [0, 1],
    );
    assert.equal(res.undelivered[0].errorCode, "ServiceUnavailableException");
    assert.match(res.undelivered[0].errorMessage, /after 3 attempts/);
    assert.equal(res.calls, 3);
  });

  it("reports a whole-call failure (unknown stream) per row, and an oversized row without sending it", async () => {
    const { client } = await firehose();
    const d = new FirehoseDelivery(client, { maxAttempts: 2, sleep: async () => undefined });
    const res = await d.put("no-such-stream", [row(1)]);
    assert.equal(res.undelivered.length, 1);
    assert.equal(res.undelivered[0].errorCode, "ResourceNotFoundException");
    const huge = row(2, 1100 * 1024);
    assert.ok(encodeRow(huge).byteLength > 1000 * 1024);
    const res2 = await d.put("qm", [row(3), huge]);
    assert.equal(res2.delivered, 1);
    assert.deepEqual(
      res2.undelivered.map((u) => [u.index, u.errorCode]),
      [[1, "RecordTooLarge"]],
    );
  });
});
