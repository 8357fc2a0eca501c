/**
 * What a job learns about its input: the facts its timeline is planned from (length, size, frame rate) and the
 * `inputDetails` entry of its INPUT_INFORMATION event. Taken from the probe when there is one, else made up from
 * the job's seeded generator. An input without video — the probe found none, or, with no probe answer, the file's
 * extension is an audio format's — has audio facts only: no size, no frame rate and no `video` in its details.
 */
import type { ProbeResult } from "../../../lib/domain/probe";
import { audioCodecName, videoCodecName } from "../../../lib/domain/codec-names";
import type { InputFacts } from "./outputs";
import type { Rng } from "./rng";

/** File extensions of audio-only formats MediaConvert reads. */
const AUDIO_EXTENSIONS = new Set(["aac", "ac3", "aif", "aiff", "eac3", "flac", "m4a", "mp2", "mp3", "oga", "ogg", "opus", "wav", "wma"]);

/** Whether the input holds no video, by what the probe found or, without a probe answer, by its extension. */
export function isAudioOnly(uri: string | undefined, probe: ProbeResult | undefined): boolean {
  if (probe) return probe.video === undefined && probe.audio.length > 0;
  const ext = /\.([A-Za-z0-9]+)$/.exec(uri ?? "")?.[1]?.toLowerCase();
  return ext !== undefined && AUDIO_EXTENSIONS.has(ext);
}

function audioDetails(audio: ProbeResult["audio"], firstStreamId: number): Array<Record<string, unknown>> {
  return audio.map((a, i) => ({
    channels: a.channels ?? 2,
    codec: audioCodecName(a.codec ?? "AAC"),
    language: (a.language ?? "UND").toUpperCase(),
    sampleRate: a.sampleRate ?? 48000,
    streamId: firstStreamId + i,
  }));
}

export function inputFacts(
  uri: string | undefined,
  probe: ProbeResult | undefined,
  rng: Rng,
): { facts: InputFacts; detail: Record<string, unknown> } {
  const audio = probe ? probe.audio : [{ codec: "AAC", channels: 2, sampleRate: 48000 }];
  if (isAudioOnly(uri, probe)) {
    const durationMs = probe?.durationMs ?? rng.int(20_000, 180_000);
    return { facts: { uri, durationMs }, detail: { audio: audioDetails(audio, 1) } };
  }
  const v = probe?.video;
  const width = v?.width ?? rng.pick([1280, 1920, 3840]);
  const height = v?.height ?? Math.round((width * 9) / 16);
  const frameRate = v?.frameRate ?? rng.pick([24, 25, 29.97, 30]);
  const durationMs = probe?.durationMs ?? rng.int(20_000, 180_000);
  return {
    facts: { uri, durationMs, width, height, frameRate },
    detail: {
      video: [
        {
          bitDepth: v?.bitDepth ?? 8,
          codec: videoCodecName(v?.codec ?? "H_264"),
          colorFormat: "YUV_420",
          fourCC: videoCodecName(v?.codec ?? "H_264") === "H_265" ? "hvc1" : "avc1",
          frameRate,
          height,
          interlaceMode: v?.scanType && /interlaced/i.test(v.scanType) ? "INTERLACED" : "PROGRESSIVE",
          sar: "1:1",
          standard: "UNSPECIFIED",
          streamId: 1,
          width,
        },
      ],
      audio: audioDetails(audio, 2),
    },
  };
}
