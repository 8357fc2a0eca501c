/**
 * Jobs for the twin: `jobSubmitter` creates a job on the simulator the way the watch-folder handler would (no
 * watch folder), and the demo workload keeps jobs coming. With ffmpeg installed the demo takes the real path, a
 * small real file landing in the watch folder's `inputs/` every few seconds; without it the demo submits jobs
 * whose inputs do not exist (the simulator then makes up the input's facts and the collector records that the
 * probe failed).
 *
 * A 4-second clip is done within a second at the default speed, so on the real path the demo also drops one long
 * clip at the start: its job stays PROGRESSING for a minute or more, and whoever opens the dashboard or
 * /jobs/PROGRESSING right after `npm start` sees a job running. It is made in the background (about 2 s of
 * ffmpeg, once per state folder) while the short clips already flow, and jobs run side by side in the simulator,
 * so it holds nothing up.
 */
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as clients from "../../lib/adapters/clients";
import type { MediaConvertSimulator } from "./mediaconvert";

export type SubmitJob = (opts?: { input?: string; queue?: string; userMetadata?: Record<string, string> }) => Promise<string | undefined>;

export function jobSubmitter(o: {
  simulator: MediaConvertSimulator;
  roleArn: string;
  application: string;
  buckets: { watch: string; output: string };
}): SubmitJob {
  let jobs = 0;
  return async (opts = {}) => {
    const n = ++jobs;
    const job = await o.simulator.createJob({
      role: o.roleArn,
      queue: opts.queue,
      userMetadata: { application: o.application, source: "twin-demo", ...(opts.userMetadata ?? {}) },
      settings: {
        inputs: [{ fileInput: opts.input ?? `s3://${o.buckets.watch}/inputs/demo-${n}.mp4` }],
        outputGroups: [
          {
            name: "File Group",
            outputGroupSettings: {
              type: "FILE_GROUP_SETTINGS",
              fileGroupSettings: { destination: `s3://${o.buckets.output}/outputs/demo-${n}/` },
            },
            outputs: [{ containerSettings: { container: "MP4" }, videoDescription: { width: 1280, height: 720 } }],
          },
        ],
      },
    });
    return String(job.id);
  };
}

/** One demo job at once, then one every `everySeconds` (at least 0.2 s; default 4), spread over two queues. */
export function startDemoWorkload(o: {
  everySeconds?: number;
  twinDir: string;
  /** The stand-ins' environment. */
  env: Record<string, string>;
  watchBucket: string;
  submitJob: SubmitJob;
  log: (line: string) => void;
}): { stop(): Promise<void> } {
  const every = Math.max(0.2, o.everySeconds ?? 4) * 1000;
  const queues = ["Default", "Default", "Priority"];
  const sample = demoSample(o.twinDir, o.log);
  const s3 = clients.s3(o.env as NodeJS.ProcessEnv);
  let i = 0;
  let stopped = false;
  // Stopping the twin ends an ffmpeg still making the long clip.
  const making = new AbortController();
  if (sample) {
    void longDemoSample(o.twinDir, making.signal)
      .then(async (long) => {
        if (!long || stopped) return;
        const Body = fs.readFileSync(long);
        await s3.send(new PutObjectCommand({ Bucket: o.watchBucket, Key: `inputs/demo-long-${Date.now()}.mp4`, Body }));
      })
      .catch((err) => o.log(`demo long job: ${(err as Error).message}`));
  }
  const next = async () => {
    const queue = queues[i++ % queues.length];
    if (sample) {
      // The real path: a file lands in the watch folder, the watch-folder handler submits the job.
      await s3.send(
        new PutObjectCommand({ Bucket: o.watchBucket, Key: `inputs/demo-${Date.now()}-${i}.mp4`, Body: fs.readFileSync(sample) }),
      );
      return;
    }
    await o.submitJob({ queue });
  };
  const timer = setInterval(() => void next().catch((err) => o.log(`demo job: ${(err as Error).message}`)), every);
  void next().catch((err) => o.log(`demo job: ${(err as Error).message}`));
  return {
    async stop() {
      stopped = true;
      making.abort();
      clearInterval(timer);
      s3.destroy();
    },
  };
}

/** A small real media file for the demo, made once with ffmpeg under `<twinDir>/samples/`; undefined without ffmpeg. */
function demoSample(twinDir: string, log: (line: string) => void): string | undefined {
  const file = path.join(twinDir, "samples", "demo.mp4");
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const made = spawnSync(
    "ffmpeg",
    [
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=640x360:rate=25:duration=4",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:duration=4",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
      "-movflags",
      "+faststart",
      file,
    ],
    { stdio: "ignore", timeout: 60_000 },
  );
  if (made.error || made.status !== 0 || !fs.existsSync(file)) {
    fs.rmSync(file, { force: true });
    log("ffmpeg not available: demo jobs use made-up inputs");
    return undefined;
  }
  return file;
}

/**
 * Length of the long demo clip. A job's simulated transcoding takes 0.4 to 1.6 times its input's length, so at
 * the default speed (30 simulated seconds a second) an hour of input is PROGRESSING for about 50 s to 3 min.
 */
export const LONG_CLIP_SECONDS = 3600;

/**
 * The long demo clip under `<twinDir>/samples/`, made once with ffmpeg without blocking: tiny frames at one a
 * second and no audio keep it near 1 MB and its encoding near 2 s. Undefined when ffmpeg fails.
 */
function longDemoSample(twinDir: string, signal: AbortSignal): Promise<string | undefined> {
  const file = path.join(twinDir, "samples", "demo-long.mp4");
  if (fs.existsSync(file)) return Promise.resolve(file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written under a temporary name and renamed, so a stop mid-encode never leaves a cut file to reuse.
  const partial = `${file}.partial.mp4`;
  const args = [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=160x90:rate=1:duration=${LONG_CLIP_SECONDS}`,
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "40",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    partial,
  ];
  return new Promise((resolve) => {
    execFile("ffmpeg", args, { timeout: 120_000, signal }, (err) => {
      if (err || !fs.existsSync(partial)) {
        fs.rmSync(partial, { force: true });
        resolve(undefined);
        return;
      }
      fs.renameSync(partial, file);
      resolve(file);
    });
  });
}
