/**
 * `mcjobs jobs <status|jobId>`: live jobs from the Jobs API, as a table or JSON. Signs with SigV4 for a deployed
 * API; talks plainly to the local twin.
 */
import { z } from "zod";
import { inputFileName } from "../../../lib/domain/input-name";
import { JOB_STATUSES } from "../../../lib/domain/job";
import { JOB_ID_FORM, JOB_ID_PATTERN } from "../../../lib/domain/arns";
import type { ApiJson } from "../api-client";
import type { Command } from "../mcjobs";
import { readArgv, regionArg, runCommand, validate, wholeNumberArg, type CommandSpec } from "../args";
import { stackOutputs } from "../stack-outputs";

const usage = `Usage: mcjobs jobs <status|jobId> [--endpoint URL]... [--stack S]... [--region R] [--all] [--json]
                  [--limit N] [--queue Q] [--since T] [--events] [--dir DIR] [--sign]

Lists the jobs in a status (${JOB_STATUSES.join(", ")}), newest first, or shows one job.

Options:
  --endpoint URL  a Jobs API URL (stack output apiUrl); repeat it to ask several regions at once
  --stack S       read apiUrl from this Pulumi stack; repeatable, and combines with --endpoint
                  (with neither: $MCJOBS_API_URL, else the running local twin, DIR/twin.json)
  --region R      region to sign for when the URL does not name one (a custom domain, a tunnel);
                  default AWS_REGION
  --all           follow nextToken until every job is listed (default: the first page)
  --json          print JSON (one object; with --all the pages are merged)
  --limit N       jobs per page, 1-500 (default 50)
  --queue Q       only jobs of this queue (name or ARN)
  --since T       only jobs created at or after T (epoch ms or ISO 8601, e.g. 2024-05-29T12:00:00Z)
  --events        with a job id: add the job's events in time order
  --dir DIR       local twin state folder (default .mcjobs)
  --sign          sign even a loopback endpoint (e.g. an SSH tunnel to a deployed API)

Several endpoints: each is asked (in parallel) and the answers are merged into one listing, newest first, each job
once (a job two endpoints know is shown as the record with the later event). Without --all, the newest N of the
merged jobs are shown (N = --limit). The JSON adds "endpoints" (what each one returned, or its error) and "more"
(whether any endpoint has further jobs) in place of nextToken. An endpoint that fails is named on stderr with the
reason, and the jobs of the others are still printed.

Exit codes: 0 every endpoint answered; 1 an endpoint failed, or the job is on record at none of them (what the
other endpoints returned is still printed); 2 bad usage.

A deployed API is called with your AWS credentials (environment, profile or SSO, as the AWS CLI finds them);
your identity needs execute-api:Invoke on the stack output apiInvokeArn.`;

const TARGET_MISSING = "say which jobs: a status or a job id";

const spec = {
  command: "jobs",
  usage,
  positionals: true,
  options: {
    endpoint: { type: "string", multiple: true },
    region: { type: "string" },
    all: { type: "boolean" },
    json: { type: "boolean" },
    limit: { type: "string" },
    queue: { type: "string" },
    since: { type: "string" },
    events: { type: "boolean" },
    dir: { type: "string" },
    stack: { type: "string", multiple: true },
    sign: { type: "boolean" },
  },
} satisfies CommandSpec;

const ENDPOINT_HINT = "--endpoint must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com";

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

