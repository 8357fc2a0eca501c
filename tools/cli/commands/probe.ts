/**
 * `mcjobs probe <file|s3://bucket/key>`: what MediaInfo finds in a media file, read within a byte budget, and
 * what that cost (bytes read, read requests).
 */
import * as fs from "node:fs";
import { z } from "zod";
import type { Command } from "../mcjobs";
import { readArgv, regionArg, runCommand, UsageError, validate, wholeNumberArg, type CommandSpec } from "../args";
import * as clients from "../../../lib/adapters/clients";
import { DEFAULT_PROBE_BUDGET_BYTES, DEFAULT_PROBE_MAX_REQUESTS, type ProbeResult } from "../../../lib/domain/probe";
import { MIN_BUDGET_BYTES, probeFile, probeS3, type ProbeOptions } from "../../../lib/probe";
import { parseS3Uri } from "../../../lib/probe/storage";

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

/** Parses "4194304", "512K", "8M", "1G" (powers of 1024) into bytes; throws UsageError. */
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

const spec = {
  command: "probe",
  usage,
  positionals: true,
  options: {
    budget: { type: "string" },
    "max-requests": { type: "string" },
    full: { type: "boolean" },
    json: { type: "boolean" },
    region: { type: "string" },
  },
} satisfies CommandSpec;

const ArgsSchema = z.object({
  targets: z.array(z.string()).transform((given, ctx) => {
    if (given.length > 1) {
      ctx.addIssue({ code: "custom", message: `one file or S3 URI at a time (got "${given[0]}" and "${given[1]}")` });
    } else if (!given[0]) ctx.addIssue({ code: "custom", message: "which file? give a path or s3://bucket/key" });
    return given[0] ?? "";
  }),
  budget: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseBytes(text);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  "max-requests": wholeNumberArg("--max-requests", 2, 10_000).optional(),
  full: z.boolean().default(false),
  json: z.boolean().default(false),
  region: regionArg.optional(),
});

/** Reads `mcjobs probe`'s target and options; throws UsageError. */
export function parseArgs(argv: string[]): ProbeArgs {
  const { values, positionals } = readArgv(spec, argv);
  const a = validate(ArgsSchema, { ...values, targets: positionals });
  const target = a.targets;
  if (a.full && (a.budget !== undefined || a["max-requests"] !== undefined)) {
    throw new UsageError("--full reads without bounds; leave out --budget and --max-requests");
  }
  if (a.region && !target.startsWith("s3://")) throw new UsageError("--region only applies to s3:// URIs");
  if (target.startsWith("s3://")) {
    try {
      parseS3Uri(target);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new UsageError(`"${target}" is neither a local path nor an s3:// URI`);
  }
  const opts: ProbeArgs["opts"] = {};
  if (a.budget !== undefined) opts.budgetBytes = a.budget;
  if (a["max-requests"] !== undefined) opts.maxRequests = a["max-requests"];
  if (a.full) opts.full = true;
  return a.region ? { target, opts, json: a.json, region: a.region } : { target, opts, json: a.json };
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

/**
 * Whether every required fact was found, and how reading ended. A read stopped by a bound can still have found
 * every fact (MediaInfo asks for more than the facts need), so the line says which case it is.
 */
export function factsLine(r: Pick<ProbeResult, "complete" | "missing" | "stoppedBy">): string {
  const bound = r.stoppedBy === "budget" ? "the byte budget" : "the request bound";
  const missing = (r.missing ?? []).join(", ");
  if (r.complete) return r.stoppedBy ? `all found before ${bound} stopped the read` : "all found";
  return r.stoppedBy ? `${bound} stopped the read before ${missing} was found` : `missing from the file: ${missing}`;
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
  r.audio.forEach((a, i) => {
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
    );
  });
  const share = r.fileSize ? ` (${((100 * r.bytesRead) / r.fileSize).toFixed(2)}% of the file)` : "";
  row("bytesRead", `${r.bytesRead}${share}`);
  row("requests", r.requests);
  row("facts", factsLine(r));
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
  run: (argv) => runCommand(spec, argv, parseArgs, probe),
};

async function probe(args: ProbeArgs): Promise<number> {
  if (!args.target.startsWith("s3://") && !fs.existsSync(args.target)) {
    console.error(`mcjobs probe: no such file: ${args.target}`);
    return 1;
  }
  try {
    const result = args.target.startsWith("s3://") ? await probeObject(args) : await probeFile(args.target, args.opts);
    console.log(args.json ? JSON.stringify(result, null, 2) : formatResult(args.target, result));
    return 0;
  } catch (err) {
    console.error(`mcjobs probe: ${(err as Error).message}`);
    return 1;
  }
}

export default command;
