/** The EventBridge envelope MediaConvert wraps each job state change in, as the fixtures in test/fixtures show it. */
import type { TimelineStep } from "./timeline";

export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": "MediaConvert Job State Change";
  source: "aws.mediaconvert";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** The EventBridge envelope of one step, stamped at `timestamp` (epoch ms). */
export function buildEvent(
  step: TimelineStep,
  job: { jobId: string; arn: string; accountId: string; region: string; userMetadata: Record<string, string> },
  timestamp: number,
): EventEnvelope {
  return {
    version: "0",
    id: step.eventId,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: job.accountId,
    time: new Date(timestamp).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: job.region,
    resources: [job.arn],
    detail: {
      timestamp,
      accountId: job.accountId,
      queue: step.queue,
      jobId: job.jobId,
      status: step.status,
      userMetadata: { ...job.userMetadata },
      ...step.fields,
    },
  };
}
