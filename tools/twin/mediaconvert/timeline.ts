/**
 * The event timeline of one simulated job, planned up front from a seeded generator (pure: same inputs, same
 * plan). Each step is something that happens to the job at a simulated offset after its creation — it changes
 * what GetJob answers at that moment and emits one EventBridge event — plus the delays after which that event is
 * delivered (more than one delay = a duplicate delivery; delays longer than the gap to the next step = reordering).
 *
 * Realism notes, from the MediaConvert event reference and the fixtures in test/fixtures:
 * no SUBMITTED event; PROGRESSING when the job leaves the queue; STATUS_UPDATE at the job's status update interval
 * (default one minute) with phase progress; INPUT_INFORMATION once probing is done, sometimes stamped and delivered
 * only around COMPLETE; ERROR with an integer errorCode; NEW_WARNING with a string warningCode; COMPLETE with
 * outputGroupDetails and a warnings summary.
 */
import { outputGroupDetails, type InputFacts, type OutputGroupDetail } from "./outputs";
import { JOB_ERRORS, JOB_WARNINGS, type JobErrorKind } from "./job-errors";
import type { ScenarioRates } from "./rates";
import type { Rng } from "./rng";

export type SimStatus = "SUBMITTED" | "PROGRESSING" | "COMPLETE" | "ERROR" | "CANCELED";
export type SimPhase = "PROBING" | "TRANSCODING" | "UPLOADING";
export type EventStatus =
  | "PROGRESSING"
  | "STATUS_UPDATE"
  | "INPUT_INFORMATION"
  | "NEW_WARNING"
  | "QUEUE_HOP"
  | "COMPLETE"
  | "ERROR"
  | "CANCELED";

export interface HopDestination {
  queue: string;
  priority?: number;
  waitMinutes?: number;
}

export interface PlanInput {
  jobId: string;
  queue: string;
  priority: number;
  createdAt: number;
  statusUpdateIntervalMs: number;
  settings: unknown;
  hopDestinations: HopDestination[];
  input: InputFacts;
  /** `inputDetails[0]` of the INPUT_INFORMATION event (without id/uri). */
  inputDetail: Record<string, unknown>;
  /** Used when the job hops but has no hop destinations of its own. */
  fallbackHopQueue?: string;
  /** The error the job must end in (its input or settings rule it out), whatever the rates say. */
  forcedError?: JobErrorKind;
}

/** The part of GetJob's answer that changes over time. */
export interface JobStatePatch {
  status?: SimStatus;
  currentPhase?: SimPhase;
  jobPercentComplete?: number;
  retryCount?: number;
  startTime?: number;
  finishTime?: number;
  errorCode?: number;
  errorMessage?: string;
  accelerationStatus?: string;
  queue?: string;
  priority?: number;
  queueTransition?: { sourceQueue: string; destinationQueue: string; timestamp: number };
  outputGroupDetails?: OutputGroupDetail[];
  warnings?: Array<{ code: number; count: number }>;
}

export interface TimelineStep {
  /** Simulated ms after the job's creation. */
  offsetMs: number;
  status: EventStatus;
  /** Status-specific members of the event's `detail` (the common ones are added when the event is built). */
  fields: Record<string, unknown>;
  /** Queue ARN the job is in when this happens. */
  queue: string;
  patch: JobStatePatch;
  /** Simulated ms after `offsetMs` at which the event is delivered; two entries = delivered twice. */
  deliveryDelaysMs: number[];
  eventId: string;
}

export interface Timeline {
  outcome: "COMPLETE" | "ERROR" | "CANCELED";
  steps: TimelineStep[];
}

/** Share of jobPercentComplete each phase accounts for. */
const PHASE_WEIGHT: Record<SimPhase, number> = { PROBING: 5, TRANSCODING: 85, UPLOADING: 10 };

