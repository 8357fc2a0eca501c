/**
 * The job state as a pure function of the SET of events seen: any order, any duplicates → the same state.
 *
 * How: the state is split into field groups, and each group is merged with a rule that is commutative,
 * associative and idempotent (a "join"), so folding events in any order gives one answer:
 *
 *   group                  fields                                              rule (winner)
 *   ---------------------  --------------------------------------------------  -------------------------------------
 *   identity (lastKey)     lastEventAt, accountId, region, arn, userMetadata,   the event with the greatest eventKey
 *                          application
 *   queue (queueKey)       queue, queueName                                    greatest eventKey among events with a queue
 *   status (statusClock,   status, finishedAt, error                           highest rank: SUBMITTED 0 < PROGRESSING 1
 *    statusKey)                                                                < terminal 2; between terminal events the
 *                                                                              later timestamp, then ERROR > CANCELED >
 *                                                                              COMPLETE, then the greater eventKey
 *   progress (progressKey) percentComplete, currentPhase, phasePercentComplete, the newest STATUS_UPDATE (greatest key)
 *                          framesDecoded, retryCount, progressAt
 *   probeLast (its .k)     the last PROBING sample (for the ETA)               the newest STATUS_UPDATE in PROBING
 *   recent (per slot .k)   recent: the newest STATUS_UPDATE of each of the     per slot (minute bucket mod 30), the
 *                          last 30 minutes (stall and ETA)                     greatest eventKey (lib/domain/stall.ts)
 *   input (inputKey)       input                                               the newest INPUT_INFORMATION
 *   outputs (outputsKey)   outputs, completeWarnings                           the newest COMPLETE
 *   settings (settingsKey) settings                                            the newest SUBMITTED/JOB_DETAILS with settings
 *   earliest               createdAt*, submittedAt, progressingAt,             minimum (of time, or of eventKey for
 *                          txFirst, upFirst                                    the first TRANSCODING/UPLOADING sample)
 *   sets                   seenKeys (tags of eventKeys), hops, warningCounts   union (a NEW_WARNING counts once per key)
 *
 *   * createdAt is the job id's epoch-ms prefix when it has one (a constant), else the earliest time seen.
 *
 * Consequences stated by the issue: a terminal state beats PROGRESSING/SUBMITTED whatever the arrival order;
 * progress fields move only with a newer STATUS_UPDATE; an INPUT_INFORMATION that arrives after COMPLETE still
 * fills the input; a duplicate (an eventKey already in seenKeys) changes nothing. The SUBMITTED record from
 * CreateJob and the GetJob backfill (JOB_DETAILS) are events like any other: rank 0/1 never lowers a higher rank.
 *
 * Synthetic events are timed like the others: SUBMITTED at the job's CreatedAt, JOB_DETAILS at its fetch time, so a
 * backfill can be the newest event (lastEventAt) without changing any MediaConvert fact it does not carry.
 * A retried job (retryCount > 0) keeps its earliest phase samples from the first attempt; the ETA then abstains.
 *
 * An eventKey identifies an event: two different payloads under one key count as one event (the first folded
 * wins). Real re-deliveries carry the same payload, so this only matters for hand-made inputs.
 *
 * `JobState` is also the Jobs table item (minus `version`/`expiresAt`; sets as arrays here): every group keeps
 * its clock in the item, which is what lets lib/domain/job-update.ts apply an event with ONE conditional UpdateItem.
 * `recordOf(state)` gives the public JobRecord: bookkeeping dropped, metrics and ETA derived.
 *
 * Pure code, no AWS imports.
 */
import {
  TERMINAL_STATUSES,
  type JobError,
  type JobInput,
  type JobOutput,
  type JobRecord,
  type JobSettingsSummary,
  type JobStatus,
  type JobWarning,
  type Phase,
  type QueueHop,
} from "./job";
import type { McEvent } from "./events";
import type { ProbeResult } from "./probe";
import { describeError, describeWarning } from "./error-codes";
import { computeMetrics } from "./metrics";
import { assessProgress, type ProgressAssessment, type ProgressSample } from "./eta";
import { addToWindow, windowSamples, type SampleWindow, type WindowSample } from "./stall";

