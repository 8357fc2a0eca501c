/**
 * The named history queries: one `.sql` file per question in this folder (the file name is the query name; the
 * leading `--` comment is its description). Used by the HistoryLake component (Athena named queries), by
 * `mcjobs history --query NAME` and by the DuckDB tests. `duckdb-macros.sql` is the engine bridge, not a query.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface NamedQuery {
  name: string;
  description: string;
  sql: string;
}

export const SQL_DIR = __dirname;
export const BRIDGE_FILE = "duckdb-macros.sql";

export function namedQueries(dir: string = SQL_DIR): NamedQuery[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql") && f !== BRIDGE_FILE)
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), "utf8").trim();
      const description = sql
        .split("\n")
        .filter((l) => l.startsWith("--"))
        .map((l) => l.replace(/^--\s?/, ""))
        .join(" ")
        .trim();
      return { name: f.slice(0, -4), description, sql };
    });
}

export function namedQuery(name: string, dir: string = SQL_DIR): NamedQuery {
  const all = namedQueries(dir);
  const found = all.find((q) => q.name === name);
  if (!found) {
    throw new Error(`No named query "${name}". Known queries: ${all.map((q) => q.name).join(", ")}.`);
  }
  return found;
}

/** The DuckDB bridge macros (see duckdb-macros.sql). */
export function duckdbBridgeSql(dir: string = SQL_DIR): string {
  return fs.readFileSync(path.join(dir, BRIDGE_FILE), "utf8");
}
