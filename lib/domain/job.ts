/**
 * The job record: one name for one thing. The Jobs table item, the API response body, the history `jobs` rows
 * and the dashboard all use these field names. Times are epoch milliseconds.
 *
 * Every other part relies on these names: add fields, never rename one.
 */
import type { ProbeResult } from "./probe";

/**
 * A stack's application name, stamped on its jobs as userMetadata.application: 1–30 letters, digits or hyphens,
 * starting with a letter (it also names resources).
 */
export const APPLICATION_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,29}$/;

/** Job statuses a record can be in. SUBMITTED is ours (MediaConvert sends no SUBMITTED event). */
export const JOB_STATUSES = ["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Terminal statuses: once reached, a job never goes back to SUBMITTED or PROGRESSING. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ["COMPLETE", "ERROR", "CANCELED"];

export const PHASES = ["PROBING", "TRANSCODING", "UPLOADING"] as const;
export type Phase = (typeof PHASES)[number];

export interface VideoStream {
  codec?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  bitDepth?: number;
  colorFormat?: string;
  interlaceMode?: string;
  bitRate?: number;
  [extra: string]: unknown;
}

export interface AudioStream {
  codec?: string;
  channels?: number;
  sampleRate?: number;
  language?: string;
  bitRate?: number;
  [extra: string]: unknown;
}

export interface JobInput {
  uri?: string;
  container?: string;
  durationMs?: number;
  /** Overall bitrate (bits/s), from the probe. */
  bitRate?: number;
  /** File size in bytes, from the probe. */
  fileSize?: number;
  video?: VideoStream;
  audio?: AudioStream[];
}

export interface JobOutput {
  groupType?: string;
  paths: string[];
  /** The output group's playlists/manifests (HLS, DASH, CMAF, Smooth), the same for every output of the group. */
  playlistPaths?: string[];
  durationMs?: number;
  width?: number;
  height?: number;
  averageBitrate?: number;
  qvbrAvgQuality?: number;
  qvbrMinQuality?: number;
  qvbrMaxQuality?: number;
}

export interface JobWarning {
  code: number;
  count: number;
  meaning?: string;
}

export interface JobError {
  code: number;
  message?: string;
  category: string;
  meaning?: string;
}

export interface QueueHop {
  at: number;
  previousQueue?: string;
  currentQueue?: string;
}

/** One input of a job's settings (CreateJob/GetJob), summarised. */
export interface JobSettingsInput {
  uri?: string;
  /** Input clippings as given (timecodes, HH:MM:SS:FF). */
  clipping?: { start?: string; end?: string }[];
}

/** One output group of a job's settings, summarised. */
export interface JobSettingsOutputGroup {
  name?: string;
  /** e.g. FILE_GROUP_SETTINGS, HLS_GROUP_SETTINGS. */
  type?: string;
  destination?: string;
  outputCount: number;
}

/** What the job was asked to do (from CreateJob/GetJob; events never carry it). */
export interface JobSettingsSummary {
  inputs: JobSettingsInput[];
  outputGroups: JobSettingsOutputGroup[];
  queue?: string;
  priority?: number;
  /** DISABLED | ENABLED | PREFERRED. */
  accelerationMode?: string;
  jobTemplate?: string;
  role?: string;
}

export interface JobRecord {
  jobId: string;
  arn?: string;
  accountId?: string;
  region?: string;
  /** Queue ARN. */
  queue?: string;
  /** Last path segment of the queue ARN, e.g. "Default". */
  queueName?: string;
  /** userMetadata.application: which stack/app submitted the job. */
  application?: string;
  userMetadata: Record<string, string>;
  status: JobStatus;
  /** Always present: the job id's epoch-ms prefix, else the earliest time we know of the job. */
  createdAt: number;
  submittedAt?: number;
  progressingAt?: number;
  finishedAt?: number;
  lastEventAt: number;
  percentComplete?: number;
  currentPhase?: Phase;
  phasePercentComplete?: Partial<Record<Phase, number>>;
  framesDecoded?: number;
  retryCount?: number;
  queuedMs?: number;
  transcodingMs?: number;
  etaMs?: number;
  estimatedFinishAt?: number;
  /**
   * Present (true) while a running job's progress has not moved across its last few STATUS_UPDATEs (rule in
   * lib/domain/stall.ts); there is then no etaMs/estimatedFinishAt.
   */
  stalled?: boolean;
  /** When the flat stretch began: the time of its first STATUS_UPDATE. */
  stalledSince?: number;
  /** Input duration ÷ transcoding time (× real time), when both are known. */
  speed?: number;
  /** Frames decoded per second of processing, from STATUS_UPDATE framesDecoded. */
  decodeFps?: number;
  input?: JobInput;
  outputs?: JobOutput[];
  warnings: JobWarning[];
  error?: JobError;
  queueHops: QueueHop[];
  /**
   * Distinct events folded into this record (duplicates never count). Includes our synthetic SUBMITTED record
   * (watch folder) and the GetJob backfill when they were applied.
   */
  eventCount: number;
  /** What the job was asked to do (CreateJob response or GetJob backfill), when known. */
  settings?: JobSettingsSummary;
  /** What the mediainfo probe learned about the input (fills input fields events lack). */
  probe?: ProbeResult;
}
