/**
 * The local lake reader (lib/sql/duckdb.ts): views per dataset, empty typed views before any file exists, partition
 * filters that open only their folder, and files of an older schema merged by column name.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import * as clients from "../../../lib/adapters/clients";
import { FirehoseDelivery } from "../../../lib/adapters/delivery";
import { DATASETS, DATASET_NAMES } from "../../../lib/domain/history";
import { startLocalFirehose } from "../../../tools/twin/firehose/server";
import { LocalLake, viewSql } from "../../../lib/sql/duckdb";

function jobRow(id: string) {
  return {
    job_id: id,
    status: "COMPLETE",
    created_at: 1,
    created_date: "2024-01-01",
    last_event_at: 2,
    job_event_count: 3,
    event_key: `k-${id}`,
    recorded_at: 4,
    speed: 1.5,
  };
}

describe("history: local lake reader", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-lake-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("an empty lake has every table, typed, with no rows (queries run before the first delivery)", async () => {
    const lake = await LocalLake.open(dir);
    try {
      for (const ds of DATASET_NAMES) {
        const r = await lake.query(`SELECT * FROM ${ds}`);
        assert.deepEqual(r.rows, []);
        assert.deepEqual(r.columns, [...DATASETS[ds].columns.map((c) => c.name), "dt"]);
      }
    } finally {
      lake.close();
    }
  });

  it("merges files written with an older schema by column name (new columns read as null)", async () => {
    const clock = Date.UTC(2024, 0, 2);
    const fh = await startLocalFirehose({ lakeDir: dir, streams: { jb: "jobs" }, now: () => clock });
    const d = new FirehoseDelivery(clients.firehose({ AWS_REGION: "us-east-1", ...fh.env }));
    await d.put("jb", [jobRow("new")]);
    await fh.stop();
    assert.doesNotMatch(viewSql(dir, "jobs"), /union_by_name/, "only current-schema files: bind on one footer");
    // A file from before `speed` and most other columns existed.
    const oldDir = path.join(dir, "jobs", "dt=2024-01-01");
    fs.mkdirSync(oldDir, { recursive: true });
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT 'old' AS job_id, 'ERROR' AS status, 1::BIGINT AS created_at, '2024-01-01' AS created_date, 2::BIGINT AS last_event_at, ` +
        `1 AS job_event_count, 'k-old' AS event_key, 3::BIGINT AS recorded_at) TO '${oldDir}/jobs-old.parquet' (FORMAT parquet)`,
    );
    conn.closeSync();
    assert.match(viewSql(dir, "jobs"), /union_by_name = true/);
    const lake = await LocalLake.open(dir);
    try {
      const r = await lake.query("SELECT job_id, status, speed, dt FROM jobs ORDER BY job_id");
      assert.deepEqual(r.rows, [
        { job_id: "new", status: "COMPLETE", speed: 1.5, dt: "2024-01-02" },
        { job_id: "old", status: "ERROR", speed: null, dt: "2024-01-01" },
      ]);
      const one = await lake.query("SELECT count(*) AS n FROM jobs WHERE dt = '2024-01-02'");
      assert.equal(one.rows[0].n, 1);
    } finally {
      lake.close();
    }
  });
});
