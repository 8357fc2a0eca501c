/**
 * The job the watch folder runs when `jobs/` holds no settings file: an HLS ladder for streaming (1080p, 720p,
 * 540p, 360p, QVBR H.264 with AAC stereo, 6-second segments), one MP4 for download (720p) and JPEG thumbnails
 * (one every 10 seconds, at most 20). Written in the settings-file format (see settings.ts), so it goes through
 * the same validation and request building as a user's file; destinations and the file input are filled in per
 * upload.
 */
import type { SettingsFile } from "./settings";

/** Name the default job carries in results, logs, userMetadata.settings and output paths. */
export const DEFAULT_SETTINGS_NAME = "default";

const aac = {
  AudioSourceName: "Audio Selector 1",
  CodecSettings: { Codec: "AAC", AacSettings: { Bitrate: 96000, CodingMode: "CODING_MODE_2_0", SampleRate: 48000 } },
};

function h264(width: number, height: number, maxBitrate: number, quality: number) {
  return {
    Width: width,
    Height: height,
    ScalingBehavior: "DEFAULT",
    CodecSettings: {
      Codec: "H_264",
      H264Settings: {
        RateControlMode: "QVBR",
        QvbrSettings: { QvbrQualityLevel: quality },
        MaxBitrate: maxBitrate,
        GopSize: 2,
        GopSizeUnits: "SECONDS",
        SceneChangeDetect: "TRANSITION_DETECTION",
        CodecProfile: "HIGH",
        CodecLevel: "AUTO",
      },
    },
  };
}

const rung = (suffix: string, width: number, height: number, maxBitrate: number, quality: number) => ({
  NameModifier: suffix,
  ContainerSettings: { Container: "M3U8", M3u8Settings: {} },
  VideoDescription: h264(width, height, maxBitrate, quality),
  AudioDescriptions: [aac],
});

export const DEFAULT_JOB: SettingsFile = {
  Settings: {
    TimecodeConfig: { Source: "ZEROBASED" },
    Inputs: [
      {
        AudioSelectors: { "Audio Selector 1": { DefaultSelection: "DEFAULT" } },
        VideoSelector: {},
        TimecodeSource: "ZEROBASED",
      },
    ],
    OutputGroups: [
      {
        Name: "HLS",
        OutputGroupSettings: {
          Type: "HLS_GROUP_SETTINGS",
          HlsGroupSettings: { SegmentLength: 6, MinSegmentLength: 0, SegmentControl: "SEGMENTED_FILES", ManifestDurationFormat: "INTEGER" },
        },
        Outputs: [
          rung("_1080p", 1920, 1080, 6_000_000, 8),
          rung("_720p", 1280, 720, 3_500_000, 7),
          rung("_540p", 960, 540, 2_000_000, 7),
          rung("_360p", 640, 360, 1_000_000, 7),
        ],
      },
      {
        Name: "MP4",
        OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", FileGroupSettings: {} },
        Outputs: [
          {
            NameModifier: "_720p",
            ContainerSettings: { Container: "MP4", Mp4Settings: {} },
            VideoDescription: h264(1280, 720, 5_000_000, 7),
            AudioDescriptions: [aac],
          },
        ],
      },
      {
        Name: "Thumbnails",
        OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", FileGroupSettings: {} },
        Outputs: [
          {
            NameModifier: "_thumb",
            ContainerSettings: { Container: "RAW" },
            VideoDescription: {
              Width: 640,
              Height: 360,
              ScalingBehavior: "DEFAULT",
              CodecSettings: {
                Codec: "FRAME_CAPTURE",
                FrameCaptureSettings: { FramerateNumerator: 1, FramerateDenominator: 10, MaxCaptures: 20, Quality: 80 },
              },
            },
          },
        ],
      },
    ],
  },
};
