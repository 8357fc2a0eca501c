/**
 * The two consumer Lambdas, invoked with Kinesis events, writing through the local Firehose endpoint.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { KinesisStreamEvent, KinesisStreamRecord, KinesisStreamTumblingWindowEvent } from "aws-lambda";
import { Metrics } from "@aws-lambda-powertools/metrics";
import fc from "fast-check";
import * as clients from "../../lib/adapters/clients";
import { FirehoseDelivery } from "../../lib/adapters/delivery";
import { createAnalyticsHandler } from "../../lib/consumers/analytics";
import { memoryDeadLetter } from "../../lib/adapters/dead-letter";
import { createHistoryHandler } from "../../lib/consumers/history";
import { flatten, jobEventRow, jobRow } from "../../lib/domain/history-rows";
import { DATASETS, rowSchema } from "../../lib/domain/history";
import { encodeStreamRecord } from "../../lib/domain/stream-record";
import { startLocalFirehose, type LocalFirehose } from "../../tools/twin/firehose/server";
import { LocalLake } from "../../lib/sql/duckdb";
import { KNOWN_JOBS, recordsOfJob } from "../support/known-jobs";

let seq = 1000;
function kinesisRecord(data: Uint8Array | string, partitionKey = "p"): KinesisStreamRecord {
  const s = String(++seq).padStart(20, "0");
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey,
      sequenceNumber: s,
      data: Buffer.from(data).toString("base64"),
      approximateArrivalTimestamp: Date.now() / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `shardId-000000000007:${s}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::123456789012:role/test",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/jobs",
  };
}

describe("history: consumers", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const running: LocalFirehose[] = [];
  const logs: { level: string; msg: string; extra: unknown }[] = [];
  const logger = {
    error: (msg: string, extra?: Record<string, unknown>) => void logs.push({ level: "error", msg, extra }),
    warn: (msg: string, extra?: Record<string, unknown>) => void logs.push({ level: "warn", msg, extra }),
    info: (msg: string, extra?: Record<string, unknown>) => void logs.push({ level: "info", msg, extra }),
  };
  async function firehose(rejectRecord?: (stream: string, data: Buffer) => boolean) {
    const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-consumers-"));
    dirs.push(lakeDir);
    const fh = await startLocalFirehose({
      lakeDir,
      streams: { je: "job_events", jb: "jobs", qm: "queue_metrics" },
      faults: { rejectRecord },
    });
    running.push(fh);
    const delivery = new FirehoseDelivery(clients.firehose({ AWS_REGION: "us-east-1", ...fh.env }), {
      maxAttempts: 2,
      sleep: async () => undefined,
    });
    return { fh, lakeDir, delivery };
  }
  after(async () => {
    for (const fh of running) await fh.stop().catch(() => undefined);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("flattens every stream record into rows that fit the dataset schemas exactly", () => {
    for (let j = 0; j < KNOWN_JOBS.length; j++) {
      for (const rec of recordsOfJob(j)) {
        const flat = flatten(rec);
        assert.ok(flat.ok, flat.ok ? "" : flat.reason);
        assert.deepEqual(Object.keys(jobEventRow(rec)).sort(), DATASETS.job_events.columns.map((c) => c.name).sort());
        const jr = jobRow(rec);
        assert.equal(jr !== undefined, ["COMPLETE", "ERROR", "CANCELED"].includes(rec.job.status));
        if (jr) assert.deepEqual(Object.keys(jr).sort(), DATASETS.jobs.columns.map((c) => c.name).sort());
      }
    }
    // A COMPLETE job's row carries its metrics.
    const last = recordsOfJob(0).at(-1)!;
    const jr = jobRow(last)!;
    assert.equal(jr.status, "COMPLETE");
    assert.equal(jr.queued_ms, KNOWN_JOBS[0].waitMs);
    assert.equal(jr.transcoding_ms, KNOWN_JOBS[0].txMs);
    assert.equal(jr.speed, KNOWN_JOBS[0].durationMs / KNOWN_JOBS[0].txMs!);
    assert.equal(jr.input_resolution, "1920x1080");
    assert.equal(jr.warning_codes, "230005");
    assert.ok(rowSchema("jobs").safeParse({ ...jr, surprise: 1 }).success === false, "unknown columns are refused");
  });

  it("history: reports exactly the undelivered records, skips invalid ones with a logged reason", async () => {
    const recs = recordsOfJob(0); // PROGRESSING, INPUT_INFORMATION, STATUS_UPDATE, NEW_WARNING, COMPLETE
    const statusUpdate = recs.find((r) => r.event.status === "STATUS_UPDATE")!;
    const complete = recs.find((r) => r.event.status === "COMPLETE")!;
    // Firehose rejects the STATUS_UPDATE's job_events row and the COMPLETE's jobs row, every time.
    const { fh, lakeDir, delivery } = await firehose((stream, data) => {
      const row = JSON.parse(data.toString());
      return (stream === "je" && row.event_key === statusUpdate.eventKey) || (stream === "jb" && row.event_key === complete.eventKey);
    });
    const handler = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger });
    const records = [
      kinesisRecord(encodeStreamRecord(recs[0])),
      kinesisRecord("this is not json"),
      kinesisRecord(encodeStreamRecord(statusUpdate)),
      kinesisRecord(JSON.stringify({ v: 1, eventKey: "x" })),
      kinesisRecord(encodeStreamRecord(complete)),
    ];
    logs.length = 0;
    const out = await handler({ Records: records } as KinesisStreamEvent);
    assert.deepEqual(out.batchItemFailures, [
      { itemIdentifier: records[2].kinesis.sequenceNumber },
      { itemIdentifier: records[4].kinesis.sequenceNumber },
    ]);
    assert.deepEqual(out.summary, { records: 5, invalid: 2, jobEventRows: 3, jobRows: 1, failed: 2 });
    const skipped = logs
      .filter((l) => l.msg === "Skipping invalid stream record")
      .map((l) => l.extra as { sequenceNumber: string; reason: string });
    assert.deepEqual(
      skipped.map((s) => s.sequenceNumber),
      [records[1].kinesis.sequenceNumber, records[3].kinesis.sequenceNumber],
    );
    assert.match(skipped[0].reason, /not JSON/);
    assert.match(skipped[1].reason, /event|job|at/);
    await fh.flush();
    const lake = await LocalLake.open(lakeDir);
    const ev = await lake.query("SELECT status FROM job_events ORDER BY event_time");
    const jobs = await lake.query("SELECT count(*) AS n FROM jobs");
    lake.close();
    assert.deepEqual(
      ev.rows.map((r) => r.status),
      ["PROGRESSING", "COMPLETE"],
    );
    assert.equal(jobs.rows[0].n, 0);
  });

  it("history: poison records go to the dead-letter queue with their reason; if that fails they are retried", async () => {
    const { delivery } = await firehose();
    const letters = memoryDeadLetter();
    const good = recordsOfJob(3)[0];
    const records = [kinesisRecord('{"v":1}', "job-x"), kinesisRecord(encodeStreamRecord(good)), kinesisRecord("\u0000garbage")];
    const handler = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger, deadLetter: letters });
    const out = await handler({ Records: records } as KinesisStreamEvent);
    assert.deepEqual(out.batchItemFailures, []);
    assert.equal(out.summary.jobEventRows, 1);
    assert.deepEqual(
      letters.letters.map((l) => [l.kind, l.raw, l.jobId]),
      [
        ["malformed", '{"v":1}', "job-x"],
        ["malformed", "\u0000garbage", "p"],
      ],
    );
    assert.match(letters.letters[0].reason, new RegExp(`stream record ${records[0].kinesis.sequenceNumber} .*not a v1 stream record`));

    const broken = { send: async () => Promise.reject(new Error("SQS is down")) };
    const h2 = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger, deadLetter: broken });
    const out2 = await h2({ Records: records } as KinesisStreamEvent);
    assert.deepEqual(
      out2.batchItemFailures.map((f) => f.itemIdentifier),
      [records[0].kinesis.sequenceNumber, records[2].kinesis.sequenceNumber],
    );
  });

  it("history: a record whose job time is out of any date's range is dead-lettered naming the field (fuzz found it)", async () => {
    const { delivery } = await firehose();
    const letters = memoryDeadLetter();
    const bad = JSON.parse(Buffer.from(encodeStreamRecord(recordsOfJob(1)[0])).toString("utf8"));
    bad.job.createdAt = -8640000000000001;
    const handler = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger, deadLetter: letters });
    const out = await handler({ Records: [kinesisRecord(JSON.stringify(bad))] } as KinesisStreamEvent);
    assert.deepEqual(out.batchItemFailures, []);
    assert.equal(letters.letters.length, 1);
    assert.match(letters.letters[0].reason, /job\.createdAt.*epoch-ms/);
  });

  it("history: fuzzed stream records (mutated real ones): never throws; each record is delivered or dead-lettered", async () => {
    const { fh, delivery } = await firehose();
    const templates = KNOWN_JOBS.flatMap((_, j) => recordsOfJob(j)).map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
    const mutate = (obj: Record<string, unknown>, path: string[], value: unknown, del: boolean) => {
      let cur: Record<string, unknown> = obj;
      for (const k of path.slice(0, -1)) {
        const next = cur[k];
        if (!next || typeof next !== "object") return;
        cur = next as Record<string, unknown>;
      }
      const last = path[path.length - 1];
      if (del) delete cur[last];
      else cur[last] = value;
    };
    const paths = [
      ["v"],
      ["eventKey"],
      ["at"],
      ["event"],
      ["event", "status"],
      ["event", "timestamp"],
      ["event", "jobId"],
      ["event", "warningCode"],
      ["job"],
      ["job", "status"],
      ["job", "createdAt"],
      ["job", "eventCount"],
      ["job", "speed"],
      ["job", "warnings"],
      ["job", "input"],
      ["job", "queuedMs"],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.nat(templates.length - 1), fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 2 }), fc.boolean(), fc.boolean()),
          { minLength: 1, maxLength: 12 },
        ),
        async (cases) => {
          const letters = memoryDeadLetter();
          const handler = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger, deadLetter: letters });
          const records = cases.map(([t, p, value, del, asIs]) => {
            const obj = JSON.parse(JSON.stringify(templates[t]));
            if (!asIs) mutate(obj, paths[p], value, del);
            return kinesisRecord(JSON.stringify(obj));
          });
          const out = await handler({ Records: records } as KinesisStreamEvent);
          assert.deepEqual(out.batchItemFailures, []);
          assert.equal(out.summary.invalid + out.summary.jobEventRows, records.length);
          assert.equal(letters.letters.length, out.summary.invalid);
          assert.ok(letters.letters.every((l) => l.reason.length > 20));
        },
      ),
      { numRuns: 40 },
    );
    // Whatever got through validation also converts to Parquet (no row lands in the error prefix).
    await fh.flush();
    assert.ok(fh.stats.rowsWritten > 0);
    assert.equal(fh.stats.errorRows, 0);
  });

  it("history: an empty or all-invalid batch succeeds without calling Firehose", async () => {
    const { fh, delivery } = await firehose();
    const handler = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger });
    const out = await handler({ Records: [kinesisRecord("{}")] } as KinesisStreamEvent);
    assert.deepEqual(out.batchItemFailures, []);
    assert.equal(fh.stats.calls, 0);
  });

  it("analytics: folds a window across invocations and writes one queue_metrics row per queue at the final invoke", async () => {
    const { fh, lakeDir, delivery } = await firehose();
    const metrics: { dims: Record<string, string>; values: Record<string, number> }[] = [];
    const fakeMetrics = () => {
      const m = { dims: {} as Record<string, string>, values: {} as Record<string, number> };
      return {
        addDimension: (k: string, v: string) => {
          m.dims[k] = v;
        },
        addMetric: (k: string, _u: unknown, v: number) => {
          m.values[k] = v;
        },
        publishStoredMetrics: () => void metrics.push(m),
      };
    };
    const handler = createAnalyticsHandler({ delivery, stream: "qm", logger, metrics: fakeMetrics as never, now: () => 1_700_000_000_000 });
    const all = KNOWN_JOBS.flatMap((_, j) => recordsOfJob(j));
    const half = Math.floor(all.length / 2);
    const window = { start: "2024-03-04T10:00:00Z", end: "2024-03-04T10:05:00Z" };
    const base = { window, isWindowTerminatedEarly: false, shardId: "shardId-000000000003" } as unknown as KinesisStreamTumblingWindowEvent;
    let res = await handler({
      ...base,
      Records: all.slice(0, half).map((r) => kinesisRecord(encodeStreamRecord(r))),
      state: {},
      isFinalInvokeForWindow: false,
    });
    // A duplicate of the first COMPLETE in the second half must not count twice.
    const dupComplete = all.find((r) => r.event.status === "COMPLETE")!;
    res = await handler({
      ...base,
      Records: [...all.slice(half), dupComplete].map((r) => kinesisRecord(encodeStreamRecord(r))),
      state: JSON.parse(JSON.stringify(res.state)),
      isFinalInvokeForWindow: false,
    });
    assert.equal(fh.stats.calls, 0, "nothing is written before the window ends");
    assert.ok(JSON.stringify(res.state).length < 100_000, "state stays small");
    res = await handler({ ...base, Records: [], state: JSON.parse(JSON.stringify(res.state)), isFinalInvokeForWindow: true });
    assert.deepEqual(res.state, {});
    await fh.flush();
    const lake = await LocalLake.open(lakeDir);
    const rows = (await lake.query("SELECT * FROM queue_metrics ORDER BY queue_name")).rows;
    lake.close();
    const wantQueue = (q: string) => {
      const jobs = KNOWN_JOBS.filter((j) => j.queue === q);
      const done = jobs.filter((j) => j.outcome === "COMPLETE");
      const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
      const rank = (v: number[], p: number) => sorted(v)[Math.max(1, Math.ceil(p * v.length)) - 1];
      return {
        row_id: `${Date.parse(window.start)}#shardId-000000000003#${q}`,
        window_date: "2024-03-04",
        queue_name: q,
        jobs_started: jobs.length,
        jobs_completed: done.length,
        jobs_failed: jobs.filter((j) => j.outcome === "ERROR").length,
        jobs_canceled: jobs.filter((j) => j.outcome === "CANCELED").length,
        queue_wait_p50_ms: rank(
          jobs.map((j) => j.waitMs),
          0.5,
        ),
        queue_wait_p90_ms: rank(
          jobs.map((j) => j.waitMs),
          0.9,
        ),
        transcoding_p50_ms: rank(
          done.map((j) => j.txMs!),
          0.5,
        ),
        speed_p50: rank(
          done.map((j) => j.durationMs / j.txMs!),
          0.5,
        ),
      };
    };
    assert.deepEqual(
      rows.map((r) => Object.fromEntries(Object.keys(wantQueue("Default")).map((k) => [k, r[k]]))),
      [wantQueue("Default"), wantQueue("Fast")],
    );
    assert.deepEqual(
      metrics.map((m) => [m.dims.QueueName, m.values.JobsStarted, m.values.JobsCompleted, m.values.JobsFailed]),
      [
        ["Default", 6, 3, 2],
        ["Fast", 4, 2, 1],
      ],
    );
    assert.equal(metrics[0].values.QueueWaitP50, wantQueue("Default").queue_wait_p50_ms);
  });

  it("analytics: the final invoke emits CloudWatch EMF per queue (Powertools Metrics, QueueName dimension)", async () => {
    const { delivery } = await firehose();
    const handler = createAnalyticsHandler({
      delivery,
      stream: "qm",
      logger,
      metrics: () => new Metrics({ namespace: "mcjobs-test", serviceName: "analytics-test" }),
    });
    const base = {
      window: { start: "2024-03-04T10:00:00Z", end: "2024-03-04T10:05:00Z" },
      isWindowTerminatedEarly: false,
    } as unknown as KinesisStreamTumblingWindowEvent;
    const recs = [...recordsOfJob(0), ...recordsOfJob(3)];
    const first = await handler({
      ...base,
      Records: recs.map((r) => kinesisRecord(encodeStreamRecord(r))),
      state: {},
      isFinalInvokeForWindow: false,
    });
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.includes('"_aws"')) {
        lines.push(...text.split("\n").filter((l) => l.includes('"_aws"')));
        return true;
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await handler({ ...base, Records: [], state: first.state, isFinalInvokeForWindow: true });
    } finally {
      process.stdout.write = write;
    }
    const emf = lines.map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
        },
    );
    assert.deepEqual(emf.map((e) => e.QueueName).sort(), ["Default", "Fast"]);
    const def = emf.find((e) => e.QueueName === "Default")!;
    const cw = def._aws.CloudWatchMetrics[0];
    assert.equal(cw.Namespace, "mcjobs-test");
    assert.ok(cw.Dimensions.some((d) => d.includes("QueueName")));
    assert.equal(def.JobsStarted, 1);
    assert.equal(def.JobsCompleted, 1);
    assert.equal(def.QueueWaitP50, KNOWN_JOBS[0].waitMs);
    assert.equal(def.SpeedP50, KNOWN_JOBS[0].durationMs / KNOWN_JOBS[0].txMs!);
    assert.equal(cw.Metrics.find((m) => m.Name === "QueueWaitP50")?.Unit, "Milliseconds");
  });

  it("analytics: a final invoke whose rows cannot be delivered throws (Lambda retries it) and emits no metrics", async () => {
    const { delivery } = await firehose(() => true);
    let published = 0;
    const handler = createAnalyticsHandler({
      delivery,
      stream: "qm",
      logger,
      metrics: (() => ({
        addDimension: () => undefined,
        addMetric: () => undefined,
        publishStoredMetrics: () => void published++,
      })) as never,
    });
    const recs = recordsOfJob(1);
    const base = {
      window: { start: "2024-03-04T10:00:00Z", end: "2024-03-04T10:05:00Z" },
      isWindowTerminatedEarly: false,
    } as unknown as KinesisStreamTumblingWindowEvent;
    const first = await handler({
      ...base,
      Records: recs.map((r) => kinesisRecord(encodeStreamRecord(r))),
      state: {},
      isFinalInvokeForWindow: false,
    });
    await assert.rejects(handler({ ...base, Records: [], state: first.state, isFinalInvokeForWindow: true }), /not delivered.*retried/);
    assert.equal(published, 0);
  });
});
