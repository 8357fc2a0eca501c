/**
 * MediaConvert's rules for a CreateJob request, in the SDK's PascalCase shape (what `CreateJobCommand` takes and
 * what the console's "Export JSON" gives), as zod schemas plus `createJobProblems`, which lists every problem
 * with the member path, the value and, for enums, the allowed values. The watch folder checks settings files with
 * it; the MediaConvert simulator answers BadRequestException from it.
 *
 * Enum values are the SDK's own enum objects (`@aws-sdk/client-mediaconvert`), so an SDK upgrade brings new values
 * with it; the settings object of each group type is read from the SDK's schema of OutputGroupSettings, and the
 * required members are the ones that schema family marks required (the tests compare them); number ranges and
 * formats are the ones the model's documentation states.
 *
 * Checked (any other member passes untouched: MediaConvert has hundreds):
 *  - Role (required, an IAM role ARN, any partition); Queue and HopDestinations[].Queue (name or queue ARN);
 *    JobTemplate (name or job template ARN); Priority and HopDestinations[].Priority (whole number, -50 to 50);
 *    HopDestinations[].WaitMinutes (required, 1 to 4320); StatusUpdateInterval, BillingTagsSource,
 *    SimulateReservedQueue, AccelerationSettings.Mode (required in AccelerationSettings) against the SDK enums;
 *    UserMetadata and Tags (text to text); ClientRequestToken (up to 64 ASCII characters); JobEngineVersion
 *    (YYYY-MM-DD); Settings (required).
 *  - Settings.Inputs[]: at least one; each needs FileInput (an s3://, http:// or https:// location) or a
 *    VideoGenerator, not both (a job template cannot provide FileInput: the model's template inputs have no such
 *    member); AdvancedInputFilter, DeblockFilter, DenoiseFilter, FilterEnable, FilterStrength (1 to 5),
 *    InputScanType, PsiControl, TimecodeSource; AudioSelectors.*.DefaultSelection and SelectorType;
 *    VideoSelector.ColorSpace, ColorSpaceUsage, Rotate and SelectorType. Settings.TimecodeConfig.Source.
 *  - Settings.OutputGroups[]: at least one unless a JobTemplate provides them; OutputGroupSettings.Type
 *    (required, SDK enum); the group carries the settings object of its Type (required) and no other type's;
 *    every group settings Destination is an s3:// location; HlsGroupSettings.SegmentControl and
 *    ManifestDurationFormat; CustomName (up to 12 letters, numbers, spaces, underscores); Outputs (at least one;
 *    each needs a NameModifier when there are several).
 *  - Outputs[]: Preset (name or preset ARN, not together with ContainerSettings); ContainerSettings.Container;
 *    VideoDescription.CodecSettings.Codec, ScalingBehavior, AntiAlias, DropFrameTimecode, RespondToAfd,
 *    TimecodeInsertion, Sharpness (0 to 100); H264Settings' RateControlMode, GopSizeUnits, SceneChangeDetect,
 *    CodecProfile, CodecLevel, QvbrSettings.QvbrQualityLevel (1 to 10), MaxBitrate (required with QVBR);
 *    AudioDescriptions[].CodecSettings.Codec, AudioType (0 to 255), AudioTypeControl, LanguageCodeControl;
 *    AacSettings' CodecProfile, CodingMode, RateControlMode and Bitrate (the documented set of bitrates).
 *
 * Pure code.
 */
import {
  AccelerationMode,
  BillingTagsSource,
  InputTemplate$,
  SimulateReservedQueue,
  StatusUpdateInterval,
} from "@aws-sdk/client-mediaconvert";
import type { z } from "zod";
import { memberNames } from "./job-rules-codecs";
import { jobSettingsSchema } from "./job-rules-settings";
import { isObject, list, object, oneOf, reference, ROLE_ARN, shaped, textMap, wholeNumber } from "./job-rules-values";

export { GROUP_SETTINGS_MEMBER, settingsMemberFor } from "./job-rules-codecs";

/** Parts of the request the caller fills in after the check, so their absence is not a problem. */
export interface JobRuleOptions {
  /** Role is set by the caller. */
  roleSupplied?: boolean;
  /** Settings.Inputs[0].FileInput is set by the caller (who adds that input when there is none). */
  fileInputSupplied?: boolean;
  /** Each output group's settings object for its Type is added by the caller (e.g. to set its destination). */
  groupSettingsSupplied?: boolean;
}

/** One thing MediaConvert would refuse in a request. */
export interface JobProblem {
  /** Member path, e.g. `Settings.OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.Codec`. */
  member: string;
  /** The value found there (undefined when a required member is missing). */
  value: unknown;
  /** The values the member accepts, when it is an enumeration. */
  allowed?: string[];
  /** The member path, the value and what is expected, in one sentence. */
  message: string;
}

/** Whether a job template could supply its jobs' file inputs (the SDK's template input structure says). */
const TEMPLATE_PROVIDES_FILE_INPUT = memberNames(InputTemplate$).includes("FileInput");

/** Job priority, from the CreateJob API reference (the SDK's member documentation does not repeat the range). */
const PriorityRange = wholeNumber(-50, 50);