const ArgsSchema = z
  .object({
    target: z.array(z.string()).transform((given, ctx) => {
      if (given.length > 1) {
        ctx.addIssue({
          code: "custom",
          message: `one status or job id at a time (got ${JSON.stringify(given[0])} and ${JSON.stringify(given[1])})`,
        });
      } else if (!given[0]) ctx.addIssue({ code: "custom", message: TARGET_MISSING });
      return given[0] ?? "";
    }),
    endpoint: z
      .array(
        z.string().superRefine((text, ctx) => {
          if (!isHttpUrl(text)) ctx.addIssue({ code: "custom", message: `${ENDPOINT_HINT}; got ${JSON.stringify(text)}` });
        }),
      )
      .default([]),
    region: regionArg.optional(),
    all: z.boolean().default(false),
    json: z.boolean().default(false),
    limit: wholeNumberArg("--limit", 1, 500).optional(),
    queue: z.string().min(1, "--queue needs a queue name or ARN").optional(),
    since: z.string().min(1, "--since needs a time").optional(),
    events: z.boolean().default(false),
    dir: z.string().min(1, "--dir needs a folder").default(".mcjobs"),
    stack: z.array(z.string().min(1, "--stack needs a stack name")).default([]),
    sign: z.boolean().default(false),
  })
  .superRefine((a, ctx) => {
    if (a.target && !isStatus(a.target) && !JOB_ID_PATTERN.test(a.target)) ctx.addIssue({ code: "custom", message: notATarget(a.target) });
  })
  .refine((a) => !(a.events && isStatus(a.target)), "--events goes with a job id, not a status");

/** Words people use for a status, each with the status MediaConvert calls it; only named in the message. */
const STATUS_WORDS: Record<string, string> = {
  RUNNING: "PROGRESSING",
  ACTIVE: "PROGRESSING",
  IN_PROGRESS: "PROGRESSING",
  QUEUED: "SUBMITTED",
  PENDING: "SUBMITTED",
  DONE: "COMPLETE",
  COMPLETED: "COMPLETE",
  FINISHED: "COMPLETE",
  SUCCEEDED: "COMPLETE",
  FAILED: "ERROR",
  FAILURE: "ERROR",
  CANCELLED: "CANCELED",
};

function notATarget(target: string): string {
  const word = STATUS_WORDS[target.toUpperCase().replace(/[\s-]/g, "_")];
  const hint = word ? ` (MediaConvert calls it ${word}: mcjobs jobs ${word})` : "";
  return (
    `${JSON.stringify(target)} is neither a status (${JOB_STATUSES.join(", ")}) nor a MediaConvert job id ` + `(${JOB_ID_FORM})${hint}`
  );
}
export type JobsArgs = z.infer<typeof ArgsSchema>;

function isStatus(target: string): boolean {
  return (JOB_STATUSES as readonly string[]).includes(target.toUpperCase());
}

/** Reads `mcjobs jobs`' status or job id and options; throws UsageError. */
export function parseJobsArgs(argv: string[]): JobsArgs {
  const { values, positionals } = readArgv(spec, argv);
  return validate(ArgsSchema, { ...values, target: positionals });
}

// ---- rendering --------------------------------------------------------------------------------------------------

/** A job as the Jobs API's JSON has it, read loosely: any field may be missing, so each is checked where used. */
export type JobJson = ApiJson;

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${String(m % 60).padStart(2, "0")}m` : `${Math.floor(h / 24)}d${h % 24}h`;
}

export function bar(percent: number | undefined, width = 20): string {
  if (percent === undefined) return `${" ".repeat(width + 2)}    -`;
  const p = Math.max(0, Math.min(100, percent));
  const full = Math.round((p / 100) * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}] ${String(Math.round(p)).padStart(3)}%`;
}

/** Time since the job was created, or its whole life when it has finished. */
function elapsed(job: JobJson, now: number): number | undefined {
  if (typeof job.createdAt !== "number") return undefined;
  return (typeof job.finishedAt === "number" ? job.finishedAt : now) - job.createdAt;
}

/** Longest file name the table shows whole; longer ones keep their start and their end (the extension). */
const FILE_WIDTH = 32;

/**
 * The file name of the job's input (the record's `input.uri`, else the first input of its settings), or "-".
 * A long name is cut in the middle so the columns after it stay in view.
 */
