import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { McEvent } from "../../../lib/domain/events";
import type { JobRecord } from "../../../lib/domain/job";
import { applyEvent, foldEvents, progressOf, recordOf, reduceEvents, type JobState } from "../../../lib/domain/reducer";
import { ETA_SPAN_FACTOR, UPLOAD_SHARE } from "../../../lib/domain/eta";
import {
  BUCKET_MS,
  STALL_ANY_PACE_MS,
  STALL_MIN_SAMPLES,
  STALL_UNPACED_MS,
  WINDOW_SLOTS,
  addToWindow,
  isStallRun,
  windowSamples,
  type Sample,
  type SampleWindow,
  type WindowSample,
} from "../../../lib/domain/stall";
import { deliveryOf, progressArb, runningJob, transcoding, wildArb, type RunningJob } from "./progress-timeline";

const MINUTE = 60_000;

/** The state and record after each event, folding in time order. */
function replay(events: readonly McEvent[]): { state: JobState; rec: JobRecord }[] {
  let state: JobState | undefined;
  return events.map((e) => {
    state = applyEvent(state, e);
    return { state, rec: recordOf(state) };
  });
}

/** Records after each STATUS_UPDATE (index i = after the (i+1)th update). */
const afterUpdates = (job: RunningJob) => replay(job.events).slice(1);

describe("stalls: a job whose progress stops moving is named, and has no ETA", () => {
  it("stuck at 1 % for 20 minutes: stalled since its first update from the third flat update on, never an ETA", () => {
    const job = runningJob(transcoding(Array(20).fill(1)));
    const steps = afterUpdates(job);
    steps.forEach(({ rec }, i) => {
      assert.equal(rec.status, "PROGRESSING");
      assert.equal(rec.stalled === true, i + 1 >= STALL_MIN_SAMPLES, `after update ${i + 1}`);
      assert.equal(rec.etaMs, undefined, `no ETA after update ${i + 1}`);
      assert.equal(rec.estimatedFinishAt, undefined);
    });
    const last = steps[steps.length - 1].rec;
    assert.equal(last.stalledSince, job.updateTimes[0]);
    assert.equal(last.lastEventAt - last.stalledSince!, 19 * MINUTE);
  });

  it("stuck at 2 % for 20 minutes after reaching it: stalled since the first 2 % update, no ETA", () => {
    const job = runningJob(transcoding([0, 1, ...Array(21).fill(2)]));
    const steps = afterUpdates(job);
    const firstTwo = job.updateTimes[2];
    const last = steps[steps.length - 1].rec;
    assert.equal(last.stalled, true);
    assert.equal(last.stalledSince, firstTwo);
    assert.equal(last.etaMs, undefined);
    assert.equal(last.estimatedFinishAt, undefined);
    // flagged only after at least three flat updates, and once flagged it stays so while nothing moves
    const firstFlag = steps.findIndex(({ rec }) => rec.stalled);
    assert.ok(firstFlag >= 2 + STALL_MIN_SAMPLES - 1, `flagged after update ${firstFlag + 1}`);
    assert.ok(steps.slice(firstFlag).every(({ rec }) => rec.stalled && rec.stalledSince === firstTwo && rec.etaMs === undefined));
  });

  it("the same events in any order, duplicates included, give the same stall", () => {
    const job = runningJob(transcoding([0, 1, ...Array(21).fill(2)]));
    const expected = reduceEvents(job.events);
    assert.equal(expected.stalled, true);
    fc.assert(
      fc.property(deliveryOf(job.events), (delivered) => {
        const rec = reduceEvents(delivered);
        assert.deepStrictEqual([rec.stalled, rec.stalledSince, rec.etaMs], [expected.stalled, expected.stalledSince, undefined]);
        assert.deepStrictEqual(rec, expected);
      }),
      { numRuns: 60 },
    );
  });

  it("once progress moves the ETA returns within the bound, from the pace since the stall", () => {
    const after = Array.from({ length: 20 }, (_, n) => 1 + 3 * (n + 1)); // 3 points a minute once it moves
    const job = runningJob(transcoding([...Array(20).fill(1), ...after]));
    const moved = afterUpdates(job).slice(20);
    assert.ok(moved.every(({ rec }) => rec.stalled === undefined && rec.stalledSince === undefined));
    const firstEta = moved.findIndex(({ rec }) => rec.etaMs !== undefined);
    assert.ok(firstEta >= 0 && firstEta < 6, `ETA back after ${firstEta + 1} moving updates`);
    moved.forEach(({ state, rec }, n) => {
      if (rec.etaMs === undefined) return;
      const eta = progressOf(state).eta!;
      assert.ok(rec.etaMs <= ETA_SPAN_FACTOR * eta.evidenceMs);
      assert.ok(rec.etaMs <= ETA_SPAN_FACTOR * (job.updateTimes[20 + n] - job.progressingAt));
    });
    // ten minutes after it moved: close to what 3 points a minute predicts, far from the phase-long average
    const { rec } = moved[9];
    const tp = after[9];
    const byPace = ((100 - tp + UPLOAD_SHARE * 100) / 3) * MINUTE;
    const phaseLong = ((100 - tp + UPLOAD_SHARE * 100) / (tp / 30.5)) * MINUTE;
    assert.ok(Math.abs(rec.etaMs! - byPace) < 0.15 * byPace, `ETA ${rec.etaMs} vs ${byPace} at the recent pace`);
    assert.ok(phaseLong > 2 * byPace, "the flat stretch would have more than doubled a phase-long estimate");
  });

  it("a slow job is not a stalled one: 3 minutes a point at 1-minute updates, 1 minute a point at 10-second updates", () => {
    const slow = runningJob(transcoding(Array.from({ length: 299 }, (_, i) => Math.floor(((i + 1) * 100) / 300))));
    const slowSteps = afterUpdates(slow);
    assert.ok(slowSteps.every(({ rec }) => !rec.stalled));
    assert.ok(
      slowSteps.slice(-100).every(({ rec }) => rec.etaMs !== undefined),
      "the last third has an ETA",
    );
    const chatty = runningJob(transcoding(Array.from({ length: 599 }, (_, i) => Math.floor(((i + 1) * 100) / 600))), { everyMs: 10_000 });
    assert.ok(afterUpdates(chatty).every(({ rec }) => !rec.stalled));
  });

  it("a job at 0 % of transcoding is stalled only after 5 minutes; 25 flat minutes are a stall whatever the pace", () => {
    const zero = afterUpdates(runningJob(transcoding(Array(8).fill(0))));
    const flaggedAt = zero.findIndex(({ rec }) => rec.stalled);
    assert.equal(flaggedAt, STALL_UNPACED_MS / MINUTE, "flagged once the flat updates span 5 minutes");
    // 40 minutes to reach 4 % (10 minutes a point), then 25 minutes at 4 %
    const readings = transcoding([...Array.from({ length: 40 }, (_, i) => Math.floor((i + 1) / 10)), ...Array(26).fill(4)]);
    const steps = afterUpdates(runningJob(readings));
    const flat = steps.slice(40).map(({ rec }) => rec.stalled === true);
    assert.equal(flat.indexOf(true), STALL_ANY_PACE_MS / MINUTE - 1, "flagged after 25 minutes since the first 4 % update");
  });
});

