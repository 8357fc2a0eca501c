import { strict as assert } from "node:assert";
import fc from "fast-check";
import { applyEvent, foldEvents, type JobState, reduceEvents, recordOf } from "../../../lib/domain/reducer";
import { TERMINAL_STATUSES } from "../../../lib/domain/job";
import type { McEvent } from "../../../lib/domain/events";
import { deliveryArb, mustParse, raw, specArb, timeline } from "../../support/timeline";

const RUNS = 150;

describe("reducer: order- and duplicate-proof job state", () => {
  it("every permutation with random duplicates gives an identical record (and identical stored state)", () => {
    fc.assert(
      fc.property(deliveryArb, ({ events, delivered }) => {
        assert.deepStrictEqual(foldEvents(delivered), foldEvents(events));
        assert.deepStrictEqual(reduceEvents(delivered), reduceEvents(events));
      }),
      { numRuns: RUNS },
    );
  });

  it("a terminal state is never regressed, whatever arrives after it", () => {
    fc.assert(
      fc.property(deliveryArb, ({ spec, delivered }) => {
        let state: JobState | undefined;
        let seenTerminal = false;
        for (const e of delivered) {
          state = applyEvent(state, e);
          const rec = recordOf(state);
          if (e.status === spec.end) seenTerminal = true;
          if (seenTerminal) {
            assert.equal(rec.status, spec.end, `after ${e.status} the status fell back to ${rec.status}`);
            assert.ok(TERMINAL_STATUSES.includes(rec.status));
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("duplicates change nothing: eventCount counts distinct events", () => {
    fc.assert(
      fc.property(deliveryArb, ({ events, delivered }) => {
        const rec = reduceEvents(delivered);
        assert.equal(rec.eventCount, events.length);
        assert.ok(delivered.length >= events.length);
      }),
      { numRuns: RUNS },
    );
  });

  it("the final record states the timeline's facts whatever the order", () => {
    fc.assert(
      fc.property(deliveryArb, ({ spec, delivered }) => {
        const rec = reduceEvents(delivered);
        const start = spec.created + spec.queueWait;
        const end = start + spec.probeMs + spec.transcodeMs + spec.uploadMs;
        assert.equal(rec.createdAt, spec.created);
        assert.equal(rec.progressingAt, start);
        assert.equal(rec.finishedAt, end);
        assert.equal(rec.queuedMs, spec.queueWait);
        assert.equal(rec.transcodingMs, end - start);
        assert.equal(rec.input?.uri, "s3://bucket/in.mp4", "INPUT_INFORMATION fills the input in any order");
        assert.equal(rec.queueName, spec.hop ? "Fast" : "Default");
        assert.equal(rec.queueHops.length, spec.hop ? 1 : 0);
        assert.equal(rec.etaMs, undefined, "no ETA once finished");
        if (spec.end === "COMPLETE") {
          assert.equal(rec.percentComplete, 100);
          assert.deepEqual(
            rec.warnings.map((w) => [w.code, w.count]),
            [...spec.warnings].sort((a, b) => a - b).map((c) => [c, 2]),
          );
        }
        if (spec.end === "ERROR") assert.deepEqual([rec.error?.code, rec.error?.category], [1401, "access"]);
        else assert.equal(rec.error, undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it("progress fields move only with a newer STATUS_UPDATE", () => {
    fc.assert(
      fc.property(specArb, fc.nat(), (spec, seed) => {
        const updates = timeline({ ...spec, end: "CANCELED" }).filter((e) => e.status === "STATUS_UPDATE");
        fc.pre(updates.length >= 2);
        const newest = updates[updates.length - 1] as Extract<McEvent, { status: "STATUS_UPDATE" }>;
        const older = updates[seed % (updates.length - 1)];
        const rec = recordOf(applyEvent(applyEvent(undefined, newest), older));
        assert.equal(rec.percentComplete, newest.percentComplete);
        assert.equal(rec.framesDecoded, newest.framesDecoded);
        assert.equal(rec.currentPhase, newest.currentPhase);
      }),
      { numRuns: RUNS },
    );
  });

  it("INPUT_INFORMATION after COMPLETE still fills the input (and the status stays COMPLETE)", () => {
    const events = timeline({
      created: 1_700_000_000_000,
      queueWait: 1000,
      probeMs: 5000,
      transcodeMs: 60000,
      uploadMs: 5000,
      end: "COMPLETE",
      hop: false,
      warnings: [],
      inputInfoLate: true,
      updateEvery: 20000,
    });
    const complete = events.find((e) => e.status === "COMPLETE")!;
    const info = events.find((e) => e.status === "INPUT_INFORMATION")!;
    const rec = recordOf(applyEvent(applyEvent(undefined, complete), info));
    assert.equal(rec.status, "COMPLETE");
    assert.equal(rec.input?.video?.width, 1920);
    assert.equal(rec.eventCount, 2);
  });

  it("between two terminal events the later wins; at the same millisecond ERROR beats CANCELED beats COMPLETE", () => {
    const jobId = "1700000000000-ter000";
    const mk = (status: string, ts: number, id: string, extra: object = {}) =>
      mustParse(raw(jobId, id, { timestamp: ts, status, ...extra }));
    const complete = mk("COMPLETE", 2000, "a");
    const errorLater = mk("ERROR", 3000, "b", { errorCode: 1999 });
    const canceledSame = mk("CANCELED", 2000, "c");
    const errorSame = mk("ERROR", 2000, "d", { errorCode: 1040 });
    assert.equal(reduceEvents([complete, errorLater]).status, "ERROR");
    assert.equal(reduceEvents([errorLater, complete]).finishedAt, 3000);
    assert.equal(reduceEvents([complete, canceledSame]).status, "CANCELED");
    assert.equal(reduceEvents([canceledSame, complete]).status, "CANCELED");
    assert.equal(reduceEvents([complete, canceledSame, errorSame]).status, "ERROR");
    assert.equal(reduceEvents([errorSame, canceledSame, complete]).error?.code, 1040);
  });

  it("a job id without a time prefix takes its createdAt from the earliest event", () => {
    // parseEvent refuses such ids; the reducer still folds a stored event that has one.
    const jobId = "custom-job";
    const a = { ...mustParse(raw("1700000000000-cus000", "x", { timestamp: 5000, status: "PROGRESSING" })), jobId };
    const b = { ...mustParse(raw("1700000000000-cus000", "y", { timestamp: 4000, status: "QUEUE_HOP", previousQueue: "q" })), jobId };
    assert.equal(reduceEvents([a, b]).createdAt, 4000);
    assert.equal(reduceEvents([b, a]).createdAt, 4000);
  });

  it("refuses to fold another job's event", () => {
    const a = mustParse(raw("1700000000000-aaa000", "x", { timestamp: 5000, status: "PROGRESSING" }));
    const b = mustParse(raw("1700000000000-bbb000", "y", { timestamp: 5000, status: "PROGRESSING" }));
    assert.throws(() => applyEvent(applyEvent(undefined, a), b), /job 1700000000000-bbb000 folded into job 1700000000000-aaa000/);
  });
});
