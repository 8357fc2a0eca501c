/**
 * `mcjobs history`: SQL over the job history, on Athena (the deployed lake) or on DuckDB (the local twin's lake).
 */
import * as path from "node:path";
import { z } from "zod";
import type { Command } from "../mcjobs";
import { readArgv, regionArg, runCommand, UsageError, validate, type CommandSpec } from "../args";
import * as clients from "../../../lib/adapters/clients";
import { namedQueries, namedQuery } from "../../../lib/sql/queries";
import { LocalLake, type QueryResult } from "../../../lib/sql/duckdb";
import { runAthenaQuery } from "../../../lib/sql/athena";
import { stackOutputs } from "../stack-outputs";

export const DEFAULT_LOCAL_LAKE = path.join(".mcjobs", "lake");
export const DEFAULT_DATABASE = "mcjobs";

const usage = `Usage:
  mcjobs history "<SQL>"      [--local DIR | --athena (--stack S | --workgroup W [--database D] [--region R])] [--json]
  mcjobs history --query NAME [same options]
  mcjobs history --list

Runs SQL over the job history. Tables: job_events, jobs, queue_metrics (partition column dt = 'YYYY-MM-DD').

Options:
  --query NAME      run a named query (sql/NAME.sql); --list shows them
  --local DIR       DuckDB over a local lake written by the twin (default ${DEFAULT_LOCAL_LAKE})
  --athena          run on Athena instead (needs --stack or --workgroup)
  --stack S         the Pulumi stack whose lake to query: its outputs athenaWorkgroup, glueDatabase and region
                    (\`pulumi stack output --json --stack S\`); --workgroup, --database, --region override them
  --workgroup W     Athena workgroup (the HistoryLake component's; it holds the results location and scan limit);
                    default: $MCJOBS_HISTORY_WORKGROUP
  --database D      Glue database (the stack's <application>_<stack>); default: $MCJOBS_HISTORY_DATABASE, else ${DEFAULT_DATABASE}
  --region R        AWS region (default: AWS_REGION)
  --json            print rows as JSON instead of a table

Exit codes: 0 ok, 1 the query failed (the engine's message is printed), 2 bad usage.`;

const spec = {
  command: "history",
  usage,
  positionals: true,
  options: {
    query: { type: "string" },
    local: { type: "string" },
    athena: { type: "boolean" },
    workgroup: { type: "string" },
    database: { type: "string" },
    stack: { type: "string" },
    region: { type: "string" },
    json: { type: "boolean" },
    list: { type: "boolean" },
  },
} satisfies CommandSpec;

const ArgsSchema = z
  .object({
    sql: z.array(z.string()).transform((given, ctx) => {
      if (given.length > 1) ctx.addIssue({ code: "custom", message: `unexpected argument "${given[1]}" (quote the SQL as one argument)` });
      const sql = given[0]?.trim();
      if (sql === "") ctx.addIssue({ code: "custom", message: "the SQL is empty" });
      return sql || undefined;
    }),
    query: z
      .string()
      .regex(/^[a-z0-9_]+$/, "--query takes a query name such as jobs_per_day_by_status")
      .optional(),
    list: z.boolean().default(false),
    athena: z.boolean().default(false),
    workgroup: z.string().min(1, "--workgroup needs a workgroup name").optional(),
    database: z
      .string()
      .regex(/^[A-Za-z0-9_]+$/, "--database must be a Glue database name (letters, digits, _)")
      .optional(),
    stack: z.string().min(1, "--stack needs a stack name").optional(),
    region: regionArg.optional(),
    local: z.string().min(1, "--local needs a folder").optional(),
    json: z.boolean().default(false),
  })
  .superRefine((a, ctx) => {
    if (a.list) return;
    if (!a.sql === !a.query) ctx.addIssue({ code: "custom", message: 'give either "<SQL>" or --query NAME (not both)' });
    if (a.athena && !a.workgroup && !a.stack) ctx.addIssue({ code: "custom", message: "--athena needs --stack S or --workgroup W" });
    if (a.stack && !a.athena) ctx.addIssue({ code: "custom", message: "--stack only applies with --athena" });
    if (a.athena && a.local) ctx.addIssue({ code: "custom", message: "--athena and --local exclude each other" });
    if (!a.athena && (a.workgroup || a.region))
      ctx.addIssue({ code: "custom", message: "--workgroup / --region only apply with --athena" });
  });