/** The first STATUS_UPDATE seen in a phase (for rates); `k` is its eventKey. */
export interface PhaseSample {
  k: string;
  at: number;
  /** The phase's own percent complete. */
  pct?: number;
  /** jobPercentComplete. */
  jobPct?: number;
  frames?: number;
  /** retryCount of the sample: a retried job starts its phases over. */
  retry?: number;
}

export interface JobState {
  jobId: string;
  // identity group
  lastKey: string;
  lastEventAt: number;
  accountId: string;
  region: string;
  arn: string;
  userMetadata: Record<string, string>;
  application?: string;
  // queue group
  queueKey?: string;
  queue?: string;
  queueName?: string;
  // status group
  statusClock: number;
  statusKey?: string;
  status: JobStatus;
  finishedAt?: number;
  error?: { code: number; message?: string };
  // earliest
  createdAt: number;
  submittedAt?: number;
  progressingAt?: number;
  txFirst?: PhaseSample;
  upFirst?: PhaseSample;
  /** The newest STATUS_UPDATE still in PROBING (transcoding began after it). */
  probeLast?: PhaseSample;
  // progress group
  progressKey?: string;
  progressAt?: number;
  percentComplete?: number;
  currentPhase?: Phase;
  phasePercentComplete?: Partial<Record<Phase, number>>;
  framesDecoded?: number;
  retryCount?: number;
  /** Recent STATUS_UPDATEs, one slot per minute bucket (see lib/domain/stall.ts). */
  recent?: SampleWindow;
  // input group
  inputKey?: string;
  input?: JobInput;
  // outputs group
  outputsKey?: string;
  outputs?: JobOutput[];
  completeWarnings?: { code: number; count: number }[];
  // settings group
  settingsKey?: string;
  settings?: JobSettingsSummary;
  // sets
  /** A 64-bit tag (see seenTag) of every distinct eventKey folded in, sorted. */
  seenKeys: string[];
  /** Queue hops as canonical JSON strings (see encodeHop), sorted. */
  hops: string[];
  /** NEW_WARNING events per warning code (decimal string → count). */
  warningCounts: Record<string, number>;
  /** Set by the collector after probing the input (not an event; see withProbe). */
  probe?: ProbeResult;
}

// ---------------------------------------------------------------------------------------------------------------
// Clocks

export const STATUS_RANK: Record<JobStatus, number> = { SUBMITTED: 0, PROGRESSING: 1, COMPLETE: 2, ERROR: 2, CANCELED: 2 };
/** Tie order between terminal statuses at the same millisecond: the more pessimistic one wins. */
export const TERMINAL_ORDER: Record<string, number> = { COMPLETE: 1, CANCELED: 2, ERROR: 3 };
const RANK_UNIT = 1e14; // > 10 × any 13-digit epoch-ms timestamp

/**
 * One number ordering status claims: rank first; for terminal statuses then the time, then the tie order.
 * SUBMITTED and PROGRESSING claims of one rank are equal (time does not matter for them).
 */
export function statusClock(status: JobStatus, at: number): number {
  const rank = STATUS_RANK[status];
  if (rank < 2) return rank * RANK_UNIT;
  return rank * RANK_UNIT + Math.trunc(at) * 10 + TERMINAL_ORDER[status];
}

/** What an event says about the job's status, if anything. */
export function statusClaim(e: McEvent): { status: JobStatus; at: number; error?: { code: number; message?: string } } {
  switch (e.status) {
    case "SUBMITTED":
    case "QUEUE_HOP":
    case "NEW_WARNING": // warnings can be raised while queued (e.g. 100000): they prove only that the job exists
      return { status: "SUBMITTED", at: e.timestamp };
    case "PROGRESSING":
    case "STATUS_UPDATE":
    case "INPUT_INFORMATION":
      return { status: "PROGRESSING", at: e.timestamp };
    case "COMPLETE":
    case "CANCELED":
      return { status: e.status, at: e.timestamp };
    case "ERROR":
      return { status: "ERROR", at: e.timestamp, error: cleanObj({ code: e.errorCode, message: e.errorMessage }) };
    case "JOB_DETAILS": {
      const terminal = TERMINAL_STATUSES.includes(e.jobStatus);
      const at = terminal ? (e.timing.finishTime ?? e.timestamp) : e.timestamp;
      const error = e.jobStatus === "ERROR" ? cleanObj({ code: e.errorCode ?? 0, message: e.errorMessage }) : undefined;
      return { status: e.jobStatus, at, error };
    }
  }
}

