/**
 * `mcjobs jobs <status|jobId>`: live jobs from the Jobs API, as a table or JSON. Signs with SigV4 for a deployed
 * API; talks plainly to the local twin.
 */
import { z } from "zod";
import { JOB_STATUSES } from "../../domain/job";
import type { Command } from "../mcjobs";

const usage = `Usage: mcjobs jobs <status|jobId> [--endpoint URL] [--region R] [--all] [--json]
                  [--limit N] [--queue Q] [--since T] [--events] [--dir DIR] [--stack S] [--sign]

Lists the jobs in a status (${JOB_STATUSES.join(", ")}), newest first, or shows one job.

Options:
  --endpoint URL  the Jobs API URL (stack output apiUrl). Default: $MCJOBS_API_URL, else the running local
                  twin (DIR/twin.json), else \`pulumi stack output apiUrl\` when --stack is given
  --region R      region of a deployed API (default: from the URL, else AWS_REGION)
  --all           follow nextToken until every job is listed (default: the first page)
  --json          print JSON (one object; with --all the pages are merged)
  --limit N       jobs per page, 1-500 (default 50)
  --queue Q       only jobs of this queue (name or ARN)
  --since T       only jobs created at or after T (epoch ms or ISO 8601, e.g. 2024-05-29T12:00:00Z)
  --events        with a job id: add the job's events in time order
  --dir DIR       local twin state folder (default .mcjobs)
  --stack S       read apiUrl from this Pulumi stack
  --sign          sign even a loopback endpoint (e.g. an SSH tunnel to a deployed API)

A deployed API is called with your AWS credentials (environment, profile or SSO, as the AWS CLI finds them);
your identity needs execute-api:Invoke on the stack output apiInvokeArn.`;

const ArgsSchema = z.object({
  target: z.string({ message: "say which jobs: a status or a job id (see --help)" }).min(1, "say which jobs: a status or a job id (see --help)"),
  endpoint: z.string().optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "--region must look like eu-west-1").optional(),
  all: z.boolean(),
  json: z.boolean(),
  limit: z.coerce.number({ message: "--limit must be a number" }).int("--limit must be a whole number").min(1, "--limit must be 1-500").max(500, "--limit must be 1-500").optional(),
  queue: z.string().min(1).optional(),
  since: z.string().min(1).optional(),
  events: z.boolean(),
  dir: z.string().default(".mcjobs"),
  stack: z.string().min(1).optional(),
  sign: z.boolean(),
});
export type JobsArgs = z.infer<typeof ArgsSchema>;

const VALUE_FLAGS = ["--endpoint", "--region", "--limit", "--queue", "--since", "--dir", "--stack"];
const BOOL_FLAGS = ["--all", "--json", "--events", "--sign"];

export function parseJobsArgs(argv: string[]): JobsArgs {
  const raw: Record<string, unknown> = { all: false, json: false, events: false, sign: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (BOOL_FLAGS.includes(flag)) raw[flag.slice(2)] = true;
    else if (VALUE_FLAGS.includes(flag)) {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith("--"))) throw new Error(`${flag} needs a value.`);
      raw[flag.slice(2)] = v;
    } else if (flag.startsWith("-")) throw new Error(`unknown option ${flag}. Run \`mcjobs jobs --help\`.`);
    else if (raw.target === undefined) raw.target = a;
    else throw new Error(`one status or job id at a time (got ${JSON.stringify(raw.target)} and ${JSON.stringify(a)}).`);
  }
  const parsed = ArgsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues[0].message);
  return parsed.data;
}

// ---- rendering --------------------------------------------------------------------------------------------------

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
function elapsed(job: Record<string, any>, now: number): number | undefined {
  if (typeof job.createdAt !== "number") return undefined;
  return (typeof job.finishedAt === "number" ? job.finishedAt : now) - job.createdAt;
}

