/**
 * Runs one SQL statement on Athena: StartQueryExecution, poll GetQueryExecution with backoff until it ends,
 * page through GetQueryResults, and report the bytes scanned. A failed query raises the engine's own message.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
} from "@aws-sdk/client-athena";
import type { QueryResult } from "./duckdb";

export interface AthenaQueryOptions {
  sql: string;
  workgroup: string;
  database: string;
  catalog?: string;
  /** First poll delay (default 250 ms), doubling up to maxPollMs (default 3 s). */
  firstPollMs?: number;
  maxPollMs?: number;
  /** Give up (and say so) after this long (default 15 min). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface AthenaQueryResult extends QueryResult {
  queryExecutionId: string;
  bytesScanned: number;
  engineMs?: number;
  polls: number;
}

export class QueryFailedError extends Error {}

const NUMERIC = new Set(["tinyint", "smallint", "integer", "int", "bigint", "double", "float", "real", "decimal"]);

function convert(value: string | undefined, col: ColumnInfo | undefined): unknown {
  if (value === undefined) return null;
  const type = (col?.Type ?? "varchar").toLowerCase();
  if (NUMERIC.has(type)) {
    const n = Number(value);
    return Number.isFinite(n) && (type === "bigint" ? Number.isSafeInteger(n) : true) ? n : value;
  }
  if (type === "boolean") return value === "true";
  return value;
}

export async function runAthenaQuery(client: AthenaClient, opts: AthenaQueryOptions): Promise<AthenaQueryResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: opts.sql,
      WorkGroup: opts.workgroup,
      QueryExecutionContext: { Database: opts.database, Catalog: opts.catalog ?? "AwsDataCatalog" },
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new Error("Athena did not return a query execution id.");

  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  let delay = opts.firstPollMs ?? 250;
  const maxDelay = opts.maxPollMs ?? 3000;
  let polls = 0;
  for (;;) {
    await sleep(delay);
    polls++;
    const { QueryExecution: qe } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = qe?.Status?.State;
    if (state === "SUCCEEDED") {
      const result = await fetchResults(client, id);
      return {
        ...result,
        queryExecutionId: id,
        bytesScanned: qe?.Statistics?.DataScannedInBytes ?? 0,
        engineMs: qe?.Statistics?.EngineExecutionTimeInMillis,
        polls,
      };
    }
    if (state === "FAILED" || state === "CANCELLED") {
      const reason = qe?.Status?.StateChangeReason ?? qe?.Status?.AthenaError?.ErrorMessage ?? "no reason given";
      throw new QueryFailedError(`Athena query ${id} ${state === "FAILED" ? "failed" : "was cancelled"}: ${reason}`);
    }
    if (Date.now() > deadline) {
      throw new QueryFailedError(
        `Athena query ${id} still ${state ?? "pending"} after ${Math.round((opts.timeoutMs ?? 900_000) / 1000)} s; it keeps running in the workgroup.`,
      );
    }
    delay = Math.min(maxDelay, delay * 2);
  }
}

async function fetchResults(client: AthenaClient, id: string): Promise<QueryResult> {
  let columns: ColumnInfo[] | undefined;
  const rows: Record<string, unknown>[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }));
    columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    const names = columns.map((c) => c.Name ?? c.Label ?? "");
    let data = page.ResultSet?.Rows ?? [];
    // For SELECT statements the first row of the first page repeats the column names.
    if (first && data.length > 0 && data[0].Data?.every((d, k) => d.VarCharValue === names[k])) data = data.slice(1);
    first = false;
    for (const r of data) {
      const row: Record<string, unknown> = {};
      for (const [k, n] of names.entries()) row[n] = convert(r.Data?.[k]?.VarCharValue, columns?.[k]);
      rows.push(row);
    }
    token = page.NextToken;
  } while (token);
  return { columns: (columns ?? []).map((c) => c.Name ?? c.Label ?? ""), rows };
}
