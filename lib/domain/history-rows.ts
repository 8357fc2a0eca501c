/**
 * Pure part of the history consumer: a Kinesis record's bytes → a validated stream record → flat history rows
 * (`job_events`, and `jobs` once the job is terminal), each checked against lib/domain/history.ts before it leaves.
 *
 * The stream record is the collector's (lib/domain/stream-record.ts): `{ v: 1, eventKey, event, job, at }`, validated
 * with its own zod schema (unknown fields pass, so a collector that adds fields never breaks history).
 */
import { decodeStreamRecord, type StreamRecord } from "./stream-record";
import { TERMINAL_STATUSES, type JobRecord, type JobStatus } from "./job";
import { rowSchema, utcDay, type HistoryRow } from "./history";

/** What the history consumer reads: the collector's stream record, validated by its own schema. */
export type HistoryInput = StreamRecord;

export type Parsed = { ok: true; record: HistoryInput } | { ok: false; reason: string };

/** Base64 Kinesis data → validated stream record, or a reason a person can act on. */
export function parseKinesisData(base64: string): Parsed {
  const decoded = decodeStreamRecord(base64);
  return decoded.ok ? decoded : { ok: false, reason: `not a v1 stream record: ${decoded.reason}` };
}

// Status-specific event fields: read defensively (the event schema is normalised by the domain; a field absent in
// one event version is simply null in the row).
function pick(obj: Record<string, unknown>, paths: string[]): unknown {
  for (const p of paths) {
    let cur: unknown = obj;
    for (const k of p.split(".")) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined;
    if (cur !== undefined && cur !== null) return cur;
  }
  return undefined;
}
function int(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number.parseInt(v.trim(), 10);
  return null;
}
function dbl(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
function text(v: unknown): string | null {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
}
function queueNameOf(arn: unknown): string | null {
  if (typeof arn !== "string" || arn === "") return null;
  return arn.slice(arn.lastIndexOf("/") + 1) || null;
}

export function jobEventRow(rec: HistoryInput): HistoryRow {
  const e = rec.event as unknown as Record<string, unknown> & HistoryInput["event"];
  const job: JobRecord = rec.job;
  return {
    event_key: rec.eventKey,
    event_id: e.eventId,
    job_id: e.jobId,
    status: e.status,
    event_time: Math.trunc(e.timestamp),
    event_date: utcDay(e.timestamp),
    account_id: e.accountId ?? job.accountId ?? null,
    region: e.region ?? job.region ?? null,
    queue: e.queue ?? job.queue ?? null,
    queue_name: e.queueName ?? queueNameOf(e.queue) ?? job.queueName ?? null,
    application: text(job.application) ?? text((e.userMetadata as Record<string, unknown> | undefined)?.application),
    percent_complete: int(pick(e, ["jobPercentComplete", "percentComplete", "jobProgress.jobPercentComplete"])),
    current_phase: text(pick(e, ["currentPhase", "jobProgress.currentPhase"])),
    frames_decoded: int(pick(e, ["framesDecoded"])),
    error_code: int(pick(e, ["errorCode", "error.code"])),
    error_message: text(pick(e, ["errorMessage", "error.message"])),
    warning_code: int(pick(e, ["warningCode", "warning.code"])),
    warning_message: text(pick(e, ["warningMessage", "warning.message"])),
    previous_queue_name: text(pick(e, ["previousQueueName"])) ?? queueNameOf(pick(e, ["previousQueue"])),
    job_status: job.status,
    job_created_at: Math.trunc(job.createdAt),
    job_created_date: utcDay(job.createdAt),
    job_event_count: job.eventCount,
    recorded_at: Math.trunc(rec.at),
  };
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The `jobs` row for a terminal job; undefined while the job is still running. */
export function jobRow(rec: HistoryInput): HistoryRow | undefined {
  const job: JobRecord = rec.job;
  if (!isTerminal(job.status)) return undefined;
  const video = job.input?.video;
  const width = int(video?.width);
  const height = int(video?.height);
  const outputs = job.outputs ?? [];
  const outDurations = outputs.map((o) => o.durationMs).filter((n): n is number => typeof n === "number");
  const warnings = job.warnings ?? [];
  const codes = [...new Set(warnings.map((w) => Math.trunc(w.code)))].sort((a, b) => a - b);
  return {
    job_id: job.jobId,
    status: job.status,
    arn: job.arn ?? null,
    account_id: job.accountId ?? null,
    region: job.region ?? null,
    queue: job.queue ?? null,
    queue_name: job.queueName ?? queueNameOf(job.queue),
    application: text(job.application) ?? text(job.userMetadata?.application),
    user_metadata: JSON.stringify(job.userMetadata ?? {}),
    created_at: Math.trunc(job.createdAt),
    created_date: utcDay(job.createdAt),
    submitted_at: int(job.submittedAt),
    progressing_at: int(job.progressingAt),
    finished_at: int(job.finishedAt),
    finished_date: typeof job.finishedAt === "number" ? utcDay(job.finishedAt) : null,
    last_event_at: Math.trunc(job.lastEventAt),
    queued_ms: int(job.queuedMs),
    transcoding_ms: int(job.transcodingMs),
    speed: dbl(job.speed),
    retry_count: int(job.retryCount),
    input_uri: text(job.input?.uri),
    input_container: text(job.input?.container),
    input_duration_ms: int(job.input?.durationMs),
    input_video_codec: text(video?.codec),
    input_width: width,
    input_height: height,
    input_frame_rate: dbl(video?.frameRate),
    input_resolution: width !== null && height !== null ? `${width}x${height}` : null,
    output_count: outputs.length,
    output_duration_ms: outDurations.length ? Math.max(...outDurations) : null,
    warning_count: warnings.reduce((n, w) => n + (Number.isFinite(w.count) ? Math.trunc(w.count) : 0), 0),
    warning_codes: codes.length ? codes.join(",") : null,
    error_code: int(job.error?.code),
    error_message: text(job.error?.message),
    error_category: text(job.error?.category),
    queue_hop_count: (job.queueHops ?? []).length,
    job_event_count: job.eventCount,
    event_key: rec.eventKey,
    recorded_at: Math.trunc(rec.at),
  };
}

export interface FlatRows {
  jobEvent: HistoryRow;
  job?: HistoryRow;
}

/** Flatten and validate; a row that does not fit its dataset schema makes the record invalid (with the reason). */
export function flatten(rec: HistoryInput): { ok: true; rows: FlatRows } | { ok: false; reason: string } {
  const jobEvent = jobEventRow(rec);
  const job = jobRow(rec);
  for (const [dataset, row] of [
    ["job_events", jobEvent],
    ["jobs", job],
  ] as const) {
    if (!row) continue;
    const check = rowSchema(dataset).safeParse(row);
    if (!check.success) {
      return {
        ok: false,
        reason: `${dataset} row does not fit the schema: ${check.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      };
    }
  }
  return { ok: true, rows: { jobEvent, job } };
}
