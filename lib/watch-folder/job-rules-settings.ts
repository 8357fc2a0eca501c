/**
 * MediaConvert request rules for a job's Settings: its inputs, output groups and outputs (see job-rules.ts for the
 * list of what is checked). Rules that need the rest of the request (what a job template provides) live in
 * job-rules.ts.
 *
 * Pure code.
 */
import {
  AdvancedInputFilter,
  AntiAlias,
  AudioDefaultSelection,
  AudioLanguageCodeControl,
  AudioSelectorType,
  AudioTypeControl,
  ColorSpace,
  ColorSpaceUsage,
  DropFrameTimecode,
  InputDeblockFilter,
  InputDenoiseFilter,
  InputFilterEnable,
  InputPsiControl,
  InputRotate,
  InputScanType,
  InputTimecodeSource,
  RespondToAfd,
  ScalingBehavior,
  TimecodeSource,
  VideoSelectorType,
  VideoTimecodeInsertion,
} from "@aws-sdk/client-mediaconvert";
import { AudioCodecSettingsSchema, ContainerSettingsSchema, outputGroupSettingsSchema, VideoCodecSettingsSchema } from "./job-rules-codecs";
import { isObject, list, map, object, oneOf, reference, shaped, text, wholeNumber } from "./job-rules-values";

/** An input file: the model documents S3, HTTP and HTTPS locations. */
export const FILE_INPUT = /^(s3|https?):\/\/[^/\s]+/;

export const AudioSelectorSchema = object({
  DefaultSelection: oneOf(AudioDefaultSelection).optional(),
  SelectorType: oneOf(AudioSelectorType).optional(),
});

export const VideoSelectorSchema = object({
  ColorSpace: oneOf(ColorSpace).optional(),
  ColorSpaceUsage: oneOf(ColorSpaceUsage).optional(),
  Rotate: oneOf(InputRotate).optional(),
  SelectorType: oneOf(VideoSelectorType).optional(),
});

/** One input. Whether FileInput is required depends on the rest of the request: see job-rules.ts. */
export const InputSchema = object({
  FileInput: shaped(FILE_INPUT, "an S3, HTTP or HTTPS location (s3://bucket/key)").optional(),
  AdvancedInputFilter: oneOf(AdvancedInputFilter).optional(),
  AudioSelectors: map(AudioSelectorSchema).optional(),
  DeblockFilter: oneOf(InputDeblockFilter).optional(),
  DenoiseFilter: oneOf(InputDenoiseFilter).optional(),
  FilterEnable: oneOf(InputFilterEnable).optional(),
  FilterStrength: wholeNumber(1, 5).optional(),
  InputScanType: oneOf(InputScanType).optional(),
  PsiControl: oneOf(InputPsiControl).optional(),
  TimecodeSource: oneOf(InputTimecodeSource).optional(),
  VideoSelector: VideoSelectorSchema.optional(),
});

export const VideoDescriptionSchema = object({
  AntiAlias: oneOf(AntiAlias).optional(),
  CodecSettings: VideoCodecSettingsSchema.optional(),
  DropFrameTimecode: oneOf(DropFrameTimecode).optional(),
  RespondToAfd: oneOf(RespondToAfd).optional(),
  ScalingBehavior: oneOf(ScalingBehavior).optional(),
  Sharpness: wholeNumber(0, 100).optional(),
  TimecodeInsertion: oneOf(VideoTimecodeInsertion).optional(),
});

export const AudioDescriptionSchema = object({
  AudioSourceName: text().optional(),
  AudioType: wholeNumber(0, 255).optional(),
  AudioTypeControl: oneOf(AudioTypeControl).optional(),
  CodecSettings: AudioCodecSettingsSchema.optional(),
  LanguageCodeControl: oneOf(AudioLanguageCodeControl).optional(),
});

/** One output: a preset (by name or ARN) or container settings, not both, as the model documents. */
export const OutputSchema = object({
  AudioDescriptions: list(AudioDescriptionSchema).optional(),
  ContainerSettings: ContainerSettingsSchema.optional(),
  Extension: text().optional(),
  NameModifier: text().optional(),
  Preset: reference("presets", "preset").optional(),
  VideoDescription: VideoDescriptionSchema.optional(),
}).superRefine(
  (o, ctx) => {
    if (isObject(o) && o.Preset !== undefined && o.ContainerSettings !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["Preset"],
        message: "cannot be combined with ContainerSettings: give a preset or the container settings, not both",
      });
    }
  },
  { when: () => true },
);

/** Custom group names: up to twelve letters, numbers, spaces or underscores, as the model documents. */
const CUSTOM_NAME = /^[\p{L}\p{N} _]{1,12}$/u;

/**
 * One output group: its settings (Type and the matching settings object), at least one output, and a NameModifier
 * on every output when there is more than one (the model says so: their file names would collide).
 */
export function outputGroupSchema(groupSettingsSupplied: boolean) {
  return object({
    CustomName: shaped(CUSTOM_NAME, "up to 12 letters, numbers, spaces or underscores").optional(),
    Name: text().optional(),
    OutputGroupSettings: outputGroupSettingsSchema(groupSettingsSupplied),
    Outputs: list(OutputSchema),
  }).superRefine(
    (g, ctx) => {
      if (!isObject(g)) return;
      const outputs = Array.isArray(g.Outputs) ? g.Outputs : undefined;
      if (outputs?.length === 0) ctx.addIssue({ code: "custom", path: ["Outputs"], message: "needs at least one output" });
      if (outputs === undefined || outputs.length < 2) return;
      for (const [i, o] of outputs.entries()) {
        if (isObject(o) && o.NameModifier === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["Outputs", i, "NameModifier"],
            message: "is required when a group has more than one output",
          });
        }
      }
    },
    { when: () => true },
  );
}

/** Settings, without the rules that depend on the rest of the request. */
export function jobSettingsSchema(groupSettingsSupplied: boolean) {
  return object({
    Inputs: list(InputSchema).optional(),
    OutputGroups: list(outputGroupSchema(groupSettingsSupplied)).optional(),
    TimecodeConfig: object({ Source: oneOf(TimecodeSource).optional() }).optional(),
  });
}
