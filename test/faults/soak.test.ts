import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { BatchGetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../lib/adapters/clients";
import { buildEvent, createRng, DEFAULT_RATES, hashSeed, planTimeline } from "../../tools/twin/mediaconvert";
import { startTwin, type Twin } from "../../tools/twin/twin";
import { LocalLake } from "../../lib/sql/duckdb";

/**
 * Soak (not in CI): MCJOBS_SOAK=1 [MCJOBS_SOAK_EVENTS=1000000] npx mocha test/faults/soak.test.ts
 *
 * Pushes at least MCJOBS_SOAK_EVENTS deliveries (realistic timelines from the simulator's planner, with
 * duplicates and reordering) through the twin's router, collector, stream, consumers and Firehose, with
 * back-pressure, sampling this process's heap after GC as it goes. Then: heap flat, every distinct event in the
 * Events table and the lake exactly once, every job in its final status.
 *
 * DynamoDB Local runs in memory here: on a 2-core machine its SQLite files made it the slowest part (61 against
 * 91 deliveries/s at 6,000). The heap measured is this process's; DynamoDB Local's Java heap is not in it.
 *
 * The check reads by key, job by job (BatchGetItem on Jobs, a COUNT Query per job on Events), and each job is
 * planned again from its seed rather than kept in memory: a 1M run's single full Scan of Events failed inside
 * DynamoDB Local (InternalFailure, its process at 10 GB), and a list of every job would grow the heap measured.
 */
const ON = process.env.MCJOBS_SOAK === "1";
const EVENTS = Number(process.env.MCJOBS_SOAK_EVENTS ?? 1_000_000);
/** Allowed heap growth from the warm-up mark to the end. */
const MAX_GROWTH_MB = Number(process.env.MCJOBS_SOAK_MAX_GROWTH_MB ?? 64);

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const QUEUES = ["Default", "Priority", "Overflow"].map((q) => `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/${q}`);
/** Start of the soak's job ids (epoch ms); fixed for the run so each job can be planned again from its number. */
const BASE = Date.now() - 86_400_000;

/** Job number `seq` of the soak: the same id and timeline every time it is asked for. */
function planJob(seq: number) {
  const rng = createRng(hashSeed(99, seq));
  const createdAt = BASE + seq * 7;
  const jobId = `${createdAt}-${rng.token(6)}`;
  const arn = `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobs/${jobId}`;
  const timeline = planTimeline(
    {
      jobId,
      queue: QUEUES[seq % 2],
      priority: 0,
      createdAt,
      statusUpdateIntervalMs: 60_000,
      settings: {},
      hopDestinations: [],
      input: { uri: `s3://in/${jobId}.mp4`, durationMs: 60_000, width: 1920, height: 1080, frameRate: 25 },
      inputDetail: { video: [{ codec: "H_264", width: 1920, height: 1080, frameRate: 25 }], audio: [] },
      fallbackHopQueue: QUEUES[2],
    },
    { ...DEFAULT_RATES, duplicate: 0.1, late: 0.1 },
    rng,
  );
  return { jobId, arn, createdAt, timeline };
}

function gcNow(): void {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
}

(ON ? describe : describe.skip)(`soak: ${EVENTS} events through the twin (MCJOBS_SOAK=1)`, function () {
  this.timeout(0);
  let twin: Twin | undefined;
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-soak-"));
  });
  after(async () => {
    await twin?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps memory flat and loses nothing", async () => {
    twin = await startTwin({
      dir,
      fresh: true,
      demo: false,
      bufferIntervalMs: 2000,
      tumblingWindowSeconds: 10,
      concurrency: 16,
      dynamoDbInMemory: true,
      // The jobs exist only as events: no input to probe, no job for GetJob.
      extraEnv: { COLLECTOR_PROBE: "false", COLLECTOR_GET_JOB: "false" },
    });
    const byStatus: Record<string, number> = {};
    let distinct = 0;
    let delivered = 0;
    let jobs = 0;
    const samples: Array<{ at: number; heapMb: number }> = [];
    const started = Date.now();
    while (delivered < EVENTS) {
      const { jobId, arn, createdAt, timeline } = planJob(jobs++);
      byStatus[timeline.outcome] = (byStatus[timeline.outcome] ?? 0) + 1;
      const deliveries: Array<{ at: number; event: unknown }> = [];
      for (const step of timeline.steps) {
        const event = buildEvent(
          step,
          { jobId, arn, accountId: ACCOUNT, region: REGION, userMetadata: { application: "soak" } },
          createdAt + step.offsetMs,
        );
        distinct++;
        for (const d of step.deliveryDelaysMs) deliveries.push({ at: step.offsetMs + d, event });
      }
      deliveries.sort((a, b) => a.at - b.at);
      for (const d of deliveries) {
        while (twin.router.pending() > 400) await new Promise((r) => setTimeout(r, 5));
        twin.publish(d.event);
        delivered++;
      }
      if (jobs % 2000 === 0) {
        gcNow();
        samples.push({ at: delivered, heapMb: process.memoryUsage().heapUsed / 2 ** 20 });
        const rate = delivered / ((Date.now() - started) / 1000);
        process.stderr.write(
          `soak: ${delivered} deliveries, ${jobs} jobs, ${rate.toFixed(0)}/s, heap ${samples[samples.length - 1].heapMb.toFixed(1)} MB\n`,
        );
      }
    }
    await twin.settle({ timeoutMs: 3_600_000 });
    gcNow();
    samples.push({ at: delivered, heapMb: process.memoryUsage().heapUsed / 2 ** 20 });

    // Memory: after warm-up (first fifth), the heap does not keep growing.
    const warm = samples.filter((s) => s.at >= EVENTS / 5);
    if (warm.length >= 2) {
      const growth = warm[warm.length - 1].heapMb - Math.min(...warm.map((s) => s.heapMb));
      assert.ok(growth < MAX_GROWTH_MB, `heap grew ${growth.toFixed(1)} MB after warm-up: ${JSON.stringify(samples)}`);
    }
    assert.equal(twin.deadLetters.length, 0);

    // Nothing lost, nothing twice: every job in its planned final status, with exactly its distinct events.
    const ddb = clients.dynamoDb({ ...twin.env, MCJOBS_ENDPOINT_DYNAMODB: twin.standInEndpoints.dynamodb } as NodeJS.ProcessEnv);
    const tables = twin.tables;
    const wrong: string[] = [];
    let stored = 0;
    const foundByStatus: Record<string, number> = {};
    let next = 0;
    const worker = async () => {
      for (;;) {
        const first = next;
        if (first >= jobs) return;
        next = Math.min(jobs, first + 100);
        const planned = [];
        for (let seq = first; seq < next; seq++) planned.push(planJob(seq));
        let keys: Array<Record<string, unknown>> = planned.map((p) => ({ jobId: p.jobId }));
        const status = new Map<string, string>();
        while (keys.length) {
          const out = await ddb.send(
            new BatchGetCommand({
              RequestItems: {
                [tables.jobs]: { Keys: keys, ProjectionExpression: "jobId, #s", ExpressionAttributeNames: { "#s": "status" } },
              },
            }),
          );
          for (const item of out.Responses?.[tables.jobs] ?? []) status.set(String(item.jobId), String(item.status));
          keys = (out.UnprocessedKeys?.[tables.jobs]?.Keys as Array<Record<string, unknown>> | undefined) ?? [];
        }
        for (const p of planned) {
          const got = status.get(p.jobId);
          if (got !== undefined) foundByStatus[got] = (foundByStatus[got] ?? 0) + 1;
          if (got !== p.timeline.outcome && wrong.length < 20) wrong.push(`${p.jobId}: status ${got} != ${p.timeline.outcome}`);
          let count = 0;
          let start: Record<string, unknown> | undefined;
          do {
            const out = await ddb.send(
              new QueryCommand({
                TableName: tables.events,
                KeyConditionExpression: "jobId = :j",
                ExpressionAttributeValues: { ":j": p.jobId },
                Select: "COUNT",
                ExclusiveStartKey: start,
              }),
            );
            count += out.Count ?? 0;
            start = out.LastEvaluatedKey;
          } while (start);
          stored += count;
          if (count !== p.timeline.steps.length && wrong.length < 20)
            wrong.push(`${p.jobId}: ${count} events stored != ${p.timeline.steps.length}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.deepEqual(wrong, [], "jobs with a wrong status or event count");
    assert.equal(stored, distinct, "Events table items = distinct events");
    assert.deepEqual(foundByStatus, byStatus, "jobs per final status");
    ddb.destroy();
    const lake = await LocalLake.open(twin.lakeDir);
    try {
      const r = await lake.query("SELECT count(DISTINCT event_key) AS d FROM job_events");
      assert.equal(Number(r.rows[0].d), distinct, "lake distinct events");
    } finally {
      lake.close();
    }
    process.stderr.write(
      `soak done: ${JSON.stringify({ delivered, distinct, jobs, seconds: (Date.now() - started) / 1000, samples: samples.slice(-5) })}\n`,
    );
  });
});
