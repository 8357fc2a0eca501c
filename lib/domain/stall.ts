/**
 * Stalls: a running job whose progress has stopped moving, judged from a bounded, order-proof window of its
 * recent STATUS_UPDATEs.
 *
 * The window. Time is cut into buckets of BUCKET_MS (one minute, from each event's own timestamp, never the wall
 * clock). The job state keeps WINDOW_SLOTS slots; a sample goes to slot `bucket mod WINDOW_SLOTS`, and a slot holds
 * the sample with the greatest eventKey among those that map to it. That join is a per-slot maximum: commutative,
 * associative and idempotent, so any order and any duplicates give the same window, and the state never holds
 * more than WINDOW_SLOTS samples. Keys start with the timestamp, so a later bucket always beats an earlier one in
 * its slot: the slots whose bucket lies within WINDOW_SLOTS buckets of the newest sample hold exactly the newest
 * sample of each of those minutes (older occupants are ignored when reading). A store can apply the newest event
 * by overwriting its one slot, without reading the others.
 *
 * The rule. A run is a maximal stretch of samples, in key order, that report the same progress (retry count, phase,
 * phase percent, job percent). The job is stalled when the run that ends at its latest sample
 *   - holds at least STALL_MIN_SAMPLES (3) samples: three STATUS_UPDATEs in a row that say the same;
 *   - spans (first to last sample) at least STALL_MIN_MS, two minutes: two of MediaConvert's default one-minute
 *     status updates. With a 10-second interval three equal updates take 20 s, which says nothing; the window keeps
 *     one sample a minute anyway;
 *   - spans at least STALL_PACE_FACTOR (3) × the time this phase has needed per percentage point so far (from the
 *     phase's start to the run's first sample). A transcode that takes three minutes per point is not stalled by a
 *     five-minute flat stretch; a point that takes three times the phase's average pace is more than the rate
 *     changes seen within a job (the bench varies rates by up to ±45 %). When the run is at 0 % of its phase there
 *     is no pace yet, and the span must reach STALL_UNPACED_MS (5 minutes) instead: a long transcode may sit at 0 %
 *     for its first few minutes;
 *   - or spans STALL_ANY_PACE_MS (25 minutes), whatever the pace. A job that cannot move one point in 25 minutes
 *     would need about two days at that pace. This also keeps a long stall flagged once its start has left the
 *     window: the pace is measured up to the run's first kept sample, and that grows with the stall.
 * The job's StatusUpdateInterval is not used: the record's settings summary does not keep it, and the rule is in
 * minutes and points, so it holds for any interval (at SECONDS_600 three samples already span 20 minutes).
 *
 * stalledSince is the time of the run's first sample. Runs are looked for in the window plus the first samples of
 * each phase that the state keeps (txFirst, upFirst) and the last PROBING one, so a job stuck since its phase began
 * keeps a fixed stalledSince however long it sits. A run that began mid-phase longer ago than the window reaches
 * reports the window's oldest sample: the job has been flat at least since then.
 *
 * lib/domain/eta.ts uses the same runs: no ETA while stalled, and a stall that has ended is left out of the rate.
 * Pure code.
 */
import type { Phase } from "./job";

/** Width of one window bucket. */
export const BUCKET_MS = 60_000;
/** Buckets the window reaches back over (30 minutes). */
export const WINDOW_SLOTS = 30;
export const STALL_MIN_SAMPLES = 3;
export const STALL_MIN_MS = 120_000;
export const STALL_UNPACED_MS = 300_000;
export const STALL_PACE_FACTOR = 3;
export const STALL_ANY_PACE_MS = 25 * 60_000;

/** One progress reading. `k` is the event's key when known (the latest sample and window samples have one). */
export interface Sample {
  k?: string;
  at: number;
  phase?: Phase;
  /** The current phase's own percent complete. */
  pct?: number;
  /** jobPercentComplete. */
  jobPct?: number;
  retry?: number;
}

/** A sample kept in the job state's window. */
export interface WindowSample extends Sample {
  k: string;
}

/** The window as the job state keeps it: slot number (decimal string) → sample. */
export type SampleWindow = Record<string, WindowSample>;

const bucketOf = (at: number) => Math.floor(at / BUCKET_MS);

export function slotOf(at: number): string {
  return String(((bucketOf(at) % WINDOW_SLOTS) + WINDOW_SLOTS) % WINDOW_SLOTS);
}

/** The window with `sample` joined in (the input is not modified; unchanged input is returned as is). */
export function addToWindow(window: SampleWindow | undefined, sample: WindowSample): SampleWindow {
  const slot = slotOf(sample.at);
  const held = window?.[slot];
  if (window && held && held.k >= sample.k) return window;
  return { ...(window ?? {}), [slot]: sample };
}

