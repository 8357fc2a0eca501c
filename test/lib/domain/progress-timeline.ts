/**
 * Test support for stalls and ETAs: running jobs whose STATUS_UPDATEs report given TRANSCODING percentages, and
 * fast-check arbitraries for such jobs (flat stretches, jumps, any interval), built as raw EventBridge events and
 * parsed like real ones.
 */
import fc from "fast-check";
import type { McEvent } from "../../../lib/domain/events";
import type { Phase } from "../../../lib/domain/job";
import { mustParse, raw } from "../../support/timeline";
import { jobId as makeJobId } from "../../support/job-ids";

export interface Reading {
  phase: Phase;
  /** The phase's own percent complete. */
  pct: number;
  retry?: number;
}

export interface RunningJob {
  /** PROGRESSING first, then one STATUS_UPDATE per reading (distinct eventKeys), in time order. */
  events: McEvent[];
  progressingAt: number;
  /** Timestamps of the STATUS_UPDATEs, one per reading. */
  updateTimes: number[];
}

/** The three phase percentages of a reading (earlier phases done, later ones not begun). */
function phasesOf(r: Reading): Record<Phase, number> {
  if (r.phase === "PROBING") return { PROBING: r.pct, TRANSCODING: 0, UPLOADING: 0 };
  if (r.phase === "TRANSCODING") return { PROBING: 100, TRANSCODING: r.pct, UPLOADING: 0 };
  return { PROBING: 100, TRANSCODING: 100, UPLOADING: r.pct };
}

/** The job percentage MediaConvert would report for a reading (phases weighted 5/90/5 %). */
export function jobPctOf(r: Reading): number {
  const p = phasesOf(r);
  return Math.floor(0.05 * p.PROBING + 0.9 * p.TRANSCODING + 0.05 * p.UPLOADING);
}

/**
 * A running job: PROGRESSING at `created + 5 s`, then a STATUS_UPDATE every `everyMs` (plus `jitter[i]` ms when
 * given) for each reading.
 */
export function runningJob(
  readings: readonly Reading[],
  opts: { created?: number; everyMs?: number; jitter?: readonly number[]; n?: number } = {},
): RunningJob {
  const created = opts.created ?? 1_700_000_000_000;
  const every = opts.everyMs ?? 60_000;
  const jobId = makeJobId(created, opts.n ?? 0);
  const progressingAt = created + 5_000;
  const events: McEvent[] = [mustParse(raw(jobId, "progressing", { timestamp: progressingAt, status: "PROGRESSING" }))];
  const updateTimes: number[] = [];
  readings.forEach((r, i) => {
    const at = progressingAt + (i + 1) * every + (opts.jitter?.[i] ?? 0);
    updateTimes.push(at);
    const p = phasesOf(r);
    const phaseProgress = {
      PROBING: { percentComplete: p.PROBING },
      TRANSCODING: { percentComplete: p.TRANSCODING },
      UPLOADING: { percentComplete: p.UPLOADING },
    };
    events.push(
      mustParse(
        raw(jobId, `update-${String(i).padStart(4, "0")}`, {
          timestamp: at,
          status: "STATUS_UPDATE",
          jobProgress: { phaseProgress, jobPercentComplete: jobPctOf(r), currentPhase: r.phase, retryCount: r.retry ?? 0 },
        }),
      ),
    );
  });
  return { events, progressingAt, updateTimes };
}

/** TRANSCODING readings. */
export const transcoding = (pcts: readonly number[]): Reading[] => pcts.map((pct) => ({ phase: "TRANSCODING", pct }));

/**
 * Realistic running jobs: a few PROBING readings, then TRANSCODING that moves in steps drawn from flat stretches
 * (0), small steps and jumps (up to the rest), then maybe UPLOADING; any status-update interval from 10 s to 10 min.
 */
export const progressArb = fc
  .record({
    probing: fc.integer({ min: 0, max: 3 }),
    steps: fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 100 })), {
      minLength: 1,
      maxLength: 60,
    }),
    upload: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 5 }),
    everyMs: fc.constantFrom(10_000, 30_000, 60_000, 90_000, 600_000),
    jitter: fc.array(fc.integer({ min: -2_000, max: 2_000 }), { maxLength: 70 }),
  })
  .map(({ probing, steps, upload, everyMs, jitter }) => {
    const readings: Reading[] = [];
    for (let i = 0; i < probing; i++) readings.push({ phase: "PROBING", pct: Math.floor(((i + 1) * 100) / (probing + 1)) });
    let tp = 0;
    for (const step of steps) {
      tp = Math.min(tp + step, 100);
      readings.push({ phase: "TRANSCODING", pct: tp });
    }
    let up = 0;
    for (const step of upload) {
      up = Math.min(up + step, 100);
      readings.push({ phase: "UPLOADING", pct: up });
    }
    return { readings, everyMs, jitter };
  });

/** Any readings at all (progress may go back, retries may appear): the fold must not care. */
export const wildArb = fc.record({
  readings: fc.array(
    fc.record({
      phase: fc.constantFrom<Phase>("PROBING", "TRANSCODING", "UPLOADING"),
      pct: fc.integer({ min: 0, max: 100 }),
      retry: fc.integer({ min: 0, max: 1 }),
    }),
    { minLength: 1, maxLength: 50 },
  ),
  everyMs: fc.constantFrom(10_000, 60_000, 600_000),
  jitter: fc.array(fc.integer({ min: -9_000, max: 9_000 }), { maxLength: 50 }),
});

/** Events shuffled, with some delivered more than once. */
export function deliveryOf(events: readonly McEvent[]) {
  return fc
    .tuple(
      fc.shuffledSubarray([...events], { minLength: events.length, maxLength: events.length }),
      fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 8 }),
    )
    .map(([shuffled, dupIdx, positions]) => {
      const delivered = [...shuffled];
      dupIdx.forEach((i, j) => void delivered.splice((positions[j] ?? 0) % (delivered.length + 1), 0, events[i]));
      return delivered;
    });
}
