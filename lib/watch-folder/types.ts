/** What the watch-folder pipeline is given (its dependencies) and what it reports per invocation. */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { JobsStore } from "../adapters/jobs-store";
import type { MediaConvertJobs } from "../adapters/mediaconvert";
import type { QueueCounters } from "../adapters/queue-counters";
import type { SettingsListing } from "../adapters/settings-files";
import type { WatchRequests } from "../adapters/watch-requests";
import type { WatchFolderConfig } from "./config";
import type { SkippedRecord } from "./s3-event";

export interface WatchFolderDeps {
  config: WatchFolderConfig;
  /** Lists and reads the settings files of a bucket. */
  settings: (bucket: string) => Promise<SettingsListing>;
  mediaConvert: MediaConvertJobs;
  jobs: JobsStore;
  queues: QueueCounters;
  requests: WatchRequests;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Age after which a claim without a recorded job is outside MediaConvert's token window (default 55 s). */
  tokenWindowMs?: number;
}

export interface WatchFolderJob {
  input: string;
  settings: string;
  jobId: string;
  token: string;
  /** "created": CreateJob ran now; "existing": the ledger already had the job (a re-delivery or a retry). */
  how: "created" | "existing";
  /** The SUBMITTED record was written (false when it already was, on an earlier attempt). */
  recorded: boolean;
}

export interface WatchFolderResult {
  uploads: number;
  jobs: WatchFolderJob[];
  /** Settings files that could not be used, by name, with the reason. */
  brokenSettings: { name: string; problem: string }[];
  /** Settings files beyond the limit, not used. */
  ignoredSettings: string[];
  /** Records that were not uploads to convert (other prefixes, folder markers, other event types). */
  skipped: SkippedRecord[];
  /** Jobs that could not be created or recorded (the invocation throws when there are any). */
  failures: { input: string; settings: string; reason: string }[];
}

/** Thrown when some jobs of an invocation could not be submitted, so Lambda retries it; carries the result. */
export class WatchFolderError extends Error {
  constructor(
    message: string,
    readonly result: WatchFolderResult,
  ) {
    super(message);
    this.name = "WatchFolderError";
  }
}

/** An error as one line of text: its name and message. */
export function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
}