/** Epoch ms from a job id like "1671477617078-2886ye", when its prefix is a plausible time (2001..2286). */
export function createdAtFromJobId(jobId: string): number | undefined {
  const m = /^(\d{13})-/.exec(jobId);
  if (!m) return undefined;
  const ms = Number(m[1]);
  return ms >= 1_000_000_000_000 ? ms : undefined;
}

/** Canonical text of one queue hop, so the same hop seen twice is one set member. */
export function encodeHop(h: QueueHop): string {
  return JSON.stringify([h.at, h.previousQueue ?? null, h.currentQueue ?? null]);
}
export function decodeHop(s: string): QueueHop | undefined {
  try {
    const [at, prev, cur] = JSON.parse(s) as [number, string | null, string | null];
    if (typeof at !== "number") return undefined;
    return cleanObj({ at, previousQueue: prev ?? undefined, currentQueue: cur ?? undefined });
  } catch {
    return undefined;
  }
}

/**
 * The compact tag of an eventKey kept in `seenKeys`: 64 bits (two independent 32-bit hashes) as 14 base-36
 * characters instead of the ~70-character key, so a job item (DynamoDB's 400 KB limit) can remember ~25,000
 * distinct events — days of STATUS_UPDATEs even at the 10-second interval. A collision between two events of
 * one job is about n²/2⁶⁵ likely (≈ 10⁻¹¹ for 25,000 events).
 */
export function seenTag(eventKey: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < eventKey.length; i++) {
    const c = eventKey.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  h2 ^= h2 >>> 13;
  return (h1 >>> 0).toString(36).padStart(7, "0") + (h2 >>> 0).toString(36).padStart(7, "0");
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function cleanObj<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function insertSorted(list: readonly string[], value: string): string[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] === value) return list as string[];
  return [...list.slice(0, lo), value, ...list.slice(lo)];
}

const minDefined = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** The time this event offers as the job's creation time when the job id has no time prefix. */
export function createdCandidate(e: McEvent): number {
  let t = e.timestamp;
  if (e.status === "SUBMITTED") t = Math.min(t, e.submittedAt);
  if (e.status === "JOB_DETAILS" && e.timing.submitTime !== undefined) t = Math.min(t, e.timing.submitTime);
  return t;
}

/** The time this event offers as "progressing since", if any. */
export function progressingCandidate(e: McEvent): number | undefined {
  if (e.status === "PROGRESSING" || e.status === "STATUS_UPDATE" || e.status === "INPUT_INFORMATION") return e.timestamp;
  if (e.status === "JOB_DETAILS") return e.timing.startTime;
  return undefined;
}

export function submittedCandidate(e: McEvent): number | undefined {
  if (e.status === "SUBMITTED") return e.submittedAt;
  if (e.status === "JOB_DETAILS") return e.timing.submitTime;
  return undefined;
}

/** Queue hops an event reports. */
export function hopsOf(e: McEvent): QueueHop[] {
  if (e.status === "QUEUE_HOP") return [cleanObj({ at: e.timestamp, previousQueue: e.previousQueue, currentQueue: e.queue })];
  if (e.status === "JOB_DETAILS") return e.queueTransitions;
  return [];
}

/** The phase sample a STATUS_UPDATE gives, for the earliest-sample-per-phase groups. */
export function phaseSampleOf(e: McEvent, phase: Phase): PhaseSample | undefined {
  if (e.status !== "STATUS_UPDATE" || e.currentPhase !== phase) return undefined;
  return cleanObj({
    k: e.eventKey,
    at: e.timestamp,
    pct: e.phasePercentComplete?.[phase],
    jobPct: e.percentComplete,
    frames: e.framesDecoded,
    retry: e.retryCount,
  });
}

/** The sample a STATUS_UPDATE adds to the recent window. */
export function windowSampleOf(e: McEvent): WindowSample | undefined {
  if (e.status !== "STATUS_UPDATE") return undefined;
  return cleanObj({
    k: e.eventKey,
    at: e.timestamp,
    phase: e.currentPhase,
    pct: e.currentPhase ? e.phasePercentComplete?.[e.currentPhase] : undefined,
    jobPct: e.percentComplete,
    retry: e.retryCount,
  });
}

