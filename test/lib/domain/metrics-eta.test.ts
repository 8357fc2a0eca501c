import { strict as assert } from "node:assert";
import { estimateEta, naiveEta, UPLOAD_SHARE } from "../../../lib/domain/eta";
import { computeMetrics, decodeFps, queuedMs, speed, transcodingMs } from "../../../lib/domain/metrics";
import { applyEvent, applyProbe, foldEvents, type JobState, recordOf, reduceEvents, withProbe } from "../../../lib/domain/reducer";
import type { ProbeResult } from "../../../lib/domain/probe";
import { mean, scoreEta, simulateJobs } from "../../../dev/bench/eta.bench";
import { timeline, type TimelineSpec } from "../../support/timeline";

const probe = (over: Partial<ProbeResult> = {}): ProbeResult => ({
  container: "MPEG-4",
  durationMs: 600_000,
  overallBitRate: 8_000_000,
  fileSize: 600_000_000,
  video: { codec: "AVC", width: 1920, height: 1080, frameRate: 25, bitDepth: 8, scanType: "Progressive" },
  audio: [{ codec: "AAC", channels: 2, sampleRate: 48000 }],
  bytesRead: 65536,
  requests: 2,
  complete: true,
  probedAt: 1_700_000_100_000,
  ...over,
});

describe("metrics", () => {
  it("queuedMs: from submission when known, else from creation; none before the job starts", () => {
    assert.equal(queuedMs({ createdAt: 1000, submittedAt: 1500, progressingAt: 4000 }), 2500);
    assert.equal(queuedMs({ createdAt: 1000, progressingAt: 4000 }), 3000);
    assert.equal(queuedMs({ createdAt: 1000 }), undefined);
  });

  it("transcodingMs: to finishedAt when terminal, else to the last event", () => {
    assert.equal(transcodingMs({ progressingAt: 1000, finishedAt: 9000, lastEventAt: 12000 }), 8000);
    assert.equal(transcodingMs({ progressingAt: 1000, lastEventAt: 5000 }), 4000);
    assert.equal(transcodingMs({ lastEventAt: 5000 }), undefined);
  });

  it("speed: input duration ÷ transcoding time, only for COMPLETE jobs with both known", () => {
    assert.equal(speed("COMPLETE", 600_000, 200_000), 3);
    assert.equal(speed("PROGRESSING", 600_000, 200_000), undefined);
    assert.equal(speed("COMPLETE", undefined, 200_000), undefined);
    assert.equal(speed("COMPLETE", 600_000, 0), undefined);
  });

  it("decodeFps: between the first TRANSCODING sample and the latest, else since start", () => {
    assert.equal(decodeFps({ txFirst: { at: 10_000, frames: 100 }, latest: { at: 20_000, frames: 600 } }), 50);
    assert.equal(decodeFps({ progressingAt: 0, latest: { at: 20_000, frames: 600 } }), 30);
    assert.equal(decodeFps({ latest: { at: 20_000 } }), undefined);
  });

  it("computeMetrics leaves out what it cannot know", () => {
    assert.deepEqual(computeMetrics({ status: "SUBMITTED", createdAt: 1, lastEventAt: 1 }), {});
  });

  it("the record's speed uses the probed input duration once COMPLETE", () => {
    const spec: TimelineSpec = {
      created: 1_700_000_000_000,
      queueWait: 0,
      probeMs: 10_000,
      transcodeMs: 180_000,
      uploadMs: 10_000,
      end: "COMPLETE",
      hop: false,
      warnings: [],
      inputInfoLate: false,
      updateEvery: 30_000,
    };
    const state = withProbe(foldEvents(timeline(spec)), probe());
    const rec = recordOf(state);
    assert.equal(rec.transcodingMs, 200_000);
    assert.equal(rec.speed, 3);
    assert.equal(rec.input?.container, "MPEG-4");
    assert.equal(rec.input?.video?.codec, "H_264", "MediaConvert's own reading wins over the probe");
    assert.equal(rec.input?.video?.scanType, "Progressive", "the probe fills what the event lacks");
  });
});

