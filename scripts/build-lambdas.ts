/**
 * `npm run build`: one esbuild bundle per Lambda entry point, in `dist/<name>/index.js`, which the Pulumi
 * components deploy as file archives (components/bundled-function.ts).
 *
 *   npm run build                      # every entry that exists
 *   npm run build -- --only collector  # some of them (comma-separated)
 *   npm run build -- --no-minify       # readable output
 *
 * Bundles target Node 22 (the Lambda runtime) as CommonJS with the `node` export condition (so mediainfo.js
 * resolves to its Node build, see probe/build.ts), include the AWS SDK (a pinned, tested version rather than
 * whatever the runtime ships), and carry a source map. A bundle that pulls in mediainfo.js gets
 * `MediaInfoModule.wasm` copied beside it, where probe/wasm.ts looks for it. A missing entry file is skipped with
 * a warning (the engineer writing it may not have landed it yet); a failing build is an error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build, type Metafile } from "esbuild";
import { PROBE_ESBUILD_OPTIONS, copyMediaInfoWasm } from "../probe/build";

export const REPO_ROOT = path.resolve(__dirname, "..");

/** Bundle name (dist/<name>) → entry file, relative to the repository root. */
export const LAMBDA_ENTRIES: Readonly<Record<string, string>> = {
  collector: "handlers/collector.ts",
  api: "handlers/api.ts",
  convert: "handlers/convert.ts",
  history: "consumers/history.ts",
  analytics: "consumers/analytics.ts",
};

export interface BuildOptions {
  /** Where bundles go (default <repo>/dist). */
  outDir?: string;
  /** Only these bundle names (default: all of LAMBDA_ENTRIES). */
  only?: string[];
  /** Minify (default true). */
  minify?: boolean;
  /** Write source maps (default true). */
  sourcemap?: boolean;
  /** Print nothing (default false). */
  quiet?: boolean;
}

export interface BuiltBundle {
  name: string;
  entry: string;
  /** Absolute path of index.js, or undefined when skipped. */
  outfile?: string;
  /** Size of index.js in bytes. */
  bytes?: number;
  /** Path of the copied wasm, when the bundle uses mediainfo.js. */
  wasm?: string;
  /** Why the bundle was not built. */
  skipped?: string;
  /** Input files by bytes contributed, largest first (top 10), for size investigations. */
  largestInputs?: { path: string; bytes: number }[];
}

function usesMediaInfo(meta: Metafile): boolean {
  return Object.keys(meta.inputs).some((p) => p.includes("node_modules/mediainfo.js/"));
}

function largest(meta: Metafile, outfile: string): { path: string; bytes: number }[] {
  const out = Object.entries(meta.outputs).find(([p]) => path.resolve(REPO_ROOT, p) === outfile)?.[1];
  if (!out) return [];
  return Object.entries(out.inputs)
    .map(([p, v]) => ({ path: p, bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10);
}

/** Build the Lambda bundles; resolves with one row per requested bundle (built or skipped). */
export async function buildLambdas(opts: BuildOptions = {}): Promise<BuiltBundle[]> {
  const outRoot = path.resolve(opts.outDir ?? path.join(REPO_ROOT, "dist"));
  const names = opts.only ?? Object.keys(LAMBDA_ENTRIES);
  const say = (msg: string) => {
    if (!opts.quiet) process.stderr.write(`${msg}\n`);
  };
  for (const n of names) {
    if (!LAMBDA_ENTRIES[n]) throw new Error(`unknown bundle "${n}"; known: ${Object.keys(LAMBDA_ENTRIES).join(", ")}`);
  }
  const results: BuiltBundle[] = [];
  for (const name of names) {
    const entry = LAMBDA_ENTRIES[name];
    const entryAbs = path.join(REPO_ROOT, entry);
    if (!fs.existsSync(entryAbs)) {
      say(`warning: ${entry} does not exist yet; skipping the ${name} bundle`);
      results.push({ name, entry, skipped: `${entry} does not exist` });
      continue;
    }
    const dir = path.join(outRoot, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const outfile = path.join(dir, "index.js");
    const result = await build({
      entryPoints: [entryAbs],
      outfile,
      bundle: true,
      ...PROBE_ESBUILD_OPTIONS,
      target: "node22",
      minify: opts.minify ?? true,
      sourcemap: opts.sourcemap ?? true,
      sourcesContent: false,
      legalComments: "none",
      metafile: true,
      logLevel: "silent",
      absWorkingDir: REPO_ROOT,
    });
    for (const w of result.warnings) say(`warning (${name}): ${w.text}${w.location ? ` at ${w.location.file}:${w.location.line}` : ""}`);
    const row: BuiltBundle = { name, entry, outfile, bytes: fs.statSync(outfile).size, largestInputs: largest(result.metafile, outfile) };
    if (usesMediaInfo(result.metafile)) row.wasm = copyMediaInfoWasm(dir);
    results.push(row);
    say(`built dist/${path.relative(outRoot, outfile)} (${(row.bytes! / 1024).toFixed(0)} KiB${row.wasm ? ", + MediaInfoModule.wasm" : ""})`);
  }
  return results;
}

function parseArgs(argv: string[]): BuildOptions {
  const opts: BuildOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--only") opts.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (a.startsWith("--only=")) opts.only = a.slice(7).split(",").filter(Boolean);
    else if (a === "--no-minify") opts.minify = false;
    else if (a === "--no-sourcemap") opts.sourcemap = false;
    else if (a === "--out") opts.outDir = argv[++i];
    else if (a === "--quiet") opts.quiet = true;
    else throw new Error(`unknown option ${a}; use --only a,b  --no-minify  --no-sourcemap  --out DIR  --quiet`);
  }
  return opts;
}

if (require.main === module) {
  buildLambdas(parseArgs(process.argv.slice(2))).then(
    (rows) => {
      const built = rows.filter((r) => !r.skipped).length;
      process.stderr.write(`${built} bundle(s) built, ${rows.length - built} skipped\n`);
    },
    (err: unknown) => {
      process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
