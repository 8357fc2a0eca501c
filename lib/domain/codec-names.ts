/**
 * Codec names as MediaConvert writes them in its events and job settings (`H_264`, `AAC`, …), from the format
 * names MediaInfo reports (`AVC`, `AAC`, …). The probe stores MediaConvert's names, so a job record names a codec
 * the same way whether the fact came from an INPUT_INFORMATION event or from the probe. A name not in the tables
 * (a format MediaConvert has no name for, or one already in MediaConvert's spelling) is kept as it is.
 */

const VIDEO: Record<string, string> = {
  AVC: "H_264",
  HEVC: "H_265",
  "MPEG Video": "MPEG2",
  ProRes: "PRORES",
  VP8: "VP8",
  VP9: "VP9",
  AV1: "AV1",
  "MPEG-4 Visual": "MPEG4",
  "VC-3": "VC3",
};

const AUDIO: Record<string, string> = {
  AAC: "AAC",
  "AC-3": "AC3",
  "E-AC-3": "EAC3",
  PCM: "PCM",
  "MPEG Audio": "MP3",
  Opus: "OPUS",
  Vorbis: "VORBIS",
  FLAC: "FLAC",
};

/** MediaConvert's name for a video format MediaInfo names `format`. */
export function videoCodecName(format: string): string {
  return Object.hasOwn(VIDEO, format) ? VIDEO[format] : format;
}

/** MediaConvert's name for an audio format MediaInfo names `format`. */
export function audioCodecName(format: string): string {
  return Object.hasOwn(AUDIO, format) ? AUDIO[format] : format;
}
