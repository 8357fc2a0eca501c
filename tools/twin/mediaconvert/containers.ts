/**
 * Output group and container names: each output group type with the member of `outputGroupSettings` that holds
 * its settings and the group type events report, and the file extension each container gets by default.
 */

export const GROUP_TYPES: Record<string, { type: string; settingsKey: string }> = {
  FILE_GROUP_SETTINGS: { type: "FILE_GROUP", settingsKey: "fileGroupSettings" },
  HLS_GROUP_SETTINGS: { type: "HLS_GROUP", settingsKey: "hlsGroupSettings" },
  DASH_ISO_GROUP_SETTINGS: { type: "DASH_ISO_GROUP", settingsKey: "dashIsoGroupSettings" },
  CMAF_GROUP_SETTINGS: { type: "CMAF_GROUP", settingsKey: "cmafGroupSettings" },
  MS_SMOOTH_GROUP_SETTINGS: { type: "MS_SMOOTH_GROUP", settingsKey: "msSmoothGroupSettings" },
};

export const CONTAINER_EXTENSIONS: Record<string, string> = {
  MP4: "mp4",
  MOV: "mov",
  MXF: "mxf",
  M2TS: "m2ts",
  M3U8: "m3u8",
  WEBM: "webm",
  MPD: "mp4",
  CMFC: "mp4",
  F4V: "f4v",
  ISMV: "ismv",
  OGG: "ogg",
  RAW: "raw",
};
