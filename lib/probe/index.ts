/**
 * The mediainfo probe: what container, codecs, picture and sound a media file has, read through a byte budget.
 *
 *   probeS3("s3://bucket/key")              // HeadObject + a few ranged GETs, at most 4 MiB by default
 *   probeFile("/path/to/file.mxf")          // the same reading plan over a local file
 *   probeFile(p, { full: true })            // no bounds: MediaInfo reads whatever it wants (the baseline)
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import * as clients from "../adapters/clients";
import { DEFAULT_PROBE_BUDGET_BYTES, DEFAULT_PROBE_MAX_REQUESTS, missingProbeFields, type ProbeResult } from "../domain/probe";
import { analyze, looksLikeTransportStream } from "./analyze";
import { parseReport, toProbeFields, type MediaInfoTrack } from "./result";
import { RangedSource } from "./source";
import { fileStorage, s3Storage, type Storage } from "./storage";
import { withMediaInfo } from "./wasm";

export { parseS3Uri } from "./storage";
export { locateWasm } from "./wasm";

/** Smallest budget accepted: MediaInfo cannot tell much from less. */
export const MIN_BUDGET_BYTES = 64 * 1024;
/** Share of the budget kept for the end of the file (capped at 1 MiB). */
const TAIL_SHARE = 0.25;
const MAX_TAIL_RESERVE = 1024 * 1024;
/**
 * A transport stream's duration comes from the timestamps in its last packets, which MediaInfo only sees if we
 * take it to the end: it gets half the budget (capped at 2 MiB), so that every stream's last timestamp is in it.
 */
const TS_TAIL_SHARE = 0.5;
const MAX_TS_TAIL_RESERVE = 2 * 1024 * 1024;

export const ProbeOptionsSchema = z.object({
  budgetBytes: z
    .number({ error: "budgetBytes must be a number of bytes" })
    .int("budgetBytes must be a whole number of bytes")
    .min(MIN_BUDGET_BYTES, `budgetBytes must be at least ${MIN_BUDGET_BYTES} (64 KiB)`)
    .max(Number.MAX_SAFE_INTEGER)
    .optional(),
  maxRequests: z
    .number({ error: "maxRequests must be a number" })
    .int("maxRequests must be a whole number")
    .min(2, "maxRequests must be at least 2 (one for the start of the file, one for its end)")
    .max(10_000, "maxRequests must be at most 10000")
    .optional(),
  /** Read without bounds (the full-parse baseline). */
  full: z.boolean().optional(),
  /** Give up on one S3 request after this long (default 10 s). */
  requestTimeoutMs: z
    .number({ error: "requestTimeoutMs must be a number of milliseconds" })
    .int("requestTimeoutMs must be whole milliseconds")
    .min(100, "requestTimeoutMs must be at least 100")
    .max(900_000, "requestTimeoutMs must be at most 900000 (15 minutes)")
    .optional(),
});

export interface ProbeOptions extends z.infer<typeof ProbeOptionsSchema> {
  /** S3 client to use; default: lib/adapters/clients.ts `s3()`. */
  s3?: S3Client;
  /** Keep MediaInfo's raw tracks on the result (tests compare them field by field). */
  keepTracks?: boolean;
}

export interface DetailedProbeResult extends ProbeResult {
  /** MediaInfo's raw tracks, when `keepTracks` was asked for. */
  tracks?: MediaInfoTrack[];
  /** Whether the probe moved MediaInfo to the end of the file itself. */
  tailJump?: boolean;
}

/** Cache block (and alignment) for a budget: 64 KiB, smaller for small budgets so a block never eats it all. */
export function blockSizeFor(budget: number): number {
  let block = 64 * 1024;
  while (block > 4096 && block * 16 > budget) block /= 2;
  return block;
}

/**
 * After a jump to the end of the file, each stream's timing spans its first timestamp in the head and its last in
 * the tail slice. When a slice held none of a stream's packets, the overall duration (durationMs) can come out far
 * too short. Two signs of that: the overall duration is under half of some stream's, or the streams' start times
 * (Delay) lie further apart than the whole file lasts. Returns a description, or undefined.
 */