function minSample(a: PhaseSample | undefined, b: PhaseSample | undefined): PhaseSample | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.k < a.k ? b : a;
}

// ---------------------------------------------------------------------------------------------------------------
// The fold

/** An empty state for a job: every group unset, so the first event wins every group. */
function emptyState(e: McEvent): JobState {
  return {
    jobId: e.jobId,
    lastKey: "",
    lastEventAt: 0,
    accountId: "",
    region: "",
    arn: "",
    userMetadata: {},
    statusClock: -1,
    status: "SUBMITTED",
    createdAt: createdAtFromJobId(e.jobId) ?? createdCandidate(e),
    seenKeys: [],
    hops: [],
    warningCounts: {},
  };
}

/**
 * Folds one event into the state. Pure: the input is not modified. Throws only on a programming error (an
 * event of another job).
 */
export function applyEvent(state: JobState | undefined, e: McEvent): JobState {
  if (state && state.jobId !== e.jobId) {
    throw new Error(`applyEvent: event of job ${e.jobId} folded into job ${state.jobId}`);
  }
  const tag = seenTag(e.eventKey);
  if (state?.seenKeys.includes(tag)) return state; // duplicate: nothing changes
  const s: JobState = state ? { ...state } : emptyState(e);
  const key = e.eventKey;
  s.seenKeys = insertSorted(s.seenKeys, tag);

  // identity: the newest event's view
  if (key > s.lastKey) {
    s.lastKey = key;
    s.lastEventAt = e.timestamp;
    s.accountId = e.accountId;
    s.region = e.region;
    s.arn = e.arn;
    s.userMetadata = { ...e.userMetadata };
    s.application = e.userMetadata.application;
  }
  // queue: the newest event that names one
  if (e.queue !== undefined && (s.queueKey === undefined || key > s.queueKey)) {
    s.queueKey = key;
    s.queue = e.queue;
    s.queueName = e.queueName;
  }
  // status: highest claim
  const claim = statusClaim(e);
  const clock = statusClock(claim.status, claim.at);
  const terminal = STATUS_RANK[claim.status] === 2;
  if (clock > s.statusClock || (terminal && clock === s.statusClock && key > (s.statusKey ?? ""))) {
    s.statusClock = clock;
    s.status = claim.status;
    s.statusKey = terminal ? key : undefined;
    s.finishedAt = terminal ? claim.at : undefined;
    s.error = claim.error;
  }
  // earliest times
  const jobIdTime = createdAtFromJobId(e.jobId);
  s.createdAt = jobIdTime ?? Math.min(s.createdAt, createdCandidate(e));
  s.submittedAt = minDefined(s.submittedAt, submittedCandidate(e));
  s.progressingAt = minDefined(s.progressingAt, progressingCandidate(e));
  s.txFirst = minSample(s.txFirst, phaseSampleOf(e, "TRANSCODING"));
  s.upFirst = minSample(s.upFirst, phaseSampleOf(e, "UPLOADING"));
  const probing = phaseSampleOf(e, "PROBING");
  if (probing && (s.probeLast === undefined || probing.k > s.probeLast.k)) s.probeLast = probing;

  switch (e.status) {
    case "STATUS_UPDATE": {
      const sample = windowSampleOf(e);
      if (sample) s.recent = addToWindow(s.recent, sample);
      if (s.progressKey === undefined || key > s.progressKey) {
        s.progressKey = key;
        s.progressAt = e.timestamp;
        s.percentComplete = e.percentComplete;
        s.currentPhase = e.currentPhase;
        s.phasePercentComplete = e.phasePercentComplete ? { ...e.phasePercentComplete } : undefined;
        s.framesDecoded = e.framesDecoded;
        s.retryCount = e.retryCount;
      }
      break;
    }
    case "INPUT_INFORMATION":
      if (e.inputs.length > 0 && (s.inputKey === undefined || key > s.inputKey)) {
        s.inputKey = key;
        s.input = e.inputs[0];
      }
      break;
    case "COMPLETE":
      if (s.outputsKey === undefined || key > s.outputsKey) {
        s.outputsKey = key;
        s.outputs = e.outputs;
        s.completeWarnings = e.warnings.length > 0 ? e.warnings : undefined;
      }
      break;
    case "NEW_WARNING": {
      const code = String(e.warningCode);
      s.warningCounts = { ...s.warningCounts, [code]: (s.warningCounts[code] ?? 0) + 1 };
      break;
    }
    case "SUBMITTED":
    case "JOB_DETAILS":
      if (e.settings && (s.settingsKey === undefined || key > s.settingsKey)) {
        s.settingsKey = key;
        s.settings = e.settings;
      }
      break;
    default:
      break;
  }
  for (const hop of hopsOf(e)) s.hops = insertSorted(s.hops, encodeHop(hop));
  return cleanObj(s);
}

