/**
 * MediaConvert events: zod schemas for the raw EventBridge envelope and every "MediaConvert Job State Change"
 * status, and their normalised form `McEvent`, the only event shape the rest of the code sees.
 *
 * Tolerance (real traffic, see test/fixtures/mediaconvert-events/README.md):
 *   - optional fields may be missing; unknown keys are ignored (never rejected);
 *   - numbers may arrive as strings ("000000" warning codes, "1040" error codes, "12" percentages);
 *   - the 2018 STATUS_UPDATE carries only `framesDecoded` (no `jobProgress`);
 *   - QVBR statistics come as `qvbrAvgQuality`/`qvbrMinQuality`/`qvbrMaxQuality` or as the documentation's
 *     `averageQVBRScore`/`minimumQVBRScore`/`maximumQVBRScore`;
 *   - DASH/CMAF outputs have no `outputFilePaths`; audio-only outputs are just `{durationInMs}`;
 *   - `detail.jobId` may disagree with `resources[0]`: the detail is the job; the ARN is rebuilt from it;
 *   - a job id must have MediaConvert's shape (lib/domain/arns.ts, `1717171717171-abc123`): one that does not
 *     (over-long, path-like, another shape) is malformed, so it never becomes a key or a file name; so is a job
 *     ARN in `resources` taken for a missing `detail.jobId`, a queue ARN, account id or region of the wrong shape;
 *   - `detail.timestamp` missing: the envelope `time` is used instead.
 * Rejections carry the field path and the problem, e.g. `detail.jobProgress.jobPercentComplete: expected a
 * number, got "abc"`.
 *
 * Besides EventBridge events, two synthetic statuses flow through the same reducer:
 *   - SUBMITTED: recorded by the watch folder from the CreateJob response (MediaConvert sends no such event);
 *     EventBridge SUBMITTED events, should they ever appear, are accepted too;
 *   - JOB_DETAILS: a GetJob backfill (timing, queue transitions, settings), see lib/domain/job-source.ts.
 *
 * `eventKey` = `${timestamp padded to 13 digits}#${status}#${eventId}`: a re-delivery maps to the same key; the
 * documentation examples reuse one `id` for different events, which is why the status and time are in it.
 *
 * Pure code: zod only, no AWS imports.
 */
import { z } from "zod";
import type { JobInput, JobOutput, JobSettingsSummary, JobStatus, Phase, QueueHop } from "./job";
import { PHASES } from "./job";
import {
  ACCOUNT_PATTERN,
  JOB_ID_PATTERN,
  isRegion,
  jobArn,
  jobArnProblem,
  jobIdProblem,
  parseJobArn,
  queueArnProblem,
  queueNameOf,
  regionOfArn,
} from "./arns";

/** Also exported here, beside the event parser that rebuilds job ARNs and reads queue names with them. */
export { jobArn, parseJobArn, queueNameOf };

export const MEDIACONVERT_SOURCE = "aws.mediaconvert";
export const JOB_STATE_CHANGE = "MediaConvert Job State Change";

