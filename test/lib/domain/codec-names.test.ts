/**
 * One name per codec: the probe reports codecs as MediaConvert's events name them, so a job record says `H_264`
 * whether the fact came from INPUT_INFORMATION or from the probe.
 */
import { strict as assert } from "node:assert";
import { audioCodecName, videoCodecName } from "../../../lib/domain/codec-names";
import { parseReport, toProbeFields } from "../../../lib/probe/result";
import { fixture } from "../../support/fixtures";

function report(video: string, audio: string): string {
  return JSON.stringify({
    media: {
      track: [
        { "@type": "General", Format: "MPEG-4" },
        { "@type": "Video", Format: video, Width: "1920", Height: "1080" },
        { "@type": "Audio", Format: audio, Channels: "2" },
      ],
    },
  });
}

describe("codec names", () => {
  it("the probe of an H.264/AAC file names its codecs as the published INPUT_INFORMATION event does", () => {
    const event = fixture("input_information-awsdoc-1.json") as {
      detail: { inputDetails: Array<{ video?: Array<{ codec: string }>; audio?: Array<{ codec: string }> }> };
    };
    const details = event.detail.inputDetails[0];
    const fields = toProbeFields(parseReport(report("AVC", "AAC")));
    assert.equal(fields.video?.codec, details.video?.[0].codec);
    assert.equal(fields.audio[0].codec, details.audio?.[0].codec);
    assert.equal(fields.video?.codec, "H_264");
  });

  it("maps MediaInfo's format names, keeps names it has no entry for, and leaves MediaConvert's own names alone", () => {
    assert.equal(videoCodecName("HEVC"), "H_265");
    assert.equal(videoCodecName("MPEG Video"), "MPEG2");
    assert.equal(audioCodecName("E-AC-3"), "EAC3");
    assert.equal(audioCodecName("MPEG Audio"), "MP3");
    assert.equal(videoCodecName("FFV1"), "FFV1");
    assert.equal(videoCodecName("H_264"), "H_264");
    assert.equal(videoCodecName("constructor"), "constructor");
    const fields = toProbeFields(parseReport(report("HEVC", "E-AC-3")));
    assert.equal(fields.video?.codec, "H_265");
    assert.equal(fields.audio[0].codec, "EAC3");
  });
});
