/**
 * The budgeted probe against a full parse (MediaInfo reading all it wants), field by field, for each container
 * the product must handle, on small files made with ffmpeg.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { probeFile, type DetailedProbeResult } from "../../../lib/probe";
import type { MediaInfoTrack } from "../../../lib/probe/result";
import { DEFAULT_PROBE_BUDGET_BYTES, DEFAULT_PROBE_MAX_REQUESTS } from "../../../lib/domain/probe";
import { makeMedia, MEDIA_KINDS, type MediaKind, type MediaSpec } from "../../support/media";

/** The MediaInfo fields the probe promises to get right, per track. */
const COMPARED = [
  "@type",
  "Format",
  "Format_Profile",
  "Duration",
  "OverallBitRate",
  "BitRate",
  "BitRate_Nominal",
  "Width",
  "Height",
  "FrameRate",
  "Channels",
  "SamplingRate",
] as const;

function compared(tracks: MediaInfoTrack[] | undefined): Array<Record<string, unknown>> {
  assert.ok(tracks, "keepTracks was asked for");
  return tracks.map((t) => Object.fromEntries(COMPARED.filter((k) => t[k] !== undefined).map((k) => [k, t[k]])));
}

function resultFields(r: DetailedProbeResult) {
  const { container, containerProfile, durationMs, overallBitRate, fileSize, video, audio } = r;
  return { container, containerProfile, durationMs, overallBitRate, fileSize, video, audio };
}

/** A few MB each: bigger than the 1 MiB budget below, and most of them bigger than the default 4 MiB. */
const SPEC: Record<MediaKind, MediaSpec> = {
  "mp4-faststart": { kind: "mp4-faststart", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 },
  "mp4-moov-end": { kind: "mp4-moov-end", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 },
  mov: { kind: "mov", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 },
  mxf: { kind: "mxf", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 },
  ts: { kind: "ts", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 },
};

/** What the full parse must find in each (so the comparison is against a real answer, not two empty ones). */
const EXPECTED_CONTAINER: Record<MediaKind, string> = {
  "mp4-faststart": "MPEG-4",
  "mp4-moov-end": "MPEG-4",
  mov: "MPEG-4",
  mxf: "MXF",
  ts: "MPEG-TS",
};

describe("probe: budgeted parse equals a full parse", function () {
  this.timeout(180_000);
  const files = new Map<MediaKind, string>();
  const full = new Map<MediaKind, DetailedProbeResult>();

  before(async () => {
    for (const kind of MEDIA_KINDS) files.set(kind, await makeMedia(SPEC[kind]));
    for (const kind of MEDIA_KINDS) full.set(kind, await probeFile(files.get(kind)!, { full: true, keepTracks: true }));
  });

  for (const kind of MEDIA_KINDS) {
    describe(kind, () => {
      it("full parse finds the container, picture and sound ffmpeg wrote", () => {
        const r = full.get(kind)!;
        assert.equal(r.container, EXPECTED_CONTAINER[kind]);
        if (kind === "mov") assert.equal(r.containerProfile, "QuickTime");
        assert.ok(Math.abs(r.durationMs! - 8000) <= 100, `duration ${r.durationMs}`);
        assert.equal(r.video?.width, 1280);
        assert.equal(r.video?.height, 720);
        assert.equal(r.video?.codec, kind === "mxf" ? "MPEG2" : "H_264", "MediaConvert's codec name");
        assert.equal(r.audio.length, 1);
        assert.equal(r.audio[0].channels, 2);
        assert.equal(r.audio[0].sampleRate, 48000);
        assert.ok(r.complete);
      });

      for (const budget of [1024 * 1024, DEFAULT_PROBE_BUDGET_BYTES]) {
        it(`${budget / 1024} KiB budget: same fields, within the bounds`, async () => {
          const file = files.get(kind)!;
          const size = fs.statSync(file).size;
          const b = await probeFile(file, { budgetBytes: budget, keepTracks: true });
          const f = full.get(kind)!;
          assert.deepEqual(compared(b.tracks), compared(f.tracks));
          assert.deepEqual(resultFields(b), resultFields(f));
          assert.ok(b.bytesRead <= budget, `read ${b.bytesRead} > budget ${budget}`);
          assert.ok(b.requests <= DEFAULT_PROBE_MAX_REQUESTS, `${b.requests} requests`);
          assert.ok(b.complete, `incomplete: ${b.missing?.join(", ")}`);
          if (size > budget) {
            assert.ok(b.bytesRead < size, "a file bigger than the budget is not read whole");
            assert.ok(f.bytesRead > b.bytesRead, "the full parse reads more");
            assert.ok(b.stoppedBy, "the result says a bound stopped the read");
          }
          if (kind === "ts" && size > budget) assert.ok(b.tailJump, "the probe took MediaInfo to the end of the stream");
        });
      }
    });
  }
});

