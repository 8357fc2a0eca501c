/**
 * The local Firehose endpoint: speaks the Firehose JSON protocol to the real SDK client, writes Parquet with the
 * dataset's exact columns and types under the same dt= prefix as AWS, sends unconvertible records to the error
 * prefix. What it answers as Firehose (operations, limits, errors) is in contract/firehose.test.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PutRecordBatchCommand, PutRecordCommand } from "@aws-sdk/client-firehose";
import { DuckDBInstance } from "@duckdb/node-api";
import * as clients from "../../../lib/adapters/clients";
import { DATASETS, DUCKDB_TYPES } from "../../../lib/domain/history";
import { startLocalFirehose } from "../../../tools/twin/firehose/server";

const enc = (o: unknown) => new TextEncoder().encode(`${JSON.stringify(o)}\n`);

describe("history: local Firehose endpoint", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-fh-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes Parquet with the schema's columns and types under <dataset>/dt=<arrival day>/, bad records to the error prefix", async () => {
    const arrival = Date.UTC(2024, 5, 30, 23, 59, 0);
    const fh = await startLocalFirehose({ lakeDir: dir, streams: { ev: "job_events" }, now: () => arrival });
    const client = clients.firehose({ AWS_REGION: "us-east-1", ...fh.env });
    const good = {
      event_key: "1719791940000#COMPLETE#e1",
      event_id: "e1",
      job_id: "1719791000000-abc123",
      status: "COMPLETE",
      event_time: 1719791940000,
      event_date: "2024-06-30",
      job_status: "COMPLETE",
      job_created_at: 1719791000000,
      job_created_date: "2024-06-30",
      job_event_count: 4,
      recorded_at: 1719791941000,
      percent_complete: null,
    };
    const res = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: "ev",
        Records: [{ Data: enc(good) }, { Data: enc({ ...good, event_time: "yesterday" }) }, { Data: new TextEncoder().encode("{oops") }],
      }),
    );
    assert.equal(res.FailedPutCount, 0, "conversion errors are not put errors");
    await client.send(
      new PutRecordCommand({ DeliveryStreamName: "ev", Record: { Data: enc({ ...good, event_id: "e2", event_key: "k2" }) } }),
    );
    await fh.stop();

    const files = fs.readdirSync(path.join(dir, "job_events", "dt=2024-06-30"));
    assert.equal(files.length, 1);
    assert.match(files[0], /\.parquet$/);
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const file = path.join(dir, "job_events", "dt=2024-06-30", files[0]);
    const schema = (
      await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)
    ).getRowObjectsJS();
    assert.deepEqual(
      schema.map((r) => [r.column_name, r.column_type]),
      DATASETS.job_events.columns.map((c) => [c.name, DUCKDB_TYPES[c.type]]),
    );
    const rows = (
      await conn.runAndReadAll(
        `SELECT event_id, percent_complete, event_time FROM read_parquet('${file}', hive_partitioning = false) ORDER BY event_id`,
      )
    ).getRowObjectsJS();
    assert.deepEqual(rows, [
      { event_id: "e1", percent_complete: null, event_time: 1719791940000n },
      { event_id: "e2", percent_complete: null, event_time: 1719791940000n },
    ]);
    conn.closeSync();

    const errDir = path.join(dir, "errors", "job_events", "format-conversion-failed", "dt=2024-06-30");
    const errLines = fs
      .readdirSync(errDir)
      .flatMap((f) => fs.readFileSync(path.join(errDir, f), "utf8").trim().split("\n"))
      .map((l) => JSON.parse(l));
    assert.equal(errLines.length, 2);
    assert.ok(errLines.every((e) => e.errorCode === "DataFormatConversion.MalformedData" && typeof e.rawData === "string"));
    assert.ok(errLines.some((e) => /event_time/.test(e.errorMessage)));
    assert.ok(errLines.some((e) => /not JSON/.test(e.errorMessage)));
    assert.equal(Buffer.from(errLines.find((e) => /not JSON/.test(e.errorMessage)).rawData, "base64").toString(), "{oops");
  });

  it("flushes on its own when the buffer interval passes", async () => {
    const fh = await startLocalFirehose({ lakeDir: dir, streams: { ev: "job_events" }, bufferIntervalMs: 100 });
    const client = clients.firehose({ AWS_REGION: "us-east-1", ...fh.env });
    try {
      await client.send(new PutRecordCommand({ DeliveryStreamName: "ev", Record: { Data: enc({ bad: true }) } }));
      const deadline = Date.now() + 5000;
      while (fh.stats.errorRows === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(fh.stats.errorRows, 1);
    } finally {
      await fh.stop();
    }
  });
});
