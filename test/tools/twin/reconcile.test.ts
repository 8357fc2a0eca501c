/**
 * The reconciler in the local twin: with a share of MediaConvert's deliveries lost, the Jobs API still converges
 * on the simulator's own state; a twin stopped mid-job and started again shows the job finished after one sweep.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseStartArgs } from "../../../tools/cli/commands/start";
import { STATE_FILE } from "../../../tools/twin/mediaconvert";
import { startTwin, type Twin } from "../../../tools/twin/twin";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ["COMPLETE", "ERROR", "CANCELED"];

async function apiJob(twin: Twin, id: string): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(`${twin.urls.apiUrl}/jobs/${id}`);
  if (res.status === 404) return undefined;
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, unknown>;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe("twin: reconciler", function () {
  this.timeout(300_000);

  it("mcjobs start reads --reconcile-every and --drop-events (0 turns the reconciler off)", () => {
    const d = parseStartArgs([]);
    assert.equal(d["reconcile-every"], 30);
    assert.equal(d["drop-events"], 0);
    const o = parseStartArgs(["--reconcile-every", "0", "--drop-events", "30"]);
    assert.equal(o["reconcile-every"], 0);
    assert.equal(o["drop-events"], 30);
    assert.throws(() => parseStartArgs(["--drop-events", "101"]), /--drop-events must be a whole number from 0 to 100/);
  });

  describe("with 30 % of MediaConvert's deliveries lost", () => {
    let twin: Twin;
    let dir: string;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-reconcile-"));
      twin = await startTwin({
        dir,
        fresh: true,
        demo: true,
        demoEverySeconds: 1,
        speed: 300,
        seed: 7,
        dropEventsPercent: 30,
        reconcileEverySeconds: 5,
      });
    });
    after(async () => {
      await twin?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("every job the simulator finished more than 90 s ago has the simulator's status in the Jobs API", async () => {
      const started = Date.now();
      await sleep(Math.max(0, started + 115_000 - Date.now()));
      const cutoffSec = (Date.now() - 90_000) / 1000;
      const finished = twin.simulator!.listJobs().filter((j) => {
        const finish = (j.timing as { finishTime?: number } | undefined)?.finishTime;
        return TERMINAL.includes(String(j.status)) && finish !== undefined && finish < cutoffSec;
      });
      assert.ok(finished.length >= 10, `only ${finished.length} jobs finished early enough`);
      assert.ok(twin.simulator!.droppedDeliveries.length > 0, "deliveries were lost");
      const wrong: string[] = [];
      for (const j of finished) {
        const rec = await apiJob(twin, String(j.id));
        if (rec?.status !== j.status) wrong.push(`${j.id}: simulator ${j.status}, API ${rec?.status ?? "none"}`);
        else assert.ok(!rec?.stale, `${j.id} is finished, never stale`);
      }
      assert.deepEqual(wrong, []);
      assert.ok((twin.reconciler?.sweeps ?? 0) >= 10, "the reconciler swept on its timer");
    });
  });

  it("a twin stopped mid-job and started again (same state folder) shows that job finished after one sweep", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-restart-"));
    let twin: Twin | undefined;
    try {
      twin = await startTwin({
        dir,
        fresh: true,
        demo: false,
        speed: 20,
        seed: 11,
        rates: { error: 0, canceled: 0 },
        reconcileEverySeconds: 600,
      });
      const t = twin;
      const id = (await t.submitJob({ queue: "Default" }))!;
      await waitFor("the job PROGRESSING in the API", 60_000, async () =>
        (await apiJob(t, id))?.status === "PROGRESSING" ? true : undefined,
      );
      await t.stop();
      twin = undefined;
      const stoppedAt = Date.now();
      // MediaConvert carries on while the stack is down: wait past the job's last planned step.
      const state = JSON.parse(fs.readFileSync(path.join(dir, "twin", "mediaconvert", STATE_FILE), "utf8"));
      const job = (state.jobs as Array<{ id: string; plan?: Array<{ at: number }> }>).find((j) => j.id === id)!;
      const lastStep = Math.max(...(job.plan ?? []).map((s) => s.at));
      assert.ok(Number.isFinite(lastStep), "the job had steps left when the twin stopped");
      // ...and stay down longer than three status-update intervals (3 s each at speed 20), as a stopped stack does:
      // a job heard from more recently is not yet one the reconciler asks about.
      await sleep(Math.max(lastStep + 1000, stoppedAt + 10_000) - Date.now());

      twin = await startTwin({ dir, demo: false, speed: 20, seed: 11, reconcileEverySeconds: 600 });
      const again = twin;
      const truth = again.simulator!.getJob(id)!;
      assert.ok(TERMINAL.includes(String(truth.status)), `the simulator finished the job (${truth.status})`);
      await waitFor("the first sweep", 60_000, async () => ((again.reconciler?.sweeps ?? 0) >= 1 ? true : undefined));
      assert.equal(again.reconciler!.sweeps, 1, "one sweep only (the next is 10 minutes away)");
      const rec = await apiJob(again, id);
      assert.equal(rec?.status, truth.status);
      assert.ok(again.reconciler!.last!.healedJobs.includes(id));
    } finally {
      await twin?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