describe("probe: other codecs MediaConvert inputs often carry", function () {
  this.timeout(180_000);
  const cases: Array<{ name: string; spec: MediaSpec; codec: string; container: string }> = [
    {
      name: "ProRes 422 in MOV",
      spec: { kind: "mov", videoCodec: "prores", seconds: 2, width: 1280, height: 720, fps: "30000/1001" },
      codec: "PRORES",
      container: "MPEG-4",
    },
    {
      name: "DNxHR LB in MXF",
      spec: { kind: "mxf", videoCodec: "dnxhr", seconds: 3, width: 1280, height: 720 },
      codec: "VC3",
      container: "MXF",
    },
    {
      name: "HEVC in MP4 (moov at end)",
      spec: { kind: "mp4-moov-end", videoCodec: "hevc", seconds: 4, width: 1280, height: 720, videoBitRate: 6_000_000, sampleRate: 44_100 },
      codec: "H_265",
      container: "MPEG-4",
    },
    {
      name: "HEVC in TS",
      spec: { kind: "ts", videoCodec: "hevc", seconds: 4, width: 1280, height: 720, videoBitRate: 6_000_000 },
      codec: "H_265",
      container: "MPEG-TS",
    },
  ];
  for (const c of cases) {
    it(`${c.name}: 1 MiB budget gives the full parse's fields`, async () => {
      const file = await makeMedia(c.spec);
      const full = await probeFile(file, { full: true, keepTracks: true });
      assert.equal(full.container, c.container);
      assert.equal(full.video?.codec, c.codec);
      assert.equal(full.video?.width, 1280);
      const b = await probeFile(file, { budgetBytes: 1024 * 1024, keepTracks: true });
      assert.deepEqual(compared(b.tracks), compared(full.tracks));
      assert.deepEqual(resultFields(b), resultFields(full));
      assert.ok(b.complete, `missing: ${b.missing}`);
      assert.ok(b.bytesRead <= 1024 * 1024);
      assert.ok(b.bytesRead < fs.statSync(file).size);
    });
  }
});

