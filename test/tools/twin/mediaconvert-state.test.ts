/**
 * The MediaConvert simulator's two options for the local twin: `dropEventsPercent` (a seeded share of deliveries
 * lost, terminal events included) and `stateDir` (jobs kept across a restart, carrying on as their timelines say).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CreateJobCommand,
  CreateJobTemplateCommand,
  GetJobCommand,
  GetJobTemplateCommand,
  ListJobsCommand,
} from "@aws-sdk/client-mediaconvert";
import { type EventEnvelope, type MediaConvertSimulator, startMediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { client, productRequest } from "./contract/mediaconvert-support";

const TERMINAL = new Set(["COMPLETE", "ERROR", "CANCELED"]);

describe("MediaConvert simulator: lost events and a job store that survives restarts", function () {
  this.timeout(30_000);
  const sims: MediaConvertSimulator[] = [];
  const start = async (o: Parameters<typeof startMediaConvertSimulator>[0]) => {
    const s = await startMediaConvertSimulator(o);
    sims.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.stop();
  });

  describe("dropEventsPercent", () => {
    /** Runs 20 jobs; answers what onEvent got and what the simulator lost. */
    const run = async (dropEventsPercent: number, seed = 21) => {
      const received: EventEnvelope[] = [];
      const sim = await start({ autoRun: false, seed, dropEventsPercent, onEvent: (e) => void received.push(e) });
      for (let i = 0; i < 20; i++) await sim.createJob(productRequest(`inputs/drop-${i}.mp4`) as unknown as Record<string, unknown>);
      await sim.drain();
      return { sim, received, dropped: sim.droppedDeliveries };
    };

    it("loses about that share of deliveries, terminal events included, and never hands a lost one to onEvent", async () => {
      const { sim, received, dropped } = await run(30);
      const share = dropped.length / (dropped.length + received.length);
      assert.ok(share > 0.2 && share < 0.4, `lost ${(share * 100).toFixed(1)}% of deliveries`);
      assert.equal(received.length, sim.delivered.length, "delivered counts only what reached onEvent");
      const receivedIds = new Set(received.map((e) => e.id));
      const neverArrived = dropped.filter((e) => !receivedIds.has(e.id));
      assert.ok(neverArrived.length > 0, "some events never arrive at all");
      const silentEnds = sim.listJobs().filter((j) => {
        const terminalSeen = received.some((e) => e.detail.jobId === j.id && TERMINAL.has(e.detail.status as string));
        return TERMINAL.has(j.status as string) && !terminalSeen;
      });
      assert.ok(silentEnds.length > 0, "some job ended without its terminal event arriving");
    });

    it("is seeded: the same seed loses the same deliveries, 0 loses none and 100 loses all", async () => {
      const a = await run(30);
      const b = await run(30);
      // Sorted: how the jobs' steps interleave depends on the real milliseconds between their CreateJob calls.
      const strip = (es: EventEnvelope[]) => es.map((e) => `${String(e.detail.jobId).split("-")[1]}|${e.id}`).sort();
      assert.deepEqual(strip(a.dropped), strip(b.dropped));
      assert.equal((await run(0)).dropped.length, 0);
      const all = await run(100);
      assert.equal(all.received.length, 0);
      assert.ok(
        all.sim.listJobs().every((j) => TERMINAL.has(j.status as string)),
        "jobs still finish when nobody hears of it",
      );
    });

    it("refuses a value outside 0..100, naming the option", async () => {
      await assert.rejects(startMediaConvertSimulator({ dropEventsPercent: 150 }), /dropEventsPercent must be a percentage from 0 to 100/);
      await assert.rejects(startMediaConvertSimulator({ stateDir: "" }), /stateDir must name a folder/);
    });
  });

  describe("stateDir", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "mc-state-"));
    });
    afterEach(async () => {
      for (const s of sims.splice(0)) await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("differs from AWS: a job that finished while the simulator was down is COMPLETE after the restart, but its events are never delivered", async () => {
      const first = await start({ stateDir: dir, seed: 4, timeScale: 1000, rates: { error: 0, canceled: 0 } });
      const mc1 = client(first);
      const job = (await mc1.send(new CreateJobCommand(productRequest("inputs/keep.mp4", "keep")))).Job!;
      await mc1.send(new CreateJobTemplateCommand({ Name: "kept", Settings: { OutputGroups: productRequest().Settings!.OutputGroups } }));
      mc1.destroy();
      await first.stop();
      // At 1000× the longest simulated job (about 5.5 minutes) is over within 400 ms.
      await new Promise((r) => setTimeout(r, 600));
      const received: EventEnvelope[] = [];
      const second = await start({ stateDir: dir, seed: 4, timeScale: 1, onEvent: (e) => void received.push(e) });
      const mc2 = client(second);
      const got = (await mc2.send(new GetJobCommand({ Id: job.Id }))).Job!;
      assert.equal(got.Status, "COMPLETE");
      assert.ok(got.Timing?.FinishTime && got.Timing.FinishTime.getTime() <= Date.now());
      assert.equal(got.OutputGroupDetails?.length, 3);
      assert.deepEqual(
        (await mc2.send(new ListJobsCommand({}))).Jobs?.map((j) => j.Id),
        [job.Id],
      );
      assert.equal(
        (await mc2.send(new CreateJobCommand(productRequest("inputs/keep.mp4", "keep")))).Job?.Id,
        job.Id,
        "its token still names it",
      );
      const next = (await mc2.send(new CreateJobCommand(productRequest("inputs/new.mp4", "new")))).Job!;
      assert.notEqual(next.Id, job.Id);
      assert.equal((await mc2.send(new GetJobTemplateCommand({ Name: "kept" }))).JobTemplate?.Name, "kept");
      await second.drain();
      assert.ok(!received.some((e) => e.detail.jobId === job.Id), "nothing of what happened while down is delivered");
      mc2.destroy();
    });

    it("a job still queued by its timeline after a restart carries on and its events are delivered", async () => {
      const first = await start({ stateDir: dir, seed: 6, timeScale: 1, rates: { error: 0, canceled: 0 } });
      const id = String((await first.createJob(productRequest("inputs/slow.mp4") as unknown as Record<string, unknown>)).id);
      await first.stop();
      const received: EventEnvelope[] = [];
      const second = await start({ stateDir: dir, autoRun: false, seed: 6, onEvent: (e) => void received.push(e) });
      assert.equal(second.getJob(id)?.status, "SUBMITTED", "a real-time job waits at least a second in its queue");
      await second.drain();
      assert.equal(second.getJob(id)?.status, "COMPLETE");
      const statuses = received.filter((e) => e.detail.jobId === id).map((e) => e.detail.status);
      assert.ok(statuses.includes("PROGRESSING") && statuses.includes("COMPLETE"), statuses.join(","));
    });

    it("a job interrupted while PROGRESSING is still PROGRESSING after a quick restart, then plays to its end", async () => {
      const first = await start({ stateDir: dir, seed: 8, timeScale: 10, rates: { error: 0, canceled: 0, queueHop: 0 } });
      const id = String((await first.createJob(productRequest("inputs/mid.mp4") as unknown as Record<string, unknown>)).id);
      // At 10× a job waits 0.1 to 1.5 s in its queue and then runs for at least 0.8 s.
      const deadline = Date.now() + 5_000;
      while (first.getJob(id)?.status !== "PROGRESSING" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(first.getJob(id)?.status, "PROGRESSING");
      await first.stop();
      const received: EventEnvelope[] = [];
      const second = await start({ stateDir: dir, autoRun: false, seed: 8, onEvent: (e) => void received.push(e) });
      const resumed = second.getJob(id)!;
      assert.equal(resumed.status, "PROGRESSING", "the restart kept what had happened and nothing more");
      assert.ok((resumed.timing as { startTime?: number }).startTime);
      await second.drain();
      assert.equal(second.getJob(id)?.status, "COMPLETE");
      const statuses = received.filter((e) => e.detail.jobId === id).map((e) => e.detail.status);
      assert.ok(statuses.includes("COMPLETE") && !statuses.includes("PROGRESSING"), `after the restart: ${statuses.join(",")}`);
    });

    it("refuses a state file it cannot read, saying which file and what to do", async () => {
      fs.writeFileSync(path.join(dir, "mediaconvert.json"), JSON.stringify({ version: 1, jobs: "many" }));
      await assert.rejects(
        startMediaConvertSimulator({ stateDir: dir }),
        /mediaconvert\.json is not a MediaConvert simulator state file .*delete it/,
      );
    });
  });
});
