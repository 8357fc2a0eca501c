/**
 * ETA accuracy on simulated MediaConvert timelines with known finish times: the domain's ETA (domain/eta.ts, read
 * from the job record the reducer builds after each event) side by side with the naive estimator (linear
 * extrapolation of jobPercentComplete since PROGRESSING), on the same samples.
 *
 * The simulation (seeded, so every run sees the same jobs):
 *   - PROBING 3–90 s; TRANSCODING 20 s–90 min with a content-dependent rate that changes in 3–8 segments by up to
 *     ±45 %; UPLOADING 2–15 % of transcoding plus 2–20 s;
 *   - STATUS_UPDATE every 10/30/60 s (±2 s jitter), with per-phase percentages and a job percentage weighted
 *     5/90/5 % across the phases (which reproduces the documented example: PROBING 100, TRANSCODING 2 → 7 %);
 *   - half the jobs report TRANSCODING 0 % in their first transcoding update (reporting lag).
 * Caveat, stated plainly: the simulation's phase structure is ours, and our estimator was designed around the
 * same structure (phase-local rates + upload allowance); real MediaConvert timelines may differ.
 *
 * Figures: mean and p90 absolute error of the predicted finish time and of that error as a share of the time
 * then remaining (long jobs have many more samples; the relative figure weighs short jobs fairly), on samples
 * where both estimators give an answer, plus each estimator's coverage (share of running samples with an answer).
 */
import type { BenchOptions, BenchRow } from "./run";
import { makeEventKey, type McEvent } from "../domain/events";
import { applyEvent, recordOf, type JobState } from "../domain/reducer";
import { naiveEta } from "../domain/eta";
import type { Phase } from "../domain/job";
import { seededRandom } from "../domain/random";

export const mulberry32 = seededRandom;

export interface SimJob {
  events: McEvent[];
  startAt: number;
  finishAt: number;
}

const ACCOUNT = "111122223333";
const REGION = "us-west-2";
const QUEUE = `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/Default`;

/** One simulated job (see the header for the model). */
export function simulateJob(rand: () => number, index: number): SimJob {
  const created = 1_700_000_000_000 + index * 10_000_000;
  const jobId = `${created}-sim${index}`;
  const startAt = created + Math.floor(rand() * 120_000);
  const probeMs = 3_000 + rand() * 87_000;
  const txMs = 20_000 + rand() ** 2 * 5_380_000;
  const upMs = txMs * (0.02 + rand() * 0.13) + 2_000 + rand() * 18_000;
  const interval = [10_000, 30_000, 60_000][Math.floor(rand() * 3)];
  const lag = rand() < 0.5;
  // transcoding progress as a function of time: piecewise rates, normalised to reach 100 % at txMs
  const segments = 3 + Math.floor(rand() * 6);
  const weights = Array.from({ length: segments }, () => 0.55 + rand() * 0.9);
  const total = weights.reduce((a, b) => a + b, 0);
  const txPct = (t: number) => {
    if (t <= 0) return 0;
    if (t >= txMs) return 100;
    const segLen = txMs / segments;
    let done = 0;
    for (let i = 0; i < segments; i++) {
      const inSeg = Math.min(Math.max(t - i * segLen, 0), segLen);
      done += (inSeg / segLen) * weights[i];
    }
    return (100 * done) / total;
  };
  const finishAt = Math.round(startAt + probeMs + txMs + upMs);
  const base = (ts: number, status: McEvent["status"], n: number) => {
    const eventId = `sim-${index}-${n}`;
    return {
      origin: "eventbridge" as const,
      eventId,
      eventKey: makeEventKey(ts, status, eventId),
      jobId,
      timestamp: ts,
      accountId: ACCOUNT,
      region: REGION,
      arn: `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobs/${jobId}`,
      queue: QUEUE,
      queueName: "Default",
      userMetadata: {},
    };
  };
  const events: McEvent[] = [{ ...base(startAt, "PROGRESSING", 0), status: "PROGRESSING" }];
  let n = 1;
  let firstTx = true;
  for (let at = startAt + interval; at < finishAt; at += interval) {
    const ts = Math.round(at + (rand() - 0.5) * 4_000);
    const el = ts - startAt;
    let phase: Phase;
    let pp = 100;
    let tp = 0;
    let up = 0;
    if (el < probeMs) {
      phase = "PROBING";
      pp = Math.floor((100 * el) / probeMs);
    } else if (el < probeMs + txMs) {
      phase = "TRANSCODING";
      tp = Math.floor(txPct(el - probeMs));
      if (firstTx && lag) tp = 0;
      firstTx = false;
    } else {
      phase = "UPLOADING";
      tp = 100;
      up = Math.floor((100 * (el - probeMs - txMs)) / upMs);
    }
    events.push({
      ...base(ts, "STATUS_UPDATE", n++),
      status: "STATUS_UPDATE",
      percentComplete: Math.floor(0.05 * pp + 0.9 * tp + 0.05 * up),
      currentPhase: phase,
      phasePercentComplete: { PROBING: pp, TRANSCODING: tp, UPLOADING: up },
      framesDecoded: Math.floor(tp * 30),
      retryCount: 0,
    });
  }
  events.push({ ...base(finishAt, "COMPLETE", n++), status: "COMPLETE", outputs: [], warnings: [] });
  return { events, startAt, finishAt };
}

