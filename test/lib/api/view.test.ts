/**
 * The API's JSON view of a job record: stall fields pass through, with the ISO twin every time field has.
 */
import { strict as assert } from "node:assert";
import { jobView } from "../../../lib/api/view";
import { reduceEvents } from "../../../lib/domain/reducer";
import { runningJob, transcoding } from "../domain/progress-timeline";

describe("api: job view", () => {
  it("a stalled job shows stalled, stalledSince and stalledSinceIso, and no ETA", () => {
    const job = runningJob(transcoding(Array(10).fill(1)));
    const rec = reduceEvents(job.events);
    const view = jobView(rec, rec.lastEventAt);
    assert.equal(view.stalled, true);
    assert.equal(view.stalledSince, job.updateTimes[0]);
    assert.equal(view.stalledSinceIso, new Date(job.updateTimes[0]).toISOString());
    assert.equal(view.etaMs, undefined);
    assert.equal(view.estimatedFinishAtIso, undefined);
  });

  it("a moving job has an ETA with its ISO twin and no stall fields", () => {
    const job = runningJob(transcoding(Array.from({ length: 10 }, (_, i) => 5 * (i + 1))));
    const rec = reduceEvents(job.events);
    const view = jobView(rec, rec.lastEventAt);
    assert.ok(typeof view.estimatedFinishAt === "number");
    assert.equal(view.estimatedFinishAtIso, new Date(view.estimatedFinishAt).toISOString());
    assert.ok(!("stalled" in view) && !("stalledSince" in view) && !("stalledSinceIso" in view));
  });
});

describe("api: job view, staleness at read time", () => {
  it("a running job silent for more than three status-update intervals shows stale, staleSince (with ISO) and no ETA", () => {
    const job = runningJob(transcoding(Array.from({ length: 10 }, (_, i) => 5 * (i + 1))));
    const rec = reduceEvents(job.events);
    const fresh = jobView(rec, rec.lastEventAt + 60_000);
    assert.ok(!("stale" in fresh) && typeof fresh.etaMs === "number", "heard from a minute ago: an ETA, not stale");
    const frozen = jobView(rec, rec.lastEventAt + 10 * 60_000);
    assert.equal(frozen.stale, true);
    assert.equal(frozen.staleSince, rec.lastEventAt + 180_000);
    assert.equal(frozen.staleSinceIso, new Date(rec.lastEventAt + 180_000).toISOString());
    assert.equal(frozen.etaMs, undefined);
    assert.equal(frozen.estimatedFinishAt, undefined);
    assert.equal(frozen.estimatedFinishAtIso, undefined);
    // The interval is the job's: at SECONDS_600 ten minutes of silence is normal.
    assert.ok(!("stale" in jobView(rec, rec.lastEventAt + 10 * 60_000, { statusUpdateIntervalMs: 600_000 })));
  });

  it("a finished job is never stale", () => {
    const job = runningJob(transcoding([10, 20]));
    const rec = { ...reduceEvents(job.events), status: "COMPLETE" as const };
    assert.ok(!("stale" in jobView(rec, rec.lastEventAt + 86_400_000)));
  });
});