describe("probe: completeness and bad input", function () {
  this.timeout(120_000);
  let longMoovAtEnd: string;
  before(async () => {
    // Five minutes of tiny video: a big moov (sample tables) at the end of a small file.
    longMoovAtEnd = await makeMedia({ kind: "mp4-moov-end", seconds: 300, width: 128, height: 72, videoBitRate: 30_000 });
  });

  it("marks the result incomplete, naming what is missing, when the budget cuts the moov", async () => {
    const r = await probeFile(longMoovAtEnd, { budgetBytes: 64 * 1024 });
    assert.equal(r.complete, false);
    assert.equal(r.stoppedBy, "budget");
    assert.ok(r.bytesRead <= 64 * 1024);
    assert.ok(
      r.missing?.some((m) => /^moov box at \d+/.test(m)),
      `missing: ${r.missing}`,
    );
  });

  it("is complete when the budget covers the moov, though it stops early", async () => {
    const full = await probeFile(longMoovAtEnd, { full: true });
    const r = await probeFile(longMoovAtEnd, { budgetBytes: 512 * 1024 });
    assert.ok(r.complete, `missing: ${r.missing}`);
    assert.ok(r.bytesRead < full.bytesRead);
    assert.deepEqual(resultFields(r), resultFields(full));
  });

  it("flags a transport stream whose end slice was too small to time every stream", async () => {
    // ~14 MB/s lossless video: a 256 KiB budget leaves a tail slice smaller than one frame plus its audio.
    const file = await makeMedia({ kind: "ts", seconds: 8, width: 1280, height: 720, lossless: true });
    const full = await probeFile(file, { full: true });
    assert.ok(full.complete);
    const small = await probeFile(file, { budgetBytes: 128 * 1024, keepTracks: true });
    assert.ok(small.tailJump);
    assert.equal(small.complete, false, `durationMs ${small.durationMs} vs full ${full.durationMs}`);
    assert.ok(
      small.missing?.some((m) => /^durationMs \(unreliable: /.test(m)),
      `missing: ${small.missing}`,
    );
    const ample = await probeFile(file, { budgetBytes: 1024 * 1024 });
    assert.ok(ample.complete, `missing: ${ample.missing}`);
    assert.equal(ample.durationMs, full.durationMs);
  });

  it("stops at the request bound and says so", async () => {
    const file = await makeMedia(SPEC.ts);
    const r = await probeFile(file, { maxRequests: 2 });
    assert.equal(r.requests, 2);
    assert.equal(r.stoppedBy, "max-requests");
  });

  it("reports a file MediaInfo does not recognise as incomplete rather than inventing fields", async () => {
    const junk = path.join(os.tmpdir(), `mcjobs-probe-junk-${process.pid}.bin`);
    fs.writeFileSync(junk, Buffer.alloc(300_000, 0x5a));
    try {
      const r = await probeFile(junk);
      assert.equal(r.complete, false);
      assert.equal(r.container, undefined);
      assert.ok(r.missing?.includes("container"));
      assert.ok(r.missing?.includes("tracks"));
    } finally {
      fs.rmSync(junk, { force: true });
    }
  });

  it("rejects bad options, a missing file and an empty file with a plain message", async () => {
    await assert.rejects(probeFile("/nonexistent/clip.mp4"), /No such file: \/nonexistent\/clip\.mp4/);
    const file = await makeMedia(SPEC.ts);
    await assert.rejects(probeFile(file, { budgetBytes: 1000 }), /budgetBytes must be at least 65536/);
    await assert.rejects(probeFile(file, { budgetBytes: 1.5e6 + 0.5 }), /whole number/);
    await assert.rejects(probeFile(file, { maxRequests: 1 }), /maxRequests must be at least 2/);
    const empty = path.join(os.tmpdir(), `mcjobs-probe-empty-${process.pid}.mp4`);
    fs.writeFileSync(empty, "");
    try {
      await assert.rejects(probeFile(empty), /is empty/);
    } finally {
      fs.rmSync(empty, { force: true });
    }
    await assert.rejects(probeFile(os.tmpdir()), /is not a regular file/);
  });

  it("runs probes asked for at once one after another on the shared MediaInfo, each with its own answer", async () => {
    const [a, b] = await Promise.all([makeMedia(SPEC.mxf), makeMedia(SPEC.mov)]);
    const results = await Promise.all([probeFile(a), probeFile(b), probeFile(a), probeFile(b)]);
    assert.deepEqual(
      results.map((r) => r.container),
      ["MXF", "MPEG-4", "MXF", "MPEG-4"],
    );
    assert.deepEqual(resultFields(results[0]), resultFields(results[2]));
    assert.deepEqual(resultFields(results[1]), resultFields(results[3]));
  });
});