/** Statuses MediaConvert publishes (SUBMITTED tolerated) plus our synthetic JOB_DETAILS. */
export const EVENT_STATUSES = [
  "SUBMITTED",
  "PROGRESSING",
  "STATUS_UPDATE",
  "INPUT_INFORMATION",
  "COMPLETE",
  "ERROR",
  "CANCELED",
  "NEW_WARNING",
  "QUEUE_HOP",
  "JOB_DETAILS",
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Where an event came from: MediaConvert via EventBridge, our CreateJob call, or a GetJob backfill. */
export type EventOrigin = "eventbridge" | "createjob" | "getjob";

export interface McEventBase {
  origin: EventOrigin;
  /** EventBridge event id (synthetic events: a deterministic id, so re-recording them is a duplicate). */
  eventId: string;
  /** `${13-digit timestamp}#${status}#${eventId}`. */
  eventKey: string;
  jobId: string;
  status: EventStatus;
  /** Epoch ms. */
  timestamp: number;
  accountId: string;
  region: string;
  /** Job ARN, rebuilt from region/account/jobId (the envelope's `resources` can name another job). */
  arn: string;
  /** Queue ARN at the time of the event. */
  queue?: string;
  /** Last segment of the queue ARN. */
  queueName?: string;
  userMetadata: Record<string, string>;
}

export interface ProgressingEvent extends McEventBase {
  status: "PROGRESSING";
}
export interface StatusUpdateEvent extends McEventBase {
  status: "STATUS_UPDATE";
  framesDecoded?: number;
  percentComplete?: number;
  currentPhase?: Phase;
  phasePercentComplete?: Partial<Record<Phase, number>>;
  retryCount?: number;
}
export interface InputInformationEvent extends McEventBase {
  status: "INPUT_INFORMATION";
  inputs: JobInput[];
}
export interface CompleteEvent extends McEventBase {
  status: "COMPLETE";
  outputs: JobOutput[];
  warnings: { code: number; count: number }[];
  paddingInserted?: number;
  blackVideoDetected?: number;
}
export interface ErrorEvent extends McEventBase {
  status: "ERROR";
  /** 0 when the event carried none. */
  errorCode: number;
  errorMessage?: string;
}
export interface CanceledEvent extends McEventBase {
  status: "CANCELED";
}
export interface NewWarningEvent extends McEventBase {
  status: "NEW_WARNING";
  warningCode: number;
  warningMessage?: string;
}
export interface QueueHopEvent extends McEventBase {
  status: "QUEUE_HOP";
  previousQueue?: string;
  priority?: number;
  previousPriority?: number;
}
export interface SubmittedEvent extends McEventBase {
  status: "SUBMITTED";
  submittedAt: number;
  settings?: JobSettingsSummary;
}
/** A GetJob backfill: what MediaConvert knows about the job at `timestamp` (the fetch time). */
export interface JobDetailsEvent extends McEventBase {
  status: "JOB_DETAILS";
  origin: "getjob";
  /** The job's status according to GetJob. */
  jobStatus: JobStatus;
  timing: { submitTime?: number; startTime?: number; finishTime?: number };
  queueTransitions: QueueHop[];
  settings?: JobSettingsSummary;
  errorCode?: number;
  errorMessage?: string;
}

export type McEvent =
  | ProgressingEvent
  | StatusUpdateEvent
  | InputInformationEvent
  | CompleteEvent
  | ErrorEvent
  | CanceledEvent
  | NewWarningEvent
  | QueueHopEvent
  | SubmittedEvent
  | JobDetailsEvent;

export type ParseResult =
  | { ok: true; event: McEvent }
  | { ok: false; kind: "malformed" | "unknown-status" | "other-detail-type"; reason: string };

// ---------------------------------------------------------------------------------------------------------------
// Lenient primitives

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/** A finite number, or a string holding one ("000000", " 12 ", "7.5"). */
export const num = z.unknown().transform((v, ctx) => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\s*[-+]?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  ctx.addIssue({ code: "custom", message: v === undefined ? "missing (expected a number)" : `expected a number, got ${describe(v)}` });
  return z.NEVER;
});
const optNum = num.optional();
const int = num.refine((n) => Number.isInteger(n), { message: "expected a whole number" });

const str = z.unknown().transform((v, ctx) => {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  ctx.addIssue({ code: "custom", message: v === undefined ? "missing (expected a string)" : `expected a string, got ${describe(v)}` });
  return z.NEVER;
});
const optStr = str.optional();
const nonEmpty = str.refine((s) => s.trim().length > 0, { message: "must not be empty" });

/** userMetadata: string values; numbers/booleans stringified, null entries dropped. */
const userMetadata = z
  .record(z.string(), z.unknown())
  .optional()
  .transform((m, ctx) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m ?? {})) {
      if (v === null || v === undefined) continue;
      if (typeof v === "string") out[k] = v;
      else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
      else {
        ctx.addIssue({ code: "custom", path: [k], message: `expected a string value, got ${describe(v)}` });
        return z.NEVER;
      }
    }
    return out;
  });

/** An array that may be missing or null (→ []), or a single item where a list was expected (→ [item]). */
function list<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]), z.array(item));
}

