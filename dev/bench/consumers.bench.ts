/**
 * Consumers bench: the history consumer under load (Kinesis batches of 500 stream records) writing through the
 * local Firehose endpoint, beside a naive consumer measured in the same run that sends each row with its own
 * PutRecord call. Figures: records/s, rows per Firehose call, and the same with 10% of records rejected by
 * Firehose (per-record retries). The analytics fold is measured too, against the history consumer's rate.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PutRecordCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import type { KinesisStreamEvent, KinesisStreamRecord, KinesisStreamTumblingWindowEvent } from "aws-lambda";
import * as clients from "../../lib/adapters/clients";
import { FirehoseDelivery, encodeRow } from "../../lib/adapters/delivery";
import { createAnalyticsHandler } from "../../lib/consumers/analytics";
import { createHistoryHandler } from "../../lib/consumers/history";
import { flatten, parseKinesisData } from "../../lib/domain/history-rows";
import { encodeStreamRecord } from "../../lib/domain/stream-record";
import { startLocalFirehose } from "../../tools/twin/firehose/server";
import { KNOWN_JOBS, recordsOfJob } from "../../test/support/known-jobs";
import type { BenchOptions, BenchRow } from "./run";

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };

/** `n` Kinesis records: the known jobs' stream records, re-labelled so every copy is a distinct job. */
function makeRecords(n: number): KinesisStreamRecord[] {
  const templates = KNOWN_JOBS.flatMap((_, j) => recordsOfJob(j)).map((r) => Buffer.from(encodeStreamRecord(r)).toString("utf8"));
  const out: KinesisStreamRecord[] = [];
  for (let i = 0; out.length < n; i++) {
    for (const t of templates) {
      if (out.length >= n) break;
      const text = t.replace(/-k(\d{5})/g, (_, d) => `-c${i}k${d}`);
      const seq = String(out.length + 1).padStart(20, "0");
      out.push({
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: "p",
          sequenceNumber: seq,
          data: Buffer.from(text).toString("base64"),
          approximateArrivalTimestamp: 0,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `shardId-000000000000:${seq}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::123456789012:role/bench",
        awsRegion: "us-east-1",
        eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/bench",
      });
    }
  }
  return out;
}

async function runHistory(records: KinesisStreamRecord[], batchSize: number, failureRate: number) {
  const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-bench-consumers-"));
  let seed = 99;
  const fh = await startLocalFirehose({
    lakeDir,
    streams: { je: "job_events", jb: "jobs" },
    faults: {
      recordFailureRate: failureRate,
      random: () => {
        seed = (Math.imul(seed, 48271) >>> 0) % 2147483647;
        return seed / 2147483647;
      },
    },
  });
  const client = clients.firehose({ AWS_REGION: "us-east-1", ...fh.env });
  const delivery = new FirehoseDelivery(client, { baseDelayMs: 2, maxDelayMs: 20, maxAttempts: 10 });
  const handler = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger: quiet });
  let failed = 0;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < records.length; k += batchSize) {
    const out = await handler({ Records: records.slice(k, k + batchSize) } as KinesisStreamEvent);
    failed += out.batchItemFailures.length;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await fh.stop();
  client.destroy();
  fs.rmSync(lakeDir, { recursive: true, force: true });
  if (failed) throw new Error(`${failed} records were not delivered`);
  return { rate: records.length / secs, rowsPerCall: delivery.stats.recordsSent / delivery.stats.calls, rows: fh.stats.rowsWritten };
}

/** The baseline: validate and flatten the same way, then one PutRecord per row. */
async function runNaive(records: KinesisStreamRecord[]) {
  const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-bench-naive-"));
  const fh = await startLocalFirehose({ lakeDir, streams: { je: "job_events", jb: "jobs" } });
  const client: FirehoseClient = clients.firehose({ AWS_REGION: "us-east-1", ...fh.env });
  let calls = 0;
  let rows = 0;
  const t0 = process.hrtime.bigint();
  for (const r of records) {
    const p = parseKinesisData(r.kinesis.data);
    if (!p.ok) continue;
    const flat = flatten(p.record);
    if (!flat.ok) continue;
    for (const [stream, row] of [
      ["je", flat.rows.jobEvent],
      ["jb", flat.rows.job],
    ] as const) {
      if (!row) continue;
      await client.send(new PutRecordCommand({ DeliveryStreamName: stream, Record: { Data: encodeRow(row) } }));
      calls++;
      rows++;
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await fh.stop();
  client.destroy();
  fs.rmSync(lakeDir, { recursive: true, force: true });
  return { rate: records.length / secs, rowsPerCall: rows / calls };
}

async function runAnalytics(records: KinesisStreamRecord[], batchSize: number) {
  const sink = { put: async () => ({ undelivered: [] }) };
  const handler = createAnalyticsHandler({ delivery: sink, stream: "qm", logger: quiet });
  const window = { start: "2024-01-01T00:00:00Z", end: "2024-01-01T00:05:00Z" };
  let state: Record<string, unknown> = {};
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < records.length; k += batchSize) {
    const res = await handler({
      Records: records.slice(k, k + batchSize),
      window,
      state,
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    } as KinesisStreamTumblingWindowEvent);
    state = res.state;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rate: records.length / secs, stateBytes: JSON.stringify(state).length };
}

export default async function bench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const n = quick ? 5_000 : 50_000;
  const naiveN = quick ? 500 : 2_000;
  const batchSize = 500;
  const records = makeRecords(n);
  await runHistory(records.slice(0, 1000), batchSize, 0); // warm-up (JIT, DuckDB, sockets), not measured
  const history = await runHistory(records, batchSize, 0);
  const faulty = await runHistory(records, batchSize, 0.1);
  if (faulty.rows !== history.rows)
    throw new Error(`with rejections ${faulty.rows} rows landed, without ${history.rows}: rows were lost or doubled`);
  const naive = await runNaive(records.slice(0, naiveN));
  const analytics = await runAnalytics(records, 1000);
  const suite = "consumers";
  return [
    {
      suite,
      metric: "history records/s (PutRecordBatch)",
      value: history.rate,
      unit: "records/s",
      baseline: { name: "one PutRecord per row", value: naive.rate },
      note: `${n} stream records in Kinesis batches of ${batchSize} → ${history.rows} rows; baseline on ${naiveN}`,
    },
    {
      suite,
      metric: "rows per Firehose call",
      value: history.rowsPerCall,
      unit: "rows/call",
      baseline: { name: "one PutRecord per row", value: naive.rowsPerCall },
    },
    {
      suite,
      metric: "history records/s, 10% of records rejected",
      value: faulty.rate,
      unit: "records/s",
      baseline: { name: "no rejections", value: history.rate },
      note: `rows per call ${faulty.rowsPerCall.toFixed(1)} incl. per-record retries; nothing lost`,
    },
    {
      suite,
      metric: "analytics records/s (window fold)",
      value: analytics.rate,
      unit: "records/s",
      baseline: { name: "history consumer", value: history.rate },
      note: `window state ${analytics.stateBytes} bytes after ${n} records (bounded)`,
    },
  ];
}
