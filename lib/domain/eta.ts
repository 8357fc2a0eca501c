/**
 * Honest ETA for a running job, or none.
 *
 * Why not `elapsed × (100 − p) / p` on jobPercentComplete: MediaConvert's job percentage mixes three phases that
 * move at very different speeds (PROBING is quick and early, TRANSCODING is the bulk, UPLOADING is short), and the
 * first STATUS_UPDATE often says 0. Linear extrapolation of the job percentage therefore swings wildly early on
 * and is biased by the time spent probing and queued-for-resources. Accelerated jobs also sit at one percentage
 * for a long time and then jump: a rate measured since the phase began then falls towards 0 and the estimate
 * grows without limit.
 *
 * What this does instead (all inputs are facts already in the job state; no wall clock):
 *   - no estimate until there is evidence: TRANSCODING above 0 %, or UPLOADING;
 *   - no estimate while the job is stalled (lib/domain/stall.ts);
 *   - the rate comes from recent samples only: the state's window (the newest sample of each of the last
 *     WINDOW_SLOTS minutes) of the current phase and retry, plus the phase's start (progress exactly 0) when the
 *     phase began within the window. A stall that ended inside the window is cut off: only the samples from its
 *     last one on count, so a long flat stretch does not drag the rate down once progress moves again;
 *   - percentages are whole numbers rounded down, so each rise between two consecutive samples is read as a
 *     crossing at the midpoint of their times of the mean of the values crossed ((a + 1 + b) / 2). The rate runs
 *     from the first point (phase start, else the first crossing) to the last crossing, or to the latest sample
 *     (read p + 0.5) when there is a single point. The latest sample also caps it: still at p means p + 1 was not
 *     reached yet;
 *   - TRANSCODING: remaining = what is left of the phase at that rate + an upload allowance of UPLOAD_SHARE × the
 *     whole transcoding time at that rate. UPLOADING: the upload's own rate the same way, else the allowance from
 *     how long transcoding took, minus what the upload has done;
 *   - the bound: no ETA exceeds ETA_SPAN_FACTOR (K = 20) × the time its evidence spans (first point to the latest
 *     sample); past it, none. An ETA of K × the span extrapolates from having seen 1/K of the remaining work.
 *     With K = 20, at a phase's start the evidence must show about 5 whole points, so the ±0.5-point rounding at
 *     either end moves the rate by at most a fifth; with less, one rounding step changes the answer by more than
 *     that, and a rate near 0 (the job sat still) drives the estimate to any size. Measured on the bench's stall
 *     and jump jobs without the bound: estimates at 10–20× their evidence were off by about half the time then
 *     remaining, those beyond 20× by one to five times it. The 30-minute window supports ETAs up to 10 hours.
 * Estimates are anchored at the latest sample's time: `finishAt = latest.at + etaMs`. After a retry (retryCount
 * moved since the phase-first samples we keep were taken) there is no estimate.
 *
 * `dev/bench/eta.bench.ts` measures this against the naive estimator on simulated timelines, with and without
 * stalls and jumps. Pure code.
 */
import type { Phase } from "./job";
import {
  findStall,
  isStallRun,
  mergeSamples,
  phaseStart,
  progressValue,
  runsOf,
  windowStart,
  type PhaseTimes,
  type Sample,
  type WindowSample,
} from "./stall";

export interface ProgressSample {
  k?: string;
  at: number;
  jobPct?: number;
  phase?: Phase;
  phases?: Partial<Record<Phase, number>>;
  frames?: number;
  retry?: number;
}

/** First sample seen in a phase (see lib/domain/reducer.ts). */
export interface FirstSample {
  k?: string;
  at: number;
  pct?: number;
  jobPct?: number;
  frames?: number;
  retry?: number;
}

