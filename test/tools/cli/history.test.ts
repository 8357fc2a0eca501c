/**
 * `mcjobs history`, spawned as a user runs it: local mode on a real Parquet lake written by the history consumer
 * through the local Firehose endpoint; Athena mode against a small stand-in for the Athena JSON protocol (the AWS
 * boundary) that answers from DuckDB, pages its results and fails bad SQL like Athena does.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { KinesisStreamEvent } from "aws-lambda";
import * as clients from "../../../lib/adapters/clients";
import { FirehoseDelivery } from "../../../lib/adapters/delivery";
import { createHistoryHandler } from "../../../consumers/history";
import { encodeStreamRecord } from "../../../lib/domain/stream-record";
import { startLocalFirehose } from "../../../tools/twin/firehose/server";
import { LocalLake } from "../../../lib/sql/duckdb";
import { assertUsageError } from "./run-command";
import { expectedErrorRates, expectedWarnings, KNOWN_JOBS, recordsOfJob } from "../../support/known-jobs";

const ROOT = path.resolve(__dirname, "..", "..", "..");

function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "tools", "cli", "bin.js"), "history", ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_REGION: "us-east-1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, out: stdout, err: stderr }));
  });
}

interface Execution {
  state: "RUNNING" | "SUCCEEDED" | "FAILED";
  polls: number;
  rows?: Record<string, unknown>[];
  columns?: string[];
  error?: string;
  sql: string;
  workgroup?: string;
  database?: string;
}

/** Athena JSON protocol stand-in: StartQueryExecution / GetQueryExecution / GetQueryResults over DuckDB. */
async function startAthenaStandIn(lakeDir: string, pageSize: number) {
  const lake = await LocalLake.open(lakeDir);
  const executions = new Map<string, Execution>();
  let n = 0;
  const targets: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      targets.push(target);
      const input = JSON.parse(body || "{}");
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(payload));
      };
      if (target === "AmazonAthena.StartQueryExecution") {
        const id = `q-${++n}`;
        const ex: Execution = {
          state: "RUNNING",
          polls: 0,
          sql: input.QueryString,
          workgroup: input.WorkGroup,
          database: input.QueryExecutionContext?.Database,
        };
        executions.set(id, ex);
        try {
          const r = await lake.query(input.QueryString);
          ex.rows = r.rows;
          ex.columns = r.columns;
        } catch (err) {
          ex.error = (err as Error).message;
        }
        return send(200, { QueryExecutionId: id });
      }
      const ex = executions.get(input.QueryExecutionId);
      if (!ex) return send(400, { __type: "InvalidRequestException", message: "unknown query execution" });
      if (target === "AmazonAthena.GetQueryExecution") {
        // RUNNING on the first poll, then the outcome: the client has to poll.
        if (++ex.polls >= 2) ex.state = ex.error ? "FAILED" : "SUCCEEDED";
        return send(200, {
          QueryExecution: {
            QueryExecutionId: input.QueryExecutionId,
            Query: ex.sql,
            Status: { State: ex.state, ...(ex.state === "FAILED" ? { StateChangeReason: ex.error } : {}) },
            Statistics: { DataScannedInBytes: 123_456, EngineExecutionTimeInMillis: 42 },
          },
        });
      }
      if (target === "AmazonAthena.GetQueryResults") {
        const cols = ex.columns!;
        const all = [cols, ...ex.rows!.map((r) => cols.map((c) => r[c]))];
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const page = all.slice(start, start + Math.min(pageSize, input.MaxResults ?? 1000));
        const next = start + page.length < all.length ? String(start + page.length) : undefined;
        const typeOf = (c: string) => {
          const v = ex.rows!.map((r) => r[c]).find((x) => x !== null && x !== undefined);
          return typeof v === "number" ? (Number.isInteger(v) ? "bigint" : "double") : "varchar";
        };
        return send(200, {
          ResultSet: {
            Rows: page.map((r) => ({ Data: r.map((v) => (v === null || v === undefined ? {} : { VarCharValue: String(v) })) })),
            ResultSetMetadata: { ColumnInfo: cols.map((c) => ({ Name: c, Label: c, Type: typeOf(c), CatalogName: "hive" })) },
          },
          ...(next ? { NextToken: next } : {}),
        });
      }
      return send(400, { __type: "UnknownOperationException", message: target });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    endpoint,
    executions,
    targets,
    stop: async () => {
      lake.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("history: mcjobs history", function () {
  this.timeout(120_000);
  let lakeDir: string;

  before(async () => {
    lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-cli-lake-"));
    const fh = await startLocalFirehose({ lakeDir, streams: { je: "job_events", jb: "jobs" } });
    const delivery = new FirehoseDelivery(clients.firehose({ AWS_REGION: "us-east-1", ...fh.env }));
    const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };
    const handler = createHistoryHandler({ delivery, streams: { jobEvents: "je", jobs: "jb" }, logger: quiet });
    let seq = 0;
    const Records = KNOWN_JOBS.flatMap((_, j) => recordsOfJob(j)).map((r) => ({
      kinesis: { sequenceNumber: String(++seq), partitionKey: r.event.jobId, data: Buffer.from(encodeStreamRecord(r)).toString("base64") },
      eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/jobs",
    }));
    const out = await handler({ Records } as unknown as KinesisStreamEvent);
    assert.deepEqual(out.batchItemFailures, []);
    await fh.stop();
  });
  after(() => fs.rmSync(lakeDir, { recursive: true, force: true }));

  it("--local: runs a named query over the Parquet lake and prints JSON", async () => {
    const r = await runCli(["--query", "error_rate_by_code_and_queue", "--local", lakeDir, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), expectedErrorRates());
  });

  it("--local: ad-hoc SQL with a partition filter, printed as a table", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await runCli([
      `SELECT status, count(*) AS n FROM jobs WHERE dt = '${today}' GROUP BY status ORDER BY status`,
      "--local",
      lakeDir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0], /^status\s+\| n$/);
    assert.match(lines[1], /^-+-\+-+$/);
    assert.ok(lines.some((l) => /^COMPLETE\s+\| \d+$/.test(l)));
  });

  it("bad SQL: the engine's message, exit 1; bad usage: exit 2 with the reason", async () => {
    const bad = await runCli(["SELEC 1", "--local", lakeDir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /syntax error at or near "SELEC"/);
    const missing = await runCli(["SELECT * FROM no_such_table", "--local", lakeDir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no_such_table/);
    const unknown = await runCli(["--query", "no_such_query", "--local", lakeDir]);
    assertUsageError(unknown, "history", /No named query "no_such_query". Known queries: .*jobs_per_day_by_status/);
    const noWg = await runCli(["--athena", "--query", "warnings_by_code"]);
    assertUsageError(noWg, "history", /--athena needs --stack S or --workgroup W/);
    const noLake = await runCli(["SELECT 1", "--local", path.join(lakeDir, "nope")]);
    assert.equal(noLake.code, 1);
    assert.match(noLake.stderr, /does not exist/);
  });

  it("takes --flag=value as --flag value; an unknown flag or a bad value is one line and exit 2", async () => {
    const spaced = await runCli(["--query", "warnings_by_code", "--local", lakeDir, "--json"]);
    const joined = await runCli(["--query=warnings_by_code", `--local=${lakeDir}`, "--json"]);
    assert.equal(spaced.code, 0, spaced.stderr);
    assert.equal(joined.code, 0, joined.stderr);
    assert.deepEqual(JSON.parse(spaced.stdout), expectedWarnings());
    assert.equal(joined.stdout, spaced.stdout);
    const [unknown, badDb, twoSql, badRegion] = await Promise.all([
      runCli(["--query=warnings_by_code", "--frobnicate"]),
      runCli(["--athena", "--workgroup=wg", "--database=no-dashes", "--query", "warnings_by_code"]),
      runCli(["SELECT 1", "SELECT 2"]),
      runCli(["--athena", "--workgroup", "wg", "--region=Mars", "SELECT 1"]),
    ]);
    assertUsageError(unknown, "history", /^unknown option --frobnicate$/);
    assertUsageError(badDb, "history", /^--database must be a Glue database name/);
    assertUsageError(twoSql, "history", /^unexpected argument "SELECT 2" \(quote the SQL as one argument\)$/);
    assertUsageError(badRegion, "history", /^--region must look like eu-west-1, not "Mars"$/);
  });

  it("--athena: starts, polls, pages through results and reports bytes scanned", async () => {
    const athena = await startAthenaStandIn(lakeDir, 2);
    try {
      const r = await runCli(
        ["--athena", "--workgroup", "mcjobs-wg", "--database", "mcjobs_test", "--query", "warnings_by_code", "--json"],
        {
          MCJOBS_ENDPOINT_ATHENA: athena.endpoint,
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), expectedWarnings());
      assert.match(r.stderr, /Athena q-1: 2 rows, 120\.6 KiB scanned/);
      const ex = athena.executions.get("q-1")!;
      assert.equal(ex.workgroup, "mcjobs-wg");
      assert.equal(ex.database, "mcjobs_test");
      assert.ok(athena.targets.filter((t) => t.endsWith("GetQueryExecution")).length >= 2, "polled until done");
      assert.ok(athena.targets.filter((t) => t.endsWith("GetQueryResults")).length >= 2, "paged");
    } finally {
      await athena.stop();
    }
  });

  it("--athena --stack: workgroup, database and region come from the stack's outputs", async () => {
    const athena = await startAthenaStandIn(lakeDir, 100);
    // A `pulumi` on PATH that answers `stack output --json --stack <name>` the way the CLI does for a deployed
    // stack (no Pulumi CLI or backend in the tests); any other call fails.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-pulumi-"));
    const outputs = {
      region: "eu-west-1",
      athenaWorkgroup: "mcjobs-history-wg-1a2b",
      glueDatabase: "mcjobs_prod_eu_prod_eu_west_1",
      apiUrl: "https://x.execute-api.eu-west-1.amazonaws.com",
    };
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      [
        "#!/bin/sh",
        'if [ "$*" = "stack output --json --stack prod-eu-west-1" ]; then',
        `  echo '${JSON.stringify(outputs)}'`,
        'elif [ "$*" = "stack output --json --stack no-lake" ]; then',
        `  echo '${JSON.stringify({ region: "eu-west-1", apiUrl: outputs.apiUrl })}'`,
        "else",
        '  echo "error: no stack named $5" >&2; exit 255',
        "fi",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const env = {
      MCJOBS_ENDPOINT_ATHENA: athena.endpoint,
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      MCJOBS_HISTORY_DATABASE: "ignored",
    };
    try {
      const r = await runCli(["--athena", "--stack", "prod-eu-west-1", "--query", "warnings_by_code", "--json"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), expectedWarnings());
      const ex = athena.executions.get("q-1")!;
      assert.equal(ex.workgroup, "mcjobs-history-wg-1a2b");
      assert.equal(ex.database, "mcjobs_prod_eu_prod_eu_west_1");
      const noLake = await runCli(["--athena", "--stack", "no-lake", "SELECT 1"], env);
      assert.equal(noLake.code, 1);
      assert.match(noLake.stderr, /stack no-lake has no athenaWorkgroup output: it was deployed with useStreams=false/);
      const unknown = await runCli(["--athena", "--stack", "nope", "SELECT 1"], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /could not read the outputs of stack nope: error: no stack named nope/);
      assertUsageError(await runCli(["--stack", "prod-eu-west-1", "SELECT 1"], env), "history", /--stack only applies with --athena/);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
      await athena.stop();
    }
  });

  it("--athena: a failed query prints Athena's reason and exits 1", async () => {
    const athena = await startAthenaStandIn(lakeDir, 100);
    try {
      const r = await runCli(["SELEC nonsense", "--athena", "--workgroup", "wg"], { MCJOBS_ENDPOINT_ATHENA: athena.endpoint });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Athena query q-1 failed: .*syntax error/);
    } finally {
      await athena.stop();
    }
  });
});