// ---------------------------------------------------------------------------------------------------------------
// Raw schemas (what EventBridge delivers)

export const EnvelopeSchema = z.looseObject({
  version: optStr,
  id: nonEmpty,
  "detail-type": z.string({ error: (i) => (i.input === undefined ? "missing" : `expected a string, got ${describe(i.input)}`) }),
  source: z.string({ error: (i) => (i.input === undefined ? "missing" : `expected a string, got ${describe(i.input)}`) }),
  account: optStr,
  time: optStr,
  region: optStr,
  resources: list(z.unknown()),
});

export const DetailBaseSchema = z.looseObject({
  timestamp: optNum,
  accountId: optStr,
  queue: optStr,
  jobId: nonEmpty.optional(),
  status: z.string({ error: (i) => (i.input === undefined ? "missing" : `expected a string, got ${describe(i.input)}`) }),
  userMetadata,
});

const phaseProgress = z.looseObject({ status: optStr, percentComplete: optNum }).nullish();

export const StatusUpdateDetailSchema = z.looseObject({
  framesDecoded: optNum,
  jobProgress: z
    .looseObject({
      phaseProgress: z.looseObject({ PROBING: phaseProgress, TRANSCODING: phaseProgress, UPLOADING: phaseProgress }).nullish(),
      jobPercentComplete: optNum,
      currentPhase: optStr,
      retryCount: optNum,
    })
    .nullish(),
});

const rawVideo = z.looseObject({
  codec: optStr,
  width: optNum,
  height: optNum,
  frameRate: optNum,
  bitDepth: optNum,
  colorFormat: optStr,
  interlaceMode: optStr,
  fourCC: optStr,
  sar: optStr,
  standard: optStr,
  streamId: optNum,
});
const rawAudio = z.looseObject({
  codec: optStr,
  channels: optNum,
  sampleRate: optNum,
  language: optStr,
  streamId: optNum,
});
export const InputInformationDetailSchema = z.looseObject({
  inputDetails: list(
    z.looseObject({
      id: optNum,
      uri: optStr,
      video: list(rawVideo),
      audio: list(rawAudio),
    }),
  ),
});

const rawVideoDetails = z
  .looseObject({
    widthInPx: optNum,
    heightInPx: optNum,
    averageBitrate: optNum,
    qvbrAvgQuality: optNum,
    qvbrMinQuality: optNum,
    qvbrMaxQuality: optNum,
    averageQVBRScore: optNum,
    minimumQVBRScore: optNum,
    maximumQVBRScore: optNum,
  })
  .nullish();
export const CompleteDetailSchema = z.looseObject({
  outputGroupDetails: list(
    z.looseObject({
      type: optStr,
      playlistFilePaths: list(str),
      outputDetails: list(
        z.looseObject({
          outputFilePaths: list(str),
          durationInMs: optNum,
          videoDetails: rawVideoDetails,
        }),
      ),
    }),
  ),
  warnings: list(z.looseObject({ code: int, count: optNum })),
  paddingInserted: optNum,
  blackVideoDetected: optNum,
});

export const ErrorDetailSchema = z.looseObject({ errorCode: int.optional(), errorMessage: optStr });
export const NewWarningDetailSchema = z.looseObject({ warningCode: int, warningMessage: optStr });
export const QueueHopDetailSchema = z.looseObject({ previousQueue: optStr, priority: optNum, previousPriority: optNum });

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** The 13-digit, zero-padded timestamp used in event keys (sorts as text in time order). */
export function padTimestamp(ms: number): string {
  return String(Math.max(0, Math.trunc(ms))).padStart(13, "0");
}

export function makeEventKey(timestamp: number, status: string, eventId: string): string {
  return `${padTimestamp(timestamp)}#${status}#${eventId}`;
}

function formatIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = [prefix, ...i.path.map(String)]
        .filter(Boolean)
        .join(".")
        .replace(/\.(\d+)(?=\.|$)/g, "[$1]");
      let message = i.message;
      if (i.code === "invalid_type" && message.startsWith("Invalid input")) {
        message = `expected ${i.expected}`;
      }
      return `${path || "(event)"}: ${message}`;
    })
    .join("; ");
}

