/**
 * Parsing and validating everything a caller sends the Jobs API: the path segment after /jobs/ (a status or a job
 * id, nothing else), the query parameters of each route (unknown ones are refused, so a typo such as `?limt=`
 * never silently returns the default), `limit`, `since` and `queue`. Every failure is an ApiError 400 whose
 * message names the parameter, what was received and what is accepted. Pure: zod and the domain only.
 */
import { z } from "zod";
import { JOB_ID_FORM, JOB_ID_PATTERN, jobIdFault, parseQueueArn, QUEUE_ARN_FORM } from "../domain/arns";
import { JOB_STATUSES, type JobStatus } from "../domain/job";
import { badRequest } from "./errors";

export const LIMIT_DEFAULT = 50;
export const LIMIT_MAX = 500;

/** MediaConvert queue names: letters, digits, hyphens and underscores. */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Latest epoch ms we accept (year 9999), so every accepted `since` is a valid Date. */
const MAX_EPOCH_MS = 253_402_300_799_999;

const STATUS_LIST = JOB_STATUSES.join(", ");

/** What `/jobs/{segment}` names. */
export type JobsTarget = { kind: "status"; status: JobStatus } | { kind: "job"; jobId: string };

function show(v: string): string {
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/** Decodes one percent-encoded path segment; a malformed escape is the caller's error. */
export function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest("InvalidPath", `The ${what} in the path is not valid percent-encoding: ${show(raw)}.`);
  }
}

/**
 * `/jobs/{segment}`: a status (any letter case) or a job id (lib/domain/arns.ts); anything else is a 400 naming
 * both forms, and what is wrong with it as a job id when it starts like one (digits and a hyphen).
 */
export function parseJobsSegment(segment: string): JobsTarget {
  const upper = segment.toUpperCase();
  if ((JOB_STATUSES as readonly string[]).includes(upper)) return { kind: "status", status: upper as JobStatus };
  if (JOB_ID_PATTERN.test(segment)) return { kind: "job", jobId: segment };
  const why = /^\d+-/.test(segment)
    ? `${show(segment)} is not a job id (${jobIdFault(segment)})`
    : `${show(segment)} is neither a job status nor a job id`;
  throw badRequest(
    "InvalidPath",
    `${why}. Use GET /jobs/{status} with one of ${STATUS_LIST}, or GET /jobs/{jobId} with a MediaConvert job id: ` + `${JOB_ID_FORM}.`,
  );
}

/** A queue given by name or by ARN → its name. */
export function parseQueue(value: string, what = "queue"): string {
  const v = value.trim();
  if (QUEUE_NAME_PATTERN.test(v)) return v;
  const name = parseQueueArn(v)?.name;
  if (name !== undefined && QUEUE_NAME_PATTERN.test(name)) return name;
  throw badRequest(
    "InvalidParameter",
    `${what} must be a MediaConvert queue name (letters, digits, - and _, up to 128) or a queue ARN ` +
      `(${QUEUE_ARN_FORM}); got ${show(value)}.`,
  );
}

const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const SINCE_HINT =
  "since must be epoch milliseconds (e.g. 1717000000000) or an ISO 8601 date or time with a zone (e.g. 2024-05-29 or 2024-05-29T12:00:00Z)";

/** `since`: epoch ms or ISO 8601 (a date alone is midnight UTC; a time needs Z or an offset). */
export function parseSince(value: string): number {
  // A `+` in a query string arrives as a space: put the offset sign back.
  const v = value.trim().replace(/ (\d{2}:?\d{2})$/, "+$1");
  let ms: number;
  if (/^\d{1,15}$/.test(v)) ms = Number(v);
  else if (ISO_PATTERN.test(v)) ms = Date.parse(/[+-]\d{4}$/.test(v) ? `${v.slice(0, -2)}:${v.slice(-2)}` : v);
  else throw badRequest("InvalidParameter", `${SINCE_HINT}; got ${show(value)}.`);
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS)
    throw badRequest("InvalidParameter", `${SINCE_HINT}; ${show(value)} is not a valid time.`);
  return ms;
}

const limitSchema = z
  .string()
  .regex(/^\d{1,6}$/, `limit must be a whole number from 1 to ${LIMIT_MAX}`)
  .transform(Number)
  .pipe(z.number().min(1, `limit must be at least 1`).max(LIMIT_MAX, `limit must be at most ${LIMIT_MAX}`));

export interface ListParams {
  limit: number;
  nextToken?: string;
  /** Queue name (an ARN is reduced to its name). */
  queueName?: string;
  since?: number;
}

const LIST_KEYS = ["limit", "nextToken", "queue", "since"] as const;

/** Refuses query parameters a route does not know, naming the ones it does. */
function onlyKnown(query: Record<string, string | undefined>, known: readonly string[], route: string): void {
  for (const k of Object.keys(query)) {
    if (!known.includes(k)) {
      throw badRequest(
        "UnknownParameter",
        `${route} has no query parameter ${show(k)}; ${known.length ? `accepted: ${known.join(", ")}` : "it takes none"}.`,
      );
    }
  }
}

/** Query parameters of GET /jobs/{status}. */
export function parseListParams(query: Record<string, string | undefined>): ListParams {
  onlyKnown(query, LIST_KEYS, "GET /jobs/{status}");
  const out: ListParams = { limit: LIMIT_DEFAULT };
  if (query.limit !== undefined) {
    const r = limitSchema.safeParse(query.limit.trim());
    if (!r.success)
      throw badRequest("InvalidParameter", `${r.error.issues[0].message} (default ${LIMIT_DEFAULT}); got ${show(query.limit)}.`);
    out.limit = r.data;
  }
  if (query.nextToken !== undefined) {
    if (query.nextToken.length === 0 || query.nextToken.length > 4096) {
      throw badRequest("InvalidNextToken", "nextToken must be the nextToken of the previous page, unchanged.");
    }
    out.nextToken = query.nextToken;
  }
  if (query.queue !== undefined) out.queueName = parseQueue(query.queue);
  if (query.since !== undefined) out.since = parseSince(query.since);
  return out;
}

/** Query parameters of GET /jobs/{jobId}: `events=true|false`. */
export function parseJobParams(query: Record<string, string | undefined>): { events: boolean } {
  onlyKnown(query, ["events"], "GET /jobs/{jobId}");
  const v = query.events?.trim().toLowerCase();
  if (v === undefined || v === "false" || v === "0") return { events: false };
  if (v === "true" || v === "1" || v === "") return { events: true };
  throw badRequest("InvalidParameter", `events must be true or false; got ${show(query.events ?? "")}.`);
}

/** GET /queues and GET /queues/{name} take no query parameters. */
export function parseNoParams(query: Record<string, string | undefined>, route: string): void {
  onlyKnown(query, [], route);
}