describe("speed without a probe", () => {
  it("uses the longest output's duration when the input duration is unknown", () => {
    const spec: TimelineSpec = {
      created: 1_700_000_000_000,
      queueWait: 0,
      probeMs: 10_000,
      transcodeMs: 180_000,
      uploadMs: 10_000,
      end: "COMPLETE",
      hop: false,
      warnings: [],
      inputInfoLate: false,
      updateEvery: 30_000,
    };
    const rec = reduceEvents(timeline(spec)); // the timeline's COMPLETE has one 600 s output
    assert.equal(rec.input?.durationMs, undefined);
    assert.equal(rec.speed, 3);
  });
});

describe("probe", () => {
  it("applyProbe fills container, duration and bitrates that events lack", () => {
    const rec = reduceEvents(
      timeline({
        created: 1_700_000_000_000,
        queueWait: 0,
        probeMs: 1000,
        transcodeMs: 60_000,
        uploadMs: 1000,
        end: "CANCELED",
        hop: false,
        warnings: [],
        inputInfoLate: false,
        updateEvery: 20_000,
      }),
    );
    const out = applyProbe(rec, probe());
    assert.deepEqual(
      [out.input?.container, out.input?.durationMs, out.input?.bitRate, out.input?.uri],
      ["MPEG-4", 600_000, 8_000_000, "s3://bucket/in.mp4"],
    );
    assert.equal(rec.input?.container, undefined, "the original record is not modified");
  });

  it("withProbe keeps a complete probe over a partial one whatever the order", () => {
    const base = foldEvents(
      timeline({
        created: 1_700_000_000_000,
        queueWait: 0,
        probeMs: 1000,
        transcodeMs: 60_000,
        uploadMs: 1000,
        end: "COMPLETE",
        hop: false,
        warnings: [],
        inputInfoLate: false,
        updateEvery: 20_000,
      }),
    );
    const partial = probe({ complete: false, durationMs: undefined, probedAt: 1_700_000_200_000 });
    const full = probe();
    assert.deepEqual(withProbe(withProbe(base, partial), full), withProbe(withProbe(base, full), partial));
    assert.equal(recordOf(withProbe(withProbe(base, full), partial)).input?.durationMs, 600_000);
  });
});

