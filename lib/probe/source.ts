/**
 * Where the probe's bytes come from: a read-through cache of aligned ranged reads over some storage (an S3
 * object, a local file), with a byte budget and a bound on the number of read requests.
 *
 * MediaInfo asks for small pieces (`read(offset, length)`); the cache fetches whole aligned blocks, reading
 * further ahead while the reads stay sequential, so the request count stays low. Every fetch is counted
 * against the budget: when a read cannot be served without going over it, the source returns what fits (or
 * nothing), and the caller ends the analysis.
 */

/** Fetches bytes [start, endInclusive] of the object. Must return exactly that many bytes. */
export type RangeFetcher = (start: number, endInclusive: number) => Promise<Uint8Array>;

export interface RangedSourceOptions {
  /** Object size in bytes (from HeadObject / stat). */
  size: number;
  fetch: RangeFetcher;
  /** Most bytes that may be fetched in all. Infinity for no bound. */
  budgetBytes: number;
  /** Most fetches that may be issued. Infinity for no bound. */
  maxRequests: number;
  /** Alignment and cache granularity (default 64 KiB). */
  blockSize?: number;
  /** First read-ahead of a run of sequential reads (default 256 KiB); doubles per sequential miss. */
  readAhead?: number;
  /** Read-ahead cap (default 1 MiB). */
  maxReadAhead?: number;
  /** Most bytes kept in the cache (default: the budget, or 32 MiB without one). */
  cacheBytes?: number;
  /** Describes the object in error messages, e.g. "s3://bucket/key". */
  label: string;
}

export interface ReadLimits {
  /** Leave at least this many bytes of the budget unspent. */
  reserveBytes?: number;
  /** Leave at least this many requests unspent. */
  reserveRequests?: number;
}

export interface SourceStats {
  bytesRead: number;
  requests: number;
}

export class RangedSource {
  readonly size: number;
  readonly label: string;
  readonly blockSize: number;
  private readonly fetcher: RangeFetcher;
  private readonly budget: number;
  private readonly maxRequests: number;
  private readonly block: number;
  private readonly firstReadAhead: number;
  private readonly maxReadAhead: number;
  private readonly cacheLimitBlocks: number;
  private readonly blocks = new Map<number, Uint8Array>();
  private nextReadAhead: number;
  private lastFetchEnd = -1;
  private spent = 0;
  private issued = 0;
  /** Which bound refused the last read, if one did. */
  exhaustedBy: "budget" | "max-requests" | undefined;

  constructor(opts: RangedSourceOptions) {
    if (!Number.isSafeInteger(opts.size) || opts.size < 0) {
      throw new Error(`${opts.label}: object size ${opts.size} is not a byte count`);
    }
    this.size = opts.size;
    this.label = opts.label;
    this.fetcher = opts.fetch;
    this.budget = opts.budgetBytes;
    this.maxRequests = opts.maxRequests;
    this.block = opts.blockSize ?? 64 * 1024;
    this.blockSize = this.block;
    this.firstReadAhead = Math.max(this.block, opts.readAhead ?? 256 * 1024);
    this.maxReadAhead = Math.max(this.firstReadAhead, opts.maxReadAhead ?? 1024 * 1024);
    this.nextReadAhead = this.firstReadAhead;
    const cacheBytes = opts.cacheBytes ?? (Number.isFinite(this.budget) ? this.budget : 32 * 1024 * 1024);
    this.cacheLimitBlocks = Math.max(4, Math.ceil(cacheBytes / this.block) + 2);
  }

  get stats(): SourceStats {
    return { bytesRead: this.spent, requests: this.issued };
  }

  get remainingBytes(): number {
    return this.budget - this.spent;
  }

  get remainingRequests(): number {
    return this.maxRequests - this.issued;
  }

  /** True when bytes [offset, offset+length) are all in the cache (reading them costs nothing). */
  isCached(offset: number, length: number): boolean {
    const end = Math.min(this.size, offset + length);
    for (let b = Math.floor(offset / this.block); b * this.block < end; b++) if (!this.blocks.has(b)) return false;
    return true;
  }

  /**
   * Up to `length` bytes from `offset`: all of them, or fewer when a bound stops the fetch of the rest (a
   * zero-length result then means nothing more can be read within the bounds).
   */
  async read(offset: number, length: number, limits: ReadLimits = {}): Promise<Uint8Array> {
    if (offset < 0 || offset >= this.size || length <= 0) return new Uint8Array(0);
    const end = Math.min(this.size, offset + length);
    const firstBlock = Math.floor(offset / this.block);
    const lastBlock = Math.floor((end - 1) / this.block);
    this.exhaustedBy = undefined;
    for (let b = firstBlock; b <= lastBlock; b++) {
      if (this.blocks.has(b)) continue;
      const fetched = await this.fetchRun(b, lastBlock, limits);
      if (fetched === 0) break;
      b += fetched - 1;
    }
    return this.assemble(offset, end);
  }

  private blockLength(b: number): number {
    return Math.min(this.block, this.size - b * this.block);
  }

  /** Fetches missing blocks from `first` on in one request; returns how many blocks it got (0: refused). */
  private async fetchRun(first: number, lastNeeded: number, limits: ReadLimits): Promise<number> {
    const byteLimit = this.budget - this.spent - (limits.reserveBytes ?? 0);
    const requestLimit = this.maxRequests - this.issued - (limits.reserveRequests ?? 0);
    if (requestLimit < 1) {
      this.exhaustedBy = "max-requests";
      return 0;
    }
    const start = first * this.block;
    const sequential = start === this.lastFetchEnd;
    const readAhead = sequential ? this.nextReadAhead : this.firstReadAhead;
    const totalBlocks = Math.ceil(this.size / this.block);
    // Wanted: at least up to the last block this read needs, and the read-ahead, stopping at a cached block.
    const want = Math.max(lastNeeded - first + 1, Math.ceil(readAhead / this.block));
    let count = 0;
    let bytes = 0;
    while (count < want && first + count < totalBlocks && !this.blocks.has(first + count)) {
      const len = this.blockLength(first + count);
      if (bytes + len > byteLimit) break;
      bytes += len;
      count++;
    }
    if (count === 0) {
      this.exhaustedBy = "budget";
      return 0;
    }
    const endInclusive = start + bytes - 1;
    this.issued++;
    const data = await this.fetcher(start, endInclusive);
    if (data.length !== bytes) {
      throw new Error(
        `${this.label}: asked for bytes ${start}-${endInclusive} (${bytes} bytes) and got ${data.length}; ` +
          "the object may have changed while it was being read",
      );
    }
    this.spent += bytes;
    this.lastFetchEnd = start + bytes;
    this.nextReadAhead = sequential ? Math.min(this.maxReadAhead, readAhead * 2) : this.firstReadAhead * 2;
    for (let i = 0; i < count; i++) {
      this.blocks.set(first + i, data.subarray(i * this.block, Math.min(bytes, (i + 1) * this.block)));
    }
    while (this.blocks.size > this.cacheLimitBlocks) {
      const oldest = this.blocks.keys().next().value as number;
      this.blocks.delete(oldest);
    }
    return count;
  }

  /** The cached bytes from `offset` up to `end`, stopping at the first block not in the cache. */
  private assemble(offset: number, end: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let pos = offset;
    while (pos < end) {
      const b = Math.floor(pos / this.block);
      const data = this.blocks.get(b);
      if (!data) break;
      const from = pos - b * this.block;
      const to = Math.min(data.length, end - b * this.block);
      parts.push(data.subarray(from, to));
      pos = b * this.block + to;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(pos - offset);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
