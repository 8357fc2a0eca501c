/**
 * The history lake's row schemas: ONE definition per dataset, used by
 *   - the consumers (the rows they hand to Firehose are validated against `rowSchema(dataset)`),
 *   - the Glue tables (columns, types and the `dt` partition key come from `DATASETS[...].columns`),
 *   - the Firehose Parquet conversion (it reads the Glue table),
 *   - the local Firehose endpoint (it writes Parquet with exactly these columns and DuckDB types),
 *   - the DuckDB tests and `mcjobs history --local`.
 *
 * Column names are the job record's names (lib/domain/job.ts) in snake_case: Glue and Athena lower-case every
 * identifier, so `queueName` would surface as `queuename`; `queue_name` reads the same everywhere.
 * Times are epoch milliseconds (bigint). Day columns (`*_date`) are UTC `YYYY-MM-DD` strings computed by the
 * consumer, so queries group by day without engine-specific date functions.
 *
 * Every row carries the keys needed to de-duplicate (delivery is at-least-once end to end):
 *   job_events: event_key (one per distinct MediaConvert event);
 *   jobs:       job_id, with job_event_count / last_event_at / recorded_at to pick the most complete version;
 *   queue_metrics: row_id (window start + shard + queue).
 *
 * Pure data and zod; no AWS imports.
 */
import { z } from "zod";

/** Glue/Athena column types used by the lake (all scalar: the SQL stays portable between Athena and DuckDB). */
export type ColumnType = "string" | "bigint" | "int" | "double" | "boolean";

export interface Column {
  name: string;
  type: ColumnType;
  /** Required columns are never null in a row. */
  required?: boolean;
  comment: string;
}

export type DatasetName = "job_events" | "jobs" | "queue_metrics";

export interface Dataset {
  name: DatasetName;
  description: string;
  columns: readonly Column[];
}

/** The partition column. Not stored in the Parquet files: it is the `dt=YYYY-MM-DD/` folder (Firehose arrival day, UTC). */
export const PARTITION_KEY = { name: "dt", type: "string" as const, comment: "Delivery day (UTC, yyyy-MM-dd) from the S3 prefix" };

/** Where each dataset lives in the lake bucket / local lake dir, and where Firehose puts records it could not convert. */
export function dataPrefix(dataset: DatasetName): string {
  return `${dataset}/`;
}
/** Firehose custom prefix (the real service expands `!{timestamp:…}`; the local endpoint does the same). */
export function firehosePrefix(dataset: DatasetName): string {
  return `${dataset}/dt=!{timestamp:yyyy-MM-dd}/`;
}
export function firehoseErrorPrefix(dataset: DatasetName): string {
  return `errors/${dataset}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`;
}
/** Earliest `dt` partition projection accepts. */
export const PROJECTION_START = "2020-01-01";

const s = (name: string, comment: string, required = false): Column => ({ name, type: "string", comment, required });
const b = (name: string, comment: string, required = false): Column => ({ name, type: "bigint", comment, required });
const i = (name: string, comment: string, required = false): Column => ({ name, type: "int", comment, required });
const d = (name: string, comment: string, required = false): Column => ({ name, type: "double", comment, required });

export const JOB_EVENTS: Dataset = {
  name: "job_events",
  description: "One row per MediaConvert event seen by the collector (re-deliveries share event_key).",
  columns: [
    s("event_key", "timestamp#status#eventId; identical for re-deliveries of one event", true),
    s("event_id", "EventBridge event id", true),
    s("job_id", "MediaConvert job id", true),
    s("status", "Event status (PROGRESSING, STATUS_UPDATE, COMPLETE, ERROR, NEW_WARNING, QUEUE_HOP, INPUT_INFORMATION, …)", true),
    b("event_time", "Event timestamp (epoch ms)", true),
    s("event_date", "UTC day of event_time", true),
    s("account_id", "AWS account id"),
    s("region", "AWS region"),
    s("queue", "Queue ARN"),
    s("queue_name", "Queue name (last ARN segment)"),
    s("application", "userMetadata.application"),
    i("percent_complete", "STATUS_UPDATE: job percent complete"),
    s("current_phase", "STATUS_UPDATE: PROBING | TRANSCODING | UPLOADING"),
    b("frames_decoded", "STATUS_UPDATE: frames decoded so far"),
    i("error_code", "ERROR: MediaConvert error code"),
    s("error_message", "ERROR: message"),
    i("warning_code", "NEW_WARNING: warning code"),
    s("warning_message", "NEW_WARNING: message"),
    s("previous_queue_name", "QUEUE_HOP: queue the job left"),
    s("job_status", "The job's status after folding this event", true),
    b("job_created_at", "The job's creation time (epoch ms)", true),
    s("job_created_date", "UTC day of job_created_at", true),
    i("job_event_count", "Distinct events folded into the job so far (higher = more complete)", true),
    b("recorded_at", "When the collector wrote the stream record (epoch ms)", true),
  ],
};

