/**
 * The error codes and warnings simulated jobs raise: codes from MediaConvert's error reference, each error with the
 * phase it happens in and a message worded like the service's.
 */

export interface JobErrorKind {
  code: number;
  phase: "PROBING" | "TRANSCODING" | "UPLOADING";
  message: (inputUri: string) => string;
}

export const JOB_ERRORS: JobErrorKind[] = [
  { code: 1010, phase: "PROBING", message: (u) => `Failed to open input file [${u}]: [Failed probe/open: [Can't read input stream]]` },
  { code: 1020, phase: "PROBING", message: (u) => `No video frames decoded on [${u}]` },
  { code: 1030, phase: "PROBING", message: () => "Video codec [png] is not a supported input video codec" },
  { code: 1040, phase: "TRANSCODING", message: () => "Invalid job settings: resolution must be a multiple of 2" },
  { code: 1076, phase: "TRANSCODING", message: (u) => `Unexpected end of file while reading [${u}]` },
  { code: 1401, phase: "PROBING", message: (u) => `Unable to open input file [${u}]: [Failed probe/open: [Access Denied]]` },
  { code: 1404, phase: "PROBING", message: (u) => `Unable to open input file [${u}]: [HeadObject failed]` },
  { code: 1517, phase: "UPLOADING", message: () => "Unable to write to output file: S3 write failed" },
  { code: 1999, phase: "TRANSCODING", message: () => "An unexpected error occurred" },
];

export const JOB_WARNINGS: Array<{ code: number; message: string }> = [
  { code: 230001, message: "Input color metadata is missing or incomplete; the color space settings were not followed." },
  { code: 230005, message: "Input color sample range metadata is missing." },
  { code: 220000, message: "Input is truncated or incomplete; output may be shorter than expected." },
  { code: 230006, message: "Part of the input audio could not be decoded." },
];
