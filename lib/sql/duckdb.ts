/**
 * DuckDB over a local lake directory laid out like the S3 lake (`<dataset>/dt=YYYY-MM-DD/*.parquet`): one view
 * per dataset with hive partitioning (so `WHERE dt = '…'` prunes files, as partition projection does in Athena),
 * plus the bridge macros, so the Athena named queries run unchanged.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { DATASETS, DATASET_NAMES, DUCKDB_TYPES, PARTITION_KEY, schemaFingerprint, type DatasetName } from "../domain/history";
import { duckdbBridgeSql } from "./queries";

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Parquet file names of a dataset folder, across its dt= partitions (a directory listing, no file reads). */
function parquetNames(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const names: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith(`${PARTITION_KEY.name}=`)) {
      names.push(...fs.readdirSync(path.join(dir, entry.name)).filter((f) => f.endsWith(".parquet")));
    }
  }
  return names;
}

/** The CREATE VIEW statement for one dataset (an empty, typed view when there are no files yet). */
export function viewSql(lakeDir: string, dataset: DatasetName): string {
  const def = DATASETS[dataset];
  const dir = path.join(path.resolve(lakeDir), dataset);
  const files = parquetNames(dir);
  if (files.length > 0) {
    const glob = path.join(dir, `${PARTITION_KEY.name}=*`, "*.parquet");
    // Files all written with today's schema: bind on one file's footer, so a dt filter opens only its partition.
    // Otherwise (older schema versions, or files from elsewhere) merge columns by name, which reads every footer.
    const current = `-s${schemaFingerprint(dataset)}-`;
    const union = files.some((f) => !f.includes(current));
    return (
      `CREATE OR REPLACE VIEW ${dataset} AS SELECT * FROM read_parquet(${lit(glob)}, hive_partitioning = true, ` +
      `hive_types = {'${PARTITION_KEY.name}': VARCHAR}${union ? ", union_by_name = true" : ""})`
    );
  }
  const cols = def.columns.map((c) => `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS "${c.name}"`);
  cols.push(`CAST(NULL AS VARCHAR) AS "${PARTITION_KEY.name}"`);
  return `CREATE OR REPLACE VIEW ${dataset} AS SELECT ${cols.join(", ")} WHERE false`;
}

/** BIGINTs come back as JS bigint: numbers when exact, strings otherwise; dates as ISO strings. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}

export class LocalLake {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly lakeDir: string,
  ) {}

  static async open(lakeDir: string): Promise<LocalLake> {
    if (!fs.existsSync(lakeDir) || !fs.statSync(lakeDir).isDirectory()) {
      throw new Error(`Local lake directory ${lakeDir} does not exist. Run the local twin (npm start) or pass --local DIR.`);
    }
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    const lake = new LocalLake(instance, conn, lakeDir);
    await lake.refresh();
    return lake;
  }

  /** (Re)create the bridge macros and one view per dataset, picking up files written since. */
  async refresh(): Promise<void> {
    await this.conn.run(duckdbBridgeSql());
    for (const ds of DATASET_NAMES) await this.conn.run(viewSql(this.lakeDir, ds));
  }

  async query(sql: string): Promise<QueryResult> {
    const reader = await this.conn.runAndReadAll(sql);
    const rows = (reader.getRowObjectsJS() as Record<string, unknown>[]).map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) out[k] = plain(v);
      return out;
    });
    return { columns: reader.columnNames(), rows };
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync?.();
  }
}
