/**
 * MediaConvert job ids for tests, in the real shape (lib/domain/arns.ts): the creation time as 13 digits of epoch
 * ms, a hyphen, 6 lower-case letters or digits. `jobId(time, n)` is the n-th job of that millisecond; the same
 * arguments always give the same id, and different counters give different ids.
 */
import { JOB_ID_PATTERN } from "../../lib/domain/arns";

/** The counter's base-36 digits, left-padded to 6: up to 36^6 - 1 distinct ids per millisecond. */
export function jobId(timeMs: number, n = 0): string {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > 9_999_999_999_999) throw new Error(`jobId: ${timeMs} is not an epoch-ms time`);
  if (!Number.isInteger(n) || n < 0 || n >= 36 ** 6) throw new Error(`jobId: counter ${n} is not a whole number below 36^6`);
  const id = `${String(timeMs).padStart(13, "0")}-${n.toString(36).padStart(6, "0")}`;
  if (!JOB_ID_PATTERN.test(id)) throw new Error(`jobId: built ${id}, which is not a job id`);
  return id;
}

/** `count` ids of jobs created one millisecond apart from `fromMs` (each with counter 0). */
export function jobIds(fromMs: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => jobId(fromMs + i));
}

/**
 * Counters for `jobId` that also differ between test processes (the pid in the high digits, 100,000 ids per
 * process), for suites that share one DynamoDB Local across runs.
 */
export function processCounter(): () => number {
  const base = (process.pid % 20_000) * 100_000;
  let n = 0;
  return () => base + (n++ % 100_000);
}