describe("stalls and ETA: the fold stays order- and duplicate-proof, and the bound holds", () => {
  const jobOf = ({ readings, everyMs, jitter }: { readings: Parameters<typeof runningJob>[0]; everyMs: number; jitter: number[] }) =>
    runningJob(readings, { everyMs, jitter });

  it("any order, any duplicates: the same state (window included) and the same record (stall and ETA included)", () => {
    fc.assert(
      fc.property(
        fc.oneof(progressArb, wildArb).chain((spec) => {
          const job = jobOf(spec);
          return deliveryOf(job.events).map((delivered) => ({ job, delivered }));
        }),
        ({ job, delivered }) => {
          const state = foldEvents(delivered);
          assert.deepStrictEqual(state, foldEvents(job.events));
          assert.deepStrictEqual(reduceEvents(delivered), reduceEvents(job.events));
          assert.ok(Object.keys(state.recent ?? {}).length <= WINDOW_SLOTS);
        },
      ),
      { numRuns: 150 },
    );
  });

  it(`no ETA exceeds ${ETA_SPAN_FACTOR}× its evidence, nor ${ETA_SPAN_FACTOR}× the time since PROGRESSING; none while stalled`, () => {
    let etas = 0;
    let stalls = 0;
    fc.assert(
      fc.property(fc.oneof(progressArb, wildArb), (spec) => {
        const job = jobOf(spec);
        let newest = -Infinity;
        replay(job.events).forEach(({ state, rec }, i) => {
          if (i > 0) newest = Math.max(newest, job.updateTimes[i - 1]);
          if (rec.stalled) stalls++;
          if (rec.etaMs === undefined) return;
          etas++;
          assert.equal(rec.stalled, undefined, "no ETA while stalled");
          const eta = progressOf(state).eta!;
          assert.equal(eta.etaMs, rec.etaMs);
          assert.ok(rec.etaMs <= ETA_SPAN_FACTOR * eta.evidenceMs, `${rec.etaMs} > ${ETA_SPAN_FACTOR} × ${eta.evidenceMs}`);
          assert.ok(rec.etaMs <= ETA_SPAN_FACTOR * (newest - job.progressingAt));
        });
      }),
      { numRuns: 300 },
    );
    // Random timelines: across runs about 900–1,050 steps carry an ETA and 90–190 are stalled; the floor only
    // proves the generators reach both cases, with room for an unlucky draw.
    assert.ok(etas > 500 && stalls > 30, `the timelines exercised both (${etas} ETAs, ${stalls} stalls)`);
  });
});

