/**
 * Building blocks of the MediaConvert request rules (job-rules.ts): member schemas whose issue messages name the
 * offending value and what would be accepted, without the member path (createJobProblems puts the path in front,
 * so `Priority` + `99 is not from -50 to 50` reads `Priority 99 is not from -50 to 50`).
 *
 * Pure code.
 */
import { z } from "zod";

/** A value as a message shows it: simple text as it is, anything else as JSON, cut short. */
export function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  // Plain words and ARNs read best bare; text that could pass for a number, true/false/null or is empty is quoted.
  if (typeof value === "string" && /^[\w.:/@+=,-]+$/.test(value) && /[A-Za-z]/.test(value) && !/^(true|false|null)$/.test(value))
    return value;
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : typeof value;
}

/** One of an SDK enum object's values (e.g. `StatusUpdateInterval`); the allowed list is whatever the SDK has. */
export function oneOf<const T extends Readonly<Record<string, string>>>(sdkEnum: T) {
  const values = Object.values(sdkEnum);
  return z.enum(sdkEnum, {
    error: (iss) => (iss.input === undefined ? "is required" : `${show(iss.input)} is not one of ${values.join(", ")}`),
  });
}

/**
 * A whole number from `min` to `max`. Whole-ness is a refinement rather than zod's `.int()`: `.int()` stops the
 * parse of the enclosing objects, which would hide the cross-member rules' problems behind a single number.
 */
export function wholeNumber(min: number, max: number) {
  return z
    .number({ error: (iss) => (iss.input === undefined ? "is required" : `${show(iss.input)} is not a number`) })
    .refine((n) => Number.isInteger(n), { error: (iss) => `${show(iss.input)} is not a whole number` })
    .refine((n) => n >= min && n <= max, { error: (iss) => `${show(iss.input)} is not from ${min} to ${max}` });
}

/** Any text. */
export function text() {
  return z.string({ error: (iss) => (iss.input === undefined ? "is required" : `${show(iss.input)} is not text`) });
}

/** Text matching `pattern`; `what` says in words what is expected. */
export function shaped(pattern: RegExp, what: string) {
  return text().refine((v) => pattern.test(v), { error: (iss) => `${show(iss.input)} is not ${what}` });
}

/** A JSON object of other members; unknown members pass. */
export function object<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.looseObject(shape, {
    error: (iss) => (iss.input === undefined ? "is required" : `${show(iss.input)} is not an object (got ${kind(iss.input)})`),
  });
}

/** A list of `item`. */
export function list<T extends z.core.SomeType>(item: T) {
  return z.array(item, { error: (iss) => (iss.input === undefined ? "is required" : `${show(iss.input)} is not a list`) });
}

/** A JSON object whose members, named freely, are each `value` (AudioSelectors, UserMetadata). */
export function map<T extends z.core.SomeType>(value: T) {
  return z.record(z.string(), value, {
    error: (iss) => `${show(iss.input)} is not an object of named members (got ${kind(iss.input)})`,
  });
}

/** A map of text to text (UserMetadata, Tags). */
export const textMap = map(text());

/** Partitions: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`… */
const PARTITION = "aws(?:-[a-z]+)*";
const REGION = String.raw`[a-z]{2}(?:-[a-z]+)+-\d+`;
const ACCOUNT = String.raw`\d{12}`;

/** An IAM role ARN in any partition, with an optional path: `arn:aws:iam::111122223333:role/service/MediaConvert`. */
export const ROLE_ARN = new RegExp(String.raw`^arn:${PARTITION}:iam::${ACCOUNT}:role/[\w+=,.@/-]+$`);

/** ARN of a MediaConvert resource: `arn:aws:mediaconvert:eu-west-1:111122223333:queues/Default`. */
function mediaConvertArn(resource: "queues" | "jobTemplates" | "presets"): RegExp {
  return new RegExp(String.raw`^arn:${PARTITION}:mediaconvert:${REGION}:${ACCOUNT}:${resource}/[^/\s]+$`);
}

/**
 * A reference to a queue, job template or preset: its name (`Default`, `System-Ott_Hls_Ts_Avc_Aac`) or its ARN.
 * Anything starting with `arn:` must be an ARN of that kind of resource.
 */
export function reference(resource: "queues" | "jobTemplates" | "presets", noun: string) {
  const arn = mediaConvertArn(resource);
  return text().refine((v) => (v.startsWith("arn:") ? arn.test(v) : v.trim() !== "" && !v.includes("/")), {
    error: (iss) =>
      `${show(iss.input)} is neither a ${noun} name nor a ${noun} ARN (arn:<partition>:mediaconvert:<region>:<account>:${resource}/<name>)`,
  });
}

/** Whether `value` is a JSON object (not a list, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
