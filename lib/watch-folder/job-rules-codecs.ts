/**
 * MediaConvert request rules for the codec, container and output-group settings objects (see job-rules.ts for
 * the list of what is checked). Enum values come from `@aws-sdk/client-mediaconvert`; which settings object goes
 * with which Type / Codec / Container comes from the SDK's schema of the parent structure (its member names).
 *
 * Pure code.
 */
import {
  AacCodecProfile,
  AacCodingMode,
  AacRateControlMode,
  AudioCodec,
  ContainerType,
  H264CodecLevel,
  H264CodecProfile,
  H264GopSizeUnits,
  H264RateControlMode,
  H264SceneChangeDetect,
  HlsManifestDurationFormat,
  HlsSegmentControl,
  OutputGroupSettings$,
  OutputGroupType,
  VideoCodec,
} from "@aws-sdk/client-mediaconvert";
import { z } from "zod";
import { isObject, object, oneOf, shaped, show, wholeNumber } from "./job-rules-values";

/** The SDK's schema of one structure: member names, member schemas and how many of the first members are required. */
type StaticStructureSchema = typeof OutputGroupSettings$;

/** Member names of an SDK structure schema, in the model's order. */
export function memberNames(schema: StaticStructureSchema): string[] {
  return [...schema[4]];
}

/** The members the model marks required (the schema lists them first and counts them). */
export function requiredMemberNames(schema: StaticStructureSchema): string[] {
  return schema[4].slice(0, schema[6] ?? 0);
}

/**
 * The member of `members` that carries the settings for an enum value: `HLS_GROUP_SETTINGS` → `HlsGroupSettings`,
 * `H_264` → `H264Settings`, `EAC3_ATMOS` → `Eac3AtmosSettings`. Undefined when the model has none (`RAW`).
 */
export function settingsMemberFor(value: string, members: readonly string[]): string | undefined {
  const wanted = value.replace(/_/g, "").toLowerCase();
  return members.find((m) => m.toLowerCase() === wanted || m.toLowerCase() === `${wanted}settings`);
}

/** Output group Type → the member of OutputGroupSettings that carries that group's settings. */
export const GROUP_SETTINGS_MEMBER = Object.fromEntries(
  Object.values(OutputGroupType).flatMap((t) => {
    const m = settingsMemberFor(t, memberNames(OutputGroupSettings$));
    return m === undefined ? [] : [[t, m]];
  }),
) as Record<OutputGroupType, string>;

/** Where an output group writes: the model documents an S3 location. */
const destination = shaped(/^s3:\/\/[^/\s]+/, "an S3 location (s3://bucket/prefix/)");

const groupSettingsShape = Object.fromEntries(
  Object.values(GROUP_SETTINGS_MEMBER).map((m) => [m, object({ Destination: destination.optional() }).optional()]),
) as Record<string, z.ZodOptional<z.ZodObject>>;

/**
 * OutputGroupSettings: Type is one of the SDK's output group types, and the group carries the settings object of
 * its own type only. `ownSettingsSupplied` says the caller adds that object (the watch folder does, to set the
 * destination), so its absence is not a problem.
 */
export function outputGroupSettingsSchema(ownSettingsSupplied: boolean) {
  return object({
    ...groupSettingsShape,
    HlsGroupSettings: object({
      Destination: destination.optional(),
      SegmentControl: oneOf(HlsSegmentControl).optional(),
      ManifestDurationFormat: oneOf(HlsManifestDurationFormat).optional(),
    }).optional(),
    Type: oneOf(OutputGroupType),
  }).superRefine(
    (ogs, ctx) => {
      if (!isObject(ogs)) return;
      const type = ogs.Type;
      if (typeof type !== "string" || !(type in GROUP_SETTINGS_MEMBER)) return;
      const own = GROUP_SETTINGS_MEMBER[type as OutputGroupType];
      for (const other of Object.values(GROUP_SETTINGS_MEMBER)) {
        if (other !== own && ogs[other] !== undefined) {
          ctx.addIssue({ code: "custom", path: [], message: `is of Type ${type} but carries ${other}; keep only ${own}` });
        }
      }
      if (!ownSettingsSupplied && ogs[own] === undefined) {
        ctx.addIssue({ code: "custom", path: [own], message: `is required when Type is ${type}` });
      }
    },
    { when: () => true },
  );
}

/** H.264 settings: the enums, QVBR quality 1 to 10, and MaxBitrate, which QVBR requires. */
const H264SettingsSchema = object({
  RateControlMode: oneOf(H264RateControlMode).optional(),
  GopSizeUnits: oneOf(H264GopSizeUnits).optional(),
  SceneChangeDetect: oneOf(H264SceneChangeDetect).optional(),
  CodecProfile: oneOf(H264CodecProfile).optional(),
  CodecLevel: oneOf(H264CodecLevel).optional(),
  QvbrSettings: object({ QvbrQualityLevel: wholeNumber(1, 10).optional() }).optional(),
}).superRefine(
  (h, ctx) => {
    if (isObject(h) && h.RateControlMode === "QVBR" && h.MaxBitrate === undefined) {
      ctx.addIssue({ code: "custom", path: ["MaxBitrate"], message: "is required when RateControlMode is QVBR" });
    }
  },
  { when: () => true },
);

export const VideoCodecSettingsSchema = object({
  Codec: oneOf(VideoCodec).optional(),
  H264Settings: H264SettingsSchema.optional(),
});

/** The AAC bitrates the model documents as the only valid ones (bits per second). */
export const AAC_BITRATES = [
  6000, 8000, 10000, 12000, 14000, 16000, 20000, 24000, 28000, 32000, 40000, 48000, 56000, 64000, 80000, 96000, 112000, 128000, 160000,
  192000, 224000, 256000, 288000, 320000, 384000, 448000, 512000, 576000, 640000, 768000, 896000, 1024000,
];

const AacSettingsSchema = object({
  CodecProfile: oneOf(AacCodecProfile).optional(),
  CodingMode: oneOf(AacCodingMode).optional(),
  RateControlMode: oneOf(AacRateControlMode).optional(),
  Bitrate: z
    .unknown()
    .refine((b) => typeof b === "number" && AAC_BITRATES.includes(b), {
      error: (iss) => `${show(iss.input)} is not one of ${AAC_BITRATES.join(", ")}`,
      params: { allowed: AAC_BITRATES.map(String) },
    })
    .optional(),
});

export const AudioCodecSettingsSchema = object({
  Codec: oneOf(AudioCodec).optional(),
  AacSettings: AacSettingsSchema.optional(),
});

export const ContainerSettingsSchema = object({ Container: oneOf(ContainerType).optional() });
