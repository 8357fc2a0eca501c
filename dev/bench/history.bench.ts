/**
 * History bench: bytes DuckDB reads to answer "yesterday by queue" over 30 days of history.
 *
 * The lake is written the way the pipeline writes it: `jobs` rows through the local Firehose endpoint, one day
 * at a time (its clock set to that day), so Parquet files land under `jobs/dt=YYYY-MM-DD/`. The baseline is the
 * same rows as one unpartitioned newline-delimited JSON file, scanned in full. A third figure shows Parquet
 * without the partition filter (column pruning and row-group statistics only).
 *
 * Bytes read are measured, not estimated: the process's `rchar` counter (/proc/self/io: bytes returned by read
 * system calls, whatever thread made them) around each query, on a fresh DuckDB instance. Every variant must
 * return the same answer.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import * as clients from "../../lib/adapters/clients";
import { FirehoseDelivery } from "../../lib/adapters/delivery";
import { DATASETS, DUCKDB_TYPES, utcDay, type HistoryRow } from "../../lib/domain/history";
import { startLocalFirehose } from "../../tools/twin/firehose/server";
import { LocalLake } from "../../lib/sql/duckdb";
import type { BenchOptions, BenchRow } from "./run";
import { seededRandom } from "../../lib/domain/random";

const DAY = 86_400_000;
const QUEUES = ["Default", "Fast", "Archive", "Live"];
const CODECS = ["H_264", "HEVC", "AV1", "MPEG2"];

const rng = seededRandom;

function jobRowFor(i: number, dayStart: number, r: () => number): HistoryRow {
  const created = dayStart + Math.floor(r() * (DAY - 3_600_000));
  const wait = Math.floor(r() * 60_000);
  const tx = 10_000 + Math.floor(r() * 600_000);
  const finished = created + wait + tx;
  const failed = r() < 0.05;
  const dur = Math.floor(tx * (0.5 + r() * 3));
  const jobId = `${created}-b${i.toString(36).padStart(5, "0")}`;
  return {
    job_id: jobId,
    status: failed ? "ERROR" : "COMPLETE",
    arn: `arn:aws:mediaconvert:us-east-1:111122223333:jobs/${jobId}`,
    account_id: "111122223333",
    region: "us-east-1",
    queue: `arn:aws:mediaconvert:us-east-1:111122223333:queues/${QUEUES[i % QUEUES.length]}`,
    queue_name: QUEUES[i % QUEUES.length],
    application: "bench",
    user_metadata: '{"application":"bench"}',
    created_at: created,
    created_date: utcDay(created),
    progressing_at: created + wait,
    finished_at: finished,
    finished_date: utcDay(finished),
    last_event_at: finished,
    queued_ms: wait,
    transcoding_ms: tx,
    speed: failed ? null : dur / tx,
    input_uri: `s3://bench-inputs/${jobId}.mov`,
    input_container: "QuickTime",
    input_duration_ms: dur,
    input_video_codec: CODECS[i % CODECS.length],
    input_width: 1920,
    input_height: 1080,
    input_frame_rate: 25,
    input_resolution: "1920x1080",
    output_count: 3,
    warning_count: 0,
    error_code: failed ? 1040 : null,
    error_message: failed ? "Input file could not be read" : null,
    error_category: failed ? "input" : null,
    queue_hop_count: 0,
    job_event_count: 6,
    event_key: `${String(finished).padStart(13, "0")}#COMPLETE#${jobId}`,
    recorded_at: finished + 500,
  };
}

function rchar(): number {
  const m = /rchar:\s*(\d+)/.exec(fs.readFileSync("/proc/self/io", "utf8"));
  if (!m) throw new Error("/proc/self/io has no rchar line (Linux only)");
  return Number(m[1]);
}

async function measured(
  run: () => Promise<Record<string, unknown>[]>,
): Promise<{ bytes: number; ms: number; rows: Record<string, unknown>[] }> {
  const before = rchar();
  const t0 = Date.now();
  const rows = await run();
  return { bytes: rchar() - before, ms: Date.now() - t0, rows };
}

function normal(rows: Record<string, unknown>[]): string {
  return JSON.stringify(rows.map((r) => ({ q: r.queue_name, n: Number(r.jobs), tx: Math.round(Number(r.avg_tx)) })));
}

export default async function bench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const perDay = quick ? 1_500 : 15_000;
  const days = 30;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-bench-history-"));
  const lakeDir = path.join(root, "lake");
  const jsonFile = path.join(root, "jobs-all.json");
  try {
    const today = Date.UTC(2024, 4, 31);
    let clock = today;
    const fh = await startLocalFirehose({ lakeDir, streams: { jb: "jobs" }, now: () => clock, bufferBytes: 64 * 1024 * 1024 });
    const client = clients.firehose({ AWS_REGION: "us-east-1", ...fh.env });
    const delivery = new FirehoseDelivery(client);
    const json = fs.openSync(jsonFile, "w");
    const r = rng(1);
    let n = 0;
    for (let d = days; d >= 1; d--) {
      const dayStart = today - d * DAY;
      const rows = Array.from({ length: perDay }, () => jobRowFor(n++, dayStart, r));
      // Rows arrive at Firehose on the day their job finished (a job finishing after midnight lands the next day).
      for (const day of [0, 1]) {
        clock = dayStart + day * DAY + 1000;
        const batch = rows.filter((row) => row.finished_date === utcDay(clock));
        if (batch.length === 0) continue;
        const res = await delivery.put("jb", batch);
        if (res.undelivered.length) throw new Error(`${res.undelivered.length} rows not delivered`);
        await fh.flush();
      }
      fs.writeSync(json, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    }
    fs.closeSync(json);
    await fh.stop();
    client.destroy();

    const yesterday = utcDay(today - DAY);
    const select = "SELECT queue_name, count(*) AS jobs, avg(transcoding_ms) AS avg_tx";
    const partitioned = await measured(async () => {
      const lake = await LocalLake.open(lakeDir);
      try {
        return (await lake.query(`${select} FROM jobs WHERE dt = '${yesterday}' GROUP BY queue_name ORDER BY queue_name`)).rows;
      } finally {
        lake.close();
      }
    });
    const unpruned = await measured(async () => {
      const lake = await LocalLake.open(lakeDir);
      try {
        return (await lake.query(`${select} FROM jobs WHERE finished_date = '${yesterday}' GROUP BY queue_name ORDER BY queue_name`)).rows;
      } finally {
        lake.close();
      }
    });
    const columns = `{${DATASETS.jobs.columns.map((c) => `'${c.name}': '${DUCKDB_TYPES[c.type]}'`).join(", ")}}`;
    const fullJson = await measured(async () => {
      const db = await DuckDBInstance.create(":memory:");
      const conn = await db.connect();
      try {
        const reader = await conn.runAndReadAll(
          `${select} FROM read_json('${jsonFile}', format = 'newline_delimited', columns = ${columns}) WHERE finished_date = '${yesterday}' GROUP BY queue_name ORDER BY queue_name`,
        );
        return reader.getRowObjectsJS() as Record<string, unknown>[];
      } finally {
        conn.closeSync();
      }
    });
    if (normal(partitioned.rows) !== normal(fullJson.rows) || normal(unpruned.rows) !== normal(fullJson.rows)) {
      throw new Error(
        `answers differ: partitioned ${normal(partitioned.rows)} vs JSON ${normal(fullJson.rows)} vs unpruned ${normal(unpruned.rows)}`,
      );
    }
    const lakeBytes = fs
      .readdirSync(path.join(lakeDir, "jobs"))
      .flatMap((d) => fs.readdirSync(path.join(lakeDir, "jobs", d)).map((f) => fs.statSync(path.join(lakeDir, "jobs", d, f)).size))
      .reduce((a, b) => a + b, 0);
    const yBytes = fs
      .readdirSync(path.join(lakeDir, "jobs", `dt=${yesterday}`))
      .map((f) => fs.statSync(path.join(lakeDir, "jobs", `dt=${yesterday}`, f)).size)
      .reduce((a, b) => a + b, 0);
    const jsonBytes = fs.statSync(jsonFile).size;
    const suite = "history";
    const rowsNote = `${days} days × ${perDay} jobs; Parquet lake ${(lakeBytes / 1e6).toFixed(1)} MB, JSON ${(jsonBytes / 1e6).toFixed(1)} MB`;
    return [
      {
        suite,
        metric: "bytes read: yesterday by queue (Parquet, dt partition)",
        value: partitioned.bytes,
        unit: "bytes",
        baseline: { name: "full scan of unpartitioned JSON", value: fullJson.bytes },
        note: `${rowsNote}; yesterday's partition ${(yBytes / 1e3).toFixed(0)} kB; ${partitioned.ms} ms vs ${fullJson.ms} ms`,
      },
      {
        suite,
        metric: "bytes read: yesterday by queue (Parquet, no partition filter)",
        value: unpruned.bytes,
        unit: "bytes",
        baseline: { name: "full scan of unpartitioned JSON", value: fullJson.bytes },
        note: `column pruning + row-group statistics only; ${unpruned.ms} ms`,
      },
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