export function inputFileCell(job: JobJson): string {
  const uri = job.input?.uri ?? job.settings?.inputs?.[0]?.uri;
  const name = typeof uri === "string" ? inputFileName(uri) : undefined;
  if (!name) return "-";
  // Control characters (a line break in a key) would break the table's rows.
  const points = Array.from(name.replace(/\p{Cc}/gu, "?"));
  if (points.length <= FILE_WIDTH) return points.join("");
  const tail = 10;
  return `${points.slice(0, FILE_WIDTH - tail - 1).join("")}…${points.slice(-tail).join("")}`;
}

export function renderJobsTable(jobs: JobJson[], now: number): string {
  const header = ["JOB", "FILE", "QUEUE", "STATUS", "PROGRESS", "PHASE", "ETA", "ELAPSED"];
  const rows = jobs.map((j) => [
    String(j.jobId),
    inputFileCell(j),
    String(j.queueName ?? "-"),
    String(j.status),
    progressCell(j),
    String(j.currentPhase ?? "-"),
    etaCell(j),
    duration(elapsed(j, now)),
  ]);
  // Widths in code points, so a name with letters outside the BMP still lines up.
  const len = (c: string) => Array.from(c).length;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => len(r[i]))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + " ".repeat(widths[i] - len(c)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/**
 * The progress cell: the bar and percentage; for a failed job how far it got, or that it failed before any
 * progress was reported (never an empty cell).
 */
export function progressCell(job: JobJson): string {
  if (job.status === "ERROR" && typeof job.percentComplete !== "number") return "failed before any progress";
  return bar(job.percentComplete);
}

/** The ETA cell of a running job: its ETA, or why it has none (stalled progress, or no event for too long). */
export function etaCell(job: JobJson): string {
  if (job.status !== "PROGRESSING") return "-";
  if (job.stale) return "stale";
  if (job.stalled) return "stalled";
  return duration(job.etaMs);
}

/** An ISO time as the viewer's local time with the zone's offset, and UTC beside it. */
function when(isoText: unknown): string {
  if (typeof isoText !== "string") return "-";
  const t = Date.parse(isoText);
  if (!Number.isFinite(t)) return isoText;
  const d = new Date(t);
  const offset = -d.getTimezoneOffset();
  if (offset === 0) return isoText;
  const pad = (n: number) => String(Math.abs(n)).padStart(2, "0");
  const local = new Date(t + offset * 60_000).toISOString().replace("Z", "");
  return `${local.slice(0, 19)}${offset < 0 ? "-" : "+"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)} (${isoText})`;
}

/** Most output paths listed one by one in the single-job view; the rest are counted. */
const OUTPUTS_SHOWN = 20;

/** One stored event as a line: time, status, and the progress it reported (percent and phase) when it had any. */
export function eventLine(e: JobJson): string {
  const detail = (e.event?.detail ?? {}) as JobJson;
  const progress = detail.jobProgress ?? {};
  const pct = typeof progress.jobPercentComplete === "number" ? `${progress.jobPercentComplete}%` : "";
  const phase = typeof progress.currentPhase === "string" ? progress.currentPhase : "";
  const extra: string[] = [];
  if (typeof detail.errorCode === "number") extra.push(`error ${detail.errorCode}`);
  if (typeof detail.warningCode === "number") extra.push(`warning ${detail.warningCode}`);
  if (e.eventOmitted) extra.push("(event body not stored)");
  const cells = [String(e.timestampIso ?? "-"), String(e.status ?? "-").padEnd(17), pct.padStart(4), phase.padEnd(12), ...extra];
  return `  ${cells.join("  ").trimEnd()}`;
}

/** The whole of one job: status, progress, times, input, outputs, warnings and errors with their meanings, hops. */
export function renderJob(job: JobJson, now: number): string {
  const lines: [string, string][] = [
    ["job", String(job.jobId)],
    ["file", inputFileCell(job)],
    ["status", String(job.status)],
    ["queue", String(job.queueName ?? "-")],
    ["progress", progressCell(job)],
    ["phase", String(job.currentPhase ?? "-")],
    ["created", when(job.createdAtIso)],
  ];
  if (job.submittedAtIso) lines.push(["submitted", when(job.submittedAtIso)]);
  if (job.progressingAtIso) lines.push(["started", when(job.progressingAtIso)]);
  if (job.finishedAtIso) lines.push(["finished", when(job.finishedAtIso)]);
  if (job.waitingMs !== undefined) lines.push(["waiting", duration(job.waitingMs)]);
  if (job.queuedMs !== undefined) lines.push(["queued", duration(job.queuedMs)]);
  if (job.transcodingMs !== undefined) lines.push(["transcoding", duration(job.transcodingMs)]);
  if (job.status === "PROGRESSING") {
    if (job.stale) lines.push(["eta", `none: stale, no event since ${when(job.staleSinceIso ?? job.lastEventAtIso)}`]);
    else if (job.stalled) lines.push(["eta", `none: stalled, progress flat since ${when(job.stalledSinceIso)}`]);
    else if (job.etaMs !== undefined) lines.push(["eta", duration(job.etaMs)]);
  }
  lines.push(["elapsed", duration(elapsed(job, now))]);
  if (job.input?.uri) lines.push(["input", String(job.input.uri)]);
  const input = job.input ?? {};
  const video = input.video ?? {};
  const facts = [
    input.container,
    typeof input.durationMs === "number" ? `${(input.durationMs / 1000).toFixed(1)} s` : undefined,
    video.codec,
    video.width && video.height ? `${video.width}x${video.height}` : undefined,
    video.frameRate ? `${video.frameRate} fps` : undefined,
    ...(Array.isArray(input.audio)
      ? input.audio.map((a: JobJson) => [a.codec, a.channels && `${a.channels} ch`].filter(Boolean).join(" "))
      : []),
  ].filter((f) => typeof f === "string" && f !== "");
  if (facts.length) lines.push(["input facts", facts.join(", ")]);
  if (job.error) {
    lines.push([
      "error",
      `${job.error.code}${job.error.category ? ` (${job.error.category})` : ""}: ${job.error.meaning ?? "not in the published list of codes"}`,
    ]);
    if (job.error.message) lines.push(["", `MediaConvert says: ${job.error.message}`]);
  }
  for (const [i, w] of (Array.isArray(job.warnings) ? job.warnings : []).entries()) {
    lines.push([i === 0 ? "warnings" : "", `${w.code} ×${w.count}${w.meaning ? `: ${w.meaning}` : ""}`]);
  }
  for (const [i, h] of (Array.isArray(job.queueHops) ? job.queueHops : []).entries()) {
    lines.push([i === 0 ? "queue hops" : "", `${when(h.atIso)}  ${h.previousQueue ?? "?"} → ${h.currentQueue ?? "?"}`]);
  }
  const paths: string[] = [];
  for (const o of Array.isArray(job.outputs) ? job.outputs : []) {
    for (const p of [...(o.playlistPaths ?? []), ...(o.paths ?? [])]) if (typeof p === "string" && !paths.includes(p)) paths.push(p);
  }
  paths.slice(0, OUTPUTS_SHOWN).forEach((p, i) => {
    lines.push([i === 0 ? "outputs" : "", p]);
  });
  if (paths.length > OUTPUTS_SHOWN) lines.push(["", `…and ${paths.length - OUTPUTS_SHOWN} more (--json lists them all)`]);
  const out = lines.map(([k, v]) => `${k.padEnd(12)}${v}`);
  if (Array.isArray(job.events)) {
    out.push("", `events (${job.events.length}${job.eventsTruncated ? ", more not shown" : ""}):`);
    for (const e of job.events) out.push(eventLine(e));
  }
  return out.join("\n");
}

// ---- endpoints --------------------------------------------------------------------------------------------------

type ApiClient = ReturnType<typeof import("../api-client").apiClient>;

/** One Jobs API to ask: `label` names it in messages (its URL); `error` when it could not even be set up. */
interface Target {
  label: string;
  api?: ApiClient;
  error?: string;
}

function stackApiUrl(stack: string): string | undefined {
  const url = stackOutputs(stack, "--endpoint URL (the stack's apiUrl output)").apiUrl;
  return typeof url === "string" && url.trim() ? url.trim() : undefined;
}

/**
 * Every Jobs API the command line names: each --endpoint, then each --stack's apiUrl; with neither, the one of
 * $MCJOBS_API_URL or the running twin. The same URL given twice is asked once. A stack whose apiUrl cannot be read
 * becomes a target that failed, so the others are still asked.
 */
async function resolveTargets(args: JobsArgs): Promise<Target[] | undefined> {
  const client = require("../api-client") as typeof import("../api-client");
  const urls: string[] = [...args.endpoint];
  const targets: Target[] = [];
  for (const stack of args.stack) {
    try {
      const url = stackApiUrl(stack);
      if (!url) targets.push({ label: `stack ${stack}`, error: "the stack has no apiUrl output (is it deployed?)" });
      else if (!isHttpUrl(url))
        targets.push({ label: `stack ${stack}`, error: `its apiUrl is not an http(s) URL: ${JSON.stringify(url)}` });
      else urls.push(url);
    } catch (err) {
      targets.push({ label: `stack ${stack}`, error: (err as Error).message });
    }
  }
  if (urls.length === 0 && targets.length === 0) {
    const fallback = process.env.MCJOBS_API_URL || client.twinApiUrl(args.dir);
    if (!fallback) return undefined;
    if (!isHttpUrl(fallback)) throw new Error(`${ENDPOINT_HINT}; got ${JSON.stringify(fallback)}`);
    urls.push(fallback);
  }
  let credentials: (() => Promise<import("../api-client").Credentials>) | undefined;
  const seen = new Set<string>();
  for (const url of urls) {
    const key = new URL(url).href.replace(/\/+$/, "");
    if (seen.has(key)) continue;
    seen.add(key);
    const sign = args.sign || !client.isLoopback(url);
    // The URL's own region first: an execute-api URL can only be signed for the region it names.
    const region = client.regionOfEndpoint(url) ?? args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (sign && !credentials) {
      const { fromNodeProviderChain } = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
      credentials = fromNodeProviderChain();
    }
    try {
      targets.push({ label: url, api: client.apiClient({ endpoint: url, sign, region, credentials }) });
    } catch (err) {
      targets.push({ label: url, error: (err as Error).message });
    }
  }
  return targets;
}

/** An API failure in one line: the API's message, its HTTP status and code, and what to check for a 403. */
function failureText(err: unknown): string {
  const e = err as { status?: number; code?: string; message: string };
  const hint = e.status === 403 ? " (check your AWS credentials and that they allow execute-api:Invoke on the API)" : "";
  return `${e.message}${e.status ? ` [HTTP ${e.status} ${e.code}]` : ""}${hint}`;
}

// ---- merging several endpoints' answers ---------------------------------------------------------------------------

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : -Infinity);

