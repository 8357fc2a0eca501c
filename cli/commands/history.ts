/**
 * `mcjobs history`: SQL over the job history, on Athena (the deployed lake) or on DuckDB (the local twin's lake).
 */
import * as path from "node:path";
import { z } from "zod";
import type { Command } from "../mcjobs";
import * as clients from "../../adapters/clients";
import { namedQueries, namedQuery } from "../../sql/queries";
import { LocalLake, type QueryResult } from "../../sql/duckdb";
import { runAthenaQuery } from "../../sql/athena";

export const DEFAULT_LOCAL_LAKE = path.join(".mcjobs", "lake");
export const DEFAULT_DATABASE = "mcjobs";

const usage = `Usage:
  mcjobs history "<SQL>"      [--local DIR | --athena --workgroup W [--database D] [--region R]] [--json]
  mcjobs history --query NAME [same options]
  mcjobs history --list

Runs SQL over the job history. Tables: job_events, jobs, queue_metrics (partition column dt = 'YYYY-MM-DD').

Options:
  --query NAME      run a named query (sql/NAME.sql); --list shows them
  --local DIR       DuckDB over a local lake written by the twin (default ${DEFAULT_LOCAL_LAKE})
  --athena          run on Athena instead (needs --workgroup)
  --workgroup W     Athena workgroup (the HistoryLake component's; it holds the results location and scan limit);
                    default: $MCJOBS_HISTORY_WORKGROUP
  --database D      Glue database (the stack's <application>_<stack>); default: $MCJOBS_HISTORY_DATABASE, else ${DEFAULT_DATABASE}
  --region R        AWS region (default: AWS_REGION)
  --json            print rows as JSON instead of a table

Exit codes: 0 ok, 1 the query failed (the engine's message is printed), 2 bad usage.`;

const ArgsSchema = z
  .object({
    sql: z.string().trim().min(1).optional(),
    query: z.string().regex(/^[a-z0-9_]+$/, "--query takes a query name such as jobs_per_day_by_status").optional(),
    list: z.boolean(),
    athena: z.boolean(),
    workgroup: z.string().min(1).optional(),
    database: z.string().regex(/^[A-Za-z0-9_]+$/, "--database must be a Glue database name (letters, digits, _)"),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "--region must look like eu-west-1").optional(),
    local: z.string().min(1).optional(),
    json: z.boolean(),
  })
  .superRefine((a, ctx) => {
    if (a.list) return;
    if (!a.sql === !a.query) ctx.addIssue({ code: "custom", message: 'give either "<SQL>" or --query NAME (not both)' });
    if (a.athena && !a.workgroup) ctx.addIssue({ code: "custom", message: "--athena needs --workgroup W" });
    if (a.athena && a.local) ctx.addIssue({ code: "custom", message: "--athena and --local exclude each other" });
    if (!a.athena && (a.workgroup || a.region)) ctx.addIssue({ code: "custom", message: "--workgroup / --region only apply with --athena" });
  });
type Args = z.infer<typeof ArgsSchema>;

class UsageError extends Error {}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
  const raw: Record<string, unknown> = { list: false, athena: false, json: false, database: env.MCJOBS_HISTORY_DATABASE || DEFAULT_DATABASE };
  const athenaWanted = argv.includes("--athena");
  if (athenaWanted && env.MCJOBS_HISTORY_WORKGROUP) raw.workgroup = env.MCJOBS_HISTORY_WORKGROUP;
  const valued = new Set(["--query", "--workgroup", "--database", "--region", "--local"]);
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (valued.has(a)) {
      const v = argv[++k];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      raw[a.slice(2)] = v;
    } else if (a === "--list" || a === "--athena" || a === "--json") {
      raw[a.slice(2)] = true;
    } else if (a.startsWith("--")) {
      throw new UsageError(`unknown option ${a}`);
    } else if (raw.sql === undefined) {
      raw.sql = a;
    } else {
      throw new UsageError(`unexpected argument "${a}" (quote the SQL as one argument)`);
    }
  }
  const parsed = ArgsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function renderTable(result: QueryResult): string {
  const body = result.rows.map((r) => result.columns.map((c) => cell(r[c])));
  const widths = result.columns.map((c, k) => Math.max(c.length, ...body.map((b) => b[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join(" | ").trimEnd();
  return [line(result.columns), widths.map((w) => "-".repeat(w)).join("-+-"), ...body.map(line)].join("\n");
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

const command: Command = {
  summary: "SQL over the job history (Athena, or DuckDB over the local lake)",
  usage,
  async run(argv) {
    let args: Args;
    try {
      args = parseArgs(argv);
    } catch (err) {
      console.error(`mcjobs history: ${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    if (args.list) {
      for (const q of namedQueries()) console.log(`${q.name.padEnd(38)} ${q.description}`);
      return 0;
    }
    let sql: string;
    try {
      sql = args.query ? namedQuery(args.query).sql : args.sql!;
    } catch (err) {
      console.error(`mcjobs history: ${(err as Error).message}`);
      return 2;
    }

    let result: QueryResult;
    if (args.athena) {
      const env = { ...process.env, ...(args.region ? { AWS_REGION: args.region } : {}) };
      const client = clients.athena(env);
      try {
        const r = await runAthenaQuery(client, { sql, workgroup: args.workgroup!, database: args.database });
        console.error(`Athena ${r.queryExecutionId}: ${r.rows.length} rows, ${formatBytes(r.bytesScanned)} scanned`);
        result = r;
      } catch (err) {
        console.error(`mcjobs history: ${(err as Error).message}`);
        return 1;
      } finally {
        client.destroy();
      }
    } else {
      const dir = path.resolve(args.local ?? DEFAULT_LOCAL_LAKE);
      let lake: LocalLake | undefined;
      try {
        lake = await LocalLake.open(dir);
        result = await lake.query(sql);
      } catch (err) {
        console.error(`mcjobs history: ${(err as Error).message}`);
        return 1;
      } finally {
        lake?.close();
      }
    }
    console.log(args.json ? JSON.stringify(result.rows, null, 2) : renderTable(result));
    return 0;
  },
};

export default command;
