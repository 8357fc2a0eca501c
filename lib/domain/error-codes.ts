/**
 * MediaConvert error and warning codes → a category and a short meaning, so a person (and a dashboard) can tell
 * "fix the input" from "fix the IAM role" from "retry later" without looking the number up.
 * Source: the MediaConvert error-code reference (a copy is test/fixtures/mediaconvert-error-codes.md) (meanings rephrased here). Codes not in the table are
 * kept as they are and get the category "unknown": MediaConvert adds codes over time.
 * Pure data.
 */

export const ERROR_CATEGORIES = [
  "input", // the input file itself: unreadable, unsupported, corrupt, missing streams
  "settings", // the job's settings are invalid or contradict the input
  "acceleration", // accelerated transcoding cannot be used for this job
  "access", // permissions: IAM role, S3 bucket policy, KMS, input policy
  "storage", // S3 objects/buckets missing or writes failing, disk full
  "http-input", // fetching an HTTP(S) input failed
  "encryption", // DRM / SPEKE key server
  "watermarking", // Nielsen, NexGuard, Kantar
  "internal", // MediaConvert's own failures and timeouts
  "unknown",
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** One sentence per error category: what a person should look at. */
export const CATEGORY_MEANING: Readonly<Record<ErrorCategory, string>> = {
  input: "the input file itself could not be used (unreadable, unsupported, corrupt or missing streams): check the file",
  settings: "the job settings are invalid or do not fit this input: check the settings file",
  acceleration: "accelerated transcoding cannot be used for this job: turn it off or use PREFERRED",
  access: "MediaConvert was denied access (IAM role, bucket policy or KMS key): check the MediaConvert role",
  storage: "reading or writing S3 failed (missing object or bucket, or a failed write)",
  "http-input": "fetching an HTTP(S) input failed",
  encryption: "the DRM / SPEKE key server could not be used",
  watermarking: "the watermarking service (Nielsen, NexGuard, Kantar) failed",
  internal: "MediaConvert failed internally or timed out: submitting the job again usually works",
  unknown: "this code is not in the published list: see the MediaConvert error message",
};

export const WARNING_CATEGORIES = [
  "queue", // queue hopping
  "input", // imperfect input: truncated, missing metadata, undecodable parts
  "av-sync", // audio padded or dropped to keep sync
  "output", // output written differently than asked (range, bitrate, fonts, saliency)
  "storage", // S3 throttling on output writes
  "unknown",
] as const;
export type WarningCategory = (typeof WARNING_CATEGORIES)[number];

export interface CodeInfo<C extends string> {
  code: number;
  category: C;
  meaning: string;
  /** Whether re-submitting the same job unchanged could succeed (transient cause). */
  retryable?: boolean;
}

const E = (code: number, category: ErrorCategory, meaning: string, retryable = false): CodeInfo<ErrorCategory> => ({
  code,
  category,
  meaning,
  retryable,
});

export const ERROR_CODES: ReadonlyMap<number, CodeInfo<ErrorCategory>> = new Map(
  [
    E(
      1010,
      "input",
      "The input could not be opened: wrong path, unsupported container, corrupt file, or a bad manifest, caption or image input.",
    ),
    E(1020, "input", "The input opened but has no usable video (audio-only, wrong program/PID, or too few decodable frames)."),
    E(1021, "input", "An audio selector found no decodable audio in the input."),
    E(1022, "input", "The requested timecode source (for example embedded MDPM) is not in the input."),
    E(1030, "input", "The input's codec or container is not supported."),
    E(
      1040,
      "settings",
      "The job settings are invalid or incompatible (resolution/framerate to follow missing, bad level, odd size, same path for input and output).",
    ),
    E(1041, "acceleration", "These settings cannot run with accelerated transcoding."),
    E(1042, "acceleration", "The job is too short to gain from accelerated transcoding."),
    E(1043, "acceleration", "The inputs cannot be used with accelerated transcoding."),
    E(1050, "storage", "Disk full while writing (older code); fewer or shorter outputs help."),
    E(1056, "input", "An input or output file could not be opened (unreadable segment, unsupported MOV pixel format, …)."),
    E(1060, "settings", "The input clipping timecodes do not exist in the input (timecode source mismatch)."),
    E(1075, "input", "The demuxer could not parse the file structure (no moov box, bad AVC header, mismatched headers)."),
    E(1076, "input", "The input ends early: it is truncated."),
    E(1080, "settings", "The MXF output settings are invalid."),
    E(
      1091,
      "encryption",
      "Output encryption failed: the SPEKE key server call failed, the key was not found, or the role may not call it.",
      true,
    ),
    E(1092, "input", "An audio stream is present but cannot be decoded."),
    E(1093, "settings", "Audio description settings are wrong (AD data channel missing or invalid)."),
    E(1401, "access", "S3 denied access to the input or output (bucket policy, IAM role, KMS decrypt)."),
    E(1404, "storage", "The S3 object or bucket does not exist."),
    E(1432, "access", "The IAM role exists but lacks permissions or is otherwise invalid."),
    E(1433, "access", "The IAM role does not exist or MediaConvert cannot assume it."),
    E(1434, "access", "The IAM role's trust policy does not let MediaConvert assume it."),
    E(1507, "storage", "Disk full while writing (older code); fewer or shorter outputs help."),
    E(1515, "access", "The IAM role ARN is malformed or lacks permissions."),
    E(1517, "storage", "Writing outputs to S3 failed.", true),
    E(1522, "internal", "The job ran too long and MediaConvert stopped it.", true),
    E(1550, "internal", "Accelerated transcoding failed internally.", true),
    E(1601, "watermarking", "Nielsen watermarking failed."),
    E(1602, "watermarking", "NexGuard watermarking failed."),
    E(1603, "watermarking", "Kantar watermarking failed."),
    E(1700, "input", "The Dolby Vision metadata is invalid (preprocessor error)."),
    E(1999, "internal", "An unexpected internal error (includes A/V sync failures and memory exhaustion).", true),
    E(3400, "http-input", "The HLS input is malformed or too large (manifest over 16 MB, URL over 900 characters)."),
    E(3401, "http-input", "The HTTP(S) input requires authentication, which MediaConvert does not support."),
    E(3403, "http-input", "The HTTP server answered Forbidden for the input URL."),
    E(3404, "http-input", "The HTTP server answered Not Found for the input URL."),
    E(3408, "http-input", "Downloading the HTTP input failed (for example a timeout).", true),
    E(3450, "http-input", "The HTTP server failed or answered with an error.", true),
    E(3451, "http-input", "The HTTP server could not be reached.", true),
    E(3452, "http-input", "The input URL is malformed (for example it contains spaces)."),
    E(3453, "http-input", "The input URL redirects, and redirects are not followed."),
    E(3454, "http-input", "The input host name did not resolve (DNS).", true),
    E(3455, "http-input", "The TLS connection to the HTTPS input host failed."),
    E(3456, "http-input", "The input URL's server address is invalid."),
    E(3457, "access", "The account's input policy does not allow this input location."),
    E(3458, "http-input", "The HTTP server does not support ranged GET requests."),
    E(3999, "http-input", "An unexpected HTTP input error.", true),
  ].map((i) => [i.code, i]),
);

const W = (code: number, category: WarningCategory, meaning: string): CodeInfo<WarningCategory> => ({ code, category, meaning });

export const WARNING_CODES: ReadonlyMap<number, CodeInfo<WarningCategory>> = new Map(
  [
    W(100000, "queue", "The queue-hop wait time passed but the job could not move to its destination queue."),
    W(220000, "input", "The input is truncated or incomplete; the output may be shorter than expected."),
    W(230001, "input", "The input's color metadata is missing or incomplete, so its color space was not followed."),
    W(230002, "input", "Audio duration could not be corrected (bad stts table)."),
    W(230004, "input", "The input's mdhd media header atom is incomplete."),
    W(230005, "input", "The input's color sample-range metadata is missing."),
    W(230006, "input", "Part of the input audio could not be decoded."),
    W(230007, "input", "The fragmented MP4 input has MOOF fragments out of order."),
    W(230008, "input", "Part of the MP4 video could not be decoded (corrupt NAL units)."),
    W(240000, "av-sync", "At least 100 ms of silence was inserted to keep audio and video in sync."),
    W(240001, "av-sync", "At least 100 ms of audio was dropped to keep audio and video in sync."),
    W(240003, "output", "A full-range input was written as a limited-range HDR10+ output."),
    W(250001, "output", "A caption font is not supported; a generic font was used."),
    W(250002, "output", "The Dolby CBI input bitrate is not supported and was raised."),
    W(250003, "output", "Saliency-aware encoding could not be applied to some outputs (needs 720p or more and an HQ tuning level)."),
    W(260000, "output", "The transport-stream output bitrate was exceeded (decoder buffer underflow)."),
    W(270000, "storage", "S3 throttled output writes (503 Slow Down)."),
  ].map((i) => [i.code, i]),
);

/** Category and meaning of an error code; unknown codes are kept as they are with category "unknown". */
export function describeError(code: number): CodeInfo<ErrorCategory> {
  return ERROR_CODES.get(code) ?? { code, category: "unknown", meaning: `Error code ${code} is not in the published list.` };
}

/** Category and meaning of a warning code; unknown codes (including the documentation's 0) get "unknown". */
export function describeWarning(code: number): CodeInfo<WarningCategory> {
  return WARNING_CODES.get(code) ?? { code, category: "unknown", meaning: `Warning code ${code} is not in the published list.` };
}
