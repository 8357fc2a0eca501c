/**
 * Progress metrics derived from the job state: queue wait, transcoding time, speed and decode rate.
 * Pure functions of facts in the state (event times), never of the wall clock, so the record stays a function
 * of the set of events.
 *
 *   queuedMs      progressingAt − (submittedAt, else createdAt)            once the job has started
 *   transcodingMs (finishedAt, else lastEventAt) − progressingAt           once started; final when terminal
 *   speed         input duration ÷ transcodingMs                           COMPLETE jobs with a known duration (the
 *                                                                          probe's, else the longest output's)
 *   decodeFps     frames decoded per second between the first TRANSCODING sample and the latest sample
 *                 (else since progressingAt)
 */
import type { JobRecord, JobStatus } from "./job";
import type { FirstSample, ProgressSample } from "./eta";

/** The record's timing fields, plus what the reducer keeps for the rates. */
export type MetricsInput = Pick<JobRecord, "status" | "createdAt" | "submittedAt" | "progressingAt" | "finishedAt" | "lastEventAt"> & {
  inputDurationMs?: number;
  txFirst?: FirstSample;
  latest?: ProgressSample;
};

export interface Metrics {
  queuedMs?: number;
  transcodingMs?: number;
  speed?: number;
  decodeFps?: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function queuedMs(m: Pick<MetricsInput, "createdAt" | "submittedAt" | "progressingAt">): number | undefined {
  if (m.progressingAt === undefined) return undefined;
  return Math.max(0, m.progressingAt - (m.submittedAt ?? m.createdAt));
}

export function transcodingMs(m: Pick<MetricsInput, "progressingAt" | "finishedAt" | "lastEventAt">): number | undefined {
  if (m.progressingAt === undefined) return undefined;
  return Math.max(0, (m.finishedAt ?? m.lastEventAt) - m.progressingAt);
}

export function speed(status: JobStatus, inputDurationMs: number | undefined, txMs: number | undefined): number | undefined {
  if (status !== "COMPLETE" || !inputDurationMs || !txMs || inputDurationMs <= 0 || txMs <= 0) return undefined;
  return round(inputDurationMs / txMs, 3);
}

export function decodeFps(m: Pick<MetricsInput, "txFirst" | "latest" | "progressingAt">): number | undefined {
  const l = m.latest;
  if (!l || l.frames === undefined) return undefined;
  const f = m.txFirst;
  if (f && f.frames !== undefined && l.at > f.at && l.frames >= f.frames) {
    return round(((l.frames - f.frames) * 1000) / (l.at - f.at), 2);
  }
  if (m.progressingAt !== undefined && l.at > m.progressingAt) {
    return round((l.frames * 1000) / (l.at - m.progressingAt), 2);
  }
  return undefined;
}

export function computeMetrics(m: MetricsInput): Metrics {
  const tx = transcodingMs(m);
  const out: Metrics = {
    queuedMs: queuedMs(m),
    transcodingMs: tx,
    speed: speed(m.status, m.inputDurationMs, tx),
    decodeFps: decodeFps(m),
  };
  for (const k of Object.keys(out) as (keyof Metrics)[]) if (out[k] === undefined) delete out[k];
  return out;
}
