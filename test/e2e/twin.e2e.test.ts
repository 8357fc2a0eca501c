import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startTwin, type Twin } from "../../tools/twin/twin";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as clients from "../../lib/adapters/clients";
import { makeMedia } from "../support/media";
import { checkLedger, jobOf, listAll, truthFrom } from "./ledger";

/**
 * The product end to end on one machine: N simulated jobs with duplicate and out-of-order deliveries go through
 * the router, collector, stream, consumers and Firehose; then every record of every job is checked against what
 * the simulator really did — Jobs API, Events table, Queues counters, lake via the named queries.
 */
describe("local twin end to end", function () {
  this.timeout(180_000);
  const N = Number(process.env.MCJOBS_E2E_JOBS ?? 16);
  let twin: Twin | undefined;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-e2e-"));
  });
  after(async () => {
    await twin?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`runs ${N} jobs with duplicates and reordering; API, Events table, Queues counters and lake all agree`, async () => {
    twin = await startTwin({
      dir,
      fresh: true,
      demo: false,
      speed: 600,
      seed: 42,
      // Plenty of trouble: duplicates, late (reordered) deliveries, errors, cancels, hops.
      rates: { duplicate: 0.3, late: 0.3, error: 0.15, canceled: 0.1, queueHop: 0.15, warning: 0.3, lateInputInformation: 0.5 },
      bufferIntervalMs: 500,
      tumblingWindowSeconds: 1,
    });
    assert.deepEqual(twin.status().missing, [], "every piece of the pipeline is wired");
    // Half the jobs read a real file (probed by the simulator and the collector), half a missing one.
    const media = await makeMedia({ kind: "mp4-faststart", seconds: 4, width: 640, height: 360 });
    const s3 = clients.s3(twin.env);
    await s3.send(new PutObjectCommand({ Bucket: twin.buckets.watch, Key: "media/real.mp4", Body: fs.readFileSync(media) }));
    s3.destroy();
    const realInput = `s3://${twin.buckets.watch}/media/real.mp4`;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      ids.push((await twin.submitJob({ queue: i % 3 === 0 ? "Priority" : "Default", input: i % 2 ? realInput : undefined }))!);
    }
    await twin.settle({ timeoutMs: 150_000 });

    const truth = truthFrom(twin, ids);
    assert.equal(truth.size, N);
    const deliveries = [...truth.values()].reduce((n, j) => n + j.deliveries, 0);
    const distinct = [...truth.values()].reduce((n, j) => n + j.eventIds.size, 0);
    assert.ok(deliveries > distinct, "the run had duplicate deliveries");
    const statuses = new Set([...truth.values()].map((j) => j.status));
    assert.ok(statuses.has("COMPLETE") && statuses.has("ERROR"), `outcomes ${[...statuses]}`);

    const ledger = await checkLedger(twin, truth, { api: true });
    assert.deepEqual(ledger.problems, [], JSON.stringify(ledger.summary, null, 2));
    // A completed job on the real file carries what the probe found in it.
    const realDone = ids.filter((id, i) => i % 2 === 1 && truth.get(id)!.status === "COMPLETE");
    assert.ok(realDone.length > 0);
    const rec = jobOf(await (await fetch(`${twin.urls.apiUrl}/jobs/${realDone[0]}`)).json());
    assert.equal(rec.input?.video?.width, 640, JSON.stringify(rec.input));
    assert.equal(rec.input?.video?.height, 360);
    assert.equal(twin.deadLetters.length, 0, JSON.stringify(twin.deadLetters.slice(0, 3)));
    const st = twin.status();
    assert.equal(st.router.matched.collector, deliveries, "every delivery reached the collector rule");
    // Notifications: exactly one per finished or failed job of our application, whatever the duplicates.
    const notified = new Map<string, string[]>();
    for (const n of twin.notifications) {
      const m = /^MediaConvert job (\d{13}-[a-z0-9]{6}) (COMPLETE|ERROR)\b/.exec(n.subject ?? "");
      assert.ok(m, `unexpected subject ${JSON.stringify(n.subject)}`);
      notified.set(m[1], [...(notified.get(m[1]) ?? []), m[2]]);
    }
    for (const j of truth.values()) {
      if (j.status === "COMPLETE" || j.status === "ERROR")
        assert.deepEqual(notified.get(j.jobId), [j.status], `notifications of ${j.jobId}`);
      else assert.ok(!notified.has(j.jobId), `notification for ${j.status} job ${j.jobId}`);
    }
  });

  it("keeps its state across a restart and serves the same records", async () => {
    assert.ok(twin, "previous test started the twin");
    const completeIds = async (t: Twin) => (await listAll(t.urls.apiUrl, "COMPLETE")).map((j) => j.jobId as string).sort();
    const before = await completeIds(twin!);
    await twin!.stop();
    twin = await startTwin({ dir, demo: false, speed: 600 });
    const after = await completeIds(twin);
    assert.ok(before.length > 0);
    assert.deepEqual(after, before);
    // The consumers resumed from their checkpoints: nothing re-delivered after the restart.
    await twin.settle({ timeoutMs: 30_000 });
    assert.equal(twin.status().consumers.history?.recordsDelivered ?? 0, 0);
  });
});
