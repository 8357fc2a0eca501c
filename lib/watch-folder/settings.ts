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
 * Refused, with the field named: `JobTemplate`, `HopDestinations` and an output's `Preset`. The watch folder's role
 * may create jobs only in the stack's queue and name no job template or preset (MediaConvert would answer
 * AccessDenied for each job); a file needing them would never work, so it is reported when read, not per upload.
 *
 * Destinations are always rewritten into the media bucket (the MediaConvert role can write nowhere else), and the
 * file input of `Settings.Inputs[0]` is always the uploaded object (its other input settings are kept). Only a
 * single input per job is supported: a file with more than one input is refused with a message saying so.
 *
 * What the file sends is checked against MediaConvert's CreateJob rules (job-rules.ts: the SDK's enum values, the
 * documented ranges, required members), so a file MediaConvert would refuse is skipped here with a message naming
 * the file, the member, the value and the allowed values (`jobs/hls.json: StatusUpdateInterval SECONDS_7 is not one
 * of SECONDS_10, …`) rather than sending every upload to the dead-letter queue.
 *
 * Pure code: parsing and validation only, no AWS calls.
 */
import type { AccelerationMode, OutputGroupType, StatusUpdateInterval } from "@aws-sdk/client-mediaconvert";
import { z } from "zod";
import { createJobRequestSchemaFor, GROUP_SETTINGS_MEMBER, issueAllowed, memberPath, type JobRuleOptions } from "./job-rules";
import { isObject } from "./job-rules-values";

/** Output group types MediaConvert knows (the SDK's), with the settings object that carries each one's destination. */
export const GROUP_SETTINGS_KEY: Readonly<Record<OutputGroupType, string>> = GROUP_SETTINGS_MEMBER;
export type GroupType = OutputGroupType;

/** Where settings files live in the watch bucket. */
export const SETTINGS_PREFIX = "jobs/";

/** Largest settings file read (MediaConvert's own job-settings limit is far below this). */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;
/** Most settings files honoured per upload; more is almost certainly a mistake and each one costs a job. */
export const MAX_SETTINGS_FILES = 20;

/** A settings file that passed validation (the members this program reads are typed; the rest is passed on). */
export interface SettingsFile {
  Settings: {
    OutputGroups: Array<{
      Name?: string;
      OutputGroupSettings: { Type: GroupType; [member: string]: unknown };
      Outputs: Array<Record<string, unknown>>;
      [member: string]: unknown;
    }>;
    Inputs?: Array<Record<string, unknown>>;
    [member: string]: unknown;
  };
  Priority?: number;
  AccelerationSettings?: { Mode: AccelerationMode; [member: string]: unknown };
  UserMetadata?: Record<string, string>;
  StatusUpdateInterval?: StatusUpdateInterval;
  Queue?: unknown;
  Role?: unknown;
  [member: string]: unknown;
}

/** What the watch folder fills in itself when it turns a file into a CreateJob request (request.ts). */
const WATCH_FOLDER_SUPPLIES: JobRuleOptions = { roleSupplied: true, fileInputSupplied: true, groupSettingsSupplied: true };

/**
 * The part of a settings file that reaches CreateJob: without Role, Queue and ClientRequestToken (the watch folder
 * sets its own) and without the first input's FileInput (the upload replaces it).
 */
function asSent(file: Record<string, unknown>): Record<string, unknown> {
  const { Role: _role, Queue: _queue, ClientRequestToken: _token, ...sent } = file;
  const settings = file.Settings;
  if (isObject(settings) && Array.isArray(settings.Inputs) && isObject(settings.Inputs[0])) {
    const { FileInput: _replaced, ...first } = settings.Inputs[0];
    sent.Settings = { ...settings, Inputs: [first, ...settings.Inputs.slice(1)] };
  }
  return sent;
}

/** The watch folder's own rules, on top of MediaConvert's. */
function watchFolderRules(file: Record<string, unknown>, ctx: z.RefinementCtx): boolean {
  const settings = file.Settings;
  let settingsReported = false;
  if (!isObject(settings)) {
    settingsReported = true;
    ctx.addIssue({
      code: "custom",
      path: ["Settings"],
      message: `is required: the job settings object (what MediaConvert's "Export JSON" puts under "Settings")${settings === undefined ? "" : `, not ${JSON.stringify(settings)}`}`,
    });
  } else {
    if (Array.isArray(settings.Inputs) && settings.Inputs.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["Settings", "Inputs"],
        message:
          "has more than one input: the watch folder makes one job per uploaded file, so give at most one input (its FileInput is replaced by the upload)",
      });
    }
    for (const [i, g] of (Array.isArray(settings.OutputGroups) ? settings.OutputGroups : []).entries()) {
      if (isObject(g) && typeof g.Name === "string" && g.Name.length > 2048) {
        ctx.addIssue({ code: "custom", path: ["Settings", "OutputGroups", i, "Name"], message: "is longer than 2048 characters" });
      }
    }
  }
  // The watch folder's role may CreateJob only in the stack's queue and with no presets or job templates (least
  // privilege: settings files change at run time, a role wide enough for any of them would be wide for all), so
  // such files are refused here, by name, rather than failing every job with AccessDenied.
  if (file.JobTemplate !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["JobTemplate"],
      message:
        "is not supported by the watch folder: its role may use no job templates (MediaConvert would refuse the job); put the full Settings in the file instead",
    });
  }
  if (file.HopDestinations !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["HopDestinations"],
      message:
        "is not supported by the watch folder: its role may submit jobs only to the stack's queue (queueArn), so a hop to another queue would be refused; remove it",
    });
  }
  if (isObject(settings) && Array.isArray(settings.OutputGroups)) {
    for (const [i, g] of settings.OutputGroups.entries()) {
      for (const [j, o] of (isObject(g) && Array.isArray(g.Outputs) ? g.Outputs : []).entries()) {
        if (isObject(o) && o.Preset !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["Settings", "OutputGroups", i, "Outputs", j, "Preset"],
            message:
              "is not supported by the watch folder: its role may use no output presets (MediaConvert would refuse the job); put the output's settings in the file instead",
          });
        }
      }
    }
  }
  return settingsReported;
}

/** A valid settings file: the watch folder's rules and MediaConvert's (job-rules.ts) for what the file sends. */
export const SettingsFileSchema = z
  .custom<SettingsFile>((v) => isObject(v), { error: 'must be a JSON object with a "Settings" key' })
  .superRefine((file, ctx) => {
    const settingsReported = watchFolderRules(file, ctx);
    const r = createJobRequestSchemaFor(WATCH_FOLDER_SUPPLIES).safeParse(asSent(file));
    if (r.success) return;
    for (const issue of r.error.issues) {
      if (settingsReported && memberPath(issue.path) === "Settings") continue;
      ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message, params: { allowed: issueAllowed(issue) } });
    }
  });

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

function where(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(top level)" : memberPath(path);
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
    return {
      ok: false,
      name,
      problem: `${name}: must hold a JSON object with a "Settings" key, not ${Array.isArray(json) ? "a list" : JSON.stringify(json)}`,
    };
  }
  const r = SettingsFileSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `${where(i.path)} ${i.message}`);
    const more = r.error.issues.length > 5 ? ` (and ${r.error.issues.length - 5} more)` : "";
    return { ok: false, name, problem: `${name}: ${issues.join("; ")}${more}` };
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
