/**
 * A known set of MediaConvert jobs for the history tests: each job is described by plain numbers (queue, created
 * time, queue wait, transcoding time, outcome, input), turned into EventBridge events (with duplicates and a late
 * INPUT_INFORMATION), and the expected answer of every named query is computed from the same plain numbers —
 * never from the pipeline's own output.
 */
import { parseEvent } from "../../lib/domain/events";
import type { JobRecord } from "../../lib/domain/job";
import type { ProbeResult } from "../../lib/domain/probe";
import * as reducer from "../../lib/domain/reducer";
import { makeStreamRecord, type StreamRecord } from "../../lib/domain/stream-record";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
const DAY1 = Date.UTC(2024, 2, 4, 9, 0, 0); // 2024-03-04 09:00Z
const DAY2 = Date.UTC(2024, 2, 5, 14, 0, 0); // 2024-03-05 14:00Z

export interface KnownJob {
  id: string;
  queue: "Default" | "Fast";
  createdAt: number;
  waitMs: number;
  /** Undefined: still running. */
  txMs?: number;
  outcome: "COMPLETE" | "ERROR" | "CANCELED" | "RUNNING";
  errorCode?: number;
  codec: string;
  width: number;
  height: number;
  durationMs: number;
  warnings: number[];
  /** INPUT_INFORMATION arrives after the terminal event. */
  lateInputInfo?: boolean;
}

function job(n: number, base: number, j: Omit<KnownJob, "id" | "createdAt"> & { offsetMs: number }): KnownJob {
  const createdAt = base + j.offsetMs;
  const suffix = `k${String(n).padStart(5, "0")}`;
  const { offsetMs: _o, ...rest } = j;
  return { id: `${createdAt}-${suffix}`, createdAt, ...rest };
}

export const KNOWN_JOBS: KnownJob[] = [
  job(1, DAY1, {
    offsetMs: 0,
    queue: "Default",
    waitMs: 2000,
    txMs: 60_000,
    outcome: "COMPLETE",
    codec: "H_264",
    width: 1920,
    height: 1080,
    durationMs: 120_000,
    warnings: [230005],
  }),
  job(2, DAY1, {
    offsetMs: 60_000,
    queue: "Default",
    waitMs: 5000,
    txMs: 30_000,
    outcome: "COMPLETE",
    codec: "H_264",
    width: 1920,
    height: 1080,
    durationMs: 30_000,
    warnings: [],
  }),
  job(3, DAY1, {
    offsetMs: 120_000,
    queue: "Default",
    waitMs: 1000,
    txMs: 90_000,
    outcome: "ERROR",
    errorCode: 1040,
    codec: "H_264",
    width: 1280,
    height: 720,
    durationMs: 50_000,
    warnings: [],
  }),
  job(4, DAY1, {
    offsetMs: 180_000,
    queue: "Fast",
    waitMs: 500,
    txMs: 20_000,
    outcome: "COMPLETE",
    codec: "HEVC",
    width: 3840,
    height: 2160,
    durationMs: 10_000,
    warnings: [],
  }),
  job(5, DAY1, {
    offsetMs: 240_000,
    queue: "Fast",
    waitMs: 800,
    txMs: 40_000,
    outcome: "COMPLETE",
    codec: "H_264",
    width: 1280,
    height: 720,
    durationMs: 160_000,
    warnings: [230001, 230001],
  }),
  job(6, DAY2, {
    offsetMs: 0,
    queue: "Fast",
    waitMs: 300,
    txMs: 10_000,
    outcome: "ERROR",
    errorCode: 1030,
    codec: "H_264",
    width: 1920,
    height: 1080,
    durationMs: 20_000,
    warnings: [],
  }),
  job(7, DAY2, {
    offsetMs: 60_000,
    queue: "Default",
    waitMs: 7000,
    txMs: 45_000,
    outcome: "COMPLETE",
    codec: "H_264",
    width: 1920,
    height: 1080,
    durationMs: 90_000,
    warnings: [230001],
    lateInputInfo: true,
  }),
  job(8, DAY2, {
    offsetMs: 120_000,
    queue: "Default",
    waitMs: 100,
    txMs: 5000,
    outcome: "CANCELED",
    codec: "H_264",
    width: 1920,
    height: 1080,
    durationMs: 40_000,
    warnings: [],
  }),
  job(9, DAY2, {
    offsetMs: 180_000,
    queue: "Fast",
    waitMs: 400,
    outcome: "RUNNING",
    codec: "H_264",
    width: 1920,
    height: 1080,
    durationMs: 40_000,
    warnings: [],
  }),
  job(10, DAY2, {
    offsetMs: 240_000,
    queue: "Default",
    waitMs: 2500,
    txMs: 70_000,
    outcome: "ERROR",
    errorCode: 1040,
    codec: "HEVC",
    width: 1920,
    height: 1080,
    durationMs: 60_000,
    warnings: [],
  }),
];