describe("stall window", () => {
  const sampleArb = fc.record({
    at: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 90 * MINUTE }),
    id: fc.nat({ max: 5 }),
    pct: fc.integer({ min: 0, max: 100 }),
  });
  const toSample = ({ at, id, pct }: { at: number; id: number; pct: number }): WindowSample => ({
    k: `${String(at).padStart(13, "0")}#STATUS_UPDATE#${id}`,
    at,
    phase: "TRANSCODING",
    pct,
  });

  it("holds the newest sample of each of the last WINDOW_SLOTS minutes, whatever the order", () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { minLength: 1, maxLength: 80 }), fc.nat(), (raw, seed) => {
        const samples = raw.map(toSample);
        const fold = (list: WindowSample[]) => list.reduce<SampleWindow | undefined>((w, s) => addToWindow(w, s), undefined)!;
        const shuffled = [...samples].sort((a, b) => ((a.at * 31 + seed) % 97) - ((b.at * 31 + seed) % 97));
        const w = fold(samples);
        assert.deepStrictEqual(w, fold([...shuffled, ...samples.slice(0, 3)]));
        // brute force: the newest sample per minute, for the minutes within WINDOW_SLOTS of the newest
        const newestBucket = Math.max(...samples.map((s) => Math.floor(s.at / BUCKET_MS)));
        const byBucket = new Map<number, WindowSample>();
        for (const s of samples) {
          const b = Math.floor(s.at / BUCKET_MS);
          if (b <= newestBucket - WINDOW_SLOTS) continue;
          const had = byBucket.get(b);
          if (!had || had.k < s.k) byBucket.set(b, s);
        }
        const expected = [...byBucket.values()].sort((a, b) => a.at - b.at || (a.k < b.k ? -1 : 1));
        assert.deepStrictEqual(windowSamples(w), expected);
      }),
      { numRuns: 200 },
    );
  });

  it("isStallRun: three readings, two minutes, three times the phase's pace per point", () => {
    const run = (n: number, everyMs: number, pct = 1): Sample[] =>
      Array.from({ length: n }, (_, i) => ({ at: 600_000 + i * everyMs, phase: "TRANSCODING", pct }));
    assert.equal(isStallRun(run(2, 5 * MINUTE), 570_000), false, "two readings are not enough");
    assert.equal(isStallRun(run(3, 30_000), 570_000), false, "one minute is not enough");
    assert.equal(isStallRun(run(3, MINUTE), 570_000), true, "30 s a point so far, flat for 2 minutes");
    assert.equal(isStallRun(run(3, MINUTE, 10), 0), false, "a minute a point so far: needs 3 minutes");
    assert.equal(isStallRun(run(4, MINUTE, 10), 0), true);
    assert.equal(isStallRun(run(5, MINUTE, 0), 0), false, "at 0 % there is no pace: 5 minutes");
    assert.equal(isStallRun(run(6, MINUTE, 0), 0), true);
    assert.equal(isStallRun(run(26, MINUTE, 1), -600 * MINUTE), true, "25 minutes flat whatever the pace");
    assert.equal(isStallRun(run(25, MINUTE, 1), -600 * MINUTE), false);
  });
});