describe("ETA", () => {
  it("none before evidence: no sample, PROBING, TRANSCODING at 0 %, or the 2018 shape", () => {
    assert.equal(estimateEta({ progressingAt: 0 }), undefined);
    assert.equal(estimateEta({ progressingAt: 0, latest: { at: 60_000, phase: "PROBING", phases: { PROBING: 80 } } }), undefined);
    assert.equal(
      estimateEta({ progressingAt: 0, latest: { at: 60_000, phase: "TRANSCODING", phases: { PROBING: 100, TRANSCODING: 0 }, jobPct: 5 } }),
      undefined,
    );
    assert.equal(estimateEta({ progressingAt: 0, latest: { at: 60_000, frames: 500 } }), undefined);
  });

  it("TRANSCODING: phase rate since the estimated phase start, plus the upload allowance", () => {
    // probing ended between 10 s and 20 s → transcoding taken to start at 15 s (0 %); the rise 5 → 49 between
    // 20 s and 115 s is read as 27.5 % at 67.5 s; still at 49 % at 115 s caps the rate at 50 % per 100 s
    const eta = estimateEta({
      progressingAt: 0,
      probeLast: { at: 10_000 },
      txFirst: { at: 20_000, pct: 5 },
      latest: { at: 115_000, phase: "TRANSCODING", phases: { TRANSCODING: 49 } },
    })!;
    const rate = Math.min(27.5 / 52_500, 50 / 100_000);
    const now = Math.min(27.5 + rate * 47_500, 50);
    const expected = Math.round((100 - now) / rate + (UPLOAD_SHARE * 100) / rate);
    assert.equal(eta.etaMs, expected);
    assert.equal(eta.finishAt, 115_000 + expected);
    assert.equal(eta.evidenceMs, 100_000);
  });

  it("UPLOADING: the upload's own rate once two samples differ, else the allowance", () => {
    // the rise 20 → 60 reads 40.5 % at 105 s; the latest (60, read 60.5) at 110 s gives the rate
    const byRate = estimateEta({
      progressingAt: 0,
      txFirst: { at: 0, pct: 0 },
      upFirst: { at: 100_000, pct: 20 },
      latest: { at: 110_000, phase: "UPLOADING", phases: { UPLOADING: 60 } },
    })!;
    assert.equal(byRate.etaMs, Math.round(39.5 / (20 / 5_000)));
    assert.equal(byRate.method, "upload-rate");
    const byAllowance = estimateEta({
      progressingAt: 0,
      txFirst: { at: 0, pct: 0 },
      upFirst: { at: 100_000, pct: 0 },
      latest: { at: 100_000, phase: "UPLOADING", phases: { UPLOADING: 0 } },
    })!;
    assert.equal(byAllowance.etaMs, Math.round(UPLOAD_SHARE * 100_000));
  });

  it("no estimate once MediaConvert retried the job (the kept samples belong to the earlier attempt)", () => {
    const input = {
      progressingAt: 0,
      txFirst: { at: 20_000, pct: 5, retry: 0 },
      latest: { at: 115_000, phase: "TRANSCODING" as const, phases: { TRANSCODING: 10 }, retry: 1 },
    };
    assert.equal(estimateEta(input), undefined);
    assert.ok(estimateEta({ ...input, latest: { ...input.latest, retry: 0 } }));
  });

  it("the naive estimator extrapolates jobPercentComplete linearly and says nothing at 0 %", () => {
    assert.equal(naiveEta(0, { at: 50_000, jobPct: 50 })?.etaMs, 50_000);
    assert.equal(naiveEta(0, { at: 50_000, jobPct: 0 }), undefined);
    assert.equal(naiveEta(undefined, { at: 50_000, jobPct: 10 }), undefined);
  });

  it("a running job's record carries etaMs and estimatedFinishAt; a finished one does not", () => {
    const events = timeline({
      created: 1_700_000_000_000,
      queueWait: 0,
      probeMs: 10_000,
      transcodeMs: 600_000,
      uploadMs: 30_000,
      end: "COMPLETE",
      hop: false,
      warnings: [],
      inputInfoLate: false,
      updateEvery: 60_000,
    });
    let state: JobState | undefined;
    const etas: number[] = [];
    for (const e of events) {
      state = applyEvent(state, e);
      const rec = recordOf(state);
      if (rec.estimatedFinishAt !== undefined) {
        assert.equal(rec.status, "PROGRESSING");
        assert.equal(rec.estimatedFinishAt, rec.lastEventAt + rec.etaMs!);
        etas.push(rec.estimatedFinishAt);
      }
    }
    assert.ok(etas.length >= 8);
    const actual = events[events.length - 1].timestamp;
    const lastErr = Math.abs(etas[etas.length - 1] - actual);
    assert.ok(lastErr < 60_000, `late estimates land within a minute (was ${lastErr} ms off)`);
    assert.equal(recordOf(state!).etaMs, undefined);
  });

  it("beats naive linear extrapolation on seeded simulated timelines (error relative to time remaining)", () => {
    const s = scoreEta(simulateJobs(60, 7));
    assert.ok(s.both > 1000);
    const ours = mean(s.oursRelative);
    const naive = mean(s.naiveRelative);
    assert.ok(ours < naive * 0.95, `ours ${ours.toFixed(3)} vs naive ${naive.toFixed(3)}`);
  });
});
