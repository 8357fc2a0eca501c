import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import { RangedSource, type RangeFetcher } from "../../../lib/probe/source";
import { blockSizeFor } from "../../../lib/probe";
import fc from "fast-check";

/** An in-memory object that records every range asked of it. */
function memoryObject(size: number) {
  const bytes = crypto.randomBytes(size);
  const calls: Array<[number, number]> = [];
  const fetch: RangeFetcher = async (start, end) => {
    calls.push([start, end]);
    assert.ok(start >= 0 && end < size && start <= end, `bad range ${start}-${end} of ${size}`);
    return bytes.subarray(start, end + 1);
  };
  return { bytes, calls, fetch };
}

describe("probe: RangedSource (budgeted read-through cache)", () => {
  it("returns exactly the bytes asked for, from aligned fetches", async () => {
    const obj = memoryObject(1_000_000);
    const src = new RangedSource({
      size: obj.bytes.length,
      fetch: obj.fetch,
      budgetBytes: Infinity,
      maxRequests: Infinity,
      label: "mem",
      blockSize: 4096,
      readAhead: 8192,
    });
    for (const [off, len] of [
      [0, 100],
      [5000, 3000],
      [999_990, 100],
      [123_457, 65_536],
    ] as const) {
      const got = await src.read(off, len);
      assert.deepEqual(Buffer.from(got), obj.bytes.subarray(off, Math.min(obj.bytes.length, off + len)));
    }
    for (const [start, end] of obj.calls) {
      assert.equal(start % 4096, 0, `fetch start ${start} is not block-aligned`);
      assert.ok((end + 1) % 4096 === 0 || end === obj.bytes.length - 1, `fetch end ${end} is not block-aligned`);
    }
  });

  it("serves repeated reads from the cache without new requests or bytes", async () => {
    const obj = memoryObject(200_000);
    const src = new RangedSource({
      size: obj.bytes.length,
      fetch: obj.fetch,
      budgetBytes: 1 << 20,
      maxRequests: 10,
      label: "mem",
      blockSize: 4096,
    });
    await src.read(10_000, 20_000);
    const before = { ...src.stats };
    await src.read(12_000, 5_000);
    await src.read(10_000, 20_000);
    assert.deepEqual(src.stats, before);
    assert.ok(src.isCached(10_000, 20_000));
  });

  it("grows the read-ahead on sequential reads and keeps the request count low", async () => {
    const obj = memoryObject(4 << 20);
    const src = new RangedSource({
      size: obj.bytes.length,
      fetch: obj.fetch,
      budgetBytes: Infinity,
      maxRequests: Infinity,
      label: "mem",
      blockSize: 65536,
      readAhead: 262144,
      maxReadAhead: 1 << 20,
    });
    for (let off = 0; off < obj.bytes.length; off += 65536) await src.read(off, 65536);
    const sizes = obj.calls.map(([s, e]) => e - s + 1);
    assert.deepEqual(sizes.slice(0, 3), [262144, 524288, 1048576]);
    assert.equal(src.stats.bytesRead, obj.bytes.length, "each byte fetched once");
    assert.ok(src.stats.requests <= 6, `${src.stats.requests} requests for 4 MiB read in 64 KiB steps`);
  });

  it("never spends more than the budget; a read that does not fit returns what fits, then nothing", async () => {
    const obj = memoryObject(1 << 20);
    const src = new RangedSource({
      size: obj.bytes.length,
      fetch: obj.fetch,
      budgetBytes: 100_000,
      maxRequests: 100,
      label: "mem",
      blockSize: 4096,
      readAhead: 32768,
    });
    let off = 0;
    for (;;) {
      const got = await src.read(off, 16384);
      if (got.length === 0) break;
      assert.deepEqual(Buffer.from(got), obj.bytes.subarray(off, off + got.length));
      off += got.length;
    }
    assert.ok(src.stats.bytesRead <= 100_000, `spent ${src.stats.bytesRead}`);
    assert.ok(src.stats.bytesRead > 100_000 - 4096, "spends the budget down to the last whole block");
    assert.equal(src.exhaustedBy, "budget");
    const total = obj.calls.reduce((n, [s, e]) => n + e - s + 1, 0);
    assert.equal(total, src.stats.bytesRead, "stats count every fetched byte");
  });

  it("stops at the request bound and says so", async () => {
    const obj = memoryObject(1 << 20);
    const src = new RangedSource({
      size: obj.bytes.length,
      fetch: obj.fetch,
      budgetBytes: Infinity,
      maxRequests: 3,
      label: "mem",
      blockSize: 4096,
      readAhead: 4096,
      maxReadAhead: 4096,
    });
    for (const off of [0, 500_000, 900_000]) assert.ok((await src.read(off, 100)).length > 0);
    assert.equal((await src.read(300_000, 100)).length, 0);
    assert.equal(src.exhaustedBy, "max-requests");
    assert.equal(obj.calls.length, 3);
    assert.equal((await src.read(500_000, 100)).length, 100, "cached bytes are still served");
  });

  it("keeps a reserve when asked, and spends it when no longer asked", async () => {
    const obj = memoryObject(1 << 20);
    const src = new RangedSource({
      size: obj.bytes.length,
      fetch: obj.fetch,
      budgetBytes: 65536,
      maxRequests: 10,
      label: "mem",
      blockSize: 4096,
      readAhead: 4096,
    });
    let off = 0;
    while ((await src.read(off, 4096, { reserveBytes: 16384, reserveRequests: 1 })).length) off += 4096;
    assert.equal(src.stats.bytesRead, 65536 - 16384);
    const tail = await src.read((1 << 20) - 16384, 16384);
    assert.equal(tail.length, 16384);
    assert.equal(src.stats.bytesRead, 65536);
  });

  it("fails loudly when storage returns a short range", async () => {
    const src = new RangedSource({
      size: 10_000,
      fetch: async () => new Uint8Array(10),
      budgetBytes: Infinity,
      maxRequests: Infinity,
      label: "s3://b/k",
      blockSize: 4096,
    });
    await assert.rejects(src.read(0, 100), /s3:\/\/b\/k: asked for bytes 0-\d+ .* got 10/);
  });

  it("picks a block size that a small budget can afford", () => {
    assert.equal(blockSizeFor(4 << 20), 65536);
    assert.equal(blockSizeFor(65536), 4096);
    for (const b of [65536, 100_000, 262144, 1 << 20, Infinity]) assert.ok(blockSizeFor(b) * 16 <= b || blockSizeFor(b) === 4096);
  });

  it("whatever the reads, bounds and reserves: right bytes, within the bounds, aligned fetches (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          size: fc.integer({ min: 1, max: 300_000 }),
          budget: fc.integer({ min: 4096, max: 400_000 }),
          maxRequests: fc.integer({ min: 1, max: 12 }),
          blockPow: fc.integer({ min: 9, max: 14 }),
          reads: fc.array(
            fc.record({
              at: fc.double({ min: 0, max: 1, noNaN: true }),
              len: fc.integer({ min: 1, max: 70_000 }),
              reserve: fc.integer({ min: 0, max: 50_000 }),
            }),
            { maxLength: 25 },
          ),
        }),
        async ({ size, budget, maxRequests, blockPow, reads }) => {
          const obj = memoryObject(size);
          const block = 2 ** blockPow;
          const src = new RangedSource({
            size,
            fetch: obj.fetch,
            budgetBytes: budget,
            maxRequests,
            label: "mem",
            blockSize: block,
            readAhead: block * 2,
            maxReadAhead: block * 8,
          });
          for (const r of reads) {
            const off = Math.min(size - 1, Math.floor(r.at * size));
            const got = await src.read(off, r.len, { reserveBytes: r.reserve });
            assert.ok(got.length <= r.len);
            assert.deepEqual(Buffer.from(got), obj.bytes.subarray(off, off + got.length));
          }
          assert.ok(src.stats.bytesRead <= budget);
          assert.ok(src.stats.requests <= maxRequests);
          assert.equal(src.stats.requests, obj.calls.length);
          assert.equal(
            obj.calls.reduce((n, [a, b]) => n + b - a + 1, 0),
            src.stats.bytesRead,
          );
          for (const [a] of obj.calls) assert.equal(a % block, 0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
