/**
 * ETA accuracy on simulated MediaConvert timelines with known finish times: the domain's ETA (lib/domain/eta.ts, read
 * from the job record the reducer builds after each event) side by side with the naive estimator (linear
 * extrapolation of jobPercentComplete since PROGRESSING), on the same samples.
 *
 * The simulation (seeded, so every run sees the same jobs):
 *   - PROBING 3–90 s; TRANSCODING 20 s–90 min with a content-dependent rate that changes in 3–8 segments by up to
 *     ±45 %; UPLOADING 2–15 % of transcoding plus 2–20 s;
 *   - STATUS_UPDATE every 10/30/60 s (±2 s jitter), with per-phase percentages and a job percentage weighted
 *     5/90/5 % across the phases (which reproduces the documented example: PROBING 100, TRANSCODING 2 → 7 %);
 *   - half the jobs report TRANSCODING 0 % in their first transcoding update (reporting lag).
 * A second set adds the two shapes that made the old phase-long rate go wild (drawn from their own seed, so the
 * plain set is unchanged): stalls, where transcoding stops for 5–30 min somewhere between 10 % and 80 % of its
 * time and then goes on as before; and accelerated jumps, where the reported percentage climbs to 0–5 %, sits
 * there for the rest of transcoding and then jumps to 100 % (job percentage 5 → 100).
 * Caveat, stated plainly: the simulation's phase structure is ours, and our estimator was designed around the
 * same structure (phase-local rates + upload allowance); real MediaConvert timelines may differ.
 *
 * Figures: mean and p90 absolute error of the predicted finish time and of that error as a share of the time
 * then remaining (long jobs have many more samples; the relative figure weighs short jobs fairly), on samples
 * where both estimators give an answer, plus each estimator's coverage (share of running samples with an answer).
 * For the second set also: how many samples at least STALL_UNPACED_MS into a flat stretch are flagged `stalled`,
 * how often each estimator still gives an ETA there, and how many ETAs exceed ETA_SPAN_FACTOR × their evidence
 * (for the naive estimator, the time since PROGRESSING).
 */
import type { BenchOptions, BenchRow } from "./run";
import { makeEventKey, type McEvent } from "../../lib/domain/events";
import { applyEvent, progressOf, recordOf, type JobState } from "../../lib/domain/reducer";
import { ETA_SPAN_FACTOR, naiveEta } from "../../lib/domain/eta";
import { STALL_UNPACED_MS } from "../../lib/domain/stall";
import type { Phase } from "../../lib/domain/job";
import { seededRandom } from "../../lib/domain/random";

export const mulberry32 = seededRandom;

export interface SimJob {
  events: McEvent[];
  startAt: number;
  finishAt: number;
  /** When the reported progress stood still (stall and jump jobs). */
  flat?: { from: number; to: number };
}

/** What sets a job apart from the plain model: a stall (at a share of transcoding time) or a stuck percentage. */
export interface Quirk {
  stall?: { at: number; ms: number };
  stuckAt?: number;
}

const ACCOUNT = "111122223333";
const REGION = "us-west-2";
const QUEUE = `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/Default`;

/** One simulated job (see the header for the model). */
export function simulateJob(rand: () => number, index: number, quirk: Quirk = {}): SimJob {
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
  // a stall holds transcoding still for pauseMs from stallAt on (transcoding then takes txMs + pauseMs)
  const pauseMs = quirk.stall?.ms ?? 0;
  const stallAt = (quirk.stall?.at ?? 0) * txMs;
  const txAt = (t: number) => (t < stallAt ? txPct(t) : t < stallAt + pauseMs ? txPct(stallAt) : txPct(t - pauseMs));
  const txEnd = probeMs + txMs + pauseMs;
  let flat: SimJob["flat"];
  if (pauseMs) flat = { from: startAt + probeMs + stallAt, to: startAt + probeMs + stallAt + pauseMs };
  if (quirk.stuckAt !== undefined) {
    let lo = 0;
    for (let hi = txMs; hi - lo > 100; ) {
      const mid = (lo + hi) / 2;
      if (txPct(mid) >= quirk.stuckAt) hi = mid;
      else lo = mid;
    }
    flat = { from: startAt + probeMs + lo, to: startAt + txEnd };
  }
  const finishAt = Math.round(startAt + txEnd + upMs);
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
    } else if (el < txEnd) {
      phase = "TRANSCODING";
      tp = Math.min(Math.floor(txAt(el - probeMs)), quirk.stuckAt ?? 100);
      if (firstTx && lag) tp = 0;
      firstTx = false;
    } else {
      phase = "UPLOADING";
      tp = 100;
      up = Math.floor((100 * (el - txEnd)) / upMs);
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
  return { events, startAt, finishAt, flat };
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
  /** Running samples flagged `stalled`. */
  stalled: number;
  /** Samples at least STALL_UNPACED_MS into a known flat stretch; of those, flagged stalled / given an ETA. */
  deepFlat: number;
  deepFlatStalled: number;
  deepFlatOurs: number;
  deepFlatNaive: number;
  /** ETAs beyond ETA_SPAN_FACTOR × their evidence (naive: × the time since PROGRESSING). */
  oursWild: number;
  naiveWild: number;
}