export interface EtaScore {
  samples: number;
  both: number;
  oursCovered: number;
  naiveCovered: number;
  oursErrors: number[];
  naiveErrors: number[];
  /** Errors as a share of the time actually remaining at the sample. */
  oursRelative: number[];
  naiveRelative: number[];
}

/** Feeds each job's events through the reducer in order and scores both estimators after every running sample. */
export function scoreEta(jobs: SimJob[]): EtaScore {
  const score: EtaScore = { samples: 0, both: 0, oursCovered: 0, naiveCovered: 0, oursErrors: [], naiveErrors: [], oursRelative: [], naiveRelative: [] };
  for (const job of jobs) {
    let state: JobState | undefined;
    for (const e of job.events) {
      state = applyEvent(state, e);
      if (e.status !== "STATUS_UPDATE") continue;
      const rec = recordOf(state);
      if (rec.status !== "PROGRESSING") continue;
      score.samples++;
      const ours = rec.estimatedFinishAt;
      const naive = naiveEta(rec.progressingAt, { at: e.timestamp, jobPct: rec.percentComplete })?.finishAt;
      if (ours !== undefined) score.oursCovered++;
      if (naive !== undefined) score.naiveCovered++;
      if (ours !== undefined && naive !== undefined) {
        score.both++;
        score.oursErrors.push(Math.abs(ours - job.finishAt));
        score.naiveErrors.push(Math.abs(naive - job.finishAt));
        const remaining = Math.max(job.finishAt - e.timestamp, 1);
        score.oursRelative.push(Math.abs(ours - job.finishAt) / remaining);
        score.naiveRelative.push(Math.abs(naive - job.finishAt) / remaining);
      }
    }
  }
  return score;
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function simulateJobs(count: number, seed = 42): SimJob[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => simulateJob(rand, i));
}

export default async function etaBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const jobs = simulateJobs(quick ? 150 : 1500);
  const s = scoreEta(jobs);
  const note = `${jobs.length} simulated jobs, ${s.both} samples where both estimate`;
  return [
    {
      suite: "eta",
      metric: "finish-time error, mean",
      value: mean(s.oursErrors) / 1000,
      unit: "s",
      baseline: { name: "naive linear", value: mean(s.naiveErrors) / 1000 },
      note,
    },
    {
      suite: "eta",
      metric: "finish-time error, p90",
      value: percentile(s.oursErrors, 90) / 1000,
      unit: "s",
      baseline: { name: "naive linear", value: percentile(s.naiveErrors, 90) / 1000 },
      note,
    },
    {
      suite: "eta",
      metric: "error / time remaining, mean",
      value: 100 * mean(s.oursRelative),
      unit: "%",
      baseline: { name: "naive linear", value: 100 * mean(s.naiveRelative) },
      note,
    },
    {
      suite: "eta",
      metric: "error / time remaining, p90",
      value: 100 * percentile(s.oursRelative, 90),
      unit: "%",
      baseline: { name: "naive linear", value: 100 * percentile(s.naiveRelative, 90) },
      note,
    },
    {
      suite: "eta",
      metric: "coverage of running samples",
      value: (100 * s.oursCovered) / s.samples,
      unit: "%",
      baseline: { name: "naive linear", value: (100 * s.naiveCovered) / s.samples },
      note: "ours gives no ETA while PROBING or before transcoding shows progress",
    },
  ];
}
