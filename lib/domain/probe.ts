/**
 * What the mediainfo probe learns about a job's input file. Pure type; the probe itself (mediainfo.js over
 * S3 ranged reads) lives in `lib/probe/`.
 */
export interface ProbeVideo {
  /** As MediaConvert names it (`H_264`, `H_265`, …; lib/domain/codec-names.ts), else MediaInfo's format name. */
  codec?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  bitDepth?: number;
  bitRate?: number;
  scanType?: string;
}

export interface ProbeAudio {
  /** As MediaConvert names it (`AAC`, `EAC3`, …), else MediaInfo's format name. */
  codec?: string;
  channels?: number;
  sampleRate?: number;
  bitRate?: number;
  language?: string;
}

export interface ProbeResult {
  /** Container format as MediaInfo names it, e.g. "MPEG-4", "MXF", "MPEG-TS". */
  container?: string;
  /** MediaInfo's profile of the container, e.g. "QuickTime" for a .mov, "Base Media" for an .mp4, "OP-1a". */
  containerProfile?: string;
  durationMs?: number;
  overallBitRate?: number;
  fileSize?: number;
  video?: ProbeVideo;
  audio: ProbeAudio[];
  /** Bytes fetched from storage to get this result. */
  bytesRead: number;
  /** Read requests issued (S3 ranged GETs). */
  requests: number;
  /**
   * False only when a required field is missing: container, duration, at least one video or audio track, and
   * for each track found its codec, plus width/height (video) and channels/sample rate (audio). A probe cut
   * short by its budget whose result has all of those is complete; so is any file MediaInfo read to its end
   * and fully understood. An unrecognised file is not.
   */
  complete: boolean;
  /** Set when the probe stopped before MediaInfo was done: which bound stopped it. */
  stoppedBy?: "budget" | "max-requests";
  /** Required fields missing from the result (empty when complete). */
  missing?: string[];
  probedAt: number;
}

/** Default byte budget of one probe: 4 MiB. */
export const DEFAULT_PROBE_BUDGET_BYTES = 4 * 1024 * 1024;
/** Default bound on read requests (S3 ranged GETs) of one probe. */
export const DEFAULT_PROBE_MAX_REQUESTS = 16;

/** Names of the required fields that `result` lacks (see `ProbeResult.complete`). Pure. */
export function missingProbeFields(result: Pick<ProbeResult, "container" | "durationMs" | "video" | "audio">): string[] {
  const missing: string[] = [];
  if (!result.container) missing.push("container");
  if (result.durationMs === undefined) missing.push("durationMs");
  if (result.video) {
    if (!result.video.codec) missing.push("video.codec");
    if (result.video.width === undefined) missing.push("video.width");
    if (result.video.height === undefined) missing.push("video.height");
  }
  result.audio.forEach((a, i) => {
    if (!a.codec) missing.push(`audio[${i}].codec`);
    if (a.channels === undefined) missing.push(`audio[${i}].channels`);
    if (a.sampleRate === undefined) missing.push(`audio[${i}].sampleRate`);
  });
  if (!result.video && result.audio.length === 0) missing.push("tracks");
  return missing;
}
