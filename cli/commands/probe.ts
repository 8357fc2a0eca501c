/**
 * `mcjobs probe <file|s3://bucket/key>`: what MediaInfo finds in a media file, read within a byte budget, and
 * what that cost (bytes read, read requests).
 */
import * as fs from "node:fs";
import type { Command } from "../mcjobs";
import * as clients from "../../adapters/clients";
import { DEFAULT_PROBE_BUDGET_BYTES, DEFAULT_PROBE_MAX_REQUESTS, type ProbeResult } from "../../domain/probe";
import { MIN_BUDGET_BYTES, probeFile, probeS3, type ProbeOptions } from "../../probe";
import { parseS3Uri } from "../../probe/storage";

const usage = `Usage:
  mcjobs probe <file | s3://bucket/key> [--budget BYTES] [--max-requests N] [--full] [--json] [--region R]

Reads the start (and, when needed, the end) of a media file with ranged reads and prints its container,
duration, codecs, picture size, frame rate, bit rates and audio, with the bytes read and read requests used.

Options:
  --budget BYTES      most bytes to read (default ${DEFAULT_PROBE_BUDGET_BYTES} = 4 MiB; at least ${MIN_BUDGET_BYTES});
                      a K, M or G suffix (powers of 1024) is allowed, e.g. 512K, 8M
  --max-requests N    most read requests (S3 GETs) to issue (default ${DEFAULT_PROBE_MAX_REQUESTS})
  --full              no bounds: let MediaInfo read all it wants (the baseline the budget is measured against)
  --json              print the result as JSON
  --region R          AWS region of the bucket (default: AWS_REGION)

S3 objects are read with the usual AWS credentials and AWS_REGION (or MCJOBS_ENDPOINT_S3 for a local stand-in).
Exit codes: 0 ok, 1 the probe failed (missing file or object, no access, unreadable media), 2 bad usage.`;

class UsageError extends Error {}

/** Parses "4194304", "512K", "8M", "1G" (powers of 1024) into bytes. */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG])?(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--budget takes a byte count such as 4194304, 512K or 8M, not "${text}"`);
  const mult = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? "").toUpperCase() as "K" | "M" | "G"] ?? 1;
  const bytes = Math.floor(Number(m[1]) * mult);
  if (bytes < MIN_BUDGET_BYTES) {
    throw new UsageError(`--budget ${text} is too small: at least ${MIN_BUDGET_BYTES} bytes (64K)`);
  }
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`--budget ${text} is too large`);
  return bytes;
}

export interface ProbeArgs {
  target: string;
  opts: Pick<ProbeOptions, "budgetBytes" | "maxRequests" | "full">;
  json: boolean;
  region?: string;
}

export function parseArgs(argv: string[]): ProbeArgs {
  let target: string | undefined;
  const opts: ProbeArgs["opts"] = {};
  let json = false;
  let region: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--budget") opts.budgetBytes = parseBytes(value());
    else if (a.startsWith("--budget=")) opts.budgetBytes = parseBytes(a.slice("--budget=".length));
    else if (a === "--max-requests" || a.startsWith("--max-requests=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : value();
      if (!/^\d+$/.test(v) || Number(v) < 2 || Number(v) > 10_000) {
        throw new UsageError(`--max-requests takes a whole number from 2 to 10000, not "${v}"`);
      }
      opts.maxRequests = Number(v);
    } else if (a === "--region" || a.startsWith("--region=")) {
      region = a.includes("=") ? a.slice(a.indexOf("=") + 1) : value();
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new UsageError(`--region must look like eu-west-1, not "${region}"`);
    } else if (a === "--full") opts.full = true;
    else if (a === "--json") json = true;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (target === undefined) target = a;
    else throw new UsageError(`one file or S3 URI at a time (got "${target}" and "${a}")`);
  }
  if (!target) throw new UsageError("which file? give a path or s3://bucket/key");
  if (opts.full && (opts.budgetBytes !== undefined || opts.maxRequests !== undefined)) {
    throw new UsageError("--full reads without bounds; leave out --budget and --max-requests");
  }
  if (region && !target.startsWith("s3://")) throw new UsageError("--region only applies to s3:// URIs");
  if (target.startsWith("s3://")) parseS3Uri(target);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new UsageError(`"${target}" is neither a local path nor an s3:// URI`);
  }
  return region ? { target, opts, json, region } : { target, opts, json };
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

export function formatResult(target: string, r: ProbeResult): string {
  const lines = [target];
  const row = (k: string, v: unknown) => {
    if (v !== undefined && v !== "") lines.push(`  ${k.padEnd(15)} ${v}`);
  };
  row("container", [r.container, r.containerProfile && `(${r.containerProfile})`].filter(Boolean).join(" "));
  row("duration", r.durationMs === undefined ? undefined : `${(r.durationMs / 1000).toFixed(3)} s`);
  row("overall rate", r.overallBitRate && `${(r.overallBitRate / 1000).toFixed(0)} kb/s`);
  row("file size", r.fileSize === undefined ? undefined : `${r.fileSize} bytes (${mib(r.fileSize)})`);
  if (r.video) {
    const v = r.video;
    row(
      "video",
      [
        v.codec,
        v.width && v.height ? `${v.width}x${v.height}` : undefined,
        v.frameRate && `${v.frameRate} fps`,
        v.bitRate && `${(v.bitRate / 1000).toFixed(0)} kb/s`,
        v.bitDepth && `${v.bitDepth}-bit`,
        v.scanType,
      ]
        .filter(Boolean)
        .join(", "),
    );
  }
  r.audio.forEach((a, i) =>
    row(
      `audio ${i + 1}`,
      [
        a.codec,
        a.channels && `${a.channels} ch`,
        a.sampleRate && `${a.sampleRate} Hz`,
        a.bitRate && `${(a.bitRate / 1000).toFixed(0)} kb/s`,
        a.language,
      ]
        .filter(Boolean)
        .join(", "),
    ),
  );
  const share = r.fileSize ? ` (${((100 * r.bytesRead) / r.fileSize).toFixed(2)}% of the file)` : "";
  row("bytesRead", `${r.bytesRead}${share}`);
  row("requests", r.requests);
  row("complete", r.complete ? "yes" : `no: missing ${(r.missing ?? []).join(", ")}`);
  if (r.stoppedBy) row("stopped by", r.stoppedBy === "budget" ? "the byte budget" : "the request bound");
  return lines.join("\n");
}

async function probeObject(args: ProbeArgs): Promise<ProbeResult> {
  const client = clients.s3(args.region ? { ...process.env, AWS_REGION: args.region } : process.env);
  try {
    return await probeS3(args.target, { ...args.opts, s3: client });
  } finally {
    client.destroy();
  }
}

const command: Command = {
  summary: "probe a media file or S3 object with mediainfo.js within a byte budget",
  usage,
  async run(argv) {
    let args: ProbeArgs;
    try {
      args = parseArgs(argv);
    } catch (err) {
      console.error(`mcjobs probe: ${(err as Error).message}\nRun \`mcjobs probe --help\` for the options.`);
      return 2;
    }
    if (!args.target.startsWith("s3://") && !fs.existsSync(args.target)) {
      console.error(`mcjobs probe: no such file: ${args.target}`);
      return 1;
    }
    try {
      const result = args.target.startsWith("s3://")
        ? await probeObject(args)
        : await probeFile(args.target, args.opts);
      console.log(args.json ? JSON.stringify(result, null, 2) : formatResult(args.target, result));
      return 0;
    } catch (err) {
      console.error(`mcjobs probe: ${(err as Error).message}`);
      return 1;
    }
  },
};

export default command;
