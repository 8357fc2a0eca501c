/**
 * Turns MediaInfo's JSON report into a `ProbeResult`. MediaInfo writes every value as a string; the schema
 * below checks the shape we rely on and turns numeric fields into numbers (a field that is not a number is
 * left out rather than guessed).
 */
import { z } from "zod";
import type { ProbeAudio, ProbeResult, ProbeVideo } from "../domain/probe";
import { audioCodecName, videoCodecName } from "../domain/codec-names";

const num = z.preprocess((v) => {
  if (typeof v === "number") return v;
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}, z.number().optional());

const str = z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? v : undefined), z.string().optional());

const TrackSchema = z
  .object({
    "@type": z.string(),
    Format: str,
    Format_Profile: str,
    Duration: num,
    OverallBitRate: num,
    FileSize: num,
    Width: num,
    Height: num,
    FrameRate: num,
    BitDepth: num,
    BitRate: num,
    BitRate_Nominal: num,
    ScanType: str,
    Channels: num,
    SamplingRate: num,
    Language: str,
    Delay: num,
  })
  .loose();
export type MediaInfoTrack = z.infer<typeof TrackSchema>;

const ReportSchema = z.object({
  media: z
    .object({ track: z.array(TrackSchema) })
    .nullable()
    .optional(),
});

/** The tracks of a MediaInfo JSON report (empty when MediaInfo recognised nothing). */
export function parseReport(json: string): MediaInfoTrack[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`MediaInfo returned output that is not JSON: ${(err as Error).message}`);
  }
  const parsed = ReportSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`MediaInfo returned an unexpected report: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  return parsed.data.media?.track ?? [];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const secondsToMs = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export type ProbeFields = Pick<ProbeResult, "container" | "containerProfile" | "durationMs" | "overallBitRate" | "video" | "audio">;

/** The `ProbeResult` fields MediaInfo's tracks give. */
export function toProbeFields(tracks: MediaInfoTrack[]): ProbeFields {
  const general = tracks.find((t) => t["@type"] === "General");
  const video = tracks.find((t) => t["@type"] === "Video");
  const audio = tracks.filter((t) => t["@type"] === "Audio");
  const out: ProbeFields = { audio: [] };
  if (general) {
    Object.assign(
      out,
      definedOnly({
        container: general.Format,
        containerProfile: general.Format_Profile,
        durationMs: secondsToMs(general.Duration ?? video?.Duration ?? audio[0]?.Duration),
        overallBitRate: general.OverallBitRate,
      }),
    );
  }
  if (video) {
    out.video = definedOnly<ProbeVideo>({
      codec: video.Format === undefined ? undefined : videoCodecName(video.Format),
      width: video.Width,
      height: video.Height,
      frameRate: video.FrameRate === undefined ? undefined : round3(video.FrameRate),
      bitDepth: video.BitDepth,
      bitRate: video.BitRate ?? video.BitRate_Nominal,
      scanType: video.ScanType,
    });
  }
  out.audio = audio.map((a) =>
    definedOnly<ProbeAudio>({
      codec: a.Format === undefined ? undefined : audioCodecName(a.Format),
      channels: a.Channels,
      sampleRate: a.SamplingRate,
      bitRate: a.BitRate ?? a.BitRate_Nominal,
      language: a.Language,
    }),
  );
  return out;
}
