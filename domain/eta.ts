/**
 * Honest ETA for a running job.
 *
 * Why not `elapsed × (100 − p) / p` on jobPercentComplete: MediaConvert's job percentage mixes three phases that
 * move at very different speeds (PROBING is quick and early, TRANSCODING is the bulk, UPLOADING is short), and the
 * first STATUS_UPDATE often says 0. Linear extrapolation of the job percentage therefore swings wildly early on
 * and is biased by the time spent probing and queued-for-resources.
 *
 * What this does instead (all inputs are facts already in the job state; no wall clock):
 *   - no estimate until there is evidence: the job must be TRANSCODING with a transcoding percentage above 0,
 *     or UPLOADING;
 *   - TRANSCODING: the phase's own rate, measured between the first STATUS_UPDATE seen in TRANSCODING and the
 *     latest one (two points inside the phase: probing time does not dilute it). With a single sample the rate is
 *     taken from `progressingAt` (conservative: it includes probing). Remaining = what is left of transcoding at
 *     that rate + an upload allowance of UPLOAD_SHARE × the whole transcoding time;
 *   - UPLOADING: the upload phase's own rate when two upload samples differ, else the allowance minus what the
 *     upload has done.
 * Estimates are anchored at the latest sample's time: `finishAt = latest.at + etaMs`. After a retry
 * (retryCount moved since the samples we keep were taken) there is no estimate.
 *
 * `bench/eta.bench.ts` measures this against the naive estimator on simulated timelines.
 * Pure code.
 */
import type { Phase } from "./job";

export interface ProgressSample {
  at: number;
  jobPct?: number;
  phase?: Phase;
  phases?: Partial<Record<Phase, number>>;
  frames?: number;
  retry?: number;
}

/** First sample seen in a phase (see domain/reducer.ts). */
export interface FirstSample {
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
}

export interface Eta {
  etaMs: number;
  finishAt: number;
  method: "transcode-rate" | "transcode-since-start" | "upload-rate" | "upload-allowance";
}

/** Upload time as a share of transcoding time, used until the upload phase shows its own rate. */
export const UPLOAD_SHARE = 0.08;

function finish(latestAt: number, etaMs: number, method: Eta["method"]): Eta | undefined {
  if (!Number.isFinite(etaMs) || etaMs < 0) return undefined;
  const ms = Math.round(etaMs);
  return { etaMs: ms, finishAt: latestAt + ms, method };
}

/**
 * Transcoding rate (percent per ms) measured over the whole transcoding phase so far. The phase began between
 * the last PROBING sample (else progressingAt) and the first TRANSCODING sample; the midpoint of that window is
 * taken as its start. Percentages are whole numbers rounded down, so +0.5 is the unbiased reading.
 */
function transcodeRate(input: EtaInput, tp: number, at: number): { rate: number; since: number; method: Eta["method"] } | undefined {
  const first = input.txFirst;
  const lower = input.probeLast?.at ?? input.progressingAt;
  const upper = first?.at ?? at;
  if (lower === undefined && first === undefined) return undefined;
  const since = lower === undefined ? upper : Math.min((lower + upper) / 2, upper);
  if (at <= since) return undefined;
  return { rate: (tp + 0.5) / (at - since), since, method: first ? "transcode-rate" : "transcode-since-start" };
}

export function estimateEta(input: EtaInput): Eta | undefined {
  const latest = input.latest;
  if (!latest) return undefined;
  // After MediaConvert retried the job its phases start over: the first samples we kept belong to an earlier
  // attempt and would give a false rate, so say nothing rather than guess.
  const attempt = latest.retry ?? 0;
  for (const s of [input.txFirst, input.upFirst, input.probeLast]) {
    if (s && (s.retry ?? 0) !== attempt) return undefined;
  }
  const at = latest.at;
  if (latest.phase === "TRANSCODING") {
    const tp = latest.phases?.TRANSCODING;
    if (tp === undefined || tp <= 0) return undefined; // no evidence yet
    const r = transcodeRate(input, Math.min(tp, 99.5), at);
    if (!r) return undefined;
    const remaining = (100 - Math.min(tp + 0.5, 100)) / r.rate;
    const allowance = UPLOAD_SHARE * (100 / r.rate);
    return finish(at, remaining + allowance, r.method);
  }
  if (latest.phase === "UPLOADING") {
    const up = Math.min(latest.phases?.UPLOADING ?? 0, 100);
    const first = input.upFirst;
    if (first && first.at < at && first.pct !== undefined && up > first.pct) {
      const rate = (up - first.pct) / (at - first.at);
      return finish(at, (100 - up) / rate, "upload-rate");
    }
    // Allowance from how long transcoding took.
    const uploadStart = first?.at ?? at;
    const txStart = input.txFirst?.at ?? input.progressingAt;
    if (txStart === undefined || uploadStart <= txStart) return undefined;
    const expected = UPLOAD_SHARE * (uploadStart - txStart);
    const done = at - uploadStart;
    return finish(at, Math.max(expected * ((100 - up) / 100) - done, 0), "upload-allowance");
  }
  return undefined; // PROBING, or the 2018 shape without phases: no evidence
}

/** The naive estimator the issue compares against: linear extrapolation of jobPercentComplete since start. */
export function naiveEta(progressingAt: number | undefined, latest: ProgressSample | undefined): Eta | undefined {
  if (!latest || progressingAt === undefined) return undefined;
  const p = latest.jobPct;
  if (p === undefined || p <= 0 || latest.at <= progressingAt) return undefined;
  const elapsed = latest.at - progressingAt;
  return finish(latest.at, (elapsed * (100 - Math.min(p, 100))) / p, "transcode-since-start");
}