export const JOBS: Dataset = {
  name: "jobs",
  description:
    "One row per job in a terminal state, written again whenever a later event (duplicate or late INPUT_INFORMATION) " +
    "reaches a finished job; the row with the highest job_event_count per job_id is the most complete.",
  columns: [
    s("job_id", "MediaConvert job id", true),
    s("status", "COMPLETE | ERROR | CANCELED", true),
    s("arn", "Job ARN"),
    s("account_id", "AWS account id"),
    s("region", "AWS region"),
    s("queue", "Queue ARN"),
    s("queue_name", "Queue name"),
    s("application", "userMetadata.application"),
    s("user_metadata", "userMetadata as a JSON object"),
    b("created_at", "Creation time (epoch ms, from the job id prefix)", true),
    s("created_date", "UTC day of created_at", true),
    b("submitted_at", "Submit time (epoch ms)"),
    b("progressing_at", "First PROGRESSING time (epoch ms)"),
    b("finished_at", "Terminal event time (epoch ms)"),
    s("finished_date", "UTC day of finished_at"),
    b("last_event_at", "Newest event time folded in (epoch ms)", true),
    b("queued_ms", "Time waiting in the queue (ms)"),
    b("transcoding_ms", "Time from PROGRESSING to finish (ms)"),
    d("speed", "Input duration ÷ transcoding time (× real time)"),
    i("retry_count", "MediaConvert retries"),
    s("input_uri", "First input's URI"),
    s("input_container", "Input container"),
    b("input_duration_ms", "Input duration (ms)"),
    s("input_video_codec", "Input video codec"),
    i("input_width", "Input width (px)"),
    i("input_height", "Input height (px)"),
    d("input_frame_rate", "Input frame rate"),
    s("input_resolution", "WIDTHxHEIGHT of the input video"),
    i("output_count", "Number of outputs"),
    b("output_duration_ms", "Longest output duration (ms)"),
    i("warning_count", "Sum of warning counts"),
    s("warning_codes", "Distinct warning codes, comma-separated, ascending"),
    i("error_code", "MediaConvert error code"),
    s("error_message", "Error message"),
    s("error_category", "Error category (see the error code reference)"),
    i("queue_hop_count", "Number of queue hops"),
    i("job_event_count", "Distinct events folded into this record", true),
    s("event_key", "The event whose processing produced this row", true),
    b("recorded_at", "When the collector wrote the stream record (epoch ms)", true),
  ],
};

export const QUEUE_METRICS: Dataset = {
  name: "queue_metrics",
  description: "Per-queue aggregates over one tumbling window of one Kinesis shard; sum counts across shards for a queue total.",
  columns: [
    s("row_id", "window_start#shard_id#queue_name; identical for a re-delivered window", true),
    b("window_start", "Window start (epoch ms)", true),
    b("window_end", "Window end (epoch ms)", true),
    s("window_date", "UTC day of window_start", true),
    s("shard_id", "Kinesis shard the window covers", true),
    s("queue_name", "Queue name", true),
    b("jobs_started", "Distinct jobs that started PROGRESSING in the window", true),
    b("jobs_completed", "Distinct jobs that reached COMPLETE", true),
    b("jobs_failed", "Distinct jobs that reached ERROR", true),
    b("jobs_canceled", "Distinct jobs that reached CANCELED", true),
    b("events", "Stream records seen for the queue", true),
    d("queue_wait_p50_ms", "Median queue wait of jobs that started"),
    d("queue_wait_p90_ms", "90th percentile queue wait"),
    d("transcoding_p50_ms", "Median transcoding time of jobs that finished"),
    d("transcoding_p90_ms", "90th percentile transcoding time"),
    d("speed_p50", "Median speed (× real time)"),
    d("speed_p90", "90th percentile speed"),
    i("sample_size", "Values the percentiles were computed from (capped)", true),
    b("emitted_at", "When the consumer wrote the row (epoch ms)", true),
  ],
};

export const DATASETS: Readonly<Record<DatasetName, Dataset>> = {
  job_events: JOB_EVENTS,
  jobs: JOBS,
  queue_metrics: QUEUE_METRICS,
};
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/** DuckDB type for each Glue type (what the local Firehose endpoint writes into Parquet). */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: "VARCHAR",
  bigint: "BIGINT",
  int: "INTEGER",
  double: "DOUBLE",
  boolean: "BOOLEAN",
};

function columnSchema(col: Column): z.ZodType {
  let t: z.ZodType;
  switch (col.type) {
    case "string":
      t = z.string();
      break;
    case "bigint":
      t = z
        .number()
        .int()
        .refine(Number.isSafeInteger, { message: `${col.name} must be a safe integer` });
      break;
    case "int":
      t = z.number().int().min(-2147483648).max(2147483647);
      break;
    case "double":
      t = z.number().refine(Number.isFinite, { message: `${col.name} must be a finite number` });
      break;
    case "boolean":
      t = z.boolean();
      break;
  }
  return col.required ? t : t.nullable().optional();
}

const rowSchemas = new Map<DatasetName, z.ZodType<Record<string, unknown>>>();

/** zod schema of one row of `dataset`: exactly the dataset's columns (unknown keys are rejected). */
export function rowSchema(dataset: DatasetName): z.ZodType<Record<string, unknown>> {
  let schema = rowSchemas.get(dataset);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const col of DATASETS[dataset].columns) shape[col.name] = columnSchema(col);
    schema = z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown>>;
    rowSchemas.set(dataset, schema);
  }
  return schema;
}

/** Row types (nullable columns may be null or absent). */
export type HistoryRow = Record<string, string | number | boolean | null | undefined>;

/** UTC `YYYY-MM-DD` of an epoch-ms time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Short fingerprint of a dataset's columns (names and types, in order). The local Firehose endpoint puts it in
 * each file name (`…-s<fingerprint>-…`), so a reader can tell from the names alone whether every file has the
 * current schema or older ones must be merged by column name.
 */
export function schemaFingerprint(dataset: DatasetName): string {
  let h = 0x811c9dc5;
  const text = DATASETS[dataset].columns.map((c) => `${c.name}:${c.type}`).join(",");
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