/** Folds a set of events (any order, duplicates allowed) into one state. All events must be of one job. */
export function foldEvents(events: readonly McEvent[]): JobState {
  if (events.length === 0) throw new Error("foldEvents: no events");
  let s = applyEvent(undefined, events[0]);
  for (const e of events.slice(1)) s = applyEvent(s, e);
  return s;
}

/** The public job record of a set of events (any order, duplicates allowed). */
export function reduceEvents(events: readonly McEvent[]): JobRecord {
  return recordOf(foldEvents(events));
}

/** Groups events by job and reduces each; jobs in order of first appearance. */
export function reduceByJob(events: readonly McEvent[]): JobRecord[] {
  const byJob = new Map<string, McEvent[]>();
  for (const e of events) {
    const list = byJob.get(e.jobId);
    if (list) list.push(e);
    else byJob.set(e.jobId, [e]);
  }
  return [...byJob.values()].map(reduceEvents);
}

// ---------------------------------------------------------------------------------------------------------------
// Probe

/** Which of two probe results to keep: a complete one over a partial one, then the later, then the larger read. */
export function betterProbe(a: ProbeResult | undefined, b: ProbeResult | undefined): ProbeResult | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.complete !== b.complete) return a.complete ? a : b;
  if (a.probedAt !== b.probedAt) return a.probedAt > b.probedAt ? a : b;
  return b.bytesRead > a.bytesRead ? b : a;
}

/** The state with a probe result recorded (order-proof between probes too). */
export function withProbe(state: JobState, probe: ProbeResult): JobState {
  const best = betterProbe(state.probe, probe);
  return best === state.probe ? state : { ...state, probe: best };
}

/**
 * Fills what events lack from the probe: the input's container, duration and bitrates, and any stream facts
 * INPUT_INFORMATION did not give. Event facts win where both exist (they are MediaConvert's own reading).
 */
export function applyProbe(record: JobRecord, probe: ProbeResult): JobRecord {
  return { ...record, probe, input: mergeInput(record.input, probe) };
}

function mergeInput(input: JobInput | undefined, probe: ProbeResult | undefined, uri?: string): JobInput | undefined {
  if (!input && !probe && !uri) return undefined;
  const out: JobInput = { ...(input ?? {}) };
  if (out.uri === undefined && uri !== undefined) out.uri = uri;
  if (probe) {
    if (out.container === undefined && probe.container !== undefined) out.container = probe.container;
    if (out.durationMs === undefined && probe.durationMs !== undefined) out.durationMs = probe.durationMs;
    if (probe.overallBitRate !== undefined && out.bitRate === undefined) out.bitRate = probe.overallBitRate;
    if (probe.fileSize !== undefined && out.fileSize === undefined) out.fileSize = probe.fileSize;
    if (probe.video) {
      const v = { ...(out.video ?? {}) };
      for (const [k, val] of Object.entries(probe.video)) {
        if (val !== undefined && v[k] === undefined) v[k] = val;
      }
      out.video = v;
    }
    if (probe.audio.length > 0) {
      const audio = [...(out.audio ?? [])];
      probe.audio.forEach((pa, i) => {
        const a = { ...(audio[i] ?? {}) };
        for (const [k, val] of Object.entries(pa)) if (val !== undefined && a[k] === undefined) a[k] = val;
        audio[i] = a;
      });
      out.audio = audio;
    }
  }
  return cleanObj(out);
}

// ---------------------------------------------------------------------------------------------------------------
// The public record