/** Feeds each job's events through the reducer in order and scores both estimators after every running sample. */
export function scoreEta(jobs: SimJob[]): EtaScore {
  const score: EtaScore = {
    samples: 0,
    both: 0,
    oursCovered: 0,
    naiveCovered: 0,
    oursErrors: [],
    naiveErrors: [],
    oursRelative: [],
    naiveRelative: [],
    stalled: 0,
    deepFlat: 0,
    deepFlatStalled: 0,
    deepFlatOurs: 0,
    deepFlatNaive: 0,
    oursWild: 0,
    naiveWild: 0,
  };
  for (const job of jobs) {
    let state: JobState | undefined;
    for (const e of job.events) {
      state = applyEvent(state, e);
      if (e.status !== "STATUS_UPDATE") continue;
      const rec = recordOf(state);
      if (rec.status !== "PROGRESSING") continue;
      score.samples++;
      const ours = rec.estimatedFinishAt;
      const naiveFull = naiveEta(rec.progressingAt, { at: e.timestamp, jobPct: rec.percentComplete });
      const naive = naiveFull?.finishAt;
      if (rec.stalled) score.stalled++;
      if (ours !== undefined && rec.etaMs! > ETA_SPAN_FACTOR * progressOf(state).eta!.evidenceMs) score.oursWild++;
      if (naiveFull && naiveFull.etaMs > ETA_SPAN_FACTOR * naiveFull.evidenceMs) score.naiveWild++;
      if (job.flat && e.timestamp >= job.flat.from + STALL_UNPACED_MS && e.timestamp < job.flat.to) {
        score.deepFlat++;
        if (rec.stalled) score.deepFlatStalled++;
        if (ours !== undefined) score.deepFlatOurs++;
        if (naive !== undefined) score.deepFlatNaive++;
      }
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

/** Jobs with stalls (even indexes) and accelerated jumps (odd), from their own seed. */
export function simulateQuirkyJobs(count: number, seed = 4242): SimJob[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const quirk: Quirk =
      i % 2 === 0 ? { stall: { at: 0.1 + rand() * 0.7, ms: 300_000 + rand() * 1_500_000 } } : { stuckAt: Math.floor(rand() * 6) };
    return simulateJob(rand, 100_000 + i, quirk);
  });
}

const pct = (n: number, of: number) => (of ? (100 * n) / of : NaN);

/** The error and coverage rows of one set of jobs, each beside the naive estimator. */
function errorRows(prefix: string, s: EtaScore, note: string, coverageNote: string): BenchRow[] {
  const row = (metric: string, value: number, naive: number, unit: string, n = note): BenchRow => ({
    suite: "eta",
    metric: prefix + metric,
    value,
    unit,
    baseline: { name: "naive linear", value: naive },
    note: n,
  });
  return [
    row("finish-time error, mean", mean(s.oursErrors) / 1000, mean(s.naiveErrors) / 1000, "s"),
    row("finish-time error, p90", percentile(s.oursErrors, 90) / 1000, percentile(s.naiveErrors, 90) / 1000, "s"),
    row("error / time remaining, mean", 100 * mean(s.oursRelative), 100 * mean(s.naiveRelative), "%"),
    row("error / time remaining, p90", 100 * percentile(s.oursRelative, 90), 100 * percentile(s.naiveRelative, 90), "%"),
    row("coverage of running samples", pct(s.oursCovered, s.samples), pct(s.naiveCovered, s.samples), "%", coverageNote),
  ];
}

export default async function etaBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const jobs = simulateJobs(quick ? 150 : 1500);
  const s = scoreEta(jobs);
  const quirky = simulateQuirkyJobs(quick ? 60 : 600);
  const q = scoreEta(quirky);
  const wild = `ETA > ${ETA_SPAN_FACTOR}× its evidence, share of ETAs`;
  const prefix = "stall/jump jobs: ";
  return [
    ...errorRows(
      "",
      s,
      `${jobs.length} simulated jobs, ${s.both} samples where both estimate`,
      "ours gives no ETA while PROBING, before transcoding shows progress, or past the bound",
    ),
    {
      suite: "eta",
      metric: "stalled flags on running samples",
      value: pct(s.stalled, s.samples),
      unit: "%",
      note: "plain jobs never stop: every flag would be false",
    },
    {
      suite: "eta",
      metric: wild,
      value: pct(s.oursWild, s.oursCovered),
      unit: "%",
      baseline: { name: "naive linear", value: pct(s.naiveWild, s.naiveCovered) },
    },
    ...errorRows(
      prefix,
      q,
      `${quirky.length} jobs (half stall 5–30 min, half sit at 0–5 % then jump), ${q.both} samples where both estimate`,
      "ours abstains while stalled",
    ),
    {
      suite: "eta",
      metric: `${prefix}≥ 5 min into a flat stretch, flagged stalled`,
      value: pct(q.deepFlatStalled, q.deepFlat),
      unit: "%",
      note: `${q.deepFlat} samples`,
    },
    {
      suite: "eta",
      metric: `${prefix}≥ 5 min into a flat stretch, ETA given`,
      value: pct(q.deepFlatOurs, q.deepFlat),
      unit: "%",
      baseline: { name: "naive linear", value: pct(q.deepFlatNaive, q.deepFlat) },
      note: `${q.deepFlat} samples`,
    },
    {
      suite: "eta",
      metric: prefix + wild,
      value: pct(q.oursWild, q.oursCovered),
      unit: "%",
      baseline: { name: "naive linear", value: pct(q.naiveWild, q.naiveCovered) },
    },
  ];
}
