/**
 * What a bundler must do for code that uses the probe (for infra/build-lambdas.ts and the bundle test):
 *
 * - esbuild `conditions: ["node"]`: without custom conditions esbuild also honours the `module` condition and
 *   picks mediainfo.js's browser build, which cannot read the wasm file from disk.
 * - copy `MediaInfoModule.wasm` beside the bundle: lib/probe/wasm.ts looks for it next to the running script.
 *
 * No esbuild import here: this file only states the settings, so product code can load it at no cost.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** esbuild options a bundle containing lib/probe/ needs (merge into your own). */
export const PROBE_ESBUILD_OPTIONS: { platform: "node"; format: "cjs"; conditions: string[] } = {
  platform: "node",
  format: "cjs",
  conditions: ["node"],
};

/** The wasm file shipped in the mediainfo.js package. */
export function mediaInfoWasmPath(): string {
  return require.resolve("mediainfo.js/MediaInfoModule.wasm");
}

/** Copies the mediainfo.js wasm into `outdir` (beside the bundle); returns its new path. */
export function copyMediaInfoWasm(outdir: string): string {
  const target = path.join(outdir, path.basename(mediaInfoWasmPath()));
  fs.mkdirSync(outdir, { recursive: true });
  fs.copyFileSync(mediaInfoWasmPath(), target);
  return target;
}
