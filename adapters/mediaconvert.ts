/**
 * MediaConvert CreateJob and GetJob for the watch folder: a thin wrapper over `@aws-sdk/client-mediaconvert`
 * that hands back the SDK's `Job` (validated later by domain/job-source.ts) and names a failure by the operation
 * and the service's error, so the handler's log line says what went wrong without a stack trace.
 */
import { CreateJobCommand, GetJobCommand, type CreateJobCommandInput, type Job, type MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import type { CreateJobInput } from "../convert/request";

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
      let res;
      try {
        res = await client.send(new CreateJobCommand(request as unknown as CreateJobCommandInput), { abortSignal: AbortSignal.timeout(timeoutMs) });
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