/** The earliest time a sample may have to count as recent, given the latest sample's time. */
export function windowStart(latestAt: number): number {
  return (bucketOf(latestAt) - WINDOW_SLOTS + 1) * BUCKET_MS;
}

const byTime = (a: Sample, b: Sample) => a.at - b.at || ((a.k ?? "") < (b.k ?? "") ? -1 : (a.k ?? "") > (b.k ?? "") ? 1 : 0);

/** The window's current samples (within WINDOW_SLOTS buckets of its newest), oldest first. */
export function windowSamples(window: SampleWindow | undefined): WindowSample[] {
  const all = Object.values(window ?? {});
  if (all.length === 0) return [];
  const newest = Math.max(...all.map((s) => s.at));
  const from = windowStart(newest);
  return all.filter((s) => s.at >= from).sort(byTime);
}

/** The percentage that moves: the phase's own when the sample names a phase, else the job's (2018 shape). */
export function progressValue(s: Sample): number | undefined {
  return s.phase !== undefined ? s.pct : s.jobPct;
}

export function sameProgress(a: Sample, b: Sample): boolean {
  return (a.retry ?? 0) === (b.retry ?? 0) && a.phase === b.phase && a.pct === b.pct && a.jobPct === b.jobPct;
}

/** Samples merged, one per distinct reading (same time and same progress), oldest first. */
export function mergeSamples(...lists: (readonly (Sample | undefined)[])[]): Sample[] {
  const seen = new Map<string, Sample>();
  for (const list of lists) {
    for (const s of list) {
      if (!s) continue;
      const id = `${s.at}|${s.retry ?? 0}|${s.phase ?? ""}|${s.pct ?? ""}|${s.jobPct ?? ""}`;
      const had = seen.get(id);
      if (!had || (s.k !== undefined && (had.k === undefined || s.k < had.k))) seen.set(id, s);
    }
  }
  return [...seen.values()].sort(byTime);
}

/** Maximal runs of equal progress, in order. */
export function runsOf(samples: readonly Sample[]): Sample[][] {
  const runs: Sample[][] = [];
  for (const s of samples) {
    const last = runs[runs.length - 1];
    if (last && sameProgress(last[last.length - 1], s)) last.push(s);
    else runs.push([s]);
  }
  return runs;
}

/** What the state knows about when phases began. */
export interface PhaseTimes {
  progressingAt?: number;
  /** The last PROBING sample. */
  probeLast?: Sample;
  txFirst?: Sample;
  upFirst?: Sample;
}

const midpoint = (lower: number | undefined, upper: number) => (lower === undefined ? upper : Math.min((lower + upper) / 2, upper));

/**
 * When a phase began (its progress was exactly 0). TRANSCODING: the midpoint between the last PROBING sample (else
 * PROGRESSING) and its first sample. PROBING and phase-less samples: PROGRESSING. UPLOADING: unknown (the window
 * keeps one sample a minute, so the last TRANSCODING sample it holds may be well before the upload began).
 */
export function phaseStart(phase: Phase | undefined, times: PhaseTimes): number | undefined {
  if (phase === undefined || phase === "PROBING") return times.progressingAt;
  if (phase === "UPLOADING" || !times.txFirst) return undefined;
  return midpoint(times.probeLast?.at ?? times.progressingAt, times.txFirst.at);
}

/** Whether a run of equal samples is a stall (see the header), given when its phase began. */
export function isStallRun(run: readonly Sample[], startedAt: number | undefined): boolean {
  if (run.length < STALL_MIN_SAMPLES) return false;
  const first = run[0];
  const span = run[run.length - 1].at - first.at;
  if (span < STALL_MIN_MS) return false;
  if (span >= STALL_ANY_PACE_MS) return true;
  const v = progressValue(first);
  if (v === undefined || v <= 0 || startedAt === undefined || first.at <= startedAt) return span >= STALL_UNPACED_MS;
  const perPoint = (first.at - startedAt) / v;
  return span >= STALL_PACE_FACTOR * perPoint;
}

/** The stall the latest run amounts to, if any: `since` is the run's first sample. Samples oldest first. */
export function findStall(samples: readonly Sample[], times: PhaseTimes): { since: number } | undefined {
  const runs = runsOf(samples);
  const last = runs[runs.length - 1];
  if (!last) return undefined;
  return isStallRun(last, phaseStart(last[0].phase, times)) ? { since: last[0].at } : undefined;
}
