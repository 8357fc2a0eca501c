/**
 * What a job's input and settings decide about it before chance does: an input without video fails every job
 * with an output that needs video (error 1020, "no usable video stream"; audio-only outputs from it complete), and
 * accelerated transcoding is decided once probing is done. AccelerationStatus follows the SDK's documentation of
 * the member: NOT_APPLICABLE when AccelerationSettings.Mode is DISABLED (or absent); otherwise IN_PROGRESS while the
 * service checks the input and settings, then ACCELERATED when they allow it. When they do not, a job with Mode
 * ENABLED fails (1043 for an input that does not allow it, 1041 for settings that do not) and one with PREFERRED
 * runs without acceleration (NOT_ACCELERATED). The simulator's rule for "allows it": the input has video and at
 * least one output makes video.
 */
import type { JobErrorKind } from "./job-errors";
import type { InputFacts } from "./outputs";
import type { Timeline } from "./timeline";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const NO_VIDEO_IN_INPUT: JobErrorKind = {
  code: 1020,
  phase: "PROBING",
  message: (u) => `No video stream found in [${u}]: the input has audio only, so outputs with video cannot be made`,
};
const ACCELERATION_INPUT: JobErrorKind = {
  code: 1043,
  phase: "PROBING",
  message: (u) => `Input [${u}] is not compatible with accelerated transcoding: it has no video`,
};
const ACCELERATION_SETTINGS: JobErrorKind = {
  code: 1041,
  phase: "PROBING",
  message: () => "Job settings are not compatible with accelerated transcoding: no output has video",
};

/** Outputs of the job's settings that make video. */
export function videoOutputCount(settings: unknown): number {
  return arr(obj(settings).outputGroups)
    .flatMap((g) => arr(obj(g).outputs))
    .filter((o) => obj(o).videoDescription !== undefined).length;
}

export interface JobOutcomeRules {
  /** The error the job must end in, if its input or settings rule out success. */
  forcedError?: JobErrorKind;
  /** AccelerationStatus while the job waits and probes. */
  initialAcceleration: string;
  /** AccelerationStatus once probing is done (absent when it does not change). */
  decidedAcceleration?: string;
}

export function jobOutcomeRules(settings: unknown, mode: string | undefined, input: InputFacts): JobOutcomeRules {
  const hasVideo = input.width !== undefined;
  const videoOutputs = videoOutputCount(settings);
  const noVideo = !hasVideo && videoOutputs > 0 ? NO_VIDEO_IN_INPUT : undefined;
  if (mode !== "ENABLED" && mode !== "PREFERRED") return { forcedError: noVideo, initialAcceleration: "NOT_APPLICABLE" };
  const refusal = !hasVideo ? ACCELERATION_INPUT : videoOutputs === 0 ? ACCELERATION_SETTINGS : undefined;
  if (!refusal) return { forcedError: noVideo, initialAcceleration: "IN_PROGRESS", decidedAcceleration: "ACCELERATED" };
  if (mode === "ENABLED") return { forcedError: refusal, initialAcceleration: "IN_PROGRESS", decidedAcceleration: "NOT_ACCELERATED" };
  return { forcedError: noVideo, initialAcceleration: "IN_PROGRESS", decidedAcceleration: "NOT_ACCELERATED" };
}

/**
 * Puts the decided AccelerationStatus on the first step after probing: INPUT_INFORMATION, a STATUS_UPDATE of a
 * later phase or the terminal step, whichever comes first (steps are in time order). A job canceled while queued
 * keeps IN_PROGRESS, as it never got to be checked.
 */
export function applyAcceleration(timeline: Timeline, decided: string | undefined): void {
  if (!decided || !timeline.steps.some((s) => s.status === "PROGRESSING")) return;
  const step = timeline.steps.find(
    (s) =>
      s.status === "INPUT_INFORMATION" ||
      (s.status === "STATUS_UPDATE" && s.patch.currentPhase !== undefined && s.patch.currentPhase !== "PROBING") ||
      s.status === "COMPLETE" ||
      s.status === "ERROR" ||
      s.status === "CANCELED",
  );
  if (step) step.patch = { ...step.patch, accelerationStatus: decided };
}
