/**
 * Lambda bundle bench: size of each bundle built by infra/build-lambdas.ts and its cold-start init time
 * (a fresh `node` process that requires the bundle, as the Lambda runtime does before the first invocation),
 * next to a minimal "hello" bundle built and timed the same way in the same run.
 *
 * Bundles are built into .mcjobs/bench/bundles (not dist/, which the deploy uses). A handler that throws at
 * load (e.g. on missing configuration) is reported in the note, not hidden.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import type { BenchOptions, BenchRow } from "./run";
import { ENV } from "../../lib/domain/env";
import { copyMediaInfoWasm, PROBE_ESBUILD_OPTIONS } from "../../lib/probe/build";
import { makeMedia } from "../../test/support/media";

const REPO = path.resolve(__dirname, "..", "..");
const OUT = path.join(REPO, ".mcjobs", "bench", "bundles");

interface Bundle {
  name: string;
  file: string;
  wasmBytes?: number;
  note?: string;
}

/** Entry points to bundle when infra/build-lambdas.ts is not there. */
const FALLBACK_ENTRIES: Record<string, string> = {
  collector: "handlers/collector.ts",
  api: "handlers/api.ts",
  "watch-folder": "handlers/watch-folder.ts",
  history: "consumers/history.ts",
  analytics: "consumers/analytics.ts",
};

async function esbuildOne(name: string, entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, name, "index.js");
  await build({
    ...PROBE_ESBUILD_OPTIONS,
    entryPoints: [entry],
    outfile,
    bundle: true,
    target: "node22",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    absWorkingDir: REPO,
  });
  return outfile;
}

async function lambdaBundles(): Promise<Bundle[]> {
  const script = path.join(REPO, "scripts", "build-lambdas.ts");
  if (fs.existsSync(script)) {
    const mod = require(script) as {
      buildLambdas?: (o: {
        outDir: string;
        quiet: boolean;
        sourcemap: boolean;
      }) => Promise<Array<{ name: string; outfile?: string; wasm?: string; skipped?: string }>>;
    };
    if (mod.buildLambdas) {
      const built = await mod.buildLambdas({ outDir: OUT, quiet: true, sourcemap: false });
      return built
        .filter((b) => b.outfile)
        .map((b) => ({ name: b.name, file: b.outfile!, wasmBytes: b.wasm ? fs.statSync(b.wasm).size : undefined }));
    }
  }
  const out: Bundle[] = [];
  for (const [name, entry] of Object.entries(FALLBACK_ENTRIES)) {
    if (!fs.existsSync(path.join(REPO, entry))) continue;
    out.push({ name, file: await esbuildOne(name, entry, OUT), note: "built by the bench (no buildLambdas)" });
  }
  return out;
}

async function helloBundle(): Promise<string> {
  const dir = path.join(OUT, "_hello");
  fs.mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, "entry.ts");
  fs.writeFileSync(entry, 'export const handler = async () => ({ statusCode: 200, body: "hello" });\n');
  return esbuildOne("_hello", entry, OUT);
}

/** A bundle that probes the file named on its command line: the wasm load a collector pays on its first probe. */
async function probeBundle(): Promise<string> {
  const dir = path.join(OUT, "_probe");
  fs.mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, "entry.ts");
  fs.writeFileSync(
    entry,
    `import { probeFile } from ${JSON.stringify(path.join(REPO, "probe"))};\n` +
      "probeFile(process.argv[2]).then((r) => { if (!r.container) process.exit(4); }, () => process.exit(3));\n",
  );
  const file = await esbuildOne("_probe", entry, OUT);
  copyMediaInfoWasm(path.dirname(file));
  return file;
}

/** Median wall time of a fresh `node <bundle> <arg>` process. */
function runTimes(file: string, arg: string, runs: number): { ms: number; failed?: string } {
  const wall: number[] = [];
  let failed: string | undefined;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [file, arg], { cwd: path.dirname(file), env: lambdaEnv(), encoding: "utf8", timeout: 60_000 });
    wall.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) failed = `exit ${r.status}: ${(r.stderr || "").trim().slice(0, 120)}`;
  }
  return { ms: median(wall), failed };
}