export interface EtaInput {
  progressingAt?: number;
  latest?: ProgressSample;
  txFirst?: FirstSample;
  upFirst?: FirstSample;
  /** The last sample seen in PROBING. */
  probeLast?: FirstSample;
  /**
   * The state's window of recent samples (see lib/domain/stall.ts). Absent (a state kept before the window
   * existed, or a hand-made input): the phase-first samples and the latest are all the evidence.
   */
  recent?: readonly WindowSample[];
}

export interface Eta {
  etaMs: number;
  finishAt: number;
  method: "transcode-rate" | "transcode-since-start" | "upload-rate" | "upload-allowance";
  /** How long the evidence behind the estimate spans; etaMs ≤ ETA_SPAN_FACTOR × evidenceMs. */
  evidenceMs: number;
}

export interface ProgressAssessment {
  stall?: { since: number };
  eta?: Eta;
}

/** Upload time as a share of transcoding time, used until the upload phase shows its own rate. */
export const UPLOAD_SHARE = 0.08;
/** K: an ETA may be at most this many times the time its evidence spans. */
export const ETA_SPAN_FACTOR = 20;

function finish(latestAt: number, etaMs: number, evidenceMs: number, method: Eta["method"]): Eta | undefined {
  if (!Number.isFinite(etaMs) || etaMs < 0 || !(evidenceMs > 0)) return undefined;
  if (etaMs > ETA_SPAN_FACTOR * evidenceMs) return undefined; // more than the evidence supports: abstain
  const ms = Math.round(etaMs);
  return { etaMs: ms, finishAt: latestAt + ms, method, evidenceMs: Math.round(evidenceMs) };
}

const withPhase = (s: FirstSample | undefined, phase: Phase): Sample | undefined =>
  s && { k: s.k, at: s.at, phase, pct: s.pct, jobPct: s.jobPct, retry: s.retry };

function latestOf(l: ProgressSample): Sample {
  return { k: l.k, at: l.at, phase: l.phase, pct: l.phase ? l.phases?.[l.phase] : undefined, jobPct: l.jobPct, retry: l.retry };
}

interface Rate {
  /** Points per ms. */
  rate: number;
  /** Estimated progress at the latest sample. */
  now: number;
  /** First point's time. */
  from: number;
  /** Whether the phase start is the only point before the latest sample. */
  sinceStart: boolean;
}

/**
 * The recent rate of one phase (see the header). `samples` are the phase's samples of the current retry within
 * the window, oldest first, ending with the latest; `start` is the phase's start when it lies within the window.
 */
function recentRate(samples: readonly Sample[], start: number | undefined, startedAt: number | undefined): Rate | undefined {
  let from = 0;
  let useStart = start !== undefined;
  const runs = runsOf(samples);
  let index = 0;
  for (let r = 0; r < runs.length - 1; r++) {
    index += runs[r].length;
    if (isStallRun(runs[r], startedAt)) {
      from = index - 1; // the stall's last sample: the rise after it counts
      useStart = false;
    }
  }
  const kept = samples.slice(from);
  const points: { t: number; c: number }[] = useStart && start !== undefined ? [{ t: start, c: 0 }] : [];
  for (let i = 1; i < kept.length; i++) {
    const a = progressValue(kept[i - 1]);
    const b = progressValue(kept[i]);
    if (a !== undefined && b !== undefined && b > a) points.push({ t: (kept[i - 1].at + kept[i].at) / 2, c: (a + 1 + b) / 2 });
  }
  const latest = kept[kept.length - 1];
  const p = progressValue(latest);
  if (!points.length || p === undefined) return undefined;
  const first = points[0];
  const last = points.length > 1 ? points[points.length - 1] : { t: latest.at, c: p + 0.5 };
  if (last.t <= first.t || last.c <= first.c) return undefined;
  let rate = (last.c - first.c) / (last.t - first.t);
  if (latest.at > first.t) rate = Math.min(rate, (p + 1 - first.c) / (latest.at - first.t));
  if (!(rate > 0)) return undefined;
  const now = Math.min(Math.max(last.c + rate * (latest.at - last.t), p), p + 1);
  return { rate, now, from: first.t, sinceStart: useStart && points.length === 1 };
}