const queueArn = (q: string) => `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/${q}`;
const inputUri = (j: KnownJob) => `s3://mcjobs-inputs/known/${j.id}.mp4`;

function envelope(j: KnownJob, id: string, timestamp: number, status: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    version: "0",
    id,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: ACCOUNT,
    time: new Date(timestamp).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: REGION,
    resources: [`arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobs/${j.id}`],
    detail: {
      timestamp,
      accountId: ACCOUNT,
      queue: queueArn(j.queue),
      jobId: j.id,
      status,
      userMetadata: { application: "history-test" },
      ...extra,
    },
  };
}

/** Every distinct event of every job, in job order (callers shuffle). */
export function knownEvents(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const j of KNOWN_JOBS) {
    const start = j.createdAt + j.waitMs;
    const idOf = (what: string) => `${j.id}-${what}`;
    out.push(envelope(j, idOf("progressing"), start, "PROGRESSING", {}));
    const inputInfo = envelope(j, idOf("input"), j.lateInputInfo && j.txMs ? start + j.txMs + 1500 : start + 1000, "INPUT_INFORMATION", {
      inputDetails: [
        {
          id: 1,
          uri: inputUri(j),
          video: [
            {
              codec: j.codec,
              width: j.width,
              height: j.height,
              frameRate: 25,
              bitDepth: 8,
              colorFormat: "YUV_420",
              interlaceMode: "PROGRESSIVE",
              streamId: 1,
            },
          ],
          audio: [{ channels: 2, codec: "AAC", language: "UND", sampleRate: 48000, streamId: 2 }],
        },
      ],
    });
    out.push(inputInfo);
    out.push(
      envelope(j, idOf("status"), start + 2000, "STATUS_UPDATE", {
        framesDecoded: 50,
        jobProgress: {
          phaseProgress: {
            PROBING: { status: "COMPLETE", percentComplete: 100 },
            TRANSCODING: { status: "PROGRESSING", percentComplete: 10 },
            UPLOADING: { status: "PENDING", percentComplete: 0 },
          },
          jobPercentComplete: 12,
          currentPhase: "TRANSCODING",
          retryCount: 0,
        },
      }),
    );
    j.warnings.forEach(
      (code, k) =>
        void out.push(
          envelope(j, idOf(`warning-${k}`), start + 3000 + k, "NEW_WARNING", {
            warningCode: String(code),
            warningMessage: `warning ${code}`,
          }),
        ),
    );
    if (j.txMs !== undefined) {
      const end = start + j.txMs;
      if (j.outcome === "COMPLETE") {
        const counts = new Map<number, number>();
        for (const w of j.warnings) counts.set(w, (counts.get(w) ?? 0) + 1);
        out.push(
          envelope(j, idOf("complete"), end, "COMPLETE", {
            warnings: [...counts].map(([code, count]) => ({ code, count })),
            outputGroupDetails: [
              {
                outputDetails: [
                  {
                    outputFilePaths: [`s3://mcjobs-outputs/${j.id}.mp4`],
                    durationInMs: j.durationMs,
                    videoDetails: { widthInPx: j.width, heightInPx: j.height },
                  },
                ],
                type: "FILE_GROUP",
              },
            ],
          }),
        );
      } else if (j.outcome === "ERROR") {
        out.push(envelope(j, idOf("error"), end, "ERROR", { errorCode: j.errorCode, errorMessage: `failed with ${j.errorCode}` }));
      } else if (j.outcome === "CANCELED") {
        out.push(envelope(j, idOf("canceled"), end, "CANCELED", {}));
      }
    }
  }
  return out;
}

