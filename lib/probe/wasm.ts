/**
 * Loads the mediainfo.js WebAssembly module once per process and lends it to one analysis at a time.
 *
 * Finding `MediaInfoModule.wasm`: mediainfo.js looks for it relative to its own script, which is wrong once
 * esbuild has folded that script into a bundle. So we look, in order, at MCJOBS_MEDIAINFO_WASM, beside the
 * running bundle (`__dirname`, where the build copies it), and in the installed package.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MediaInfo } from "mediainfo.js";
// `require`, not `import`: a bundler then takes the package's CommonJS build. Its ES-module build works out its
// own location from import.meta.url, which a CommonJS bundle does not have.
import mediainfo = require("mediainfo.js");

export const WASM_FILE = "MediaInfoModule.wasm";

/** Where the wasm file is; throws a message naming every place looked at when it is nowhere. */
export function locateWasm(env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  const fromEnv = env.MCJOBS_MEDIAINFO_WASM?.trim();
  if (fromEnv) {
    if (fs.existsSync(fromEnv)) return fromEnv;
    throw new Error(`MCJOBS_MEDIAINFO_WASM is set to ${fromEnv}, but there is no file there`);
  }
  const beside = path.join(__dirname, WASM_FILE);
  tried.push(beside);
  if (fs.existsSync(beside)) return beside;
  try {
    const installed = require.resolve(`mediainfo.js/${WASM_FILE}`);
    if (fs.existsSync(installed)) return installed;
    tried.push(installed);
  } catch {
    tried.push("the mediainfo.js package (not installed here)");
  }
  throw new Error(
    `Cannot find ${WASM_FILE}; looked in: ${tried.join(", ")}. Copy it from node_modules/mediainfo.js/dist/ ` +
      "beside the bundle, or set MCJOBS_MEDIAINFO_WASM to its path.",
  );
}

let loading: Promise<MediaInfo<"JSON">> | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function load(): Promise<MediaInfo<"JSON">> {
  const wasmPath = locateWasm();
  return mediainfo.mediaInfoFactory({ format: "JSON", full: false, coverData: false, locateFile: () => wasmPath });
}

/**
 * Runs `work` with the shared MediaInfo instance; calls queue up, since one instance parses one file at a time.
 * The instance is reset before each use.
 */
export function withMediaInfo<T>(work: (mi: MediaInfo<"JSON">) => Promise<T>): Promise<T> {
  if (!loading) {
    const attempt = load();
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = undefined; // a failed load is tried again on the next call
    });
  }
  const instance = loading;
  const run = queue.then(async () => {
    const mi = await instance;
    mi.reset();
    return work(mi);
  });
  queue = run.catch(() => undefined);
  return run;
}
