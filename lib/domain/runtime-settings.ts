/**
 * The collector's runtime settings: the few values an operator may change without a deploy by writing one item of
 * the Config table (key `RUNTIME_SETTINGS_KEY`). Each field is validated on its own; a field that is missing keeps
 * the deployed value (the stack setting), and a bad field keeps it too, with a problem naming the field, the value
 * found and what is allowed. Pure code: the item arrives as DynamoDB's document client returns it.
 */
import { z } from "zod";

/** The Config table item that holds the collector's runtime settings. */
export const RUNTIME_SETTINGS_KEY = "collector-settings";

/** What the collector's steps read (names as in its config). */
export interface CollectorRuntimeSettings {
  /** Probe inputs with mediainfo.js. */
  probe: boolean;
  /** Most bytes one probe reads. */
  probeBudgetBytes: number;
  /** Most S3 ranged GETs one probe makes. */
  probeMaxRequests: number;
  /** Fetch a job's missing settings with GetJob. */
  getJob: boolean;
}

/** Attributes of the item that are bookkeeping, not settings. */
const BOOKKEEPING = new Set(["key", "source", "note", "updatedAt", "updatedBy"]);

const boolField = (attr: string) => z.boolean({ error: `${attr} must be true or false, stored as a DynamoDB boolean ({"BOOL": false})` });
const intField = (attr: string, min: number, max: number, unit: string) =>
  z
    .number({ error: `${attr} must be a number of ${unit} from ${min} to ${max}, stored as a DynamoDB number ({"N": "${min}"})` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, {
      error: `${attr} must be a whole number of ${unit} from ${min} to ${max}`,
    });

/** Item attribute → the setting it overrides and its rule. */
export const RUNTIME_FIELDS = {
  probeEnabled: { setting: "probe", schema: boolField("probeEnabled") },
  probeBudgetBytes: { setting: "probeBudgetBytes", schema: intField("probeBudgetBytes", 64 * 1024, 64 * 1024 * 1024, "bytes") },
  probeMaxRequests: { setting: "probeMaxRequests", schema: intField("probeMaxRequests", 2, 64, "requests") },
  getJobBackfill: { setting: "getJob", schema: boolField("getJobBackfill") },
} as const satisfies Record<string, { setting: keyof CollectorRuntimeSettings; schema: z.ZodType }>;

export type RuntimeField = keyof typeof RUNTIME_FIELDS;

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The deployed settings with the item's valid fields over them. `problems` has one line per bad or unknown
 * attribute, each saying what was found, what is allowed and which value is used instead.
 */
export function mergeRuntimeSettings(
  deployed: CollectorRuntimeSettings,
  item: Record<string, unknown> | undefined,
): { settings: CollectorRuntimeSettings; problems: string[]; applied: RuntimeField[] } {
  const settings = { ...deployed };
  const problems: string[] = [];
  const applied: RuntimeField[] = [];
  if (!item) return { settings, problems, applied };
  for (const [attr, value] of Object.entries(item)) {
    if (BOOKKEEPING.has(attr)) continue;
    const field = (RUNTIME_FIELDS as Record<string, (typeof RUNTIME_FIELDS)[RuntimeField]>)[attr];
    if (!field) {
      problems.push(`${attr} is not a runtime setting (known: ${Object.keys(RUNTIME_FIELDS).join(", ")}); it is ignored`);
      continue;
    }
    const parsed = field.schema.safeParse(value);
    if (!parsed.success) {
      problems.push(
        `${attr} = ${show(value)} is not used: ${parsed.error.issues[0]?.message}; the deployed value ${show(deployed[field.setting])} applies`,
      );
      continue;
    }
    (settings as Record<string, unknown>)[field.setting] = parsed.data;
    applied.push(attr as RuntimeField);
  }
  return { settings, problems, applied };
}
