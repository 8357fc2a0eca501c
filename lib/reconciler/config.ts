/**
 * The reconciler's settings: the tables and stream it shares with the collector (validated by the collector's own
 * schema, since it folds answers through the collector's steps) plus its own knobs, from the environment Pulumi
 * (or the local twin) sets, validated once per container.
 */
import { z } from "zod";
import { loadCollectorConfig, type CollectorConfig } from "../collector/config";
import { ENV, loadEnv, type Env } from "../domain/env";
import { DEFAULT_STATUS_UPDATE_INTERVAL_MS } from "../domain/staleness";

/** The reconciler's own variables (the shared ones are in lib/domain/env.ts). */
export const RECONCILER_ENV = {
  /** The status-update interval staleness is measured in, ms (MediaConvert's default 60 s). */
  statusUpdateIntervalMs: "RECONCILE_STATUS_UPDATE_INTERVAL_MS",
  /** Jobs checked with GetJob per sweep at most, the longest-silent first. */
  maxJobs: "RECONCILE_MAX_JOBS",
  concurrency: "RECONCILE_CONCURRENCY",
  ratePerSecond: "RECONCILE_RATE_PER_SECOND",
  /** How far back the first sweep lists jobs, when no sweep mark exists yet. */
  firstLookbackMinutes: "RECONCILE_FIRST_LOOKBACK_MINUTES",
  /** When set, jobs found by ListJobs are recorded only if their userMetadata.application is this. */
  onlyApplication: "RECONCILE_ONLY_APPLICATION",
} as const;

const int = (what: string, min: number, max: number) =>
  z.coerce
    .number({ message: `must be a number of ${what}` })
    .int(`must be a whole number of ${what}`)
    .min(min, `must be at least ${min} ${what}`)
    .max(max, `must be at most ${max} ${what}`);

export const ReconcilerSettingsSchema = z.object({
  [ENV.configTable]: z.string({ error: "must name the Config table (sweep marks)" }).min(1, "must name the Config table (sweep marks)"),
  [RECONCILER_ENV.statusUpdateIntervalMs]: int("milliseconds", 10, 600_000).default(DEFAULT_STATUS_UPDATE_INTERVAL_MS),
  [RECONCILER_ENV.maxJobs]: int("jobs", 1, 10_000).default(500),
  [RECONCILER_ENV.concurrency]: int("calls", 1, 20).default(4),
  [RECONCILER_ENV.ratePerSecond]: z.coerce
    .number({ message: "must be a number of calls per second" })
    .min(0.1, "must be at least 0.1 calls per second")
    .max(100, "must be at most 100 calls per second")
    .default(10),
  [RECONCILER_ENV.firstLookbackMinutes]: int("minutes", 1, 129_600).default(1440),
  [RECONCILER_ENV.onlyApplication]: z.string().min(1).optional(),
});

export interface ReconcilerConfig {
  /** The collector's view of the same environment, its extras off: GetJob answers carry the settings already. */
  collector: CollectorConfig;
  configTable: string;
  statusUpdateIntervalMs: number;
  maxJobs: number;
  concurrency: number;
  ratePerSecond: number;
  firstLookbackMs: number;
  onlyApplication?: string;
}

export const RECONCILER_SETTINGS = "Reconciler";

export function loadReconcilerConfig(env: Env = process.env): ReconcilerConfig {
  const collector = loadCollectorConfig(env);
  const c = loadEnv(RECONCILER_SETTINGS, ReconcilerSettingsSchema, env);
  return {
    collector: { ...collector, probe: false, getJob: false },
    configTable: c[ENV.configTable],
    statusUpdateIntervalMs: c[RECONCILER_ENV.statusUpdateIntervalMs],
    maxJobs: c[RECONCILER_ENV.maxJobs],
    concurrency: c[RECONCILER_ENV.concurrency],
    ratePerSecond: c[RECONCILER_ENV.ratePerSecond],
    firstLookbackMs: c[RECONCILER_ENV.firstLookbackMinutes] * 60_000,
    onlyApplication: c[RECONCILER_ENV.onlyApplication],
  };
}
