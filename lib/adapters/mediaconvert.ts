/**
 * MediaConvert CreateJob and GetJob for the watch folder: a thin wrapper over `@aws-sdk/client-mediaconvert`
 * that hands back the SDK's `Job` (validated later by lib/domain/job-source.ts) and names a failure by the operation
 * and the service's error, so the handler's log line says what went wrong without a stack trace.
 *
 * And the reconciler's reads (`mediaConvertSweep`): ListQueues, ListJobs newest first down to a time, and GetJob
 * for many jobs at once. Every call goes through one limiter per sweep: at most `concurrency` calls in flight,
 * started no faster than `ratePerSecond`, and a throttled call (TooManyRequestsException, HTTP 429) pauses every
 * caller for a jittered, doubling back-off before it is tried again, up to `maxAttempts` times. The SDK's own
 * standard retry strategy still runs inside each call; the limiter is what slows the sweep as a whole down, so
 * it does not keep spending MediaConvert's per-account request rate that the watch folder's CreateJob needs.
 */
import {
  CreateJobCommand,
  GetJobCommand,
  ListJobsCommand,
  ListQueuesCommand,
  type CreateJobCommandInput,
  type CreateJobCommandOutput,
  type Job,
  type MediaConvertClient,
} from "@aws-sdk/client-mediaconvert";
import type { CreateJobInput } from "../watch-folder/request";

export interface MediaConvertJobs {
  createJob(request: CreateJobInput): Promise<Job>;
  /** Undefined when the job does not exist (deleted, or another account's). */
  getJob(jobId: string): Promise<Job | undefined>;
}

export class MediaConvertCallError extends Error {
  constructor(
    readonly operation: "CreateJob" | "GetJob",
    override readonly cause: unknown,
  ) {
    const e = cause as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e?.$metadata?.httpStatusCode;
    super(`MediaConvert ${operation} failed: ${e?.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${e?.message ?? String(cause)}`);
    this.name = "MediaConvertCallError";
  }
}

export function mediaConvertJobs(client: MediaConvertClient, opts: { timeoutMs?: number } = {}): MediaConvertJobs {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async createJob(request) {
      let res: CreateJobCommandOutput;
      try {
        res = await client.send(new CreateJobCommand(request as unknown as CreateJobCommandInput), {
          abortSignal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new MediaConvertCallError("CreateJob", err);
      }
      if (!res.Job?.Id) throw new MediaConvertCallError("CreateJob", new Error("the answer carried no Job"));
      return res.Job;
    },
    async getJob(jobId) {
      try {
        const res = await client.send(new GetJobCommand({ Id: jobId }), { abortSignal: AbortSignal.timeout(timeoutMs) });
        return res.Job;
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e?.name === "NotFoundException" || e?.$metadata?.httpStatusCode === 404) return undefined;
        throw new MediaConvertCallError("GetJob", err);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The reconciler's reads

/** What GetJob said about one job. */
export type GetJobOutcome = { kind: "found"; job: Job } | { kind: "not-found" } | { kind: "failed"; throttled: boolean; reason: string };

export interface MediaConvertSweep {
  /** ARNs of every queue of the account in this region. */
  listQueues(): Promise<string[]>;
  /** The queue's jobs created at or after `since` (epoch ms), newest first. */
  listJobsSince(queueArn: string, since: number): Promise<Job[]>;
  /** GetJob for each id, through the limiter; never rejects (failures are outcomes). */
  getJobs(ids: readonly string[]): Promise<Map<string, GetJobOutcome>>;
  /** Calls throttled so far (each one was backed off and retried while attempts were left). */
  readonly throttled: number;
}

export interface SweepLimits {
  /** Calls in flight at most (default 4). */
  concurrency?: number;
  /** Calls started per second at most (default 10). */
  ratePerSecond?: number;
  /** Attempts per call when throttled (default 5). */
  maxAttempts?: number;
  /** First back-off after a throttled call (default 250 ms); doubles per attempt, at most 8 s. */
  baseDelayMs?: number;
  /** Deadline per call (default 10 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export function isThrottling(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "TooManyRequestsException" || e?.name === "ThrottlingException" || e?.$metadata?.httpStatusCode === 429;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFoundException" || e?.$metadata?.httpStatusCode === 404;
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
}

const epochMs = (d: Date | undefined): number | undefined => (d instanceof Date ? d.getTime() : undefined);

export function mediaConvertSweep(client: MediaConvertClient, limits: SweepLimits = {}): MediaConvertSweep {
  const concurrency = Math.max(1, limits.concurrency ?? 4);
  const spacingMs = 1000 / Math.max(0.1, limits.ratePerSecond ?? 10);
  const maxAttempts = Math.max(1, limits.maxAttempts ?? 5);
  const baseDelayMs = limits.baseDelayMs ?? 250;
  const timeoutMs = limits.timeoutMs ?? 10_000;
  const sleep = limits.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = limits.random ?? Math.random;
  let nextStart = 0;
  let pausedUntil = 0;
  let throttled = 0;

  /** One call: waits for its turn (rate and any pause), retries throttling with back-off. */
  async function call<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const now = Date.now();
      const start = Math.max(now, nextStart, pausedUntil);
      nextStart = start + spacingMs;
      if (start > now) await sleep(start - now);
      try {
        return await send(AbortSignal.timeout(timeoutMs));
      } catch (err) {
        if (!isThrottling(err)) throw err;
        throttled++;
        if (attempt >= maxAttempts) throw err;
        const backoff = Math.min(8000, baseDelayMs * 2 ** (attempt - 1));
        pausedUntil = Math.max(pausedUntil, Date.now() + backoff / 2 + random() * (backoff / 2));
      }
    }
  }

  return {
    get throttled() {
      return throttled;
    },
    async listQueues() {
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const res = await call((abortSignal) => client.send(new ListQueuesCommand({ MaxResults: 20, NextToken: token }), { abortSignal }));
        for (const q of res.Queues ?? []) if (q.Arn) arns.push(q.Arn);
        token = res.NextToken;
      } while (token);
      return arns;
    },
    async listJobsSince(queueArn, since) {
      const jobs: Job[] = [];
      let token: string | undefined;
      for (;;) {
        const res = await call((abortSignal) =>
          client.send(new ListJobsCommand({ Queue: queueArn, Order: "DESCENDING", MaxResults: 20, NextToken: token }), { abortSignal }),
        );
        let older = false;
        for (const job of res.Jobs ?? []) {
          const created = epochMs(job.CreatedAt);
          if (created !== undefined && created < since) older = true;
          else jobs.push(job);
        }
        token = res.NextToken;
        if (older || !token) return jobs;
      }
    },
    async getJobs(ids) {
      const out = new Map<string, GetJobOutcome>();
      const queue = [...new Set(ids)];
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          try {
            const res = await call((abortSignal) => client.send(new GetJobCommand({ Id: id }), { abortSignal }));
            out.set(
              id,
              res.Job ? { kind: "found", job: res.Job } : { kind: "failed", throttled: false, reason: "GetJob answered without a Job" },
            );
          } catch (err) {
            out.set(
              id,
              isNotFound(err) ? { kind: "not-found" } : { kind: "failed", throttled: isThrottling(err), reason: describeError(err) },
            );
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      return out;
    },
  };
}