/** Whether record `a` is newer than `b`: the later last event, then the more events folded in. */
function isNewer(a: JobJson, b: JobJson): boolean {
  if (num(a.lastEventAt) !== num(b.lastEventAt)) return num(a.lastEventAt) > num(b.lastEventAt);
  return num(a.eventCount) > num(b.eventCount);
}

/**
 * The jobs of several listings as one: each job id once (its newest record), newest created first as a single
 * listing is (ties by job id, so the order does not depend on which endpoint answered first).
 */
export function mergeJobs(lists: JobJson[][]): JobJson[] {
  const byId = new Map<string, JobJson>();
  for (const list of lists) {
    for (const job of list) {
      const id = String(job.jobId);
      const known = byId.get(id);
      if (!known || isNewer(job, known)) byId.set(id, job);
    }
  }
  return [...byId.values()].sort((a, b) => num(b.createdAt) - num(a.createdAt) || (String(b.jobId) < String(a.jobId) ? -1 : 1));
}

const command: Command = {
  summary: "list live jobs in a status, or show one job, from the Jobs API (local twin or deployed; several regions at once)",
  usage,
  run: (argv) => runCommand(spec, argv, parseJobsArgs, list),
};

async function list(args: JobsArgs): Promise<number> {
  let targets: Target[] | undefined;
  try {
    targets = await resolveTargets(args);
  } catch (err) {
    console.error(`mcjobs jobs: ${(err as Error).message}`);
    return 2;
  }
  if (!targets) {
    console.error(
      `mcjobs jobs: no Jobs API to ask. Start the local twin (\`mcjobs start\`), or pass --endpoint <apiUrl> ` +
        "(`pulumi stack output apiUrl`), or --stack <name>.",
    );
    return 2;
  }
  const [only] = targets;
  if (targets.length === 1 && only.api) return listOne(args, only.api);
  return listMany(args, targets);
}