export function disagreeingDurations(tracks: MediaInfoTrack[]): string | undefined {
  const general = tracks.find((t) => t["@type"] === "General");
  const overall = general?.Duration;
  if (overall === undefined) return undefined;
  let longest: { type: string; duration: number } | undefined;
  for (const t of tracks) {
    if (t === general || t.Duration === undefined) continue;
    if (!longest || t.Duration > longest.duration) longest = { type: t["@type"], duration: t.Duration };
  }
  if (longest && overall < longest.duration / 2) {
    return `overall ${overall} s vs ${longest.type.toLowerCase()} ${longest.duration} s`;
  }
  const delays = tracks.flatMap((t) => (t !== general && t.Delay !== undefined ? [t.Delay] : []));
  if (delays.length >= 2) {
    const spread = Math.max(...delays) - Math.min(...delays);
    if (spread > overall) return `streams start ${spread.toFixed(3)} s apart in a file of ${overall} s`;
  }
  return undefined;
}

function checkOptions(opts: ProbeOptions): z.infer<typeof ProbeOptionsSchema> {
  const { s3: _s3, keepTracks: _keep, ...rest } = opts;
  const parsed = ProbeOptionsSchema.safeParse(rest);
  if (!parsed.success) throw new Error(`Bad probe options: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
}

/** Probes what `storage` holds within the bounds in `opts`. */
export async function probeStorage(storage: Storage, opts: ProbeOptions = {}): Promise<DetailedProbeResult> {
  const o = checkOptions(opts);
  if (storage.size === 0) throw new Error(`${storage.label} is empty (0 bytes): nothing to probe`);
  const budget = o.full ? Infinity : (o.budgetBytes ?? DEFAULT_PROBE_BUDGET_BYTES);
  const maxRequests = o.full ? Infinity : (o.maxRequests ?? DEFAULT_PROBE_MAX_REQUESTS);
  const block = blockSizeFor(budget);
  const source = new RangedSource({
    size: storage.size,
    fetch: storage.fetch,
    budgetBytes: budget,
    maxRequests,
    label: storage.label,
    blockSize: block,
    // Read ahead while MediaInfo reads on, but never let one request take much of a small budget.
    readAhead: Math.min(256 * 1024, Math.max(block, budget / 16)),
    maxReadAhead: Math.min(1024 * 1024, Math.max(block, budget / 4)),
  });
  // A file that fits in the budget is read as MediaInfo likes; a bigger one keeps a slice for its end.
  const tailReserveBytes = o.full || storage.size <= budget ? 0 : Math.min(MAX_TAIL_RESERVE, Math.floor(budget * TAIL_SHARE));
  const analysis = await withMediaInfo((mi) =>
    analyze(mi, source, {
      tailReserveBytes,
      blockSize: source.blockSize,
      tailReserveFor: (head) =>
        tailReserveBytes > 0 && looksLikeTransportStream(head)
          ? Math.min(MAX_TS_TAIL_RESERVE, Math.floor(budget * TS_TAIL_SHARE))
          : tailReserveBytes,
    }),
  );
  const tracks = parseReport(analysis.json);
  const fields = toProbeFields(tracks);
  const missing = missingProbeFields(fields);
  if (analysis.tailJump) {
    const disagree = disagreeingDurations(tracks);
    if (disagree) missing.push(`durationMs (unreliable: ${disagree}; raise the budget)`);
  }
  for (const box of analysis.partialIndex) {
    missing.push(`moov box at ${box.offset} (${box.size} bytes, read only in part: raise the budget)`);
  }
  const { bytesRead, requests } = source.stats;
  const result: DetailedProbeResult = {
    ...fields,
    fileSize: storage.size,
    bytesRead,
    requests,
    complete: missing.length === 0,
    ...(analysis.stoppedBy ? { stoppedBy: analysis.stoppedBy } : {}),
    ...(missing.length ? { missing } : {}),
    probedAt: Date.now(),
  };
  if (opts.keepTracks) {
    result.tracks = tracks;
    result.tailJump = analysis.tailJump;
  }
  return result;
}

/** Probes an S3 object (`s3://bucket/key`) with ranged GETs. */
export async function probeS3(uri: string, opts: ProbeOptions = {}): Promise<DetailedProbeResult> {
  const o = checkOptions(opts);
  const client = opts.s3 ?? clients.s3();
  try {
    const storage = await s3Storage(uri, client, o.requestTimeoutMs);
    return await probeStorage(storage, opts);
  } finally {
    if (!opts.s3) client.destroy();
  }
}

/** Probes a local file with the same reading plan (requests count the file reads). */
export async function probeFile(filePath: string, opts: ProbeOptions = {}): Promise<DetailedProbeResult> {
  checkOptions(opts);
  const storage = await fileStorage(filePath);
  try {
    return await probeStorage(storage, opts);
  } finally {
    await storage.close();
  }
}