export function planTimeline(p: PlanInput, rates: ScenarioRates, rng: Rng): Timeline {
  const interval = Math.max(1000, p.statusUpdateIntervalMs);
  const roll = rng.next();
  const outcome: Timeline["outcome"] = p.forcedError
    ? "ERROR"
    : roll < rates.error
      ? "ERROR"
      : roll < rates.error + rates.canceled
        ? "CANCELED"
        : "COMPLETE";
  const hops = rng.chance(rates.queueHop) || (p.hopDestinations.length > 0 && rng.chance(0.5));
  const hopTo = p.hopDestinations[0]?.queue ?? (p.fallbackHopQueue !== p.queue ? p.fallbackHopQueue : undefined);
  const willHop = hops && hopTo !== undefined;
  const warns = rng.chance(rates.warning);

  // Simulated durations.
  const queueWait = willHop ? rng.int(20_000, 90_000) : rng.int(1_000, 15_000);
  const probing = rng.int(2_000, 8_000);
  const transcoding = Math.max(5_000, Math.round(p.input.durationMs * rng.range(0.4, 1.6)));
  const uploading = rng.int(1_000, 6_000);
  const tStart = queueWait;
  const tTranscode = tStart + probing;
  const tUpload = tTranscode + transcoding;
  const tEnd = tUpload + uploading;

  // Where the job stops, for ERROR and CANCELED.
  let stopAt = tEnd;
  let error: JobErrorKind | undefined;
  let canceledWhileQueued = false;
  if (outcome === "ERROR") {
    error = p.forcedError ?? rng.pick(JOB_ERRORS);
    const [from, to] =
      error.phase === "PROBING" ? [tStart, tTranscode] : error.phase === "TRANSCODING" ? [tTranscode, tUpload] : [tUpload, tEnd];
    stopAt = Math.round(rng.range(from + 200, Math.max(from + 300, to - 200)));
  } else if (outcome === "CANCELED") {
    canceledWhileQueued = rng.chance(0.3);
    stopAt = canceledWhileQueued ? Math.round(rng.range(300, Math.max(400, tStart - 200))) : Math.round(rng.range(tTranscode, tUpload));
  }

  const progressAt = (
    t: number,
  ): { phase: SimPhase; percent: number; phases: Record<SimPhase, { status: string; percentComplete: number }> } => {
    const frac = (a: number, b: number) => Math.max(0, Math.min(1, (t - a) / Math.max(1, b - a)));
    const pr = frac(tStart, tTranscode);
    const tr = frac(tTranscode, tUpload);
    const up = frac(tUpload, tEnd);
    const phase: SimPhase = t < tTranscode ? "PROBING" : t < tUpload ? "TRANSCODING" : "UPLOADING";
    const st = (f: number, started: boolean) => (f >= 1 ? "COMPLETE" : started ? "PROGRESSING" : "PENDING");
    const percent = Math.min(99, Math.floor(pr * PHASE_WEIGHT.PROBING + tr * PHASE_WEIGHT.TRANSCODING + up * PHASE_WEIGHT.UPLOADING));
    return {
      phase,
      percent,
      phases: {
        PROBING: { status: st(pr, t >= tStart), percentComplete: Math.floor(pr * 100) },
        TRANSCODING: { status: st(tr, t >= tTranscode), percentComplete: Math.floor(tr * 100) },
        UPLOADING: { status: st(up, t >= tUpload), percentComplete: Math.floor(up * 100) },
      },
    };
  };

  let queue = p.queue;
  const steps: TimelineStep[] = [];
  const delays = (): number[] => {
    const one = () => Math.round(rng.range(0, rates.jitterMs) + (rng.chance(rates.late) ? rng.range(1, 3) * interval : 0));
    return rng.chance(rates.duplicate) ? [one(), one()] : [one()];
  };
  const push = (offsetMs: number, status: EventStatus, fields: Record<string, unknown>, patch: JobStatePatch, q = queue) =>
    steps.push({ offsetMs: Math.round(offsetMs), status, fields, patch, queue: q, deliveryDelaysMs: delays(), eventId: rng.uuid() });

  // Queue hop while waiting.
  if (willHop && hopTo && !(outcome === "CANCELED" && canceledWhileQueued && stopAt < queueWait / 2)) {
    const at = Math.round(queueWait * rng.range(0.4, 0.7));
    const previous = queue;
    const priority = p.hopDestinations[0]?.priority ?? p.priority;
    queue = hopTo;
    push(
      at,
      "QUEUE_HOP",
      { previousQueue: previous, priority, previousPriority: p.priority },
      { queue: hopTo, priority, queueTransition: { sourceQueue: previous, destinationQueue: hopTo, timestamp: at } },
    );
  }

  if (outcome === "CANCELED" && canceledWhileQueued) {
    push(stopAt, "CANCELED", {}, { status: "CANCELED", finishTime: stopAt });
    return { outcome, steps: sortSteps(steps) };
  }

  push(
    tStart,
    "PROGRESSING",
    {},
    { status: "PROGRESSING", startTime: tStart, currentPhase: "PROBING", jobPercentComplete: 0, retryCount: 0 },
  );

  // An input without video decodes no frames.
  const frameRate = p.input.width === undefined ? 0 : p.input.frameRate || 30;
  const totalFrames = Math.round((p.input.durationMs / 1000) * frameRate);
  for (let t = tStart + interval; t < stopAt; t += interval) {
    const pr = progressAt(t);
    const framesDecoded = Math.round(totalFrames * Math.max(0, Math.min(1, (t - tTranscode) / transcoding)));
    push(
      t,
      "STATUS_UPDATE",
      {
        framesDecoded,
        jobProgress: {
          phaseProgress: pr.phases,
          jobPercentComplete: pr.percent,
          currentPhase: pr.phase,
          retryCount: 0,
        },
      },
      { currentPhase: pr.phase, jobPercentComplete: pr.percent },
    );
  }

  const probeFailed = error?.phase === "PROBING";
  if (!probeFailed && stopAt > tTranscode) {
    const late = outcome === "COMPLETE" && rng.chance(rates.lateInputInformation);
    const at = late ? tEnd - rng.int(10, 200) : tTranscode - rng.int(10, 500);
    const details = [{ id: 1, uri: p.input.uri, ...p.inputDetail }];
    push(at, "INPUT_INFORMATION", { inputDetails: details }, {});
    if (late) steps[steps.length - 1]!.deliveryDelaysMs = steps[steps.length - 1]!.deliveryDelaysMs.map((d) => d + 300 + uploading / 2);
  }

  let warning: (typeof JOB_WARNINGS)[number] | undefined;
  if (warns && stopAt > tTranscode + 1000) {
    warning = rng.pick(JOB_WARNINGS);
    const at = rng.range(tTranscode, Math.min(stopAt, tUpload) - 500);
    push(
      at,
      "NEW_WARNING",
      { warningCode: String(warning.code), warningMessage: warning.message },
      {
        warnings: [{ code: warning.code, count: 1 }],
      },
    );
  }

  if (outcome === "ERROR" && error) {
    push(
      stopAt,
      "ERROR",
      { errorCode: error.code, errorMessage: error.message(p.input.uri ?? "input") },
      {
        status: "ERROR",
        finishTime: stopAt,
        errorCode: error.code,
        errorMessage: error.message(p.input.uri ?? "input"),
      },
    );
  } else if (outcome === "CANCELED") {
    push(stopAt, "CANCELED", {}, { status: "CANCELED", finishTime: stopAt });
  } else {
    const groups = outputGroupDetails(p.settings, p.input, rng);
    const warningsSummary = warning ? [{ code: warning.code, count: 1 }] : [];
    push(
      tEnd,
      "COMPLETE",
      { outputGroupDetails: groups, ...(warningsSummary.length ? { warnings: warningsSummary } : {}), paddingInserted: 0 },
      {
        status: "COMPLETE",
        finishTime: tEnd,
        jobPercentComplete: 100,
        currentPhase: "UPLOADING",
        outputGroupDetails: groups,
        warnings: warningsSummary,
      },
    );
  }
  return { outcome, steps: sortSteps(steps) };
}

function sortSteps(steps: TimelineStep[]): TimelineStep[] {
  return steps
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0].offsetMs - b[0].offsetMs || a[1] - b[1])
    .map(([s]) => s);
}

/** MediaConvert's statusUpdateInterval enum ("SECONDS_60") in ms; one minute when absent or unknown. */
export function statusUpdateIntervalMs(value: unknown): number {
  const m = typeof value === "string" ? /^SECONDS_(\d+)$/.exec(value) : null;
  return m ? Number(m[1]) * 1000 : 60_000;
}
