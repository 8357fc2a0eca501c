/**
 * Synthetic events from MediaConvert's own view of a job, so they flow through the same order-proof
 * reducer as EventBridge events:
 *   - `submittedEvent(job)`: the CreateJob response → a SUBMITTED event (MediaConvert emits none); the watch
 *     folder records it right after CreateJob;
 *   - `jobDetailsEvent(job, {at})`: a GetJob response → a JOB_DETAILS event carrying timing (submit/start/finish),
 *     queue transitions, settings and GetJob's status; the collector backfills jobs created elsewhere with it.
 * Neither can regress a job: their status claims are ranked like any other (see lib/domain/reducer.ts).
 *
 * The input is the SDK's `Job` object (Dates) or its JSON form (ISO strings or epoch seconds); it is validated
 * with zod here, so this file needs no AWS import.
 */
import { z } from "zod";
import { JOB_STATUSES, type JobSettingsSummary, type JobStatus, type QueueHop } from "./job";
import { JOB_ID_PATTERN, jobArnProblem, jobIdProblem } from "./arns";
import { jobArn, makeEventKey, parseJobArn, queueNameOf, type JobDetailsEvent, type SubmittedEvent } from "./events";

/** A time as the SDK (Date) or JSON (ISO text, epoch seconds or ms) gives it → epoch ms. */
const time = z.unknown().transform((v, ctx) => {
  if (v instanceof Date && Number.isFinite(v.getTime())) return v.getTime();
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  if (typeof v === "string") {
    const n = Number(v);
    if (v.trim() !== "" && Number.isFinite(n)) return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  ctx.addIssue({ code: "custom", message: "expected a time (Date, ISO text or epoch number)" });
  return z.NEVER;
});
const optTime = time
  .optional()
  .nullable()
  .transform((v) => v ?? undefined);
const optStr = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const optNum = z
  .number()
  .nullish()
  .transform((v) => v ?? undefined);

const GroupSettings = z.looseObject({ Destination: optStr }).nullish();

export const MediaConvertJobSchema = z.looseObject({
  Id: z.string().regex(JOB_ID_PATTERN, { error: (i) => jobIdProblem(String(i.input)) ?? "not a MediaConvert job id" }),
  Arn: optStr,
  CreatedAt: optTime,
  Queue: optStr,
  Priority: optNum,
  Status: z.enum(JOB_STATUSES).nullish(),
  UserMetadata: z.record(z.string(), z.string()).nullish(),
  JobTemplate: optStr,
  Role: optStr,
  AccelerationSettings: z.looseObject({ Mode: optStr }).nullish(),
  ErrorCode: optNum,
  ErrorMessage: optStr,
  Timing: z.looseObject({ SubmitTime: optTime, StartTime: optTime, FinishTime: optTime }).nullish(),
  QueueTransitions: z.array(z.looseObject({ Timestamp: optTime, SourceQueue: optStr, DestinationQueue: optStr })).nullish(),
  Settings: z
    .looseObject({
      Inputs: z
        .array(
          z.looseObject({
            FileInput: optStr,
            InputClippings: z.array(z.looseObject({ StartTimecode: optStr, EndTimecode: optStr })).nullish(),
          }),
        )
        .nullish(),
      OutputGroups: z
        .array(
          z.looseObject({
            Name: optStr,
            OutputGroupSettings: z
              .looseObject({
                Type: optStr,
                FileGroupSettings: GroupSettings,
                HlsGroupSettings: GroupSettings,
                DashIsoGroupSettings: GroupSettings,
                CmafGroupSettings: GroupSettings,
                MsSmoothGroupSettings: GroupSettings,
              })
              .nullish(),
            Outputs: z.array(z.unknown()).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});
export type MediaConvertJob = z.output<typeof MediaConvertJobSchema>;

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** The settings summary the job record keeps (inputs, clipping, output groups, queue, priority, acceleration). */
export function settingsSummary(job: MediaConvertJob): JobSettingsSummary {
  const s = job.Settings ?? undefined;
  return clean({
    inputs: (s?.Inputs ?? []).map((i) =>
      clean({
        uri: i.FileInput,
        clipping: i.InputClippings?.length ? i.InputClippings.map((c) => clean({ start: c.StartTimecode, end: c.EndTimecode })) : undefined,
      }),
    ),
    outputGroups: (s?.OutputGroups ?? []).map((g) => {
      const gs = g.OutputGroupSettings ?? undefined;
      const dest =
        gs?.FileGroupSettings?.Destination ??
        gs?.HlsGroupSettings?.Destination ??
        gs?.DashIsoGroupSettings?.Destination ??
        gs?.CmafGroupSettings?.Destination ??
        gs?.MsSmoothGroupSettings?.Destination ??
        undefined;
      return clean({ name: g.Name, type: gs?.Type, destination: dest, outputCount: g.Outputs?.length ?? 0 });
    }),
    queue: job.Queue,
    priority: job.Priority,
    accelerationMode: job.AccelerationSettings?.Mode ?? undefined,
    jobTemplate: job.JobTemplate,
    role: job.Role,
  });
}

type Identity = { jobId: string; accountId: string; region: string; arn: string };

/** The job's identity: its ARN when it has one (which must name this job), else the account and region given. */
function identityOf(job: MediaConvertJob, fallback: { accountId?: string; region?: string }): Identity | string {
  if (job.Arn) {
    const problem = jobArnProblem(job.Arn, job.Id);
    if (problem) return `Job.Arn: ${problem}`;
  }
  const parsed = job.Arn ? parseJobArn(job.Arn) : undefined;
  const accountId = parsed?.accountId || fallback.accountId;
  const region = parsed?.region || fallback.region;
  if (!accountId || !region) return "Job.Arn: missing, and no account/region given";
  return { jobId: job.Id, accountId, region, arn: jobArn(region, accountId, job.Id, parsed?.partition) };
}

export type SourceResult<E> = { ok: true; event: E } | { ok: false; reason: string };

function readJob(job: unknown): { ok: true; job: MediaConvertJob } | { ok: false; reason: string } {
  const r = MediaConvertJobSchema.safeParse(job);
  if (r.success) return { ok: true, job: r.data };
  return {
    ok: false,
    reason: r.error.issues
      .slice(0, 5)
      .map((i) => `Job.${i.path.map(String).join(".")}: ${i.message}`)
      .join("; "),
  };
}

/**
 * A SUBMITTED event from the CreateJob response's `Job`. Its time is the job's CreatedAt (else the job id's
 * prefix, else `opts.at`); its id is fixed per job, so recording it twice is a duplicate.
 */
export function submittedEvent(
  job: unknown,
  opts: { accountId?: string; region?: string; at?: number } = {},
): SourceResult<SubmittedEvent> {
  const r = readJob(job);
  if (!r.ok) return r;
  const j = r.job;
  const id = identityOf(j, opts);
  if (typeof id === "string") return { ok: false, reason: id };
  const prefix = /^(\d{13})-/.exec(j.Id)?.[1];
  const submittedAt = j.CreatedAt ?? j.Timing?.SubmitTime ?? (prefix ? Number(prefix) : opts.at);
  if (submittedAt === undefined) return { ok: false, reason: "Job.CreatedAt: missing (and no time to use instead)" };
  const eventId = `createjob-${j.Id}`;
  return {
    ok: true,
    event: clean({
      origin: "createjob" as const,
      eventId,
      eventKey: makeEventKey(submittedAt, "SUBMITTED", eventId),
      ...id,
      status: "SUBMITTED" as const,
      timestamp: submittedAt,
      queue: j.Queue,
      queueName: queueNameOf(j.Queue),
      userMetadata: { ...(j.UserMetadata ?? {}) },
      submittedAt,
      settings: settingsSummary(j),
    }),
  };
}

/**
 * A JOB_DETAILS event from a GetJob response's `Job`, fetched at `opts.at` (epoch ms). Undefined when the answer
 * cannot be read (the reason is in `jobDetailsEventResult`).
 */
export function jobDetailsEvent(job: unknown, opts: { at: number; accountId?: string; region?: string }): JobDetailsEvent | undefined {
  const r = jobDetailsEventResult(job, opts);
  return r.ok ? r.event : undefined;
}

export function jobDetailsEventResult(
  job: unknown,
  opts: { at: number; accountId?: string; region?: string },
): SourceResult<JobDetailsEvent> {
  const r = readJob(job);
  if (!r.ok) return r;
  const j = r.job;
  const id = identityOf(j, opts);
  if (typeof id === "string") return { ok: false, reason: id };
  const status: JobStatus = j.Status ?? "SUBMITTED";
  const at = Math.trunc(opts.at);
  const eventId = `getjob-${j.Id}`;
  const hops: QueueHop[] = (j.QueueTransitions ?? [])
    .filter((t) => t.Timestamp !== undefined)
    .map((t) => clean({ at: t.Timestamp as number, previousQueue: t.SourceQueue, currentQueue: t.DestinationQueue }));
  return {
    ok: true,
    event: clean({
      origin: "getjob" as const,
      eventId,
      eventKey: makeEventKey(at, "JOB_DETAILS", eventId),
      ...id,
      status: "JOB_DETAILS" as const,
      timestamp: at,
      queue: j.Queue,
      queueName: queueNameOf(j.Queue),
      userMetadata: { ...(j.UserMetadata ?? {}) },
      jobStatus: status,
      timing: clean({
        submitTime: j.Timing?.SubmitTime ?? j.CreatedAt,
        startTime: j.Timing?.StartTime,
        finishTime: j.Timing?.FinishTime,
      }),
      queueTransitions: hops,
      settings: settingsSummary(j),
      errorCode: j.ErrorCode,
      errorMessage: j.ErrorMessage,
    }),
  };
}

/** Whether a stored job (item or record) still lacks the settings a GetJob would give. */
export function needsJobDetails(item: { settings?: unknown } | undefined): boolean {
  return !item || item.settings === undefined || item.settings === null;
}
