import { strict as assert } from "node:assert";
import fc from "fast-check";
import { isExpired, liveItems } from "../../../lib/domain/expiry";
import { TTL_ATTRIBUTE } from "../../../lib/domain/tables";

describe("expiry: the clock rule for items past their TTL", () => {
  const now = Date.UTC(2024, 5, 1, 12, 0, 0, 500);
  const at = (seconds: unknown) => ({ jobId: "j", [TTL_ATTRIBUTE]: seconds });

  it("an item expires at its TTL second: at or before now is expired, after now is alive", () => {
    const s = Math.floor(now / 1000);
    assert.equal(isExpired(at(s - 3600), now), true);
    assert.equal(isExpired(at(s), now), true, "the TTL second has begun");
    assert.equal(isExpired(at(s + 1), now), false);
    assert.equal(isExpired(at(s), s * 1000), true, "exactly at the TTL instant");
    assert.equal(isExpired(at(s), s * 1000 - 1), false, "a millisecond before it");
  });

  it("like DynamoDB, only a number is a TTL: none, text, NaN or null never expire", () => {
    for (const v of [undefined, null, "1", String(Math.floor(now / 1000) - 10), Number.NaN, { N: "1" }]) {
      assert.equal(isExpired(at(v), now), false, JSON.stringify(v));
    }
    assert.equal(isExpired({ jobId: "j" }, now), false);
    assert.equal(isExpired(at(0), now), true, "a TTL long past (DynamoDB would never delete it) is still past");
  });

  it("agrees with the DynamoDB filter `expiresAt > :nowSeconds` for every TTL and clock", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: 0, max: 4_000_000_000_000 }), (ttl, clock) => {
        assert.equal(isExpired(at(ttl), clock), !(ttl > Math.floor(clock / 1000)));
      }),
    );
  });

  it("liveItems keeps the order of the items still alive", () => {
    const s = Math.floor(now / 1000);
    const items = [at(s + 5), at(s - 5), { jobId: "none" }, at(s), at(s + 60)];
    assert.deepEqual(liveItems(items, now), [items[0], items[2], items[4]]);
  });
});
