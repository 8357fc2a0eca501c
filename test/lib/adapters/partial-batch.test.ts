/**
 * lib/adapters/partial-batch.ts with a scripted send function: packing within limits, re-sending only rejected
 * entries, full-jitter backoff, the attempt bound, whole-call failures (transient and permanent), and the result.
 */
import { strict as assert } from "node:assert";
import { backoffMs, describeError, packCalls, sendPartialBatch, type EntryOutcome } from "../../../lib/adapters/partial-batch";

const byLength = { maxEntries: 3, maxBytes: 10, sizeOf: (s: string) => s.length };

/**
 * A send function that rejects an entry as often as `rejections` says (per entry), throws the errors queued in
 * `throws` before answering, and logs every call it receives.
 */
function scripted(rejections: Record<string, number> = {}, throws: unknown[] = []) {
  const log: string[][] = [];
  const left = new Map(Object.entries(rejections));
  const send = async (entries: string[]): Promise<EntryOutcome<string>[]> => {
    log.push([...entries]);
    if (throws.length > 0) throw throws.shift();
    return entries.map((e) => {
      const n = left.get(e) ?? 0;
      if (n > 0) {
        left.set(e, n - 1);
        return { ok: false, errorCode: "Throttled", errorMessage: `slow down (${e})` };
      }
      return { ok: true, value: `stored-${e}` };
    });
  };
  return { send, log };
}

const noWait = { sleep: async () => undefined };

describe("adapters: partial-batch retry", () => {
  it("packs calls by entry count and by bytes, in order; an entry alone over the byte limit gets its own call", () => {
    assert.deepEqual(packCalls(["a", "b", "c", "d"], byLength), [["a", "b", "c"], ["d"]]);
    assert.deepEqual(packCalls(["aaaa", "bbbb", "cccc"], byLength), [["aaaa", "bbbb"], ["cccc"]]);
    assert.deepEqual(packCalls(["a", "xxxxxxxxxxxx", "b"], byLength), [["a"], ["xxxxxxxxxxxx"], ["b"]]);
    assert.deepEqual(packCalls([], byLength), []);
  });

  it("re-sends only the rejected entries until all are accepted, and reports them in input order", async () => {
    const { send, log } = scripted({ b: 1, d: 2 });
    const res = await sendPartialBatch(["a", "b", "c", "d", "e"], { ...noWait, limits: byLength, send });
    assert.deepEqual(log, [["a", "b", "c"], ["d", "e"], ["b", "d"], ["d"]]);
    assert.deepEqual(
      res.accepted.map((a) => [a.index, a.value]),
      [
        [0, "stored-a"],
        [1, "stored-b"],
        [2, "stored-c"],
        [3, "stored-d"],
        [4, "stored-e"],
      ],
    );
    assert.deepEqual(res.failed, []);
    assert.deepEqual([res.calls, res.sent, res.resent], [4, 8, 3]);
  });

  it("backs off with full jitter: a random share of a ceiling that doubles per attempt up to the cap", async () => {
    const sleeps: number[] = [];
    const { send } = scripted({ a: 9 });
    await sendPartialBatch(["a"], {
      limits: byLength,
      send,
      maxAttempts: 6,
      baseDelayMs: 10,
      maxDelayMs: 35,
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
    });
    assert.deepEqual(sleeps, [5, 10, 17, 17, 17]);
    assert.equal(
      backoffMs(2, {}, () => 0.999),
      99,
      "defaults: first ceiling 100 ms",
    );
    assert.equal(
      backoffMs(20, {}, () => 0.999),
      1998,
      "defaults: capped at 2 s",
    );
    assert.equal(
      backoffMs(3, { baseDelayMs: 50 }, () => 0),
      0,
      "the wait can be zero",
    );
  });

  it("gives up after maxAttempts, naming each entry, its last error and its attempts", async () => {
    const { send, log } = scripted({ b: 99, c: 99 });
    const res = await sendPartialBatch(["a", "b", "c"], { ...noWait, limits: byLength, send, maxAttempts: 3 });
    assert.equal(log.length, 3);
    assert.deepEqual(
      res.accepted.map((a) => a.index),
      [0],
    );
    assert.deepEqual(res.failed, [
      { index: 1, entry: "b", errorCode: "Throttled", errorMessage: "slow down (b)", attempts: 3, permanent: false },
      { index: 2, entry: "c", errorCode: "Throttled", errorMessage: "slow down (c)", attempts: 3, permanent: false },
    ]);
  });

  it("makes one attempt when maxAttempts is below 1", async () => {
    const { send, log } = scripted({ a: 1 });
    const res = await sendPartialBatch(["a"], { ...noWait, limits: byLength, send, maxAttempts: 0 });
    assert.equal(log.length, 1);
    assert.deepEqual(
      res.failed.map((f) => [f.index, f.attempts]),
      [[0, 1]],
    );
  });

  it("retries a whole-call failure as transient, with the error's name and message as the reason", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    const { send, log } = scripted({}, [throttled]);
    const res = await sendPartialBatch(["a", "b"], { ...noWait, limits: byLength, send });
    assert.deepEqual(log, [
      ["a", "b"],
      ["a", "b"],
    ]);
    assert.equal(res.accepted.length, 2);

    const always = scripted({}, [throttled, throttled]);
    const res2 = await sendPartialBatch(["a"], { ...noWait, limits: byLength, send: always.send, maxAttempts: 2 });
    assert.deepEqual(
      res2.failed.map((f) => [f.errorCode, f.errorMessage, f.attempts]),
      [["ThrottlingException", "Rate exceeded", 2]],
    );
  });

  it("does not retry a whole-call failure judged permanent, and still sends the other calls", async () => {
    const missing = Object.assign(new Error("no such stream"), { name: "ResourceNotFoundException" });
    const { send, log } = scripted({}, [missing]);
    const res = await sendPartialBatch(["a", "b", "c", "d"], {
      ...noWait,
      limits: byLength,
      send,
      isPermanent: (err) => describeError(err).code === "ResourceNotFoundException",
    });
    assert.deepEqual(log, [["a", "b", "c"], ["d"]]);
    assert.deepEqual(
      res.accepted.map((a) => a.index),
      [3],
    );
    assert.deepEqual(
      res.failed.map((f) => [f.index, f.errorCode, f.attempts, f.permanent]),
      [
        [0, "ResourceNotFoundException", 1, true],
        [1, "ResourceNotFoundException", 1, true],
        [2, "ResourceNotFoundException", 1, true],
      ],
    );
  });

  it("counts an entry the call gave no outcome for as rejected", async () => {
    let calls = 0;
    const send = async (entries: string[]): Promise<EntryOutcome<number>[]> =>
      calls++ === 0 ? [] : entries.map(() => ({ ok: true, value: 1 }));
    const res = await sendPartialBatch(["a"], { ...noWait, limits: byLength, send });
    assert.equal(res.accepted.length, 1);
    const never = await sendPartialBatch(["a"], { ...noWait, limits: byLength, send: async () => [], maxAttempts: 2 });
    assert.deepEqual(
      never.failed.map((f) => f.errorCode),
      ["MissingOutcome"],
    );
  });

  it("describes thrown values that are not Errors", () => {
    assert.deepEqual(describeError("boom"), { code: "Error", message: "boom" });
    assert.deepEqual(describeError({ name: "Timeout", message: "took too long" }), { code: "Timeout", message: "took too long" });
    assert.deepEqual(describeError(undefined), { code: "Error", message: "undefined" });
  });
});
