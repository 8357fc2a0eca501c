/**
 * Probe bench: bytes read (and requests) by the budgeted probe, next to the file size and to a full parse
 * (MediaInfo reading all it wants) of the same file in the same run; and whether the fields came out equal.
 *
 * --quick: ~6-8 MB files. Full: files of 200 MB and more, made once into .mcjobs/test-media (about a minute the
 * first time; MCJOBS_TEST_MEDIA_DIR moves the cache).
 */
import * as fs from "node:fs";
import type { BenchOptions, BenchRow } from "./run";
import { probeFile, type DetailedProbeResult } from "../../lib/probe";
import { DEFAULT_PROBE_BUDGET_BYTES } from "../../lib/domain/probe";
import { makeMedia, MEDIA_KINDS, type MediaKind, type MediaSpec } from "../../test/support/media";

function spec(kind: MediaKind, quick: boolean): MediaSpec {
  if (quick) return { kind, seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 };
  // Lossless 720p H.264 is ~1.7 MB/s and quick to encode; MPEG-2 at 16 Mb/s (+ PCM) is ~2.2 MB/s.
  return kind === "mxf"
    ? { kind, seconds: 100, width: 1280, height: 720, videoBitRate: 16_000_000 }
    : { kind, seconds: 130, width: 1280, height: 720, lossless: true };
}

const COMPARED = ["container", "containerProfile", "durationMs", "overallBitRate", "video", "audio"] as const;

function differences(a: DetailedProbeResult, b: DetailedProbeResult): string[] {
  return COMPARED.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export default async function probeBench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const budget = DEFAULT_PROBE_BUDGET_BYTES;
  // The first probe in a process loads and compiles the wasm (what a Lambda cold start pays once).
  const warmFile = await makeMedia({ kind: "mp4-faststart", seconds: 1, width: 320, height: 180 });
  let t0 = process.hrtime.bigint();
  await probeFile(warmFile);
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  t0 = process.hrtime.bigint();
  await probeFile(warmFile);
  const warmMs = Number(process.hrtime.bigint() - t0) / 1e6;
  rows.push({
    suite: "probe",
    metric: "first probe in a process (wasm load)",
    value: coldMs,
    unit: "ms",
    baseline: { name: "second probe", value: warmMs },
    note: "1 s 320x180 MP4",
  });
  for (const kind of MEDIA_KINDS) {
    const file = await makeMedia(spec(kind, quick));
    const size = fs.statSync(file).size;
    let t = process.hrtime.bigint();
    const full = await probeFile(file, { full: true });
    const fullMs = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    const probe = await probeFile(file, { budgetBytes: budget });
    const probeMs = Number(process.hrtime.bigint() - t) / 1e6;
    const diff = differences(probe, full);
    const verdict = diff.length ? `FIELDS DIFFER: ${diff.join(", ")}` : "fields equal to full parse";
    const label = `${kind} ${mb(size)}`;
    rows.push({
      suite: "probe",
      metric: `bytes read vs full parse (${label})`,
      value: probe.bytesRead,
      unit: "bytes",
      baseline: { name: "full parse", value: full.bytesRead },
      note: `${verdict}; complete=${probe.complete}`,
    });
    rows.push({
      suite: "probe",
      metric: `bytes read vs file size (${label})`,
      value: probe.bytesRead,
      unit: "bytes",
      baseline: { name: "file size", value: size },
      note: `full parse reads ${((100 * full.bytesRead) / size).toFixed(1)}% of the file`,
    });
    rows.push({
      suite: "probe",
      metric: `read requests (${label})`,
      value: probe.requests,
      unit: "requests",
      baseline: { name: "full parse", value: full.requests },
      note: `budget ${budget} B${probe.stoppedBy ? `, stopped by ${probe.stoppedBy}` : ""}`,
    });
    rows.push({
      suite: "probe",
      metric: `probe time (${label})`,
      value: probeMs,
      unit: "ms",
      baseline: { name: "full parse", value: fullMs },
      note: "local file; S3 adds one round trip per request",
    });
  }
  return rows;
}
