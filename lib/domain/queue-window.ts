/**
 * Pure part of the analytics consumer: folds stream records into one tumbling window's per-queue aggregate and
 * turns the final state into `queue_metrics` rows.
 *
 * The state travels between invocations of one window (Lambda passes back what we return, ≤ 1 MB), so it is
 * bounded by construction:
 * - jobs are de-duplicated per window by a 32-bit hash of the job id, at most MAX_TRACKED_IDS hashes in total;
 *   past that, counts keep growing without de-duplication and the row says so (`dedupe_saturated` is logged);
 * - each percentile keeps a fixed-size sample (reservoir, MAX_SAMPLES values per queue and metric), picked by a
 *   hash of the job id so a retried batch picks the same values. Percentiles are nearest-rank, the definition
 *   DuckDB's quantile_disc (and the bridge's approx_percentile) uses.
 */
import { utcDay, type HistoryRow } from "./history";
import type { JobRecord } from "./job";

export const MAX_SAMPLES = 256;
export const MAX_TRACKED_IDS = 20_000;

export interface Sample {
  /** Values offered so far (≥ values.length). */
  seen: number;
  values: number[];
}

export interface QueueAgg {
  events: number;
  started: string[];
  completed: string[];
  failed: string[];
  canceled: string[];
  /** Jobs whose transcoding time / speed were sampled (hashes). */
  sampled: string[];
  startedCount: number;
  completedCount: number;
  failedCount: number;
  canceledCount: number;
  wait: Sample;
  transcoding: Sample;
  speed: Sample;
}

export interface WindowState {
  v: 1;
  shardId?: string;
  queues: Record<string, QueueAgg>;
  trackedIds: number;
  saturated: boolean;
  invalid: number;
}

export function emptyState(): WindowState {
  return { v: 1, queues: {}, trackedIds: 0, saturated: false, invalid: 0 };
}

/** Accepts whatever Lambda hands back; anything that is not our state starts fresh. */
export function coerceState(raw: unknown): WindowState {
  const s = raw as Partial<WindowState> | undefined;
  if (s?.v !== 1 || typeof s.queues !== "object" || s.queues === null) return emptyState();
  return { ...emptyState(), ...s, queues: s.queues } as WindowState;
}

/** FNV-1a, 32 bits, base 36. */
export function hashId(id: string): string {
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) {
    h ^= id.charCodeAt(k);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

function newAgg(): QueueAgg {
  const sample = (): Sample => ({ seen: 0, values: [] });
  return {
    events: 0,
    started: [],
    completed: [],
    failed: [],
    canceled: [],
    sampled: [],
    startedCount: 0,
    completedCount: 0,
    failedCount: 0,
    canceledCount: 0,
    wait: sample(),
    transcoding: sample(),
    speed: sample(),
  };
}

/** Reservoir step with a deterministic choice (hash of the job id), so replays give the same sample. */
export function offer(sample: Sample, value: number, key: string): void {
  if (!Number.isFinite(value)) return;
  sample.seen++;
  if (sample.values.length < MAX_SAMPLES) {
    sample.values.push(value);
    return;
  }
  const slot = Number.parseInt(hashId(`${key}#${sample.seen}`), 36) % sample.seen;
  if (slot < MAX_SAMPLES) sample.values[slot] = value;
}

/** Nearest-rank percentile (p in 0..1); undefined for no values. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

// The de-dup lists travel as JSON arrays; lookups go through a Set built once per list per invocation.
const lookup = new WeakMap<string[], Set<string>>();
function setOf(list: string[]): Set<string> {
  let set = lookup.get(list);
  if (!set) {
    set = new Set(list);
    lookup.set(list, set);
  }
  return set;
}

/** Adds `hash` to a de-dup list; true when it was new (or when de-dup is saturated). */
function firstTime(state: WindowState, list: string[], hash: string): boolean {
  const set = setOf(list);
  if (set.has(hash)) return false;
  if (state.trackedIds >= MAX_TRACKED_IDS) {
    state.saturated = true;
    return true;
  }
  list.push(hash);
  set.add(hash);
  state.trackedIds++;
  return true;
}

export interface WindowInput {
  event: { jobId: string; status: string; queueName?: string };
  job: Pick<JobRecord, "status" | "queueName" | "queuedMs" | "transcodingMs" | "speed">;
}

/** Folds one stream record into the window state (mutates and returns it). */
export function foldRecord(state: WindowState, rec: WindowInput): WindowState {
  const queue = rec.event.queueName ?? rec.job.queueName ?? "(unknown)";
  state.queues[queue] ??= newAgg();
  const agg = state.queues[queue];
  agg.events++;
  const id = hashId(rec.event.jobId);
  switch (rec.event.status) {
    case "PROGRESSING":
      if (firstTime(state, agg.started, id)) {
        agg.startedCount++;
        if (typeof rec.job.queuedMs === "number") offer(agg.wait, rec.job.queuedMs, rec.event.jobId);
      }
      break;
    case "COMPLETE":
      if (firstTime(state, agg.completed, id)) agg.completedCount++;
      break;
    case "ERROR":
      if (firstTime(state, agg.failed, id)) agg.failedCount++;
      break;
    case "CANCELED":
      if (firstTime(state, agg.canceled, id)) agg.canceledCount++;
      break;
  }
  // Transcoding time and speed: once per finished job, as soon as both are known (speed may need the
  // INPUT_INFORMATION event, which can come after COMPLETE).
  if (rec.job.status === "COMPLETE" && typeof rec.job.transcodingMs === "number" && typeof rec.job.speed === "number") {
    if (!setOf(agg.sampled).has(id) && firstTime(state, agg.sampled, id)) {
      offer(agg.transcoding, rec.job.transcodingMs, rec.event.jobId);
      offer(agg.speed, rec.job.speed, rec.event.jobId);
    }
  }
  return state;
}

export interface WindowInfo {
  start: number;
  end: number;
  shardId: string;
}

/** One `queue_metrics` row per queue seen in the window. */
export function windowRows(state: WindowState, win: WindowInfo, emittedAt: number): HistoryRow[] {
  return Object.entries(state.queues)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([queue, agg]) => ({
      row_id: `${win.start}#${win.shardId}#${queue}`,
      window_start: win.start,
      window_end: win.end,
      window_date: utcDay(win.start),
      shard_id: win.shardId,
      queue_name: queue,
      jobs_started: agg.startedCount,
      jobs_completed: agg.completedCount,
      jobs_failed: agg.failedCount,
      jobs_canceled: agg.canceledCount,
      events: agg.events,
      queue_wait_p50_ms: percentile(agg.wait.values, 0.5) ?? null,
      queue_wait_p90_ms: percentile(agg.wait.values, 0.9) ?? null,
      transcoding_p50_ms: percentile(agg.transcoding.values, 0.5) ?? null,
      transcoding_p90_ms: percentile(agg.transcoding.values, 0.9) ?? null,
      speed_p50: percentile(agg.speed.values, 0.5) ?? null,
      speed_p90: percentile(agg.speed.values, 0.9) ?? null,
      sample_size: Math.max(agg.wait.values.length, agg.transcoding.values.length),
      emitted_at: emittedAt,
    }));
}