/**
 * Why an empty listing for `queue` is empty when the queue itself is not known to the API (no job was ever
 * recorded in it: often a typo or the wrong letter case), naming the queues it knows; undefined when the queue is
 * known, or when the API cannot say.
 */
async function unknownQueue(api: ApiClient, queue: string): Promise<string | undefined> {
  try {
    await api.get(`/queues/${encodeURIComponent(queue)}`);
    return undefined;
  } catch (err) {
    if ((err as { status?: number }).status !== 404) return undefined;
  }
  let known = "";
  try {
    const names = ((await api.get("/queues")).queues ?? []).map((q: JobJson) => String(q.queueName));
    known = names.length ? ` Known queues: ${names.join(", ")}.` : " No queue has any jobs on record yet.";
  } catch {
    // The list is a courtesy; the answer above stands without it.
  }
  return `no queue named ${JSON.stringify(queue)} has any jobs on record (queue names are case-sensitive).${known}`;
}

/** One endpoint: its answer as it gave it (the JSON keeps nextToken). */
async function listOne(args: JobsArgs, api: ApiClient): Promise<number> {
  try {
    if (!isStatus(args.target)) {
      const job = await api.get(`/jobs/${encodeURIComponent(args.target)}`, args.events ? { events: "true" } : {});
      console.log(args.json ? JSON.stringify(job, null, 2) : renderJob(job, job.asOf ?? Date.now()));
      return 0;
    }
    const query = { limit: args.limit?.toString(), queue: args.queue, since: args.since };
    const { pages, jobs } = await api.listJobs(args.target, query, args.all);
    const last = pages[pages.length - 1];
    if (args.json) {
      const out = args.all
        ? { status: last.status, filters: last.filters, count: jobs.length, jobs, asOf: last.asOf, asOfIso: last.asOfIso }
        : last;
      console.log(JSON.stringify(out, null, 2));
      return 0;
    }
    if (jobs.length === 0 && args.queue) {
      const unknown = await unknownQueue(api, args.queue);
      if (unknown) {
        console.error(`mcjobs jobs: ${unknown}`);
        return 1;
      }
    }
    console.log(
      jobs.length
        ? renderJobsTable(jobs, last.asOf ?? Date.now())
        : `No ${last.status} jobs${args.queue ? ` in queue ${args.queue}` : ""}.`,
    );
    if (last.nextToken) console.log(`\n${jobs.length} shown; more ${last.status} jobs exist: add --all to list them all.`);
    return 0;
  } catch (err) {
    console.error(`mcjobs jobs: ${failureText(err)}`);
    return 1;
  }
}

