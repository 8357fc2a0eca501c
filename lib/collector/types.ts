/**
 * What the collector pipeline is given (its dependencies, injected by tests, the bench and the local twin; built
 * from the environment in Lambda) and what it reports.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { DeadLetterSink } from "../adapters/dead-letter";
import type { EventsStore } from "../adapters/events-store";
import type { JobDetailsFetcher } from "../adapters/job-details";
import type { JobsStore } from "../adapters/jobs-store";
import type { Notifier } from "../adapters/notify";
import type { QueueCounters } from "../adapters/queue-counters";
import type { StreamWriter } from "../adapters/stream";
import type { McEvent } from "../domain/events";
import type { ProbeResult } from "../domain/probe";
import type { StreamRecord } from "../domain/stream-record";
import type { CollectorRuntimeSettings } from "../domain/runtime-settings";
import type { CollectorConfig } from "./config";

export type Prober = (uri: string, opts: { budgetBytes: number; maxRequests: number }) => Promise<ProbeResult>;

export interface CollectorDeps {
  config: CollectorConfig;
  jobs: JobsStore;
  events: EventsStore;
  queues: QueueCounters;
  /** Absent when USE_STREAMS=false. */
  stream?: StreamWriter;
  deadLetter: DeadLetterSink;
  /** mediainfo.js probe over S3 ranged reads; absent = no probing. */
  probe?: Prober;
  /** GetJob for jobs with no settings on record; absent = no backfill. */
  jobDetails?: JobDetailsFetcher;
  /** Publishes job notifications (config.notifications says which jobs); absent = none are sent. */
  notifier?: Notifier;
  logger: Logger;
  metrics: Metrics;
  /**
   * The probe and GetJob settings in force, read once per invocation (the Config table's runtime-settings item
   * over the deployed values, cached); absent = `config` as deployed.
   */
  runtimeSettings?: () => Promise<CollectorRuntimeSettings>;
  now?: () => number;
  /** Claim lease when no Lambda context tells the remaining time (default 60 s). */
  defaultLeaseMs?: number;
  /** Longest a probe may take (default 20 s); also never closer than 10 s to the invocation's end. */
  probeTimeoutMs?: number;
  /** How long a notification claim holds before another attempt may take it over (default NOTIFY_LEASE_MS). */
  notifyLeaseMs?: number;
  /** Jobs processed at once within one invocation (default 8); events of one job always run one after another. */
  concurrency?: number;
  /**
   * How long to wait for an event another attempt holds (default 3 s) before failing it so Lambda retries it.
   * Long enough for a duplicate delivered at the same moment to finish; an attempt that died holding the claim is
   * taken over once its lease ends, by this wait or by a retry.
   */
  inFlightWaitMs?: number;
}

/** The dependencies as the pipeline's steps use them: the clock resolved. */
export type CollectorContext = CollectorDeps & { now: () => number };

export interface CollectorResult {
  received: number;
  /** Sent to the dead-letter queue (malformed, unknown status, not a MediaConvert event). */
  rejected: number;
  /** MediaConvert events of another detail-type: skipped on purpose. */
  ignored: number;
  duplicates: number;
  processed: number;
  streamed: number;
  failed: number;
}

/** One accepted event on its way through the pipeline. */
export interface Work {
  raw: unknown;
  event: McEvent;
  /** Set once this invocation holds the event's claim in the Events table. */
  claimUntil?: number;
  /** The stream record, once the job is folded. */
  record?: StreamRecord;
  /** Why the event failed; it is then released, not marked done. */
  error?: unknown;
  done?: boolean;
}

/** Thrown when some events of an invocation failed, so Lambda retries it; carries the counts. */
export class CollectorError extends Error {
  constructor(
    message: string,
    readonly result: CollectorResult,
  ) {
    super(message);
    this.name = "CollectorError";
  }
}
