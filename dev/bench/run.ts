/**
 * `npm run bench [-- --quick] [-- --only NAME]`: runs every `dev/bench/*.bench.ts`, prints one table, and writes
 * `bench-results.json`. Each figure sits beside a baseline measured in the same process, as a ratio.
 *
 * A bench module default-exports `async (opts: BenchOptions) => BenchRow[]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface BenchOptions {
  /** CI-sized inputs. */
  quick: boolean;
}

export interface BenchRow {
  /** Which bench file/area, e.g. "collector". */
  suite: string;
  /** What was measured, e.g. "events/s". */
  metric: string;
  value: number;
  unit: string;
  /** The same figure for the baseline run in this process (e.g. naive ETA, full parse, full scan). */
  baseline?: { name: string; value: number };
  note?: string;
}

export type Bench = (opts: BenchOptions) => Promise<BenchRow[]>;

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e6) return n.toExponential(3);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function renderTable(rows: BenchRow[]): string {
  const header = ["suite", "metric", "value", "unit", "baseline", "baseline value", "ratio", "note"];
  const body = rows.map((r) => [
    r.suite,
    r.metric,
    fmt(r.value),
    r.unit,
    r.baseline?.name ?? "",
    r.baseline ? fmt(r.baseline.value) : "",
    r.baseline && r.baseline.value !== 0 ? `${fmt(r.value / r.baseline.value)}×` : "",
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...body.map(line)].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes("--quick");
  const onlyIdx = argv.indexOf("--only");
  const only = onlyIdx >= 0 ? argv[onlyIdx + 1] : undefined;
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => !only || f.startsWith(only))
    .sort();
  if (files.length === 0) {
    console.error(only ? `No bench named "${only}" in dev/bench/.` : "No bench files in dev/bench/.");
    return 1;
  }
  const rows: BenchRow[] = [];
  let failed = 0;
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, "");
    process.stderr.write(`bench: ${name}${quick ? " (quick)" : ""}…\n`);
    try {
      const bench: Bench = require(path.join(__dirname, file)).default;
      rows.push(...(await bench({ quick })));
    } catch (err) {
      failed++;
      console.error(`bench ${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  console.log(renderTable(rows));
  const out = path.resolve(process.env.MCJOBS_BENCH_OUT ?? "bench-results.json");
  fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), quick, node: process.version, rows }, null, 2));
  console.log(`\nResults written to ${out}`);
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
