/**
 * What the mediainfo probe learns about a job's input file. Pure type; the probe itself (mediainfo.js over
 * S3 ranged reads) lives in `probe/`. OWNER: probe engineer.
 */
export interface ProbeVideo {
  codec?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  bitDepth?: number;
  bitRate?: number;
  scanType?: string;
}

export interface ProbeAudio {
  codec?: string;
  channels?: number;
  sampleRate?: number;
  bitRate?: number;
  language?: string;
}

export interface ProbeResult {
  /** Container format as MediaInfo names it, e.g. "MPEG-4", "QuickTime", "MXF", "MPEG-TS". */
  container?: string;
  durationMs?: number;
  overallBitRate?: number;
  fileSize?: number;
  video?: ProbeVideo;
  audio: ProbeAudio[];
  /** Bytes fetched from storage to get this result. */
  bytesRead: number;
  /** Read requests issued (S3 ranged GETs). */
  requests: number;
  /** False when the byte budget ran out before MediaInfo finished; fields may then be missing. */
  complete: boolean;
  probedAt: number;
}
