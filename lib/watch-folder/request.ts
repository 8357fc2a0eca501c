/**
 * One upload + one settings file → one MediaConvert CreateJob request (the SDK's PascalCase input shape).
 *
 *  - input: `s3://<watch bucket>/<key>` as the job's only input (the file's other input settings are kept);
 *  - outputs: every output group writes under `s3://<media bucket>/outputs/<path of the upload under inputs/>/
 *    <settings name>/<group>/`, whatever destination the file had;
 *  - role: the stack's MediaConvert role; queue: the stack's `queueArn` (absent = the account's Default queue);
 *  - userMetadata: the file's, plus `application` (this stack's, which the notifications and, optionally, the
 *    collector filter on), `input` (the upload's key) and `settings` (the settings file's name);
 *  - clientRequestToken: a digest of bucket, key, object version (or ETag + sequencer when the bucket is not
 *    versioned) and settings-file name, so the same notification delivered twice asks for the same job.
 *
 * Pure code.
 */
import { createHash } from "node:crypto";
import { GROUP_SETTINGS_KEY, settingsBaseName, type SettingsFile } from "./settings";
import type { Upload } from "./s3-event";
import { INPUT_PREFIX } from "./s3-event";

/** Where outputs go in the media bucket. */
export const OUTPUT_PREFIX = "outputs/";

/** Keys of a settings file passed on to CreateJob as they are (everything else besides Settings is dropped). */
export const PASSED_THROUGH = [
  "AccelerationSettings",
  "BillingTagsSource",
  "HopDestinations",
  "JobEngineVersion",
  "Priority",
  "SimulateReservedQueue",
  "StatusUpdateInterval",
  "Tags",
] as const;

/** The CreateJob input this program sends (a structural subset of the SDK's CreateJobRequest). */
export interface CreateJobInput {
  Role: string;
  Settings: Record<string, unknown>;
  Queue?: string;
  UserMetadata: Record<string, string>;
  ClientRequestToken: string;
  [key: string]: unknown;
}

export interface BuildRequestArgs {
  upload: Upload;
  /** Settings-file key (`jobs/hls.json`) or the default job's name. */
  settingsName: string;
  settings: SettingsFile;
  application: string;
  roleArn: string;
  queueArn?: string;
  outputBucket: string;
}

/** Digest naming one (object version, settings file) pair: 64 hex characters, MediaConvert's token limit. */
export function requestToken(upload: Pick<Upload, "bucket" | "key" | "versionId" | "eTag" | "sequencer">, settingsName: string): string {
  const version = upload.versionId ? ["v", upload.versionId] : ["e", upload.eTag ?? "", upload.sequencer ?? ""];
  return createHash("sha256")
    .update(JSON.stringify([upload.bucket, upload.key, ...version, settingsName]))
    .digest("hex");
}

/**
 * A path segment safe in an S3 URI that MediaConvert parses: keeps letters and digits of any script, spaces,
 * `-`, `_`, `.` and `/`; anything else (`#`, `?`, `%`, `+`, `&`, quotes, control characters…) becomes `_`.
 */
export function safePath(s: string): string {
  return s
    .normalize("NFC")
    .replace(/[^\p{L}\p{N} ._\-/]/gu, "_")
    .replace(/\/{2,}/g, "/")
    .replace(/(^|\/)\.{1,2}(?=\/|$)/g, "$1_");
}

/**
 * `inputs/shows/ep 1.mov` + `jobs/hls.json` → `outputs/shows/ep 1.mov/hls/`. The file name keeps its extension so
 * `clip.mov` and `clip.mp4` do not share a folder; when `safePath` had to change the path, a short digest of the
 * real key is appended so two keys that differ only in such characters do not share one either.
 */
export function outputPrefix(key: string, settingsName: string): string {
  const rel = key.startsWith(INPUT_PREFIX) ? key.slice(INPUT_PREFIX.length) : key;
  const safe = safePath(rel);
  const folder = safe === rel ? safe : `${safe}-${createHash("sha256").update(rel).digest("hex").slice(0, 8)}`;
  return `${OUTPUT_PREFIX}${folder}/${safePath(settingsBaseName(settingsName)) || "settings"}/`;
}

function groupFolder(name: string | undefined, type: string, used: Set<string>): string {
  const base =
    (name ?? "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "") ||
    type
      .replace(/_GROUP_SETTINGS$/, "")
      .toLowerCase()
      .replace(/_/g, "-");
  let folder = base;
  for (let n = 2; used.has(folder); n++) folder = `${base}-${n}`;
  used.add(folder);
  return folder;
}

export function buildCreateJobRequest(args: BuildRequestArgs): CreateJobInput {
  const { upload, settings } = args;
  // A deep copy: the settings object is shared by every upload of an invocation.
  const s = structuredClone(settings.Settings) as Record<string, unknown> & {
    Inputs?: Record<string, unknown>[];
    OutputGroups: Array<{ Name?: string; OutputGroupSettings: Record<string, unknown> & { Type: keyof typeof GROUP_SETTINGS_KEY } }>;
  };
  const input = { ...(s.Inputs?.[0] ?? {}), FileInput: `s3://${upload.bucket}/${upload.key}` };
  s.Inputs = [input];
  const prefix = `s3://${args.outputBucket}/${outputPrefix(upload.key, args.settingsName)}`;
  const used = new Set<string>();
  for (const group of s.OutputGroups) {
    const ogs = group.OutputGroupSettings;
    const key = GROUP_SETTINGS_KEY[ogs.Type];
    const current = (ogs[key] as Record<string, unknown> | undefined) ?? {};
    ogs[key] = { ...current, Destination: `${prefix}${groupFolder(group.Name, ogs.Type, used)}/` };
  }
  const request: CreateJobInput = {
    Role: args.roleArn,
    Settings: s,
    UserMetadata: {
      ...(settings.UserMetadata ?? {}),
      application: args.application,
      input: upload.key,
      settings: args.settingsName,
    },
    ClientRequestToken: requestToken(upload, args.settingsName),
  };
  if (args.queueArn) request.Queue = args.queueArn;
  const extra = settings as Record<string, unknown>;
  for (const k of PASSED_THROUGH) if (extra[k] !== undefined) request[k] = structuredClone(extra[k]);
  return request;
}
