/**
 * Watch-folder job settings files: `jobs/<name>.json` in the watch bucket, one MediaConvert job per file for every
 * upload under `inputs/`. The format is what the MediaConvert console's "Export JSON" or `aws mediaconvert get-job`
 * gives (PascalCase), reduced to the part this program uses:
 *
 *   {
 *     "Settings": { "OutputGroups": [ ... ], "Inputs": [ { "AudioSelectors": ..., ... } ], ... },   required
 *     "Priority": 0,                          optional, -50..50
 *     "AccelerationSettings": { "Mode": "PREFERRED" },                                              optional
 *     "UserMetadata": { "team": "promo" },    optional; `application`, `input` and `settings` are set by us
 *     "StatusUpdateInterval": "SECONDS_10",   optional
 *     "Queue": "...", "Role": "...",          tolerated and ignored: the queue comes from the stack config and the
 *                                             role is the stack's MediaConvert role (the only one it may pass)
 *     ...                                     any other key is tolerated and passed on untouched
 *   }
 *
 * Destinations are always rewritten into the media bucket (the MediaConvert role can write nowhere else), and the
 * file input of `Settings.Inputs[0]` is always the uploaded object (its other input settings are kept). Only a
 * single input per job is supported: a file with more than one input is refused with a message saying so.
 *
 * Pure code: parsing and validation only, no AWS calls.
 */
import { z } from "zod";

/** Output group types MediaConvert knows, with the settings object that carries each one's destination. */
export const GROUP_SETTINGS_KEY = {
  FILE_GROUP_SETTINGS: "FileGroupSettings",
  HLS_GROUP_SETTINGS: "HlsGroupSettings",
  DASH_ISO_GROUP_SETTINGS: "DashIsoGroupSettings",
  CMAF_GROUP_SETTINGS: "CmafGroupSettings",
  MS_SMOOTH_GROUP_SETTINGS: "MsSmoothGroupSettings",
} as const;
export type GroupType = keyof typeof GROUP_SETTINGS_KEY;
const GROUP_TYPES = Object.keys(GROUP_SETTINGS_KEY) as [GroupType, ...GroupType[]];

/** Where settings files live in the watch bucket. */
export const SETTINGS_PREFIX = "jobs/";

/** Largest settings file read (MediaConvert's own job-settings limit is far below this). */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;
/** Most settings files honoured per upload; more is almost certainly a mistake and each one costs a job. */
export const MAX_SETTINGS_FILES = 20;

const OutputGroupSchema = z.looseObject({
  Name: z.string().max(2048).optional(),
  OutputGroupSettings: z.looseObject({
    Type: z.enum(GROUP_TYPES, { error: `must be one of ${GROUP_TYPES.join(", ")}` }),
    FileGroupSettings: z.looseObject({}).optional(),
    HlsGroupSettings: z.looseObject({}).optional(),
    DashIsoGroupSettings: z.looseObject({}).optional(),
    CmafGroupSettings: z.looseObject({}).optional(),
    MsSmoothGroupSettings: z.looseObject({}).optional(),
  }),
  Outputs: z.array(z.looseObject({}), { error: "must be a list of outputs" }).min(1, { error: "needs at least one output" }),
});

export const SettingsFileSchema = z.looseObject({
  Settings: z.looseObject(
    {
      OutputGroups: z
        .array(OutputGroupSchema, { error: "must be a list of output groups" })
        .min(1, { error: "needs at least one output group" }),
      Inputs: z
        .array(z.looseObject({}), { error: "must be a list of inputs" })
        .max(1, { error: "has more than one input: the watch folder makes one job per uploaded file, so give at most one input (its FileInput is replaced by the upload)" })
        .optional(),
    },
    { error: 'is required: the job settings object (what MediaConvert\'s "Export JSON" puts under "Settings")' },
  ),
  Priority: z.number().int({ error: "must be a whole number" }).min(-50).max(50, { error: "must be from -50 to 50" }).optional(),
  AccelerationSettings: z.looseObject({ Mode: z.enum(["DISABLED", "ENABLED", "PREFERRED"], { error: "must be DISABLED, ENABLED or PREFERRED" }) }).optional(),
  UserMetadata: z.record(z.string(), z.string({ error: "values must be text" })).optional(),
  StatusUpdateInterval: z
    .string()
    .regex(/^SECONDS_\d+$/, { error: "must look like SECONDS_10 (MediaConvert's StatusUpdateInterval values)" })
    .optional(),
  Queue: z.unknown().optional(),
  Role: z.unknown().optional(),
  JobTemplate: z
    .unknown()
    .refine((v) => v === undefined, { error: "is not supported by the watch folder: put the full Settings in the file instead" })
    .optional(),
});
export type SettingsFile = z.output<typeof SettingsFileSchema>;

/** A settings file ready to use, or the reason it cannot be used (reported by name, then skipped). */
export type SettingsFileResult =
  | { ok: true; name: string; file: SettingsFile }
  | {
      ok: false;
      name: string;
      problem: string;
      /** True when the file could not be read (S3 trouble), not that it is wrong: a retry may succeed. */
      retryable?: boolean;
    };

function where(path: PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
}

/**
 * Validates one settings file's text. `name` is the object key (e.g. `jobs/hls.json`); every problem message
 * names the file and the field so the person who wrote it can fix it.
 */
export function parseSettingsFile(name: string, text: string): SettingsFileResult {
  if (Buffer.byteLength(text, "utf8") > MAX_SETTINGS_FILE_BYTES) {
    return { ok: false, name, problem: `${name}: larger than ${MAX_SETTINGS_FILE_BYTES} bytes; is this really a job settings file?` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    return { ok: false, name, problem: `${name}: not valid JSON (${(err as Error).message})` };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, name, problem: `${name}: must hold a JSON object with a "Settings" key, not ${Array.isArray(json) ? "a list" : JSON.stringify(json)}` };
  }
  const r = SettingsFileSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `${where(i.path)} ${i.message}`);
    const more = r.error.issues.length > 5 ? ` (and ${r.error.issues.length - 5} more)` : "";
    return { ok: false, name, problem: `${name}: ${issues.join("; ")}${more}` };
  }
  for (const [i, g] of r.data.Settings.OutputGroups.entries()) {
    const type = g.OutputGroupSettings.Type;
    for (const other of GROUP_TYPES) {
      if (other !== type && g.OutputGroupSettings[GROUP_SETTINGS_KEY[other]] !== undefined) {
        return {
          ok: false,
          name,
          problem: `${name}: Settings.OutputGroups[${i}] is of Type ${type} but carries ${GROUP_SETTINGS_KEY[other]}; keep only ${GROUP_SETTINGS_KEY[type]}`,
        };
      }
    }
  }
  return { ok: true, name, file: r.data };
}

/** Whether an object key in the watch bucket is a settings file: `jobs/<name>.json`, directly under `jobs/`. */
export function isSettingsKey(key: string): boolean {
  return /^jobs\/[^/]+\.json$/i.test(key);
}

/** Short name of a settings file for paths and metadata: `jobs/HLS ladder.json` → `HLS ladder`. */
export function settingsBaseName(name: string): string {
  return name.replace(/^jobs\//, "").replace(/\.json$/i, "");
}