/** The options; with --query, `sql` is the named query's text. */
type Args = z.infer<typeof ArgsSchema>;

/**
 * Reads `mcjobs history`'s SQL or query name and options; throws UsageError. The database defaults to
 * $MCJOBS_HISTORY_DATABASE and, with --athena, the workgroup to $MCJOBS_HISTORY_WORKGROUP.
 */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
  const { values, positionals } = readArgv(spec, argv);
  // With --stack the stack's outputs are the defaults (resolved when the query runs), not the environment's.
  const defaults = values.stack
    ? {}
    : {
        database: env.MCJOBS_HISTORY_DATABASE || DEFAULT_DATABASE,
        ...(values.athena && env.MCJOBS_HISTORY_WORKGROUP ? { workgroup: env.MCJOBS_HISTORY_WORKGROUP } : {}),
      };
  const args = validate(ArgsSchema, { ...defaults, ...values, sql: positionals });
  if (args.list || !args.query) return args;
  try {
    return { ...args, sql: namedQuery(args.query).sql };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function renderTable(result: QueryResult): string {
  const body = result.rows.map((r) => result.columns.map((c) => cell(r[c])));
  const widths = result.columns.map((c, k) => Math.max(c.length, ...body.map((b) => b[k].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, k) => c.padEnd(widths[k]))
      .join(" | ")
      .trimEnd();
  return [line(result.columns), widths.map((w) => "-".repeat(w)).join("-+-"), ...body.map(line)].join("\n");
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** The stack outputs `--stack` reads: where the stack's history lake is queried. */
const StackLakeOutputs = z.object({
  region: z.string({ error: "has no region output" }).min(1),
  athenaWorkgroup: z.string({
    error: "has no athenaWorkgroup output: it was deployed with useStreams=false (no history lake), or not deployed yet",
  }),
  glueDatabase: z.string({ error: "has no glueDatabase output: it was deployed with useStreams=false (no history lake)" }),
});

/** Workgroup, database and region for an Athena query: the flags given, else the stack's outputs. */
export function athenaTarget(
  args: Pick<Args, "workgroup" | "database" | "region" | "stack">,
  outputs?: Record<string, unknown>,
): { workgroup: string; database: string; region?: string } {
  if (!outputs) {
    if (!args.workgroup) throw new Error("--athena needs --stack S or --workgroup W");
    return { workgroup: args.workgroup, database: args.database ?? DEFAULT_DATABASE, region: args.region };
  }
  const parsed = StackLakeOutputs.safeParse(outputs);
  if (!parsed.success) throw new Error(`stack ${args.stack} ${parsed.error.issues[0]?.message}`);
  return {
    workgroup: args.workgroup ?? parsed.data.athenaWorkgroup,
    database: args.database ?? parsed.data.glueDatabase,
    region: args.region ?? parsed.data.region,
  };
}

const command: Command = {
  summary: "SQL over the job history (Athena, or DuckDB over the local lake)",
  usage,
  run: (argv) => runCommand(spec, argv, parseArgs, history),
};

async function history(args: Args): Promise<number> {
  if (args.list) {
    for (const q of namedQueries()) console.log(`${q.name.padEnd(38)} ${q.description}`);
    return 0;
  }
  const sql = args.sql;
  if (!sql) throw new UsageError('give either "<SQL>" or --query NAME');

  let result: QueryResult;
  if (args.athena) {
    let target: ReturnType<typeof athenaTarget>;
    try {
      target = athenaTarget(args, args.stack ? stackOutputs(args.stack, "--workgroup, --database and --region") : undefined);
    } catch (err) {
      console.error(`mcjobs history: ${(err as Error).message}`);
      return 1;
    }
    const env = { ...process.env, ...(target.region ? { AWS_REGION: target.region } : {}) };
    const client = clients.athena(env);
    try {
      const r = await runAthenaQuery(client, { sql, workgroup: target.workgroup, database: target.database });
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
}

export default command;
