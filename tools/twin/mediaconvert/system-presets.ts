/**
 * The system presets the simulated account lists: MediaConvert's HLS renditions at the sizes of the bundled default
 * job's ladder (lib/watch-folder/default-job.ts: 1080p, 720p, 540p, 360p), as the wire carries them (camelCase).
 * Their names are MediaConvert's; their settings are a reduced, plausible version of each rendition (H.264 with
 * AAC stereo in an M3U8 container), enough for an output naming one of them to plan its outputs.
 */

export interface SystemPresetSpec {
  name: string;
  description: string;
  width: number;
  height: number;
  bitrate: number;
}

const ladder: SystemPresetSpec[] = [
  {
    name: "System-Ott_Hls_Ts_Avc_Aac_16x9_1920x1080p_30Hz_8.5Mbps",
    description: "1080p HLS rendition",
    width: 1920,
    height: 1080,
    bitrate: 8_500_000,
  },
  {
    name: "System-Ott_Hls_Ts_Avc_Aac_16x9_1280x720p_30Hz_5.0Mbps",
    description: "720p HLS rendition",
    width: 1280,
    height: 720,
    bitrate: 5_000_000,
  },
  {
    name: "System-Ott_Hls_Ts_Avc_Aac_16x9_1280x720p_30Hz_3.5Mbps",
    description: "720p HLS rendition",
    width: 1280,
    height: 720,
    bitrate: 3_500_000,
  },
  {
    name: "System-Ott_Hls_Ts_Avc_Aac_16x9_960x540p_30Hz_3.5Mbps",
    description: "540p HLS rendition",
    width: 960,
    height: 540,
    bitrate: 3_500_000,
  },
  {
    name: "System-Ott_Hls_Ts_Avc_Aac_16x9_640x360p_30Hz_1.2Mbps",
    description: "360p HLS rendition",
    width: 640,
    height: 360,
    bitrate: 1_200_000,
  },
];

export const SYSTEM_PRESETS = ladder;

/** The preset's `settings` (PresetSettings, wire names). */
export function systemPresetSettings(p: SystemPresetSpec): Record<string, unknown> {
  return {
    containerSettings: { container: "M3U8", m3u8Settings: {} },
    videoDescription: {
      width: p.width,
      height: p.height,
      scalingBehavior: "DEFAULT",
      codecSettings: {
        codec: "H_264",
        h264Settings: {
          rateControlMode: "CBR",
          bitrate: p.bitrate,
          codecProfile: "MAIN",
          codecLevel: "AUTO",
          gopSize: 2,
          gopSizeUnits: "SECONDS",
        },
      },
    },
    audioDescriptions: [
      {
        audioSourceName: "Audio Selector 1",
        codecSettings: { codec: "AAC", aacSettings: { bitrate: 96_000, codingMode: "CODING_MODE_2_0", sampleRate: 48_000 } },
      },
    ],
  };
}