/** Several endpoints (or one that could not be set up): every one asked, the answers merged, failures named. */
async function listMany(args: JobsArgs, targets: Target[]): Promise<number> {
  const failed: Array<{ label: string; reason: string }> = targets.flatMap((t) => (t.error ? [{ label: t.label, reason: t.error }] : []));
  const live = targets.filter((t): t is Target & { api: ApiClient } => t.api !== undefined);
  const report = () => {
    for (const f of failed) console.error(`mcjobs jobs: ${f.label} failed: ${f.reason}`);
    if (failed.length > 0 && failed.length < targets.length)
      console.error(`mcjobs jobs: ${failed.length} of ${targets.length} endpoints failed; the jobs shown are the others'.`);
    return failed.length > 0 ? 1 : 0;
  };

  if (!isStatus(args.target)) {
    const route = `/jobs/${encodeURIComponent(args.target)}`;
    const found: JobJson[] = [];
    await Promise.all(
      live.map(async (t) => {
        try {
          found.push(await t.api.get(route, args.events ? { events: "true" } : {}));
        } catch (err) {
          // Not on record at this endpoint is an answer, not a failure: the job runs in one region.
          if ((err as { status?: number }).status !== 404) failed.push({ label: t.label, reason: failureText(err) });
        }
      }),
    );
    const [job] = mergeJobs([found]);
    if (job) console.log(args.json ? JSON.stringify(job, null, 2) : renderJob(job, job.asOf ?? Date.now()));
    else if (failed.length === 0)
      console.error(`mcjobs jobs: no job ${args.target} is on record at any of the ${targets.length} endpoints.`);
    return job ? report() : Math.max(report(), 1);
  }

  const query = { limit: args.limit?.toString(), queue: args.queue, since: args.since };
  const answers = await Promise.all(
    live.map(async (t) => {
      try {
        const { pages, jobs } = await t.api.listJobs(args.target, query, args.all);
        const last = pages[pages.length - 1];
        return { label: t.label, jobs, last, more: typeof last.nextToken === "string" };
      } catch (err) {
        failed.push({ label: t.label, reason: failureText(err) });
        return undefined;
      }
    }),
  );
  const ok = answers.filter((a) => a !== undefined);
  if (ok.length === 0) return report();
  let jobs = mergeJobs(ok.map((a) => a.jobs));
  const limit = args.limit ?? 50;
  let more = ok.some((a) => a.more);
  if (!args.all && jobs.length > limit) {
    jobs = jobs.slice(0, limit);
    more = true;
  }
  const status = String(ok[0].last.status ?? args.target.toUpperCase());
  const asOf = Math.max(...ok.map((a) => num(a.last.asOf)));
  const at = Number.isFinite(asOf) ? asOf : Date.now();
  if (args.json) {
    const endpoints = [
      ...ok.map((a) => ({ endpoint: a.label, count: a.jobs.length, more: a.more })),
      ...failed.map((f) => ({ endpoint: f.label, error: f.reason })),
    ];
    const out = {
      status,
      filters: ok[0].last.filters,
      count: jobs.length,
      jobs,
      more,
      endpoints,
      asOf: at,
      asOfIso: new Date(at).toISOString(),
    };
    console.log(JSON.stringify(out, null, 2));
  } else {
    if (jobs.length === 0 && args.queue) {
      const queue = args.queue;
      const notes = await Promise.all(
        ok.map((a) => live.find((t) => t.label === a.label)).map((t) => (t ? unknownQueue(t.api, queue) : undefined)),
      );
      if (notes.every((n) => n !== undefined)) {
        for (const [i, n] of notes.entries()) console.error(`mcjobs jobs: ${ok[i].label}: ${n}`);
        return 1;
      }
    }
    console.log(
      jobs.length
        ? renderJobsTable(jobs, at)
        : `No ${status} jobs${args.queue ? ` in queue ${args.queue}` : ""}${ok.length === 1 ? " at the endpoint that answered" : ` at any of the ${ok.length} endpoints`}.`,
    );
    if (more) console.log(`\n${jobs.length} shown; more ${status} jobs exist: add --all to list them all.`);
  }
  return report();
}

export default command;