function parsePart<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: string,
): { ok: true; value: z.output<T> } | { ok: false; reason: string } {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: formatIssues(prefix, r.error) };
}

function definedOnly<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function asPhase(v: string | undefined): Phase | undefined {
  return v && (PHASES as readonly string[]).includes(v) ? (v as Phase) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation of status-specific parts

function normaliseInputs(detail: z.output<typeof InputInformationDetailSchema>): JobInput[] {
  return detail.inputDetails.map((d) => {
    const v = d.video[0];
    const input: JobInput = { uri: d.uri };
    if (v) {
      input.video = definedOnly({
        codec: v.codec,
        width: v.width,
        height: v.height,
        frameRate: v.frameRate,
        bitDepth: v.bitDepth,
        colorFormat: v.colorFormat,
        interlaceMode: v.interlaceMode,
      });
    }
    if (d.audio.length > 0) {
      input.audio = d.audio.map((a) =>
        definedOnly({ codec: a.codec, channels: a.channels, sampleRate: a.sampleRate, language: a.language }),
      );
    }
    return definedOnly(input);
  });
}

function normaliseOutputs(detail: z.output<typeof CompleteDetailSchema>): JobOutput[] {
  const outputs: JobOutput[] = [];
  for (const g of detail.outputGroupDetails) {
    for (const o of g.outputDetails) {
      const vd = o.videoDetails ?? undefined;
      const out: JobOutput = definedOnly({
        groupType: g.type,
        paths: o.outputFilePaths,
        playlistPaths: g.playlistFilePaths.length > 0 ? g.playlistFilePaths : undefined,
        durationMs: o.durationInMs,
        width: vd?.widthInPx,
        height: vd?.heightInPx,
        averageBitrate: vd?.averageBitrate,
        qvbrAvgQuality: vd?.qvbrAvgQuality ?? vd?.averageQVBRScore,
        qvbrMinQuality: vd?.qvbrMinQuality ?? vd?.minimumQVBRScore,
        qvbrMaxQuality: vd?.qvbrMaxQuality ?? vd?.maximumQVBRScore,
      });
      outputs.push(out);
    }
  }
  return outputs;
}

// ---------------------------------------------------------------------------------------------------------------
// parseEvent

/**
 * Validates and normalises one raw EventBridge event. Never throws: every input yields either an event or a
 * rejection whose `reason` names the field and the problem.
 */
export function parseEvent(raw: unknown): ParseResult {
  try {
    return parseEventUnsafe(raw);
  } catch (err) {
    // Defensive: a schema bug must not crash a batch; report it like any other malformed event.
    return { ok: false, kind: "malformed", reason: `could not read the event: ${(err as Error).message}` };
  }
}

function parseEventUnsafe(raw: unknown): ParseResult {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, kind: "malformed", reason: `event: expected a JSON object, got ${describe(raw)}` };
  }
  const env = parsePart(EnvelopeSchema, raw, "");
  if (!env.ok) return { ok: false, kind: "malformed", reason: env.reason };
  const e = env.value;
  if (e.source !== MEDIACONVERT_SOURCE) {
    return { ok: false, kind: "other-detail-type", reason: `source: "${e.source}" is not ${MEDIACONVERT_SOURCE}` };
  }
  if (e["detail-type"] !== JOB_STATE_CHANGE) {
    return {
      ok: false,
      kind: "other-detail-type",
      reason: `detail-type: "${e["detail-type"]}" is not "${JOB_STATE_CHANGE}"; ignored`,
    };
  }
  const detail: unknown = (raw as Record<string, unknown>).detail;
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
    return {
      ok: false,
      kind: "malformed",
      reason: detail === undefined ? "detail: missing" : `detail: expected an object, got ${describe(detail)}`,
    };
  }
  const base = parsePart(DetailBaseSchema, detail, "detail");
  if (!base.ok) return { ok: false, kind: "malformed", reason: base.reason };
  const d = base.value;
  const status = d.status as EventStatus;
  if (!(EVENT_STATUSES as readonly string[]).includes(d.status) || d.status === "JOB_DETAILS") {
    return {
      ok: false,
      kind: "unknown-status",
      reason: `detail.status: "${d.status}" is not a known MediaConvert job status (expected one of ${EVENT_STATUSES.filter(
        (s) => s !== "JOB_DETAILS",
      ).join(", ")})`,
    };
  }

  // Job id: the detail's, else the one in the job ARN of resources. A detail that names a job makes resources
  // irrelevant (documented examples splice two jobs); a job ARN used in its place must be a valid one.
  const resourceArn = e.resources.find((r): r is string => typeof r === "string" && r.includes(":jobs/"));
  if (d.jobId === undefined && resourceArn !== undefined) {
    const problem = jobArnProblem(resourceArn);
    if (problem) return { ok: false, kind: "malformed", reason: `resources: ${problem}` };
  }
  const fromArn = resourceArn ? parseJobArn(resourceArn) : undefined;
  const jobId = d.jobId ?? fromArn?.jobId;
  if (!jobId) {
    return { ok: false, kind: "malformed", reason: "detail.jobId: missing (and no job ARN in resources)" };
  }
  const idProblem = jobIdProblem(jobId);
  if (idProblem) return { ok: false, kind: "malformed", reason: `detail.jobId: ${idProblem}` };
  if (d.queue) {
    const queueProblem = queueArnProblem(d.queue);
    if (queueProblem) return { ok: false, kind: "malformed", reason: `detail.queue: ${queueProblem}` };
  }
  // Time: detail.timestamp (ms), else the envelope's ISO time.
  let timestamp = d.timestamp;
  if (timestamp === undefined && e.time !== undefined) {
    const t = Date.parse(e.time);
    if (Number.isFinite(t)) timestamp = t;
  }
  if (timestamp === undefined) {
    return { ok: false, kind: "malformed", reason: "detail.timestamp: missing (and no parseable envelope time)" };
  }
  if (timestamp < 0 || timestamp > 9_999_999_999_999) {
    return { ok: false, kind: "malformed", reason: `detail.timestamp: ${timestamp} is not an epoch-ms time` };
  }
  timestamp = Math.trunc(timestamp);
  const accountId = d.accountId || e.account || fromArn?.accountId;
  if (!accountId) return { ok: false, kind: "malformed", reason: "detail.accountId: missing (and no envelope account)" };
  if (!ACCOUNT_PATTERN.test(accountId)) {
    return { ok: false, kind: "malformed", reason: `detail.accountId: ${describe(accountId)} is not a 12-digit AWS account id` };
  }
  const region = e.region || regionOfArn(d.queue) || fromArn?.region;
  if (!region) return { ok: false, kind: "malformed", reason: "region: missing (and no region in the queue ARN)" };
  if (!isRegion(region)) {
    return { ok: false, kind: "malformed", reason: `region: ${describe(region)} is not an AWS region name (such as us-east-1)` };
  }

  const common: McEventBase = definedOnly({
    origin: "eventbridge" as const,
    eventId: e.id,
    eventKey: makeEventKey(timestamp, status, e.id),
    jobId,
    status,
    timestamp,
    accountId,
    region,
    arn: jobArn(region, accountId, jobId),
    queue: d.queue || undefined,
    queueName: queueNameOf(d.queue || undefined),
    userMetadata: d.userMetadata,
  });

  switch (status) {
    case "PROGRESSING":
    case "CANCELED":
      return { ok: true, event: { ...common, status } };
    case "SUBMITTED":
      return { ok: true, event: { ...common, status, submittedAt: timestamp } };
    case "STATUS_UPDATE": {
      const r = parsePart(StatusUpdateDetailSchema, detail, "detail");
      if (!r.ok) return { ok: false, kind: "malformed", reason: r.reason };
      const jp = r.value.jobProgress ?? undefined;
      const phases: Partial<Record<Phase, number>> = {};
      for (const p of PHASES) {
        const pct = jp?.phaseProgress?.[p]?.percentComplete;
        if (pct !== undefined) phases[p] = pct;
      }
      return {
        ok: true,
        event: definedOnly({
          ...common,
          status,
          framesDecoded: r.value.framesDecoded,
          percentComplete: jp?.jobPercentComplete,
          currentPhase: asPhase(jp?.currentPhase),
          phasePercentComplete: Object.keys(phases).length ? phases : undefined,
          retryCount: jp?.retryCount,
        }),
      };
    }
    case "INPUT_INFORMATION": {
      const r = parsePart(InputInformationDetailSchema, detail, "detail");
      if (!r.ok) return { ok: false, kind: "malformed", reason: r.reason };
      return { ok: true, event: { ...common, status, inputs: normaliseInputs(r.value) } };
    }
    case "COMPLETE": {
      const r = parsePart(CompleteDetailSchema, detail, "detail");
      if (!r.ok) return { ok: false, kind: "malformed", reason: r.reason };
      return {
        ok: true,
        event: definedOnly({
          ...common,
          status,
          outputs: normaliseOutputs(r.value),
          warnings: r.value.warnings.map((w) => ({ code: w.code, count: w.count ?? 1 })),
          paddingInserted: r.value.paddingInserted,
          blackVideoDetected: r.value.blackVideoDetected,
        }),
      };
    }
    case "ERROR": {
      const r = parsePart(ErrorDetailSchema, detail, "detail");
      if (!r.ok) return { ok: false, kind: "malformed", reason: r.reason };
      return {
        ok: true,
        event: definedOnly({ ...common, status, errorCode: r.value.errorCode ?? 0, errorMessage: r.value.errorMessage }),
      };
    }
    case "NEW_WARNING": {
      const r = parsePart(NewWarningDetailSchema, detail, "detail");
      if (!r.ok) return { ok: false, kind: "malformed", reason: r.reason };
      return {
        ok: true,
        event: definedOnly({ ...common, status, warningCode: r.value.warningCode, warningMessage: r.value.warningMessage }),
      };
    }
    case "QUEUE_HOP": {
      const r = parsePart(QueueHopDetailSchema, detail, "detail");
      if (!r.ok) return { ok: false, kind: "malformed", reason: r.reason };
      return {
        ok: true,
        event: definedOnly({
          ...common,
          status,
          previousQueue: r.value.previousQueue,
          priority: r.value.priority,
          previousPriority: r.value.previousPriority,
        }),
      };
    }
    default:
      return { ok: false, kind: "unknown-status", reason: `detail.status: "${d.status}" is not handled` };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The normalised event as data (Kinesis records, Events table items): a light schema for re-reading it.

export const McEventSchema = z
  .looseObject({
    origin: z.enum(["eventbridge", "createjob", "getjob"]),
    eventId: z.string().min(1),
    eventKey: z.string().regex(/^\d{13}#[A-Z_]+#.+$/, "expected `<13-digit time>#<status>#<event id>`"),
    jobId: z.string().regex(JOB_ID_PATTERN, { error: (i) => jobIdProblem(String(i.input)) ?? "not a MediaConvert job id" }),
    status: z.enum(EVENT_STATUSES),
    timestamp: z.number().int().nonnegative(),
    accountId: z.string(),
    region: z.string(),
    arn: z.string(),
    queue: z.string().optional(),
    queueName: z.string().optional(),
    userMetadata: z.record(z.string(), z.string()),
  })
  .superRefine((e, ctx) => {
    // The job's ARN names this very job (it is rebuilt from the job id on the way in).
    const problem = jobArnProblem(e.arn, e.jobId);
    if (problem) ctx.addIssue({ code: "custom", path: ["arn"], message: problem });
  });

/** Re-reads a normalised event (e.g. from a Kinesis record). Status-specific fields are trusted as written. */
export function readMcEvent(value: unknown): { ok: true; event: McEvent } | { ok: false; reason: string } {
  const r = McEventSchema.safeParse(value);
  if (!r.success) return { ok: false, reason: formatIssues("event", r.error) };
  return { ok: true, event: r.data as unknown as McEvent };
}

/** Whether the event bears a status the job record can take (and which). */
export function isTerminalEventStatus(s: EventStatus): s is "COMPLETE" | "ERROR" | "CANCELED" {
  return s === "COMPLETE" || s === "ERROR" || s === "CANCELED";
}
