/**
 * What `startTwin` (twin.ts) can be asked for: ports, state folder, simulator speed and knobs, the stack settings
 * the twin mirrors, and hooks for tests (endpoint rewrites, extra environment, logging).
 */
import type { EndpointWrapper } from "./function-env";

export interface TwinPorts {
  /** Jobs API + dashboard (default: a free port). */
  http?: number;
  dynamodb?: number;
  kinesis?: number;
  s3?: number;
  firehose?: number;
  mediaconvert?: number;
}

export interface TwinOptions {
  /** State folder (default `.mcjobs`). */
  dir?: string;
  /** Wipe the twin's state in `dir` first. */
  fresh?: boolean;
  ports?: TwinPorts;
  /** Simulated seconds per real second for the MediaConvert simulator (default 30). */
  speed?: number;
  /** Keep a demo workload going (default true). */
  demo?: boolean;
  /** Seconds between demo jobs (default 4). */
  demoEverySeconds?: number;
  /** Seed of the simulator (default 1). */
  seed?: number;
  /** Simulator probability knobs (duplicates, reordering, errors…). */
  rates?: Record<string, number>;
  /** Application name stamped on jobs (userMetadata.application); the collector notifies the outcomes of its jobs. */
  application?: string;
  /** Stack `collectOnlyApplication`: the collector rule matches only this application's jobs (default false). */
  collectOnlyApplication?: boolean;
  /** Firehose buffer interval (ms) = the consumers' batching window (default 2000). */
  bufferIntervalMs?: number;
  /** Analytics tumbling window, seconds (default 5). */
  tumblingWindowSeconds?: number;
  /** Overrides every simulated job's status update interval (simulated ms; MediaConvert's default is 60 s). */
  statusUpdateIntervalMs?: number;
  /** Share of MediaConvert event deliveries (0–100) the simulator loses (default 0). */
  dropEventsPercent?: number;
  /**
   * Seconds between reconciler sweeps (default 30; 0 turns the reconciler off). A sweep also runs right after
   * the start, which heals jobs that finished while the twin was stopped.
   */
  reconcileEverySeconds?: number;
  /** Collector invocations running at once (default 8). */
  concurrency?: number;
  /** Endpoint rewrites for the handlers (fault injection). The twin's own plumbing keeps the direct endpoints. */
  wrapEndpoint?: EndpointWrapper;
  /** Extra environment for the handlers (e.g. COLLECTOR_PROBE=false). */
  extraEnv?: Record<string, string>;
  /** Log level for the handlers' Powertools loggers (default ERROR). */
  logLevel?: string;
  /** Where the twin's own progress lines go (default: nowhere). */
  log?: (line: string) => void;
  /** DynamoDB Local keeps its tables in memory rather than under `dir` (default false; see StandInOptions). */
  dynamoDbInMemory?: boolean;
  /** DynamoDB Local in its own process group, out of reach of a terminal's Ctrl-C (see StandInOptions). */
  ownProcessGroup?: boolean;
  /** Also write `twin.json` (default true). */
  writeStateFile?: boolean;
}