/** Re-deliveries (same EventBridge id, same content), as MediaConvert's at-least-once delivery produces. */
export function duplicatesOf(events: Record<string, unknown>[]): Record<string, unknown>[] {
  const ids = new Set([
    `${KNOWN_JOBS[0].id}-complete`,
    `${KNOWN_JOBS[2].id}-error`,
    `${KNOWN_JOBS[4].id}-warning-0`,
    `${KNOWN_JOBS[1].id}-status`,
  ]);
  return events.filter((e) => ids.has(String(e.id))).map((e) => JSON.parse(JSON.stringify(e)));
}

/** Deterministic shuffle (so events arrive out of order, the same way every run). */
export function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const k = s % (i + 1);
    [out[i], out[k]] = [out[k], out[i]];
  }
  return out;
}

/** What the probe would read from each known input (the S3 object is the AWS boundary). */
export function knownProbe(uri: string): ProbeResult {
  const j = KNOWN_JOBS.find((k) => inputUri(k) === uri);
  if (!j) throw new Error(`no known input at ${uri}`);
  return {
    container: "MPEG-4",
    durationMs: j.durationMs,
    fileSize: 1_000_000,
    video: { codec: j.codec, width: j.width, height: j.height, frameRate: 25 },
    audio: [{ codec: "AAC", channels: 2, sampleRate: 48000 }],
    bytesRead: 65536,
    requests: 1,
    complete: true,
    probedAt: 1,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Expected answers, from the plain numbers above.

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Nearest-rank percentile. */
export function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1];
}
const finished = () => KNOWN_JOBS.filter((j) => j.outcome !== "RUNNING");
const statusOf = (j: KnownJob) => (j.outcome === "RUNNING" ? "PROGRESSING" : j.outcome);

export function expectedJobsPerDay(): Record<string, unknown>[] {
  const m = new Map<string, number>();
  for (const j of KNOWN_JOBS) {
    const k = `${day(j.createdAt)}|${statusOf(j)}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, jobs]) => ({ day: k.split("|")[0], status: k.split("|")[1], jobs }));
}

export function expectedErrorRates(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const q of ["Default", "Fast"]) {
    const fin = finished().filter((j) => j.queue === q);
    const byCode = new Map<number, number>();
    for (const j of fin) if (j.outcome === "ERROR") byCode.set(j.errorCode!, (byCode.get(j.errorCode!) ?? 0) + 1);
    [...byCode]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .forEach(
        ([code, n]) =>
          void rows.push({
            queue_name: q,
            error_code: code,
            failed_jobs: n,
            finished_jobs: fin.length,
            error_rate: Math.round((n / fin.length) * 10_000) / 10_000,
          }),
      );
  }
  return rows;
}

export function expectedWaitAndTranscoding(): Record<string, unknown>[] {
  return ["Default", "Fast"].map((q) => {
    const fin = finished().filter((j) => j.queue === q);
    const waits = fin.map((j) => j.waitMs);
    const txs = fin.map((j) => j.txMs!);
    return {
      queue_name: q,
      jobs: fin.length,
      queue_wait_p50_ms: nearestRank(waits, 0.5),
      queue_wait_p90_ms: nearestRank(waits, 0.9),
      transcoding_p50_ms: nearestRank(txs, 0.5),
      transcoding_p90_ms: nearestRank(txs, 0.9),
    };
  });
}

export function expectedSpeed(): Record<string, unknown>[] {
  const groups = new Map<string, number[]>();
  for (const j of KNOWN_JOBS.filter((k) => k.outcome === "COMPLETE")) {
    const key = `${j.codec}|${j.width}x${j.height}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(j.durationMs / j.txMs!);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, speeds]) => ({
      input_video_codec: k.split("|")[0],
      input_resolution: k.split("|")[1],
      jobs: speeds.length,
      avg_speed: Math.round((speeds.reduce((a, b) => a + b, 0) / speeds.length) * 1000) / 1000,
      p50_speed: nearestRank(speeds, 0.5),
      min_speed: Math.min(...speeds),
    }));
}

