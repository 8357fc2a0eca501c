/**
 * The enriched Kinesis record: written by the collector once per distinct event it applied, read by the
 * history and analytics consumers. Partition key: the job id (all records of one job stay in order on one
 * shard). `job` is the job record as it stood after the event was applied.
 *
 * Pure code (zod), no AWS imports.
 */
import { z } from "zod";
import { JOB_STATUSES, PHASES, type JobRecord } from "./job";
import { McEventSchema, type McEvent } from "./events";

const optNum = z.number().optional();
/** An epoch-ms time a Date can hold (history partitions by its UTC day). */
const epochMs = z
  .number()
  .min(0, "must be an epoch-ms time, not negative")
  .max(8_640_000_000_000_000, "is past the last time a date can hold (8.64e15 ms)");
const optEpochMs = epochMs.optional();

const ProbeSchema = z.looseObject({
  container: z.string().optional(),
  durationMs: optNum,
  overallBitRate: optNum,
  fileSize: optNum,
  video: z.looseObject({}).optional(),
  audio: z.array(z.looseObject({})),
  bytesRead: z.number(),
  requests: z.number(),
  complete: z.boolean(),
  probedAt: epochMs,
});

/** The job record as data: validates the names and types others rely on; extra keys are kept. */
export const JobRecordSchema = z.looseObject({
  jobId: z.string().min(1),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  region: z.string().optional(),
  queue: z.string().optional(),
  queueName: z.string().optional(),
  application: z.string().optional(),
  userMetadata: z.record(z.string(), z.string()),
  status: z.enum(JOB_STATUSES),
  createdAt: epochMs,
  submittedAt: optEpochMs,
  progressingAt: optEpochMs,
  finishedAt: optEpochMs,
  lastEventAt: epochMs,
  percentComplete: optNum,
  currentPhase: z.enum(PHASES).optional(),
  phasePercentComplete: z.record(z.enum(PHASES), z.number()).optional(),
  framesDecoded: optNum,
  retryCount: optNum,
  queuedMs: optNum,
  transcodingMs: optNum,
  etaMs: optNum,
  estimatedFinishAt: optEpochMs,
  speed: optNum,
  input: z.looseObject({}).optional(),
  outputs: z.array(z.looseObject({ paths: z.array(z.string()) })).optional(),
  warnings: z.array(z.looseObject({ code: z.number(), count: z.number() })),
  error: z.looseObject({ code: z.number(), category: z.string() }).optional(),
  queueHops: z.array(z.looseObject({ at: epochMs })),
  eventCount: z.number().int().nonnegative(),
  settings: z.looseObject({}).optional(),
  probe: ProbeSchema.optional(),
});

export const STREAM_RECORD_VERSION = 1 as const;

export const StreamRecordSchema = z.object({
  v: z.literal(STREAM_RECORD_VERSION),
  eventKey: z.string().min(1),
  event: McEventSchema,
  job: JobRecordSchema,
  /** When the collector wrote the record (epoch ms). */
  at: epochMs,
});

export interface StreamRecord {
  v: 1;
  eventKey: string;
  event: McEvent;
  job: JobRecord;
  at: number;
}

export function makeStreamRecord(event: McEvent, job: JobRecord, at: number): StreamRecord {
  return { v: STREAM_RECORD_VERSION, eventKey: event.eventKey, event, job, at };
}

/** Kinesis partition key of a record: the job id. */
export function partitionKeyOf(record: Pick<StreamRecord, "event">): string {
  return record.event.jobId;
}

export function encodeStreamRecord(record: StreamRecord): Uint8Array {
  return Buffer.from(JSON.stringify(record), "utf8");
}

/**
 * Decodes and validates one Kinesis record's data (bytes or base64 text as Lambda delivers it). Never throws;
 * the reason names the field and the problem.
 */
export function decodeStreamRecord(data: Uint8Array | string): { ok: true; record: StreamRecord } | { ok: false; reason: string } {
  let text: string;
  try {
    text = typeof data === "string" ? Buffer.from(data, "base64").toString("utf8") : Buffer.from(data).toString("utf8");
  } catch (err) {
    return { ok: false, reason: `record data: not decodable (${(err as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: `record data: not JSON (starts with ${JSON.stringify(text.slice(0, 40))})` };
  }
  const r = StreamRecordSchema.safeParse(json);
  if (!r.success) {
    const reason = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join(".") || "(record)"}: ${i.message}`)
      .join("; ");
    return { ok: false, reason };
  }
  return { ok: true, record: r.data as unknown as StreamRecord };
}