const HopDestinationSchema = object({
  Priority: PriorityRange.optional(),
  Queue: reference("queues", "queue").optional(),
  WaitMinutes: wholeNumber(1, 4320),
});

/** The CreateJob request schema; `options` relaxes what the caller fills in itself. */
export function createJobRequestSchema(options: JobRuleOptions = {}) {
  const role = shaped(ROLE_ARN, "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)");
  return object({
    AccelerationSettings: object({ Mode: oneOf(AccelerationMode) }).optional(),
    BillingTagsSource: oneOf(BillingTagsSource).optional(),
    ClientRequestToken: shaped(/^[\x20-\x7e]{1,64}$/, "up to 64 ASCII characters").optional(),
    HopDestinations: list(HopDestinationSchema).optional(),
    JobEngineVersion: shaped(/^\d{4}-\d{2}-\d{2}$/, "a version date (YYYY-MM-DD)").optional(),
    JobTemplate: reference("jobTemplates", "job template").optional(),
    Priority: PriorityRange.optional(),
    Queue: reference("queues", "queue").optional(),
    Role: options.roleSupplied ? role.optional() : role,
    Settings: jobSettingsSchema(options.groupSettingsSupplied ?? false),
    SimulateReservedQueue: oneOf(SimulateReservedQueue).optional(),
    StatusUpdateInterval: oneOf(StatusUpdateInterval).optional(),
    Tags: textMap.optional(),
    UserMetadata: textMap.optional(),
  }).superRefine((request, ctx) => requestWideRules(request, ctx, options), { when: () => true });
}

/** Rules that look across the request: what a job template provides decides what Settings must hold. */
function requestWideRules(request: unknown, ctx: z.RefinementCtx, options: JobRuleOptions) {
  if (!isObject(request)) return;
  const settings = request.Settings;
  if (!isObject(settings)) return;
  const templated = typeof request.JobTemplate === "string" && request.JobTemplate !== "";
  const inputs = settings.Inputs;
  if (inputs === undefined || (Array.isArray(inputs) && inputs.length === 0)) {
    if (!options.fileInputSupplied && !(templated && TEMPLATE_PROVIDES_FILE_INPUT)) {
      ctx.addIssue({ code: "custom", path: ["Settings", "Inputs"], message: "needs at least one input" });
    }
  }
  if (Array.isArray(inputs)) {
    for (const [i, input] of inputs.entries()) {
      if (!isObject(input)) continue;
      const fileInput = input.FileInput !== undefined || (i === 0 && options.fileInputSupplied);
      if (fileInput && input.VideoGenerator !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["Settings", "Inputs", i, "VideoGenerator"],
          message: "cannot be combined with a file input: give FileInput or VideoGenerator, not both",
        });
      } else if (!fileInput && input.VideoGenerator === undefined && !(templated && TEMPLATE_PROVIDES_FILE_INPUT)) {
        ctx.addIssue({
          code: "custom",
          path: ["Settings", "Inputs", i, "FileInput"],
          message: "is required (or a VideoGenerator in its place)",
        });
      }
    }
  }
  const groups = settings.OutputGroups;
  if (!templated && (groups === undefined || (Array.isArray(groups) && groups.length === 0))) {
    ctx.addIssue({ code: "custom", path: ["Settings", "OutputGroups"], message: "needs at least one output group" });
  }
}

/** The default schema: nothing is filled in after the check. */
export const CreateJobRequestSchema = createJobRequestSchema();

/** `["Settings", "OutputGroups", 0, "Name"]` → `Settings.OutputGroups[0].Name`. */
export function memberPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The allowed values an issue carries: an enum's values, or those a custom rule attached. */
export function issueAllowed(issue: z.core.$ZodIssue): string[] | undefined {
  if (issue.code === "invalid_value") return issue.values.map(String);
  const allowed = (issue as { params?: { allowed?: unknown } }).params?.allowed;
  return Array.isArray(allowed) ? allowed.map(String) : undefined;
}

const schemas = new Map<string, ReturnType<typeof createJobRequestSchema>>();

/** The schema for `options`, built once per combination. */
export function createJobRequestSchemaFor(options: JobRuleOptions = {}) {
  const key = [options.roleSupplied, options.fileInputSupplied, options.groupSettingsSupplied].map(Boolean).join();
  const known = schemas.get(key);
  if (known) return known;
  const schema = createJobRequestSchema(options);
  schemas.set(key, schema);
  return schema;
}

/**
 * Everything MediaConvert's rules above find wrong in a CreateJob request (empty when none): each with its member
 * path, the value, the allowed values for enums and a message such as
 * `StatusUpdateInterval SECONDS_7 is not one of SECONDS_10, SECONDS_12, …`.
 */
export function createJobProblems(request: unknown, options: JobRuleOptions = {}): JobProblem[] {
  const r = createJobRequestSchemaFor(options).safeParse(request);
  if (r.success) return [];
  return r.error.issues.map((issue) => {
    const member = memberPath(issue.path) || "(request)";
    const allowed = issueAllowed(issue);
    const problem: JobProblem = { member, value: valueAt(request, issue.path), message: `${member} ${issue.message}` };
    if (allowed) problem.allowed = allowed;
    return problem;
  });
}