export function expectedSlowest(): Record<string, unknown>[] {
  const byDay = new Map<string, KnownJob[]>();
  for (const j of finished()) {
    const d = day(j.createdAt + j.waitMs + j.txMs!);
    (byDay.get(d) ?? byDay.set(d, []).get(d)!).push(j);
  }
  const rows: Record<string, unknown>[] = [];
  for (const d of [...byDay.keys()].sort()) {
    byDay
      .get(d)!
      .sort((a, b) => b.txMs! - a.txMs! || (a.id < b.id ? -1 : 1))
      .slice(0, 10)
      .forEach(
        (j, k) =>
          void rows.push({
            day: d,
            slowest_rank: k + 1,
            job_id: j.id,
            status: j.outcome,
            queue_name: j.queue,
            transcoding_ms: j.txMs,
            queued_ms: j.waitMs,
          }),
      );
  }
  return rows;
}

export function expectedWarnings(): Record<string, unknown>[] {
  const occ = new Map<number, number>();
  const jobs = new Map<number, Set<string>>();
  for (const j of KNOWN_JOBS) {
    for (const code of j.warnings) {
      occ.set(code, (occ.get(code) ?? 0) + 1);
      (jobs.get(code) ?? jobs.set(code, new Set()).get(code)!).add(j.id);
    }
  }
  return [...occ]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([code, n]) => ({ warning_code: code, occurrences: n, jobs: jobs.get(code)!.size }));
}

/** Per-queue totals the analytics windows must add up to. */
export function expectedThroughput(): Record<
  string,
  { jobs_started: number; jobs_completed: number; jobs_failed: number; jobs_canceled: number }
> {
  const out: Record<string, { jobs_started: number; jobs_completed: number; jobs_failed: number; jobs_canceled: number }> = {};
  for (const j of KNOWN_JOBS) {
    out[j.queue] ??= { jobs_started: 0, jobs_completed: 0, jobs_failed: 0, jobs_canceled: 0 };
    const t = out[j.queue];
    t.jobs_started++;
    if (j.outcome === "COMPLETE") t.jobs_completed++;
    if (j.outcome === "ERROR") t.jobs_failed++;
    if (j.outcome === "CANCELED") t.jobs_canceled++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Stream records built with the domain reducer (what the collector writes)

const reducerFns = reducer as unknown as Record<string, ((s: reducer.JobState) => JobRecord) | undefined>;
export const toRecord = (reducerFns.recordOf ?? reducerFns.toJobRecord)!;

/** Stream records of one known job, one per event in time order, as the collector would write them. */
export function recordsOfJob(index: number): StreamRecord[] {
  const id = KNOWN_JOBS[index].id;
  const events = knownEvents()
    .filter((e) => (e.detail as { jobId: string }).jobId === id)
    .map((e) => {
      const p = parseEvent(e);
      if (!p.ok) throw new Error(p.reason);
      return p.event;
    })
    .sort((a, b) => a.timestamp - b.timestamp);
  let s: reducer.JobState | undefined;
  return events.map((e, k) => {
    s = reducer.applyEvent(s, e);
    const uri = e.status === "INPUT_INFORMATION" ? (e as { inputs: { uri?: string }[] }).inputs[0]?.uri : undefined;
    if (uri) s = reducer.withProbe(s, knownProbe(uri));
    return makeStreamRecord(e, toRecord(s), 1_700_000_000_000 + k);
  });
}
