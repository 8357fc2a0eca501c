/**
 * Drives MediaInfo over a `RangedSource` through MediaInfoLib's buffer API (init / continue / go-to /
 * finalize), instead of mediainfo.js's `analyzeData`, so that we decide what is read:
 *
 * - MediaInfo's own seeks are followed (moov-at-end MP4/MOV, MXF footers and random index packs).
 * - A slice of the budget is kept for the end of the file. If MediaInfo has not looked there by the time the
 *   rest is spent, we move it there ourselves: for an MPEG-TS that is where the last timestamps are, so the
 *   duration comes out the same as when the whole file is read; for other formats it costs little.
 * - When the budget or the request bound is spent, the analysis is finalised with what was read.
 */
import type { MediaInfo } from "mediainfo.js";
import type { RangedSource } from "./source";

/** MediaInfoLib's "(int64u)-1" size: keep the parser's state and only move the read position. */
const POSITION_ONLY = -1;

export interface AnalyzeOptions {
  /** Bytes handed to MediaInfo per call (default: the source's block size). */
  feedBytes?: number;
  /** Bytes of the budget kept for the end of the file (0: none). */
  tailReserveBytes: number;
  /**
   * The source's block size: the jump to the end lands on a block boundary, so reading from there to the end
   * costs no more than the reserve.
   */
  blockSize: number;
  /**
   * Most bytes handed to MediaInfo in all, cached re-reads included (default: 4x the file plus 16 MiB). Cached
   * bytes cost nothing from the budget, so this is what ends a parser that seeks back and forth forever.
   */
  maxFeedBytes?: number;
  /** Given the file's first bytes, a different tail reserve (e.g. a bigger one for formats that need it). */
  tailReserveFor?: (head: Uint8Array) => number;
}

/** An MPEG transport stream (188-byte packets) or M2TS (192-byte, with a 4-byte timecode first). */
export function looksLikeTransportStream(head: Uint8Array): boolean {
  const synced = (first: number, step: number) => {
    if (head.length < first + step * 3 + 1) return false;
    for (let i = 0; i < 4; i++) if (head[first + i * step] !== 0x47) return false;
    return true;
  };
  return synced(0, 188) || synced(4, 192);
}

export interface Analysis {
  /** MediaInfo's JSON output. */
  json: string;
  /** Set when a bound stopped the analysis (or cut its read of the head short) before MediaInfo was done. */
  stoppedBy?: "budget" | "max-requests";
  /** Whether we moved MediaInfo to the end of the file ourselves. */
  tailJump: boolean;
  /**
   * MP4/QuickTime `moov` boxes that were only read in part: the sample tables in them give durations and bit
   * rates, so a result from a cut `moov` is not to be trusted even when no field is missing.
   */
  partialIndex: Array<{ offset: number; size: number }>;
}

const MP4_TOP_LEVEL = new Set(["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "moof", "styp", "sidx"]);

/** A top-level MP4/QuickTime box header at `pos` of `data`, if one is there. */
function boxHeader(data: Uint8Array, pos: number): { type: string; size: number } | undefined {
  if (pos + 8 > data.length) return undefined;
  const view = new DataView(data.buffer, data.byteOffset + pos);
  let size = view.getUint32(0);
  const type = String.fromCharCode(data[pos + 4], data[pos + 5], data[pos + 6], data[pos + 7]);
  if (!MP4_TOP_LEVEL.has(type)) return undefined;
  if (size === 1) {
    if (pos + 16 > data.length) return undefined;
    size = Number(view.getBigUint64(8));
  }
  return size >= 8 ? { type, size } : undefined;
}

export async function analyze(mi: MediaInfo<"JSON">, source: RangedSource, opts: AnalyzeOptions): Promise<Analysis> {
  const size = source.size;
  const feed = opts.feedBytes ?? source.blockSize;
  let tailReserve = 0;
  let tailStart = size;
  const reserveTail = (bytes: number) => {
    tailReserve = Math.min(bytes, size);
    tailStart = Math.min(size, Math.ceil((size - tailReserve) / opts.blockSize) * opts.blockSize);
  };
  reserveTail(opts.tailReserveBytes);
  let tailSeen = tailReserve === 0;
  let tailJump = false;
  let stoppedBy: Analysis["stoppedBy"];
  let offset = 0;
  let lastSeek = -1;
  // Where top-level MP4 boxes may start: the file's start and every place MediaInfo seeks to.
  let boxBoundary = true;
  const moovBoxes: Array<{ offset: number; size: number }> = [];

  mi.openBufferInit(size, 0);
  const maxFeed = opts.maxFeedBytes ?? size * 4 + 16 * 1024 * 1024;
  let fed = 0;
  while (offset < size) {
    if (fed >= maxFeed) {
      stoppedBy ??= "budget";
      break;
    }
    if (offset >= tailStart) tailSeen = true;
    const keepForTail = !tailSeen;
    const data = await source.read(
      offset,
      Math.min(feed, size - offset),
      keepForTail ? { reserveBytes: tailReserve, reserveRequests: 1 } : {},
    );
    if (data.length === 0) {
      if (keepForTail) {
        // The head has used its share and MediaInfo never looked at the end: take it there now. The head was
        // cut short all the same, so the bound that cut it is reported.
        stoppedBy = source.exhaustedBy ?? "budget";
        offset = tailStart;
        tailSeen = true;
        tailJump = true;
        mi.openBufferInit(POSITION_ONLY, offset);
        continue;
      }
      stoppedBy ??= source.exhaustedBy ?? "budget";
      break;
    }
    if (offset === 0 && !tailSeen && opts.tailReserveFor) reserveTail(opts.tailReserveFor(data));
    if (boxBoundary) {
      // Walk the top-level boxes visible in this chunk and note any moov, to check later it was read whole.
      for (let pos = 0, box = boxHeader(data, 0); box; pos += box.size, box = boxHeader(data, pos)) {
        if (box.type === "moov") moovBoxes.push({ offset: offset + pos, size: box.size });
      }
      boxBoundary = false;
    }
    fed += data.length;
    const finished = mi.openBufferContinue(data, data.length);
    const seekTo = mi.openBufferContinueGotoGet();
    if (seekTo !== -1) {
      // A seek past the end, or the same one again without progress: MediaInfo cannot be satisfied; finish.
      if (seekTo >= size || seekTo === lastSeek) break;
      // MediaInfo skipping ahead on its own (to a moov or a footer) looks after the end of the file itself.
      if (seekTo > offset + data.length) tailSeen = true;
      lastSeek = seekTo;
      offset = seekTo;
      boxBoundary = true;
      // A parser that already said "finished" needs a full re-init to clear that flag; otherwise only move.
      mi.openBufferInit(finished ? size : POSITION_ONLY, seekTo);
      continue;
    }
    lastSeek = -1;
    offset += data.length;
    if (finished) break;
  }
  mi.openBufferFinalize();
  const partialIndex = moovBoxes.filter((b) => !source.isCached(b.offset, Math.min(b.size, size - b.offset)));
  return { json: mi.inform(), stoppedBy, tailJump, partialIndex };
}