/** Warnings: per code the larger of COMPLETE's total and the number of distinct NEW_WARNING events. */
function warningsOf(s: JobState): JobWarning[] {
  const counts = new Map<number, number>();
  for (const w of s.completeWarnings ?? []) counts.set(w.code, Math.max(counts.get(w.code) ?? 0, w.count));
  for (const [code, n] of Object.entries(s.warningCounts)) {
    const c = Number(code);
    counts.set(c, Math.max(counts.get(c) ?? 0, n));
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([code, count]) => ({ code, count, meaning: describeWarning(code).meaning }));
}

function errorOf(s: JobState): JobError | undefined {
  if (!s.error) return undefined;
  const info = describeError(s.error.code);
  return cleanObj({ code: s.error.code, message: s.error.message, category: info.category, meaning: info.meaning });
}

function longestOutputMs(outputs: JobOutput[] | undefined): number | undefined {
  const ds = (outputs ?? []).map((o) => o.durationMs).filter((d): d is number => typeof d === "number" && d > 0);
  return ds.length ? Math.max(...ds) : undefined;
}

/** The latest progress sample as the ETA sees it. */
function latestSample(s: JobState): ProgressSample | undefined {
  if (s.progressAt === undefined) return undefined;
  return cleanObj({
    k: s.progressKey,
    at: s.progressAt,
    jobPct: s.percentComplete,
    phase: s.currentPhase,
    phases: s.phasePercentComplete,
    frames: s.framesDecoded,
    retry: s.retryCount,
  });
}

/** Whether the job is stalled and, if not, its ETA (lib/domain/eta.ts), from the state's samples. */
export function progressOf(s: JobState): ProgressAssessment {
  return assessProgress({
    progressingAt: s.progressingAt,
    latest: latestSample(s),
    txFirst: s.txFirst,
    upFirst: s.upFirst,
    probeLast: s.probeLast,
    recent: s.recent ? windowSamples(s.recent) : undefined,
  });
}

/**
 * The JobRecord of a state: bookkeeping dropped; the input completed from the probe and the settings; metrics
 * and, while the job runs, the ETA derived. A pure function of the state, so of the set of events (and probe).
 */
export function recordOf(s: JobState): JobRecord {
  const complete = s.status === "COMPLETE";
  const running = s.status === "PROGRESSING";
  const input = mergeInput(s.input, s.probe, s.settings?.inputs[0]?.uri);
  const rec: JobRecord = {
    jobId: s.jobId,
    arn: s.arn || undefined,
    accountId: s.accountId || undefined,
    region: s.region || undefined,
    queue: s.queue,
    queueName: s.queueName,
    application: s.application,
    userMetadata: s.userMetadata,
    status: s.status,
    createdAt: s.createdAt,
    submittedAt: s.submittedAt,
    progressingAt: s.progressingAt,
    finishedAt: s.finishedAt,
    lastEventAt: s.lastEventAt,
    percentComplete: complete ? 100 : s.percentComplete,
    currentPhase: complete ? undefined : s.currentPhase,
    phasePercentComplete: complete
      ? { PROBING: 100, TRANSCODING: 100, UPLOADING: 100 }
      : s.phasePercentComplete
        ? { ...s.phasePercentComplete }
        : undefined,
    framesDecoded: s.framesDecoded,
    retryCount: s.retryCount,
    input,
    outputs: s.outputs,
    warnings: warningsOf(s),
    error: s.status === "ERROR" ? errorOf(s) : undefined,
    queueHops: s.hops
      .map(decodeHop)
      .filter((h): h is QueueHop => h !== undefined)
      .sort((a, b) => a.at - b.at),
    eventCount: s.seenKeys.length,
    settings: s.settings,
    probe: s.probe,
  };
  const m = computeMetrics({
    status: s.status,
    createdAt: s.createdAt,
    submittedAt: s.submittedAt,
    progressingAt: s.progressingAt,
    finishedAt: s.finishedAt,
    lastEventAt: s.lastEventAt,
    // the probe's input duration; without a probe, the longest output (what was actually transcoded)
    inputDurationMs: input?.durationMs ?? longestOutputMs(s.outputs),
    txFirst: s.txFirst,
    latest: latestSample(s),
  });
  Object.assign(rec, m);
  if (running) {
    const { stall, eta } = progressOf(s);
    if (stall) {
      rec.stalled = true;
      rec.stalledSince = stall.since;
    } else if (eta) {
      rec.etaMs = eta.etaMs;
      rec.estimatedFinishAt = eta.finishAt;
    }
  }
  return cleanObj(rec);
}
