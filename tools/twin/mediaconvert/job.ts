/**
 * One simulated job as the engine keeps it: the CreateJob request it came from (with its job template and presets
 * merged in), what GetJob reports about it now, its planned steps with the wall-clock times they happen and are
 * delivered, and its own seeded generator. Timeline steps change it through applyPatch. Everything but the
 * generator is plain JSON, so a job store can write it to a file and read it back.
 */
import type { Rng } from "./rng";
import type { JobStatePatch, TimelineStep } from "./timeline";

/** One planned step: when it happens (epoch ms) and when each of its deliveries is due, or lost. */
export interface PlannedStep {
  step: TimelineStep;
  at: number;
  deliveries: Array<{ at: number; dropped: boolean }>;
}

/** What GetJob reports and timeline steps change (`queue` is the queue ARN), required where every job has it. */
type JobState = Omit<JobStatePatch, "queueTransition"> &
  Required<Pick<JobStatePatch, "status" | "queue" | "priority" | "warnings" | "accelerationStatus">>;

export interface SimJob extends JobState {
  /** Creation order; breaks ties between jobs created in the same millisecond. */
  seq: number;
  id: string;
  arn: string;
  /** Epoch ms, like every time kept here (the wire carries seconds). */
  createdAt: number;
  /** The validated CreateJob request, camelCase, with its job template and presets merged in. */
  request: Record<string, unknown>;
  /** Simulated ms per real ms the job was planned with: step offsets become times with it. */
  timeScale: number;
  userMetadata: Record<string, string>;
  clientRequestToken?: string;
  queueTransitions: Array<{ sourceQueue: string; destinationQueue: string; timestamp: number }>;
  rng: Rng;
  /** The planned outcome, once the timeline is planned. */
  outcome?: string;
  canceled: boolean;
  /**
   * The planned steps, from planning until the last one has happened; `nextStep` is the first that has not
   * happened yet.
   */
  plan?: PlannedStep[];
  nextStep: number;
}

/** A step offset (simulated ms after creation) as the epoch ms it happens at. */
export const timeOf = (job: Pick<SimJob, "createdAt" | "timeScale">, offsetMs: number): number =>
  Math.round(job.createdAt + offsetMs / job.timeScale);

/** Applies one step's changes; `at` turns a simulated offset from creation into an epoch ms. */
export function applyPatch(job: SimJob, patch: JobStatePatch, at: (offset: number) => number): void {
  if (patch.status) job.status = patch.status;
  if (patch.currentPhase) job.currentPhase = patch.currentPhase;
  if (patch.jobPercentComplete !== undefined) job.jobPercentComplete = patch.jobPercentComplete;
  if (patch.retryCount !== undefined) job.retryCount = patch.retryCount;
  if (patch.startTime !== undefined) job.startTime = at(patch.startTime);
  if (patch.finishTime !== undefined) job.finishTime = at(patch.finishTime);
  if (patch.accelerationStatus) job.accelerationStatus = patch.accelerationStatus;
  if (patch.errorCode !== undefined) {
    job.errorCode = patch.errorCode;
    job.errorMessage = patch.errorMessage;
  }
  if (patch.queue) job.queue = patch.queue;
  if (patch.priority !== undefined) job.priority = patch.priority;
  if (patch.queueTransition) job.queueTransitions.push({ ...patch.queueTransition, timestamp: at(patch.queueTransition.timestamp) });
  if (patch.outputGroupDetails) job.outputGroupDetails = patch.outputGroupDetails;
  if (patch.warnings) {
    for (const w of patch.warnings) {
      const seen = job.warnings.find((x) => x.code === w.code);
      if (!seen) job.warnings.push({ ...w });
    }
  }
}
