/**
 * The read loop against a scripted stand-in for MediaInfo (the wasm itself is exercised in probe.test.ts): what
 * it is given, where it is moved, and that it always ends.
 */
import { strict as assert } from "node:assert";
import type { MediaInfo } from "mediainfo.js";
import { analyze, looksLikeTransportStream } from "../../../lib/probe/analyze";
import { RangedSource } from "../../../lib/probe/source";

interface Script {
  /** Called per chunk; returns [finished, seekTo(-1 for none)]. */
  onData(offset: number, data: Uint8Array): [boolean, number];
}

function fakeMediaInfo(script: Script) {
  const log: string[] = [];
  let position = 0;
  let pending: [boolean, number] = [false, -1];
  const mi = {
    openBufferInit(size: number, offset: number) {
      log.push(`init ${size} ${offset}`);
      position = offset;
    },
    openBufferContinue(data: Uint8Array) {
      pending = script.onData(position, data);
      position += data.length;
      return pending[0];
    },
    openBufferContinueGotoGet() {
      return pending[1];
    },
    openBufferFinalize() {
      log.push("finalize");
    },
    inform() {
      return '{"media":null}';
    },
  };
  return { mi: mi as unknown as MediaInfo<"JSON">, log };
}

function memorySource(bytes: Uint8Array, budget: number, maxRequests = 100, block = 4096) {
  return new RangedSource({
    size: bytes.length,
    fetch: async (a, b) => bytes.subarray(a, b + 1),
    budgetBytes: budget,
    maxRequests,
    label: "mem",
    blockSize: block,
    readAhead: block * 2,
    maxReadAhead: block * 4,
  });
}

describe("probe: analysis loop", () => {
  it("ends a parser that seeks back and forth forever over cached bytes", async () => {
    const bytes = new Uint8Array(1 << 20);
    let flip = false;
    const { mi, log } = fakeMediaInfo({
      onData: () => {
        flip = !flip;
        return [false, flip ? 100_000 : 0];
      },
    });
    const src = memorySource(bytes, 512 * 1024);
    const a = await analyze(mi, src, { tailReserveBytes: 0, blockSize: 4096, maxFeedBytes: 2 << 20 });
    assert.equal(a.stoppedBy, "budget");
    assert.equal(log.at(-1), "finalize");
    assert.ok(src.stats.bytesRead <= 512 * 1024);
  });

  it("moves a parser that never looks at the end there once the head has used its share", async () => {
    const size = 3_000_000;
    const seen: number[] = [];
    const { mi, log } = fakeMediaInfo({
      onData: (offset) => {
        seen.push(offset);
        return [false, -1];
      },
    });
    const src = memorySource(new Uint8Array(size), 256 * 1024);
    const a = await analyze(mi, src, { tailReserveBytes: 64 * 1024, blockSize: 4096 });
    assert.ok(a.tailJump);
    const jump = log.find((l) => l.startsWith("init -1 "));
    const tailStart = Number(jump?.split(" ")[2]);
    assert.equal(tailStart % 4096, 0, "the end slice starts on a block boundary");
    assert.ok(size - tailStart <= 64 * 1024, "and fits in the reserve");
    assert.ok(
      seen.some((o) => o >= tailStart),
      "the parser was fed the end of the file",
    );
    assert.ok(src.stats.bytesRead <= 256 * 1024);
    assert.ok(src.isCached(size - 100, 100), "read up to the last byte");
    assert.equal(a.stoppedBy, "budget", "the head was cut short, and that is said");
  });

  it("does not jump when the parser seeks ahead by itself (e.g. to a moov at the end)", async () => {
    const size = 2_000_000;
    const { mi, log } = fakeMediaInfo({
      onData: (offset) => (offset === 0 ? [false, size - 50_000] : [false, -1]),
    });
    const src = memorySource(new Uint8Array(size), 256 * 1024);
    const a = await analyze(mi, src, { tailReserveBytes: 64 * 1024, blockSize: 4096 });
    assert.equal(a.tailJump, false);
    assert.ok(log.includes(`init -1 ${size - 50_000}`));
  });

  it("finishes without calling it a cut when the parser seeks past the end", async () => {
    const { mi } = fakeMediaInfo({ onData: () => [false, 10_000_000] });
    const a = await analyze(mi, memorySource(new Uint8Array(100_000), 1 << 20), { tailReserveBytes: 0, blockSize: 4096 });
    assert.equal(a.stoppedBy, undefined);
  });

  it("notes a moov box that the budget cut", async () => {
    const bytes = new Uint8Array(2_000_000);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 24);
    bytes.set(Buffer.from("ftyp"), 4);
    view.setUint32(24, 1_500_000);
    bytes.set(Buffer.from("moov"), 28);
    const { mi } = fakeMediaInfo({ onData: () => [false, -1] });
    const a = await analyze(mi, memorySource(bytes, 128 * 1024), { tailReserveBytes: 0, blockSize: 4096 });
    assert.deepEqual(a.partialIndex, [{ offset: 24, size: 1_500_000 }]);
  });

  it("recognises transport streams by their sync bytes", () => {
    const ts = new Uint8Array(188 * 5);
    for (let i = 0; i < 5; i++) ts[i * 188] = 0x47;
    assert.ok(looksLikeTransportStream(ts));
    const m2ts = new Uint8Array(192 * 5);
    for (let i = 0; i < 5; i++) m2ts[4 + i * 192] = 0x47;
    assert.ok(looksLikeTransportStream(m2ts));
    assert.ok(!looksLikeTransportStream(new Uint8Array(1000)));
  });
});
