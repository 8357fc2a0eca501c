/**
 * Builds one Lambda bundle with esbuild's API: `<outDir>/<name>/index.js`, its source map, and `MediaInfoModule.wasm`
 * when the code uses mediainfo.js (lib/probe/build.ts). Both the program (infra/lambda-code.ts, on every preview
 * and update) and `npm run build` (infra/build-lambdas.ts) build through here, so they give the same files.
 *
 * The output is deterministic: the same sources give byte-identical files, wherever the checkout and the output
 * folder are. esbuild itself writes no timestamps; what could differ between machines is paths, so
 *  - symbolic links are kept as the repository sees them (a `node_modules` that links elsewhere stays
 *    `node_modules/...` instead of the link's target), and
 *  - the source map lists its sources relative to the repository root, with no `sourceRoot`. Lambda resolves them
 *    against the bundle's folder, so stack traces read `/var/task/handlers/api.ts:12`.
 * Files are built in memory and written only when their content hash differs from what is on disk (into a
 * temporary folder that then takes the bundle folder's place), so an unchanged bundle is not rewritten.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build, type BuildFailure, type BuildResult, type Message, type Metafile } from "esbuild";
import { PROBE_ESBUILD_OPTIONS, mediaInfoWasmPath } from "../lib/probe/build";
import { archiveHash, filesHash, type ArchiveFile } from "./archive-hash";

/** Repository root (this file lives in infra/). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Bundle name (dist/<name>) → entry file, relative to the repository root. */
export const LAMBDA_ENTRIES: Readonly<Record<string, string>> = {
  collector: "handlers/collector.ts",
  api: "handlers/api.ts",
  "watch-folder": "handlers/watch-folder.ts",
  history: "consumers/history.ts",
  analytics: "consumers/analytics.ts",
  reconciler: "handlers/reconciler.ts",
};

export interface BundleOptions {
  /** The checkout whose sources are bundled (default: this one). Entries and paths are relative to it. */
  repoRoot?: string;
  /** Where bundle folders go (default <repoRoot>/dist). */
  outDir?: string;
  /** Minify (default true). */
  minify?: boolean;
  /** Write a source map (default true). */
  sourcemap?: boolean;
}

export interface BuiltBundle {
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  /** The bundle folder (what a function deploys), or undefined when skipped. */
  dir?: string;
  /** Absolute path of index.js. */
  outfile?: string;
  /** Size of index.js in bytes. */
  bytes?: number;
  /** Path of the copied wasm, when the bundle uses mediainfo.js. */
  wasm?: string;
  /** Content hash of the folder (infra/archive-hash.ts). */
  hash?: string;
  /** False when the folder on disk already held exactly these files. */
  written?: boolean;
  /** Why the bundle was not built (infra/build-lambdas.ts skips entries that do not exist yet). */
  skipped?: string;
  /** esbuild's warnings, one line each. */
  warnings?: string[];
  /** Input files by bytes contributed, largest first (top 10), for size investigations. */
  largestInputs?: { path: string; bytes: number }[];
}

/** The entry file of a bundle; throws for a name LAMBDA_ENTRIES does not know. */
export function bundleEntry(name: string): string {
  const entry = LAMBDA_ENTRIES[name];
  if (!entry) throw new Error(`unknown bundle "${name}"; known: ${Object.keys(LAMBDA_ENTRIES).join(", ")}`);
  return entry;
}

const toPosix = (p: string) => p.split(path.sep).join("/");

function usesMediaInfo(meta: Metafile): boolean {
  return Object.keys(meta.inputs).some((p) => p.includes("node_modules/mediainfo.js/"));
}