export function renderJobsTable(jobs: Record<string, any>[], now: number): string {
  const header = ["JOB", "QUEUE", "STATUS", "PROGRESS", "PHASE", "ETA", "ELAPSED"];
  const rows = jobs.map((j) => [
    String(j.jobId),
    String(j.queueName ?? "-"),
    String(j.status),
    bar(j.percentComplete),
    String(j.currentPhase ?? "-"),
    j.status === "PROGRESSING" ? duration(j.etaMs) : "-",
    duration(elapsed(j, now)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function renderJob(job: Record<string, any>, now: number): string {
  const lines: [string, string][] = [
    ["job", String(job.jobId)],
    ["status", String(job.status)],
    ["queue", String(job.queueName ?? "-")],
    ["progress", bar(job.percentComplete)],
    ["phase", String(job.currentPhase ?? "-")],
    ["created", job.createdAtIso ?? "-"],
  ];
  if (job.submittedAtIso) lines.push(["submitted", job.submittedAtIso]);
  if (job.progressingAtIso) lines.push(["started", job.progressingAtIso]);
  if (job.finishedAtIso) lines.push(["finished", job.finishedAtIso]);
  if (job.waitingMs !== undefined) lines.push(["waiting", duration(job.waitingMs)]);
  if (job.queuedMs !== undefined) lines.push(["queued", duration(job.queuedMs)]);
  if (job.transcodingMs !== undefined) lines.push(["transcoding", duration(job.transcodingMs)]);
  if (job.etaMs !== undefined && job.status === "PROGRESSING") lines.push(["eta", duration(job.etaMs)]);
  lines.push(["elapsed", duration(elapsed(job, now))]);
  if (job.input?.uri) lines.push(["input", String(job.input.uri)]);
  if (job.error) lines.push(["error", `${job.error.code} ${job.error.message ?? ""}`.trim()]);
  if (job.warnings?.length) lines.push(["warnings", job.warnings.map((w: any) => `${w.code}×${w.count}`).join(", ")]);
  const out = lines.map(([k, v]) => `${k.padEnd(12)}${v}`);
  if (Array.isArray(job.events)) {
    out.push("", `events (${job.events.length}${job.eventsTruncated ? ", more not shown" : ""}):`);
    for (const e of job.events) out.push(`  ${e.timestampIso}  ${e.status}`);
  }
  return out.join("\n");
}

// ---- endpoint ---------------------------------------------------------------------------------------------------

async function stackApiUrl(stack: string): Promise<string | undefined> {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync("pulumi", ["stack", "output", "apiUrl", "--stack", stack], { encoding: "utf8", timeout: 60_000 });
  if (r.error || r.status !== 0) throw new Error(`could not read apiUrl from stack ${stack}: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}`);
  return r.stdout.trim() || undefined;
}

const command: Command = {
  summary: "list live jobs in a status, or show one job, from the Jobs API (local twin or deployed)",
  usage,
  async run(argv) {
    let args: JobsArgs;
    try {
      args = parseJobsArgs(argv);
    } catch (err) {
      console.error(`mcjobs jobs: ${(err as Error).message}`);
      return 2;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client = require("../api-client") as typeof import("../api-client");
    const endpoint =
      args.endpoint ?? process.env.MCJOBS_API_URL ?? client.twinApiUrl(args.dir) ?? (args.stack ? await stackApiUrl(args.stack) : undefined);
    if (!endpoint) {
      console.error(
        `mcjobs jobs: no Jobs API to ask. Start the local twin (\`mcjobs start\`), or pass --endpoint <apiUrl> ` +
          "(`pulumi stack output apiUrl`), or --stack <name>.",
      );
      return 2;
    }
    try {
      if (!/^https?:$/.test(new URL(endpoint).protocol)) throw new Error();
    } catch {
      console.error(`mcjobs jobs: --endpoint must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com; got ${JSON.stringify(endpoint)}`);
      return 2;
    }
    const sign = args.sign || !client.isLoopback(endpoint);
    const region = args.region ?? client.regionOfEndpoint(endpoint) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    let credentials: (() => Promise<import("../api-client").Credentials>) | undefined;
    if (sign) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { fromNodeProviderChain } = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
      credentials = fromNodeProviderChain();
    }
    const api = client.apiClient({ endpoint, sign, region, credentials });
    const isJob = !(JOB_STATUSES as readonly string[]).includes(args.target.toUpperCase());
    try {
      if (isJob) {
        const job = await api.get(`/jobs/${encodeURIComponent(args.target)}`, args.events ? { events: "true" } : {});
        console.log(args.json ? JSON.stringify(job, null, 2) : renderJob(job, job.asOf ?? Date.now()));
        return 0;
      }
      if (args.events) {
        console.error("mcjobs jobs: --events goes with a job id, not a status.");
        return 2;
      }
      const query = { limit: args.limit?.toString(), queue: args.queue, since: args.since };
      const { pages, jobs } = await api.listJobs(args.target, query, args.all);
      const last = pages[pages.length - 1];
      if (args.json) {
        const out = args.all ? { status: last.status, filters: last.filters, count: jobs.length, jobs, asOf: last.asOf, asOfIso: last.asOfIso } : last;
        console.log(JSON.stringify(out, null, 2));
        return 0;
      }
      console.log(jobs.length ? renderJobsTable(jobs, last.asOf ?? Date.now()) : `No ${last.status} jobs${args.queue ? ` in queue ${args.queue}` : ""}.`);
      if (last.nextToken) console.log(`\n${jobs.length} shown; more ${last.status} jobs exist: add --all to list them all.`);
      return 0;
    } catch (err) {
      const e = err as { status?: number; code?: string; message: string };
      const hint = e.status === 403 ? " (check your AWS credentials and that they allow execute-api:Invoke on the API)" : "";
      console.error(`mcjobs jobs: ${e.message}${e.status ? ` [HTTP ${e.status} ${e.code}]` : ""}${hint}`);
      return 1;
    }
  },
};

export default command;