/** Environment a handler may read at load: every configured name with a placeholder value. */
function lambdaEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_LAMBDA_FUNCTION_NAME: "bench",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  for (const name of Object.values(ENV)) env[name] = "placeholder";
  Object.assign(env, {
    [ENV.tableTtlDays]: "30",
    [ENV.useStreams]: "true",
    [ENV.probeBudgetBytes]: "4194304",
    [ENV.deadLetterQueueUrl]: "https://sqs.us-east-1.amazonaws.com/123456789012/bench",
    [ENV.mediaConvertRoleArn]: "arn:aws:iam::123456789012:role/bench",
    [ENV.mediaConvertQueueArn]: "arn:aws:mediaconvert:us-east-1:123456789012:queues/Default",
  });
  return env;
}

interface Timing {
  /** Median wall time of `node -e "require(bundle)"`, ms. */
  processMs: number;
  /** Median time of the require() alone inside the process, ms. */
  requireMs: number;
  error?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function coldStart(file: string, runs: number): Timing {
  const script =
    "const t=process.hrtime.bigint();let e='';try{require(process.argv[1])}catch(x){e=String(x&&x.message||x)}" +
    "process.stdout.write(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6,e}))";
  const wall: number[] = [];
  const req: number[] = [];
  let error: string | undefined;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-e", script, file], {
      cwd: path.dirname(file),
      env: lambdaEnv(),
      encoding: "utf8",
      timeout: 60_000,
    });
    wall.push(Number(process.hrtime.bigint() - t) / 1e6);
    try {
      const o = JSON.parse(r.stdout) as { ms: number; e: string };
      req.push(o.ms);
      if (o.e) error = o.e.slice(0, 120);
    } catch {
      error = `exit ${r.status}: ${(r.stderr || "").trim().slice(0, 120)}`;
    }
  }
  return { processMs: median(wall), requireMs: req.length ? median(req) : NaN, error };
}

export default async function bundlesBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const runs = quick ? 3 : 9;
  const hello = await helloBundle();
  const bundles = await lambdaBundles();
  const rows: BenchRow[] = [];
  const helloSize = fs.statSync(hello).size;
  const helloTime = coldStart(hello, runs);
  const media = await makeMedia({ kind: "mp4-moov-end", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 });
  const probeRun = runTimes(await probeBundle(), media, runs);
  rows.push({
    suite: "bundles",
    metric: "probe bundle: node + first probe (wasm load)",
    value: probeRun.ms,
    unit: "ms",
    baseline: { name: "hello bundle", value: helloTime.processMs },
    note: `median of ${runs}; what the collector adds on its first probe after a cold start${probeRun.failed ? `; FAILED: ${probeRun.failed}` : ""}`,
  });
  if (bundles.length === 0) {
    rows.push({ suite: "bundles", metric: "no Lambda entry points found", value: 0, unit: "bundles" });
    return rows;
  }
  for (const b of bundles) {
    const size = fs.statSync(b.file).size;
    const time = coldStart(b.file, runs);
    const wasm = b.wasmBytes ? ` + ${(b.wasmBytes / 1024).toFixed(0)} KiB wasm beside it` : "";
    rows.push({
      suite: "bundles",
      metric: `${b.name} bundle size`,
      value: size,
      unit: "bytes",
      baseline: { name: "hello bundle", value: helloSize },
      note: `${(size / 1024).toFixed(0)} KiB${wasm}${b.note ? `; ${b.note}` : ""}`,
    });
    rows.push({
      suite: "bundles",
      metric: `${b.name} cold start (node + require)`,
      value: time.processMs,
      unit: "ms",
      baseline: { name: "hello bundle", value: helloTime.processMs },
      note: `median of ${runs}; require alone ${time.requireMs.toFixed(1)} ms vs ${helloTime.requireMs.toFixed(1)} ms${
        time.error ? `; LOAD ERROR: ${time.error}` : ""
      }`,
    });
  }
  return rows;
}