function largest(meta: Metafile): { path: string; bytes: number }[] {
  const out = Object.entries(meta.outputs).find(([p]) => p.endsWith("/index.js"))?.[1];
  if (!out) return [];
  return Object.entries(out.inputs)
    .map(([p, v]) => ({ path: p, bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10);
}

/**
 * A source path as it reads from the repository root. A file outside the repository keeps the part from its
 * `node_modules/` on, or else only its name: either way nothing of the machine's own layout.
 */
function repoRelative(repoRoot: string, abs: string): string {
  const rel = toPosix(path.relative(repoRoot, abs));
  if (!rel.startsWith("../") && !path.isAbsolute(rel)) return rel;
  const posix = toPosix(abs);
  const at = posix.indexOf("/node_modules/");
  return at >= 0 ? posix.slice(at + 1) : path.basename(abs);
}

/** Rewrites esbuild's map so its sources are repository-relative and it has no `sourceRoot`. */
function normalizeSourceMap(text: string, mapDir: string, repoRoot: string): string {
  const map = JSON.parse(text) as { sources: string[]; sourceRoot?: string };
  map.sources = map.sources.map((s) => repoRelative(repoRoot, path.resolve(mapDir, s)));
  delete map.sourceRoot;
  return `${JSON.stringify(map)}\n`;
}

function describeMessages(messages: Message[]): string[] {
  return messages.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text));
}

/** Puts exactly `files` in `dir`, replacing what was there, by renaming a fully written temporary folder into place. */
function replaceFolder(dir: string, files: ArchiveFile[], hash: string): void {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; the bundle folder is an ordinary one
  for (const f of files) {
    const target = path.join(tmp, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.bytes);
  }
  const old = `${tmp}.old`;
  try {
    fs.renameSync(dir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    // Another process building the same sources got there first; its files are the same bytes.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(dir) || archiveHash(dir) !== hash) throw err;
  } finally {
    fs.rmSync(old, { recursive: true, force: true });
  }
}

function currentHash(dir: string): string | undefined {
  try {
    return archiveHash(dir);
  } catch {
    return undefined;
  }
}

/**
 * Builds the bundle `name` (a key of LAMBDA_ENTRIES). Rejects, naming the bundle, its entry and esbuild's errors,
 * when the entry is missing or does not build.
 */
export async function buildBundle(name: string, opts: BundleOptions = {}): Promise<BuiltBundle> {
  const entry = bundleEntry(name);
  const repoRoot = path.resolve(opts.repoRoot ?? REPO_ROOT);
  const dir = path.join(path.resolve(opts.outDir ?? path.join(repoRoot, "dist")), name);
  const entryAbs = path.join(repoRoot, entry);
  if (!fs.existsSync(entryAbs)) throw new Error(`Lambda bundle "${name}": its entry ${entry} does not exist`);
  const sourcemap = opts.sourcemap ?? true;

  let result: BuildResult<{ write: false; metafile: true }>;
  try {
    result = await build({
      entryPoints: [entryAbs],
      outfile: path.join(dir, "index.js"),
      bundle: true,
      ...PROBE_ESBUILD_OPTIONS,
      target: "node22",
      minify: opts.minify ?? true,
      sourcemap,
      sourcesContent: false,
      legalComments: "none",
      metafile: true,
      write: false,
      preserveSymlinks: true,
      logLevel: "silent",
      absWorkingDir: repoRoot,
    });
  } catch (err) {
    const errors = (err as Partial<BuildFailure>).errors;
    const detail = errors?.length ? describeMessages(errors).join("\n  ") : err instanceof Error ? err.message : String(err);
    throw new Error(`Lambda bundle "${name}" (${entry}) failed to build:\n  ${detail}`);
  }

  const files: ArchiveFile[] = result.outputFiles.map((f) => {
    const rel = toPosix(path.relative(dir, f.path));
    if (!rel.endsWith(".map")) return { path: rel, bytes: f.contents };
    return { path: rel, bytes: Buffer.from(normalizeSourceMap(f.text, path.dirname(f.path), repoRoot), "utf8") };
  });
  const wasmSource = usesMediaInfo(result.metafile) ? mediaInfoWasmPath() : undefined;
  if (wasmSource) files.push({ path: path.basename(wasmSource), bytes: fs.readFileSync(wasmSource) });

  const hash = filesHash(files);
  const written = currentHash(dir) !== hash;
  if (written) replaceFolder(dir, files, hash);
  const outfile = path.join(dir, "index.js");
  return {
    name,
    entry,
    dir,
    outfile,
    bytes: files.find((f) => f.path === "index.js")?.bytes.length,
    wasm: wasmSource ? path.join(dir, path.basename(wasmSource)) : undefined,
    hash,
    written,
    largestInputs: largest(result.metafile),
    warnings: describeMessages(result.warnings),
  };
}
