/**
 * Test media made with ffmpeg, once, into a cache folder (`.mcjobs/test-media/` at the repo root unless
 * MCJOBS_TEST_MEDIA_DIR says otherwise). Each file is keyed by a hash of its parameters, so a second call with
 * the same parameters returns the cached file at once, and two test runs in parallel never see a half-written
 * file (ffmpeg writes to a temp name that is renamed into place when done).
 *
 * Anyone may reuse this: `await makeMedia({ kind: "mp4-moov-end", seconds: 4 })` gives a path.
 */
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Containers the probe must handle. */
export type MediaKind = "mp4-faststart" | "mp4-moov-end" | "mov" | "mxf" | "ts";

export const MEDIA_KINDS: readonly MediaKind[] = ["mp4-faststart", "mp4-moov-end", "mov", "mxf", "ts"];

export interface MediaSpec {
  kind: MediaKind;
  /** Length in seconds (default 4). */
  seconds?: number;
  width?: number;
  height?: number;
  /** Frames per second; a fraction like "30000/1001" is allowed (default "25"). */
  fps?: string;
  /** Video bit rate in bits/s (default 2 Mb/s). Raise it to make big files quickly. */
  videoBitRate?: number;
  /**
   * Lossless H.264 (`-qp 0`) instead of a target bit rate: the quickest way to a big file (about 1.7 MB per
   * second of 1280x720). Ignored for MXF, whose MPEG-2 video takes `videoBitRate` as is.
   */
  lossless?: boolean;
  /**
   * Another video codec than the container's usual one (H.264; MPEG-2 in MXF), with PCM audio for ProRes and
   * DNxHR as editing files carry: "prores" (422, in MOV), "dnxhr" (LB, in MXF or MOV), "hevc" (in MP4/MOV/TS).
   */
  videoCodec?: "prores" | "dnxhr" | "hevc";
  /** Audio channels; 0 for no audio track (default 2). */
  audioChannels?: number;
  /** Audio sample rate (default 48000). */
  sampleRate?: number;
}

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export function mediaCacheDir(): string {
  return path.resolve(process.env.MCJOBS_TEST_MEDIA_DIR ?? path.join(REPO_ROOT, ".mcjobs", "test-media"));
}

let ffmpegChecked = false;
function assertFfmpeg(): void {
  if (ffmpegChecked) return;
  const r = spawnSync("ffmpeg", ["-hide_banner", "-version"], { stdio: "ignore" });
  if (r.error || r.status !== 0) {
    throw new Error("ffmpeg is needed to make test media but was not found on PATH (Debian/Ubuntu: `apt-get install ffmpeg`).");
  }
  ffmpegChecked = true;
}

function normalise(spec: MediaSpec): Required<MediaSpec> {
  return {
    kind: spec.kind,
    seconds: spec.seconds ?? 4,
    width: spec.width ?? 640,
    height: spec.height ?? 360,
    fps: spec.fps ?? "25",
    videoBitRate: spec.videoBitRate ?? 2_000_000,
    lossless: spec.lossless ?? false,
    videoCodec: spec.videoCodec as NonNullable<MediaSpec["videoCodec"]>,
    audioChannels: spec.audioChannels ?? 2,
    sampleRate: spec.sampleRate ?? 48_000,
  };
}

function extension(kind: MediaKind): string {
  switch (kind) {
    case "mp4-faststart":
    case "mp4-moov-end":
      return "mp4";
    case "mov":
      return "mov";
    case "mxf":
      return "mxf";
    case "ts":
      return "ts";
  }
}

