/**
 * What Amazon Data Firehose checks in a request before acting on it, answered as Firehose answers (HTTP 400):
 *   - the API model's constraints (required members, name length and pattern, at most 500 records, a record's
 *     data at most 1,024,000 bytes) as `ValidationException`, in the service's wording: "2 validation errors
 *     detected: Value … at 'records.3.member.data' failed to satisfy constraint: Member must have length less
 *     than or equal to 1024000; …" (list positions count from 1);
 *   - a member of the wrong JSON type as `SerializationException`;
 *   - a batch over 4 MiB of data as `InvalidArgumentException` ("Records size exceeds 4 MB limit").
 * Whether the stream exists is the server's to say (`ResourceNotFoundException`).
 */

export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** The model's limit on `Record.Data` (1,000 KiB). */
export const MAX_RECORD_BYTES = 1_024_000;
const STREAM_NAME = /^[a-zA-Z0-9._-]+$/;
const STREAM_TYPES = ["DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"];

/** An error Firehose answers with: `__type` and `message` in a JSON 1.1 body. */
export class FirehoseError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface Violation {
  value: string;
  at: string;
  constraint: string;
}

class Checks {
  readonly violations: Violation[] = [];

  add(value: string, at: string, constraint: string): void {
    this.violations.push({ value, at, constraint });
  }

  /** Throws the ValidationException for everything found, if anything was. */
  done(): void {
    const n = this.violations.length;
    if (n === 0) return;
    const each = this.violations.map((v) => `Value ${v.value} at '${v.at}' failed to satisfy constraint: ${v.constraint}`);
    throw new FirehoseError("ValidationException", `${n} validation error${n === 1 ? "" : "s"} detected: ${each.join("; ")}`);
  }
}

function wrongType(member: string, expected: string): FirehoseError {
  return new FirehoseError("SerializationException", `${member} must be ${expected}.`);
}

function streamName(checks: Checks, value: unknown, at: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) checks.add("null", at, "Member must not be null");
    return undefined;
  }
  if (typeof value !== "string") throw wrongType(at, "a string");
  if (value.length < 1) checks.add(`'${value}'`, at, "Member must have length greater than or equal to 1");
  if (value.length > 64) checks.add(`'${value}'`, at, "Member must have length less than or equal to 64");
  if (value.length > 0 && !STREAM_NAME.test(value))
    checks.add(`'${value}'`, at, "Member must satisfy regular expression pattern: [a-zA-Z0-9._-]+");
  return value;
}

function recordData(checks: Checks, record: unknown, at: string): Buffer {
  if (record === undefined || record === null) {
    checks.add("null", at, "Member must not be null");
    return Buffer.alloc(0);
  }
  if (typeof record !== "object" || Array.isArray(record)) throw wrongType(at, "an object");
  const data = (record as { Data?: unknown }).Data;
  if (data === undefined || data === null) {
    checks.add("null", `${at}.data`, "Member must not be null");
    return Buffer.alloc(0);
  }
  if (typeof data !== "string") throw wrongType(`${at}.data`, "a base64 string");
  const bytes = Buffer.from(data, "base64");
  if (bytes.byteLength > MAX_RECORD_BYTES) {
    checks.add(`'<${bytes.byteLength} bytes>'`, `${at}.data`, `Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
  }
  return bytes;
}

function optionalLimit(checks: Checks, value: unknown, at: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(at, "a whole number");
  if (value < 1) checks.add(String(value), at, "Member must have value greater than or equal to 1");
  if (value > 10_000) checks.add(String(value), at, "Member must have value less than or equal to 10000");
  return value;
}

export function putRecordBatchRequest(body: Record<string, unknown>): { stream: string; records: Buffer[] } {
  const checks = new Checks();
  const stream = streamName(checks, body.DeliveryStreamName, "deliveryStreamName", true);
  const list = body.Records;
  let records: Buffer[] = [];
  if (list === undefined || list === null) checks.add("null", "records", "Member must not be null");
  else if (!Array.isArray(list)) throw wrongType("records", "a list");
  else {
    if (list.length < 1) checks.add("'[]'", "records", "Member must have length greater than or equal to 1");
    if (list.length > MAX_BATCH_RECORDS) {
      checks.add(`'[<${list.length} records>]'`, "records", `Member must have length less than or equal to ${MAX_BATCH_RECORDS}`);
    }
    records = list.map((r, i) => recordData(checks, r, `records.${i + 1}.member`));
  }
  checks.done();
  const total = records.reduce((n, d) => n + d.byteLength, 0);
  if (total > MAX_BATCH_BYTES) throw new FirehoseError("InvalidArgumentException", "Records size exceeds 4 MB limit");
  return { stream: stream as string, records };
}

export function putRecordRequest(body: Record<string, unknown>): { stream: string; data: Buffer } {
  const checks = new Checks();
  const stream = streamName(checks, body.DeliveryStreamName, "deliveryStreamName", true);
  const data = recordData(checks, body.Record, "record");
  checks.done();
  return { stream: stream as string, data };
}

export function describeRequest(body: Record<string, unknown>): { stream: string } {
  const checks = new Checks();
  const stream = streamName(checks, body.DeliveryStreamName, "deliveryStreamName", true);
  optionalLimit(checks, body.Limit, "limit");
  checks.done();
  return { stream: stream as string };
}

export function listRequest(body: Record<string, unknown>): { limit: number; type?: string; after?: string } {
  const checks = new Checks();
  const limit = optionalLimit(checks, body.Limit, "limit");
  const after = streamName(checks, body.ExclusiveStartDeliveryStreamName, "exclusiveStartDeliveryStreamName", false);
  const type = body.DeliveryStreamType;
  if (type !== undefined && type !== null && (typeof type !== "string" || !STREAM_TYPES.includes(type))) {
    checks.add(`'${String(type)}'`, "deliveryStreamType", `Member must satisfy enum value set: [${STREAM_TYPES.join(", ")}]`);
  }
  checks.done();
  // Firehose lists 10 names when no Limit is given.
  return { limit: limit ?? 10, type: typeof type === "string" ? type : undefined, after };
}
