/**
 * What a finished job reports about its outputs (`outputGroupDetails` in COMPLETE events and GetJob), derived
 * from the job settings the way MediaConvert names files: `<destination><input base name><nameModifier>.<ext>`
 * when the destination ends with "/", else the destination is itself the base name. DASH and CMAF outputs have
 * no per-output file paths (only the group's playlists), as in real events.
 */
import { CONTAINER_EXTENSIONS, GROUP_TYPES } from "./containers";
import type { Rng } from "./rng";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** What the job knows of its input; width, height and frame rate are absent when the input has no video. */
export interface InputFacts {
  uri?: string;
  durationMs: number;
  width?: number;
  height?: number;
  frameRate?: number;
}

export interface OutputDetail {
  outputFilePaths?: string[];
  durationInMs: number;
  videoDetails?: {
    widthInPx: number;
    heightInPx: number;
    averageBitrate?: number;
    qvbrAvgQuality?: number;
    qvbrMinQuality?: number;
    qvbrMaxQuality?: number;
    qvbrMinQualityLocation?: number;
    qvbrMaxQualityLocation?: number;
  };
}

export interface OutputGroupDetail {
  type: string;
  outputDetails: OutputDetail[];
  playlistFilePaths?: string[];
}

/** The input file name without folder and extension (MediaConvert's default output base name). */
export function inputBaseName(uri: string | undefined): string {
  const file = (uri ?? "input").split("/").pop() || "input";
  const dot = file.lastIndexOf(".");
  return dot > 0 ? file.slice(0, dot) : file;
}

function destinationBase(destination: string | undefined, inputUri: string | undefined): string {
  const dest = destination ?? "s3://mcjobs-simulated-output/";
  return dest.endsWith("/") ? dest + inputBaseName(inputUri) : dest;
}

function outputSize(output: Obj, input: InputFacts): { width: number; height: number } {
  const vd = obj(output.videoDescription);
  const w = num(vd.width);
  const h = num(vd.height);
  // Without input video (a job that will not get this far) the aspect ratio is taken as 16:9.
  const inW = input.width ?? 1920;
  const inH = input.height ?? 1080;
  if (w && h) return { width: w, height: h };
  if (w) return { width: w, height: Math.round((w * inH) / inW / 2) * 2 };
  if (h) return { width: Math.round((h * inW) / inH / 2) * 2, height: h };
  return { width: inW, height: inH };
}

function codecOf(output: Obj): { codec?: string; settings: Obj } {
  const cs = obj(obj(output.videoDescription).codecSettings);
  const codec = str(cs.codec);
  const key = codec ? `${codec.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Settings` : "";
  return { codec, settings: obj(cs[key]) };
}

export function outputGroupDetails(settings: unknown, input: InputFacts, rng: Rng): OutputGroupDetail[] {
  const groups = arr(obj(settings).outputGroups).map(obj);
  return groups.map((group) => {
    const ogs = obj(group.outputGroupSettings);
    const kind = GROUP_TYPES[str(ogs.type) ?? "FILE_GROUP_SETTINGS"] ?? GROUP_TYPES.FILE_GROUP_SETTINGS!;
    const base = destinationBase(str(obj(ogs[kind.settingsKey]).destination), input.uri);
    const details: OutputDetail[] = arr(group.outputs)
      .map(obj)
      .map((output) => {
        const nameModifier = str(output.nameModifier) ?? "";
        const hasVideo = output.videoDescription !== undefined;
        const { codec, settings: codecSettings } = codecOf(output);
        const durationInMs = Math.max(0, input.durationMs + rng.int(-40, 40));
        if (!hasVideo) {
          // Audio-only outputs report nothing but their duration.
          return kind.type === "FILE_GROUP" || kind.type === "HLS_GROUP"
            ? {
                outputFilePaths: [`${base}${nameModifier}.${kind.type === "HLS_GROUP" ? "m3u8" : (str(output.extension) ?? "m4a")}`],
                durationInMs,
              }
            : { durationInMs };
        }
        const { width, height } = outputSize(output, input);
        if (codec === "FRAME_CAPTURE") {
          const fc = codecSettings;
          const every = (num(fc.framerateDenominator) ?? 1) / (num(fc.framerateNumerator) ?? 1);
          const captures = Math.min(num(fc.maxCaptures) ?? 10_000_000, Math.max(1, Math.floor(input.durationMs / 1000 / every)));
          const index = String(captures - 1).padStart(7, "0");
          return {
            outputFilePaths: [`${base}${nameModifier}.${index}.${str(output.extension) ?? "jpg"}`],
            durationInMs,
            videoDetails: { widthInPx: width, heightInPx: height },
          };
        }
        const qvbr = str(codecSettings.rateControlMode) === "QVBR";
        const level = num(obj(codecSettings.qvbrSettings).qvbrQualityLevel) ?? 7;
        const bitrate = num(codecSettings.maxBitrate) ?? num(codecSettings.bitrate) ?? Math.round(width * height * 2.5);
        const videoDetails: OutputDetail["videoDetails"] = {
          widthInPx: width,
          heightInPx: height,
          averageBitrate: Math.round(bitrate * rng.range(qvbr ? 0.45 : 0.9, qvbr ? 0.8 : 1.0)),
          ...(qvbr
            ? {
                qvbrAvgQuality: Math.round(rng.range(level - 0.8, level + 0.6) * 100) / 100,
                qvbrMinQuality: Math.max(1, level - rng.int(1, 2)),
                qvbrMaxQuality: Math.min(10, level + 1),
                qvbrMinQualityLocation: rng.int(0, input.durationMs),
                qvbrMaxQualityLocation: rng.int(0, input.durationMs),
              }
            : {}),
        };
        if (kind.type === "DASH_ISO_GROUP" || kind.type === "CMAF_GROUP" || kind.type === "MS_SMOOTH_GROUP") {
          return { durationInMs, videoDetails };
        }
        const container = str(obj(output.containerSettings).container);
        const ext = kind.type === "HLS_GROUP" ? "m3u8" : (str(output.extension) ?? CONTAINER_EXTENSIONS[container ?? "MP4"] ?? "mp4");
        return { outputFilePaths: [`${base}${nameModifier}.${ext}`], durationInMs, videoDetails };
      });
    const playlists =
      kind.type === "HLS_GROUP"
        ? [`${base}.m3u8`]
        : kind.type === "DASH_ISO_GROUP"
          ? [`${base}.mpd`]
          : kind.type === "CMAF_GROUP"
            ? [`${base}.mpd`, `${base}.m3u8`]
            : kind.type === "MS_SMOOTH_GROUP"
              ? [`${base}.ism`]
              : undefined;
    return { outputDetails: details, type: kind.type, ...(playlists ? { playlistFilePaths: playlists } : {}) };
  });
}

/** The first input's URI (`settings.inputs[0].fileInput`). */
export function firstInputUri(settings: unknown): string | undefined {
  return str(obj(arr(obj(settings).inputs)[0]).fileInput);
}