/** The ffmpeg arguments (without the output path) that make a file for `spec`. */
export function ffmpegArgs(spec: MediaSpec): string[] {
  const s = normalise(spec);
  const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"];
  // testsrc2 is cheap to render and not trivially compressible, so bit rates hold.
  args.push("-f", "lavfi", "-i", `testsrc2=size=${s.width}x${s.height}:rate=${s.fps}`);
  if (s.audioChannels > 0) {
    args.push("-f", "lavfi", "-i", `sine=frequency=440:sample_rate=${s.sampleRate}`);
  }
  args.push("-t", String(s.seconds), "-map", "0:v");
  if (s.audioChannels > 0) args.push("-map", "1:a");
  const rate = String(s.videoBitRate);
  if (s.videoCodec === "prores" || s.videoCodec === "dnxhr") {
    if (s.videoCodec === "prores") args.push("-c:v", "prores", "-profile:v", "2", "-pix_fmt", "yuv422p10le");
    else args.push("-c:v", "dnxhd", "-profile:v", "dnxhr_lb", "-pix_fmt", "yuv422p");
    if (s.audioChannels > 0) args.push("-c:a", "pcm_s24le", "-ac", String(s.audioChannels));
  } else if (s.videoCodec === "hevc") {
    args.push("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-b:v", rate);
    if (s.kind === "mp4-faststart" || s.kind === "mp4-moov-end" || s.kind === "mov") args.push("-tag:v", "hvc1");
    if (s.audioChannels > 0) args.push("-c:a", "aac", "-b:a", "128k", "-ac", String(s.audioChannels));
  } else if (s.kind === "mxf") {
    // MXF OP1a: MPEG-2 video (intra-only keeps encoding fast) with PCM audio, as broadcast files usually are.
    args.push("-c:v", "mpeg2video", "-g", "1", "-b:v", rate, "-minrate", rate, "-maxrate", rate);
    args.push("-bufsize", String(Math.max(2_000_000, Math.round(s.videoBitRate / 2))));
    if (s.audioChannels > 0) args.push("-c:a", "pcm_s16le", "-ac", String(s.audioChannels));
  } else {
    args.push("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
    if (s.lossless) args.push("-qp", "0");
    else args.push("-b:v", rate, "-maxrate", rate, "-bufsize", rate);
    if (s.audioChannels > 0) args.push("-c:a", "aac", "-b:a", "128k", "-ac", String(s.audioChannels));
  }
  if (s.kind === "mp4-faststart") args.push("-movflags", "+faststart");
  // Name the muxer: the file is written under a temp name with no media extension.
  args.push("-f", { "mp4-faststart": "mp4", "mp4-moov-end": "mp4", mov: "mov", mxf: "mxf", ts: "mpegts" }[s.kind]);
  return args;
}

function keyFor(spec: MediaSpec): string {
  const s = normalise(spec);
  const hash = crypto
    .createHash("sha256")
    .update(JSON.stringify(ffmpegArgs(s)))
    .digest("hex")
    .slice(0, 12);
  return `${s.kind}-${s.width}x${s.height}-${s.seconds}s-${hash}.${extension(s.kind)}`;
}

/** Path the file for `spec` has (or will have) in the cache. */
export function mediaPath(spec: MediaSpec): string {
  return path.join(mediaCacheDir(), keyFor(spec));
}

const inFlight = new Map<string, Promise<string>>();

/** Makes (or reuses) a media file for `spec` and returns its absolute path. */
export function makeMedia(spec: MediaSpec): Promise<string> {
  const target = mediaPath(spec);
  if (fs.existsSync(target)) return Promise.resolve(target);
  const pending = inFlight.get(target);
  if (pending) return pending;
  const job = (async () => {
    assertFfmpeg();
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.part`;
    const args = [...ffmpegArgs(spec), tmp];
    await new Promise<void>((resolve, reject) => {
      const child = spawn("ffmpeg", args, { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.once("error", reject);
      child.once("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`ffmpeg failed (${code}) making ${target}:\n${err.trim()}`)),
      );
    });
    fs.renameSync(tmp, target);
    return target;
  })().finally(() => inFlight.delete(target));
  inFlight.set(target, job);
  return job;
}
