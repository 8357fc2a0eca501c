/**
 * `npm run build`: every Lambda bundle into `dist/<name>/`, to look at them (size, source, `--no-minify` for readable
 * output). The program builds the same bundles by itself on every `pulumi preview` and `pulumi up`
 * (infra/lambda-code.ts), through the same code (infra/lambda-bundle.ts), so this step is never needed to deploy.
 *
 *   npm run build                      # every entry that exists
 *   npm run build -- --only collector  # some of them (comma-separated)
 *   npm run build -- --no-minify       # readable output
 *
 * Bundles target Node 22 (the Lambda runtime) as CommonJS with the `node` export condition (so mediainfo.js
 * resolves to its Node build, see lib/probe/build.ts), include the AWS SDK (a pinned, tested version rather than
 * whatever the runtime ships), and carry a source map. A bundle that pulls in mediainfo.js gets
 * `MediaInfoModule.wasm` beside it, where lib/probe/wasm.ts looks for it. Here a missing entry file is skipped with
 * a warning (the program, which deploys it, refuses one); a failing build is an error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildBundle, LAMBDA_ENTRIES, REPO_ROOT, type BuiltBundle } from "./lambda-bundle";

export { LAMBDA_ENTRIES, REPO_ROOT, type BuiltBundle } from "./lambda-bundle";

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

/** Build the Lambda bundles; resolves with one row per requested bundle (built or skipped). */
export async function buildLambdas(opts: BuildOptions = {}): Promise<BuiltBundle[]> {
  const outDir = path.resolve(opts.outDir ?? path.join(REPO_ROOT, "dist"));
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
    if (!fs.existsSync(path.join(REPO_ROOT, entry))) {
      say(`warning: ${entry} does not exist yet; skipping the ${name} bundle`);
      results.push({ name, entry, skipped: `${entry} does not exist` });
      continue;
    }
    const row = await buildBundle(name, { outDir, minify: opts.minify, sourcemap: opts.sourcemap });
    for (const w of row.warnings ?? []) say(`warning (${name}): ${w}`);
    results.push(row);
    const size = `${((row.bytes ?? 0) / 1024).toFixed(0)} KiB${row.wasm ? ", + MediaInfoModule.wasm" : ""}`;
    say(`${row.written ? "built" : "unchanged"} ${path.relative(process.cwd(), row.outfile ?? path.join(outDir, name))} (${size})`);
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
  Promise.resolve()
    .then(() => buildLambdas(parseArgs(process.argv.slice(2))))
    .then(
      (rows) => {
        const ready = rows.filter((r) => !r.skipped);
        const written = ready.filter((r) => r.written).length;
        process.stderr.write(
          `${ready.length} bundle(s) ready (${written} written, ${ready.length - written} unchanged), ${rows.length - ready.length} skipped\n`,
        );
      },
      (err: unknown) => {
        process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      },
    );
}