/** Stall and ETA of a running job from the facts in its state. */
export function assessProgress(input: EtaInput): ProgressAssessment {
  const l = input.latest;
  if (!l) return {};
  const latest = latestOf(l);
  const times: PhaseTimes = {
    progressingAt: input.progressingAt,
    probeLast: withPhase(input.probeLast, "PROBING"),
    txFirst: withPhase(input.txFirst, "TRANSCODING"),
    upFirst: withPhase(input.upFirst, "UPLOADING"),
  };
  const all = mergeSamples(input.recent ?? [], [times.probeLast, times.txFirst, times.upFirst, latest]);
  const stall = findStall(all, times);
  if (stall) return { stall };
  return { eta: estimateFrom(input, latest, times, all) };
}

export function estimateEta(input: EtaInput): Eta | undefined {
  return assessProgress(input).eta;
}

function estimateFrom(input: EtaInput, latest: Sample, times: PhaseTimes, all: readonly Sample[]): Eta | undefined {
  // After MediaConvert retried the job its phases start over: the first samples we kept belong to an earlier
  // attempt and would give a false rate, so say nothing rather than guess.
  const attempt = latest.retry ?? 0;
  for (const s of [input.txFirst, input.upFirst, input.probeLast]) {
    if (s && (s.retry ?? 0) !== attempt) return undefined;
  }
  const phase = latest.phase;
  if (phase !== "TRANSCODING" && phase !== "UPLOADING") return undefined; // PROBING, or the 2018 shape: no evidence
  const at = latest.at;
  const from = input.recent ? windowStart(at) : -Infinity;
  const samples = all.filter((s) => s.phase === phase && (s.retry ?? 0) === attempt && s.at >= from && s.at <= at);
  const first = phase === "TRANSCODING" ? times.txFirst : times.upFirst;
  const startedAt = phaseStart(phase, times);
  const start = first && first.at >= from ? startedAt : undefined;

  if (phase === "TRANSCODING") {
    if (!latest.pct || latest.pct <= 0) return undefined; // no evidence yet
    const r = recentRate(samples, start, startedAt);
    if (!r) return undefined;
    const remaining = Math.max(100 - r.now, 0) / r.rate;
    const allowance = UPLOAD_SHARE * (100 / r.rate);
    return finish(at, remaining + allowance, at - r.from, r.sinceStart ? "transcode-since-start" : "transcode-rate");
  }
  const r = recentRate(samples, start, startedAt);
  if (r) return finish(at, Math.max(100 - r.now, 0) / r.rate, at - r.from, "upload-rate");
  // Allowance from how long transcoding took.
  const up = Math.min(latest.pct ?? 0, 100);
  const uploadStart = input.upFirst?.at ?? at;
  const txStart = input.txFirst?.at ?? input.progressingAt;
  if (txStart === undefined || uploadStart <= txStart) return undefined;
  const expected = UPLOAD_SHARE * (uploadStart - txStart);
  const done = at - uploadStart;
  return finish(at, Math.max(expected * ((100 - up) / 100) - done, 0), at - txStart, "upload-allowance");
}

/** The naive estimator the issue compares against: linear extrapolation of jobPercentComplete since start. */
export function naiveEta(progressingAt: number | undefined, latest: ProgressSample | undefined): Eta | undefined {
  if (!latest || progressingAt === undefined) return undefined;
  const p = latest.jobPct;
  if (p === undefined || p <= 0 || latest.at <= progressingAt) return undefined;
  const elapsed = latest.at - progressingAt;
  const ms = Math.round((elapsed * (100 - Math.min(p, 100))) / p);
  return { etaMs: ms, finishAt: latest.at + ms, method: "transcode-since-start", evidenceMs: elapsed };
}
