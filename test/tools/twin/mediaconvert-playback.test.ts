/** The MediaConvert simulator's playback: event envelopes, outcomes, duplicates and reordering, seeds, time scale, probe. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateJobCommand, GetJobCommand } from "@aws-sdk/client-mediaconvert";
import { startMediaConvertSimulator, type EventEnvelope, type MediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { ERROR_CODES_REFERENCE, FIXTURES_DIR as FIXTURES } from "../../support/fixtures";
import { request, sdk } from "./contract/mediaconvert-support";

const ERROR_CODES = new Set([...fs.readFileSync(ERROR_CODES_REFERENCE, "utf8").matchAll(/^\| (\d{4}) \|/gm)].map((m) => Number(m[1])));
const terminal = (e: EventEnvelope) => ["COMPLETE", "ERROR", "CANCELED"].includes(e.detail.status as string);

describe("MediaConvert simulator playback", function () {
  this.timeout(30_000);
  let sim: MediaConvertSimulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("plays timelines with the fixtures' envelope, one terminal status per job, and GetJob agreeing with the events", async () => {
    const progressing = JSON.parse(fs.readFileSync(path.join(FIXTURES, "progressing-awsdoc-1.json"), "utf8"));
    sim = await startMediaConvertSimulator({ autoRun: false, seed: 11, rates: { error: 0.25, canceled: 0.1 } });
    const mc = sdk(sim);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await mc.send(new CreateJobCommand(request(`inputs/v${i}.mp4`, `tok-${i}`)))).Job!.Id!);
    await sim.drain();
    const byJob = new Map<string, EventEnvelope[]>();
    for (const e of sim.delivered) {
      assert.deepEqual(Object.keys(e).sort(), Object.keys(progressing).sort());
      assert.equal(e.source, "aws.mediaconvert");
      assert.equal(e["detail-type"], "MediaConvert Job State Change");
      assert.equal(e.resources[0], `arn:aws:mediaconvert:us-east-1:111122223333:jobs/${e.detail.jobId}`);
      assert.equal(e.time, new Date(e.detail.timestamp as number).toISOString().replace(/\.\d{3}Z$/, "Z"));
      assert.ok((e.detail.timestamp as number) >= Number((e.detail.jobId as string).split("-")[0]));
      byJob.set(e.detail.jobId as string, [...(byJob.get(e.detail.jobId as string) ?? []), e]);
    }
    const outcomes = new Set<string>();
    for (const id of ids) {
      const events = byJob.get(id) ?? [];
      const distinctTerminal = new Set(events.filter(terminal).map((e) => e.id));
      assert.equal(distinctTerminal.size, 1, `job ${id} has exactly one terminal event`);
      const last = events.find(terminal)!;
      const status = last.detail.status as string;
      outcomes.add(status);
      const got = (await mc.send(new GetJobCommand({ Id: id }))).Job!;
      assert.equal(got.Status, status);
      assert.ok(got.Timing?.FinishTime, "finished jobs have timing.finishTime");
      if (status === "COMPLETE") {
        const groups = last.detail.outputGroupDetails as Array<{ type: string; outputDetails: Array<{ outputFilePaths: string[] }> }>;
        assert.equal(groups[0]!.type, "FILE_GROUP");
        assert.equal(groups[0]!.outputDetails[0]!.outputFilePaths[0], `s3://out/clip/v${ids.indexOf(id)}_1080.mp4`);
        assert.equal(got.OutputGroupDetails?.length, 1);
        assert.ok(got.Timing?.StartTime);
      }
      if (status === "ERROR") {
        assert.ok(ERROR_CODES.has(last.detail.errorCode as number), `error code ${last.detail.errorCode} is a real one`);
        assert.equal(got.ErrorCode, last.detail.errorCode);
        assert.equal(typeof last.detail.errorMessage, "string");
      }
      // Progress only goes forward in time order (whatever the delivery order).
      const updates = events
        .filter((e) => e.detail.status === "STATUS_UPDATE")
        .sort((a, b) => (a.detail.timestamp as number) - (b.detail.timestamp as number));
      const pct = updates.map((e) => (e.detail.jobProgress as { jobPercentComplete: number }).jobPercentComplete);
      assert.deepEqual(
        pct,
        [...pct].sort((a, b) => a - b),
      );
      for (const u of updates) {
        const phase = (u.detail.jobProgress as { currentPhase: string }).currentPhase;
        assert.ok(["PROBING", "TRANSCODING", "UPLOADING"].includes(phase));
      }
    }
    assert.ok(outcomes.has("COMPLETE") && outcomes.has("ERROR"), `a mix of outcomes, got ${[...outcomes].join(",")}`);
    mc.destroy();
  });

  it("delivers duplicates (same event id) and out-of-order events", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false, seed: 5, rates: { duplicate: 0.3, late: 0.3 } });
    for (let i = 0; i < 10; i++) await sim!.createJob(request(`inputs/d${i}.mp4`) as unknown as Record<string, unknown>);
    await sim.drain();
    const ids = sim.delivered.map((e) => e.id);
    assert.ok(new Set(ids).size < ids.length, "some event is delivered twice");
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    for (const id of dupes) {
      const copies: EventEnvelope[] = sim!.delivered.filter((e) => e.id === id);
      assert.deepEqual(copies[0], copies[1], "a duplicate is the same event");
    }
    let outOfOrder = 0;
    const lastSeen = new Map<string, number>();
    for (const e of sim.delivered) {
      const ts = e.detail.timestamp as number;
      if ((lastSeen.get(e.detail.jobId as string) ?? 0) > ts) outOfOrder++;
      lastSeen.set(e.detail.jobId as string, Math.max(ts, lastSeen.get(e.detail.jobId as string) ?? 0));
    }
    assert.ok(outOfOrder > 0, "some event arrives after a later one of the same job");
  });

  it("is deterministic for a seed", async () => {
    const run = async (seed: number) => {
      const s = await startMediaConvertSimulator({ autoRun: false, seed });
      for (let i = 0; i < 5; i++) await s.createJob(request(`inputs/r${i}.mp4`) as unknown as Record<string, unknown>);
      await s.drain();
      const out = s.delivered.map((e) => {
        const [created, suffix] = (e.detail.jobId as string).split("-");
        return `${suffix}|${e.id}|${e.detail.status}|${(e.detail.timestamp as number) - Number(created)}`;
      });
      await s.stop();
      return out;
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("plays in real time scaled by timeScale and reports idle when done", async () => {
    const seen: EventEnvelope[] = [];
    sim = await startMediaConvertSimulator({
      seed: 9,
      timeScale: 2000,
      rates: { error: 0, canceled: 0, queueHop: 0 },
      onEvent: (e) => void seen.push(e),
    });
    const t0 = Date.now();
    await sim.createJob(request("inputs/live.mp4") as unknown as Record<string, unknown>);
    await sim.idle(20_000);
    assert.ok(seen.some((e) => e.detail.status === "COMPLETE"));
    assert.ok(seen.some((e) => e.detail.status === "STATUS_UPDATE"));
    // A job of 20 s to 3 min simulated plays in well under 2 s at 2000×.
    assert.ok(Date.now() - t0 < 5_000);
  });

  it("keeps playing after a drain with nothing pending, and after a timer that fires before its step is due", async () => {
    const seen: EventEnvelope[] = [];
    sim = await startMediaConvertSimulator({
      seed: 8,
      timeScale: 2000,
      rates: { error: 0, canceled: 0 },
      onEvent: (e) => void seen.push(e),
    });
    await sim.drain(); // nothing to play
    await sim.createJob(request("inputs/after-drain.mp4") as unknown as Record<string, unknown>);
    await sim.idle(10_000);
    assert.ok(
      seen.some((e) => e.detail.status === "COMPLETE"),
      `played to the end: ${seen.map((e) => e.detail.status).join(",")}`,
    );
  });

  it("takes input facts from the probe callback and retries a failing onEvent", async () => {
    let failures = 2;
    const got: EventEnvelope[] = [];
    sim = await startMediaConvertSimulator({
      autoRun: false,
      seed: 4,
      rates: { error: 0, canceled: 0, lateInputInformation: 0 },
      probe: async (uri) => {
        assert.equal(uri, "s3://watch/inputs/p.mp4");
        return {
          container: "MPEG-4",
          durationMs: 12_345,
          video: { codec: "AVC", width: 640, height: 360, frameRate: 25 },
          audio: [{ codec: "AAC", channels: 6, sampleRate: 44100 }],
          bytesRead: 1,
          requests: 1,
          complete: true,
          probedAt: 0,
        };
      },
      onEvent: (e) => {
        if (failures-- > 0) throw new Error("router busy");
        got.push(e);
      },
    });
    await sim.createJob(request("inputs/p.mp4") as unknown as Record<string, unknown>);
    await sim.drain();
    assert.equal(sim.failedDeliveries.length, 0);
    assert.equal(got.length, sim.delivered.length, "every delivered event reached onEvent despite two failures");
    const info = got.find((e) => e.detail.status === "INPUT_INFORMATION")!;
    const detail = (
      info.detail.inputDetails as Array<{ video: Array<Record<string, unknown>>; audio: Array<Record<string, unknown>> }>
    )[0]!;
    assert.equal(detail.video[0]!.width, 640);
    assert.equal(detail.video[0]!.codec, "H_264");
    assert.equal(detail.audio[0]!.channels, 6);
    const complete = got.find((e) => e.detail.status === "COMPLETE")!;
    const out = (complete.detail.outputGroupDetails as Array<{ outputDetails: Array<{ durationInMs: number }> }>)[0]!.outputDetails[0]!;
    assert.ok(Math.abs(out.durationInMs - 12_345) <= 40);
  });
});
