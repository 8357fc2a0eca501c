/**
 * The JSON the MediaConvert API carries: member names in camelCase (what @aws-sdk/client-mediaconvert's serializer
 * writes and its deserializer reads) and times in epoch seconds.
 */
import { DEFAULT_STATUS_UPDATE_INTERVAL } from "./constants";
import type { SimJob } from "./job";
import type { WireJob } from "./types";

export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));

/** The job as GetJob, ListJobs and CreateJob answer it: only the members the service sets for its state. */
export function wireJob(job: SimJob): WireJob {
  const r = job.request;
  return {
    accelerationStatus: job.accelerationStatus,
    arn: job.arn,
    ...(r.billingTagsSource ? { billingTagsSource: r.billingTagsSource } : {}),
    ...(job.clientRequestToken ? { clientRequestToken: job.clientRequestToken } : {}),
    createdAt: seconds(job.createdAt),
    ...(job.currentPhase ? { currentPhase: job.currentPhase } : {}),
    ...(job.errorCode !== undefined ? { errorCode: job.errorCode, errorMessage: job.errorMessage } : {}),
    ...(Array.isArray(r.hopDestinations) ? { hopDestinations: r.hopDestinations } : {}),
    id: job.id,
    ...(job.jobPercentComplete !== undefined && job.status === "PROGRESSING" ? { jobPercentComplete: job.jobPercentComplete } : {}),
    ...(typeof r.jobTemplate === "string" ? { jobTemplate: r.jobTemplate } : {}),
    messages: { info: [], warning: [] },
    ...(job.outputGroupDetails ? { outputGroupDetails: job.outputGroupDetails } : {}),
    priority: job.priority,
    queue: job.queue,
    ...(job.queueTransitions.length
      ? { queueTransitions: job.queueTransitions.map((t) => ({ ...t, timestamp: seconds(t.timestamp) })) }
      : {}),
    ...(job.retryCount !== undefined ? { retryCount: job.retryCount } : {}),
    role: r.role,
    settings: r.settings ?? {},
    ...(r.accelerationSettings ? { accelerationSettings: r.accelerationSettings } : {}),
    status: job.status,
    statusUpdateInterval: typeof r.statusUpdateInterval === "string" ? r.statusUpdateInterval : DEFAULT_STATUS_UPDATE_INTERVAL,
    timing: {
      submitTime: seconds(job.createdAt),
      ...(job.startTime !== undefined ? { startTime: seconds(job.startTime) } : {}),
      ...(job.finishTime !== undefined ? { finishTime: seconds(job.finishTime) } : {}),
    },
    userMetadata: job.userMetadata,
    ...(job.warnings.length ? { warnings: job.warnings } : {}),
  };
}
