/**
 * MediaConvert GetJob, for jobs the collector first sees through an event with no settings on record (created
 * by the console or another tool). Bounded and cached:
 *
 * - one call per job per container: successes and final failures (denied, not found) are cached in memory, and
 *   concurrent asks for the same job share one in-flight call; the cache is an LRU of bounded size;
 * - each call has a deadline (AbortSignal) and the client's own retry budget, so a slow MediaConvert cannot eat
 *   the invocation;
 * - failures never throw: they come back classified (throttled, denied, not-found, timeout, error) with the
 *   service's message, so the caller can log the reason and carry on without the settings.
 *
 * The cross-container "only once" guarantee is the caller's: it claims the job item conditionally first.
 */
import { GetJobCommand, type Job, type MediaConvertClient } from "@aws-sdk/client-mediaconvert";

export type JobDetailsFailure = "throttled" | "denied" | "not-found" | "timeout" | "error";

export type JobDetailsResult =
  | { ok: true; job: Job; fromCache: boolean }
  | { ok: false; kind: JobDetailsFailure; reason: string; fromCache: boolean };

export interface JobDetailsFetcher {
  get(jobId: string): Promise<JobDetailsResult>;
  /** GetJob calls actually sent (cache hits excluded). */
  readonly calls: number;
}

export interface JobDetailsOptions {
  /** Deadline per GetJob call (default 3 s). */
  timeoutMs?: number;
  /** Jobs remembered per container (default 2,000). */
  cacheSize?: number;
  /** Final failures (denied, not found) are remembered this long (default 5 min). */
  failureTtlMs?: number;
  now?: () => number;
}

export function classifyJobDetailsError(err: unknown): { kind: JobDetailsFailure; reason: string } {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? "Error";
  const message = e?.message ?? String(err);
  const status = e?.$metadata?.httpStatusCode;
  const reason = `${name}${status ? ` (HTTP ${status})` : ""}: ${message}`;
  if (name === "TooManyRequestsException" || name === "ThrottlingException" || status === 429) return { kind: "throttled", reason };
  if (name === "ForbiddenException" || name === "AccessDeniedException" || status === 403) return { kind: "denied", reason };
  if (name === "NotFoundException" || status === 404) return { kind: "not-found", reason };
  if (name === "AbortError" || name === "TimeoutError") return { kind: "timeout", reason };
  return { kind: "error", reason };
}

export function mediaConvertJobDetails(client: MediaConvertClient, opts: JobDetailsOptions = {}): JobDetailsFetcher {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const cacheSize = opts.cacheSize ?? 2000;
  const failureTtlMs = opts.failureTtlMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  // Map keeps insertion order: re-inserting on hit makes it an LRU.
  const cache = new Map<string, { at: number; result: Promise<JobDetailsResult> }>();
  let calls = 0;

  async function fetch(jobId: string): Promise<JobDetailsResult> {
    calls++;
    try {
      const res = await client.send(new GetJobCommand({ Id: jobId }), { abortSignal: AbortSignal.timeout(timeoutMs) });
      if (!res.Job) return { ok: false, kind: "error", reason: "GetJob answered without a Job", fromCache: false };
      return { ok: true, job: res.Job, fromCache: false };
    } catch (err) {
      return { ok: false, ...classifyJobDetailsError(err), fromCache: false };
    }
  }

  return {
    get calls() {
      return calls;
    },
    async get(jobId) {
      const hit = cache.get(jobId);
      if (hit) {
        const result = await hit.result;
        // Successes and final failures (denied, not found) are kept; a throttled or timed-out call is not, so the
        // caller's next (bounded) attempt really asks again.
        const final = result.ok || result.kind === "denied" || result.kind === "not-found";
        const fresh = final && (result.ok || now() - hit.at < failureTtlMs);
        if (fresh) {
          cache.delete(jobId);
          cache.set(jobId, hit);
          return { ...result, fromCache: true };
        }
        cache.delete(jobId);
      }
      const entry = { at: now(), result: fetch(jobId) };
      cache.set(jobId, entry);
      while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      return entry.result;
    },
  };
}
