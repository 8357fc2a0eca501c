/** The simulator's public shapes: its options, injected faults and the handle startMediaConvertSimulator returns. */
import type { ProbeResult } from "../../../lib/domain/probe";
import type { EventEnvelope } from "./events";
import type { ScenarioRates } from "./rates";

export const OPERATION_NAMES = [
  "CreateJob",
  "GetJob",
  "ListJobs",
  "CancelJob",
  "DescribeEndpoints",
  "ListQueues",
  "GetQueue",
  "ListPresets",
  "GetPreset",
  "CreatePreset",
  "ListJobTemplates",
  "GetJobTemplate",
  "CreateJobTemplate",
] as const;
export type Operation = (typeof OPERATION_NAMES)[number];

export interface SimulatorOptions {
  /** Port to listen on; default a free one. */
  port?: number;
  host?: string;
  /** Region and account the simulated jobs belong to (ARNs, events). Default us-east-1 / 111122223333. */
  region?: string;
  accountId?: string;
  /** Seed for every random choice; default 1. */
  seed?: number;
  /**
   * Simulated milliseconds per real millisecond: 1 plays a job in real time, 60 plays a minute per second.
   * Default 1. Event timestamps are the real (wall-clock) times the steps happen.
   */
  timeScale?: number;
  /** Probability knobs; anything not given keeps its default (see DEFAULT_RATES). */
  rates?: Partial<ScenarioRates>;
  /** Receives every delivered event (EventBridge envelope). A rejection is retried a few times, then counted as failed. */
  onEvent?: (event: EventEnvelope) => void | Promise<void>;
  /**
   * Learns the input's facts for INPUT_INFORMATION and the job's length (the twin passes the mediainfo probe
   * over s3rver here). Without it, or when it fails, facts are made up from the seed.
   */
  probe?: (inputUri: string) => Promise<ProbeResult | undefined>;
  /** When false, nothing plays by itself: call `drain()`. Default true. */
  autoRun?: boolean;
  /** Overrides every job's status update interval (simulated ms). */
  statusUpdateIntervalMs?: number;
  /**
   * Share of event deliveries (0 to 100) silently lost, terminal events included, as EventBridge events that never
   * arrive. Seeded: the same seed loses the same deliveries. Default 0.
   */
  dropEventsPercent?: number;
  /**
   * Folder for the simulator's state (`mediaconvert.json`): jobs, their plans and times, client request tokens,
   * created presets and job templates. Read back on the next start, where jobs carry on as their timelines say
   * (steps due while the simulator was down happen without being delivered). Default: kept in memory only.
   */
  stateDir?: string;
  /** Custom queues of the account besides Default (names). Default Overflow and Priority. */
  queues?: string[];
}

/** The options the engine reads: everything but where the HTTP layer listens. */
export type EngineOptions = Omit<SimulatorOptions, "port" | "host">;

export interface FaultSpec {
  operation: Operation;
  /** Error shape name, e.g. TooManyRequestsException, ForbiddenException, NotFoundException. */
  type: string;
  /** HTTP status; derived from the type when absent. */
  status?: number;
  message?: string;
  /** How many calls fail (default 1; Infinity for all). */
  times?: number;
  /** Only calls about this job id. */
  jobId?: string;
}

/** GetJob's `job` as the wire carries it (camelCase, times in epoch seconds). */
export type WireJob = Record<string, unknown>;

export interface MediaConvertSimulator {
  endpoint: string;
  /** `{ MCJOBS_ENDPOINT_MEDIACONVERT }`: merge into the env given to lib/adapters/clients.ts. */
  env: Record<string, string>;
  /** Requests served per operation (including failed ones). */
  calls: Record<Operation, number>;
  /** Requests served per job id (GetJob, CancelJob), including failed ones. */
  callsFor(jobId: string): number;
  /** Delay before every HTTP answer (ms): widens races, or makes callers hit their deadlines. */
  latencyMs: number;
  /** Every event handed to onEvent, in delivery order (duplicates included). */
  delivered: EventEnvelope[];
  /** Events onEvent kept rejecting after retries. */
  failedDeliveries: Array<{ event: EventEnvelope; error: string }>;
  /** Deliveries lost on purpose (`dropEventsPercent`): never handed to onEvent, not in `delivered`. */
  droppedDeliveries: EventEnvelope[];
  /**
   * Creates a job as another tool would (no HTTP); same rules as CreateJob. Takes the wire's camelCase JSON or the
   * SDK's PascalCase input (CreateJobCommandInput).
   */
  createJob(request: Record<string, unknown>): Promise<WireJob>;
  getJob(id: string): WireJob | undefined;
  listJobs(): WireJob[];
  /** The planned outcome of a job once its timeline is planned. */
  outcomeOf(id: string): string | undefined;
  /** Forgets a job: later GetJob calls answer NotFoundException. Its remaining events are dropped. */
  deleteJob(id: string): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Plays every pending step and delivery now, in order (ignores the clock). */
  drain(): Promise<void>;
  /** Resolves when every job's timeline has been played and delivered. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
