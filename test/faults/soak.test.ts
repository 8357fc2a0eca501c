import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { ScanCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../adapters/clients";
import { buildEvent, createRng, DEFAULT_RATES, hashSeed, planTimeline } from "../../local/mediaconvert";
import { startTwin, type Twin } from "../../local/twin";
import { LocalLake } from "../../sql/duckdb";

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
 */
const ON = process.env.MCJOBS_SOAK === "1";
const EVENTS = Number(process.env.MCJOBS_SOAK_EVENTS ?? 1_000_000);
/** Allowed heap growth from the warm-up mark to the end. */
const MAX_GROWTH_MB = Number(process.env.MCJOBS_SOAK_MAX_GROWTH_MB ?? 64);

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
    const account = "111122223333";
    const region = "us-east-1";
    const queues = ["Default", "Priority", "Overflow"].map((q) => `arn:aws:mediaconvert:${region}:${account}:queues/${q}`);
    const byStatus: Record<string, number> = {};
    let distinct = 0;
    let delivered = 0;
    let jobs = 0;
    const samples: Array<{ at: number; heapMb: number }> = [];
    const started = Date.now();
    const base = Date.now() - 86_400_000;

    while (delivered < EVENTS) {
      const seq = jobs++;
      const rng = createRng(hashSeed(99, seq));
      const createdAt = base + seq * 7;
      const jobId = `${createdAt}-${rng.token(6)}`;
      const arn = `arn:aws:mediaconvert:${region}:${account}:jobs/${jobId}`;
      const timeline = planTimeline(
        {
          jobId,
          queue: queues[seq % 2],
          priority: 0,
          createdAt,
          statusUpdateIntervalMs: 60_000,
          settings: {},
          hopDestinations: [],
          input: { uri: `s3://in/${jobId}.mp4`, durationMs: 60_000, width: 1920, height: 1080, frameRate: 25 },
          inputDetail: { video: [{ codec: "H_264", width: 1920, height: 1080, frameRate: 25 }], audio: [] },
          fallbackHopQueue: queues[2],
        },
        { ...DEFAULT_RATES, duplicate: 0.1, late: 0.1 },
        rng,
      );
      byStatus[timeline.outcome] = (byStatus[timeline.outcome] ?? 0) + 1;
      const deliveries: Array<{ at: number; event: unknown }> = [];
      for (const step of timeline.steps) {
        const event = buildEvent(step, { jobId, arn, accountId: account, region, userMetadata: { application: "soak" } }, createdAt + step.offsetMs);
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
        process.stderr.write(`soak: ${delivered} deliveries, ${jobs} jobs, ${rate.toFixed(0)}/s, heap ${samples[samples.length - 1].heapMb.toFixed(1)} MB\n`);
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

    // Nothing lost, nothing twice.
    const ddb = clients.dynamoDb({ ...twin.env, MCJOBS_ENDPOINT_DYNAMODB: twin.standInEndpoints.dynamodb } as NodeJS.ProcessEnv);
    let stored = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await ddb.send(new ScanCommand({ TableName: twin.tables.events, Select: "COUNT", ExclusiveStartKey: start }));
      stored += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    assert.equal(stored, distinct, "Events table items = distinct events");
    for (const [status, n] of Object.entries(byStatus)) {
      let count = 0;
      let s: Record<string, unknown> | undefined;
      do {
        const out = await ddb.send(
          new QueryCommand({ TableName: twin.tables.jobs, IndexName: "byStatus", KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": status }, Select: "COUNT", ExclusiveStartKey: s }),
        );
        count += out.Count ?? 0;
        s = out.LastEvaluatedKey;
      } while (s);
      assert.equal(count, n, `jobs in ${status}`);
    }
    ddb.destroy();
    const lake = await LocalLake.open(twin.lakeDir);
    try {
      const r = await lake.query("SELECT count(DISTINCT event_key) AS d FROM job_events");
      assert.equal(Number(r.rows[0].d), distinct, "lake distinct events");
    } finally {
      lake.close();
    }
    process.stderr.write(`soak done: ${JSON.stringify({ delivered, distinct, jobs, seconds: (Date.now() - started) / 1000, samples: samples.slice(-5) })}\n`);
  });
});
