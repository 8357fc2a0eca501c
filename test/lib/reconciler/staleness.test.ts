/** The one clock rule for silence: stale at read time, and who the reconciler checks. */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { checkCutoff, needsCheck, staleAfterMs, stalenessOf } from "../../../lib/domain/staleness";

describe("domain: staleness (the reconciler's and the view's clock rule)", () => {
  const t0 = Date.UTC(2024, 4, 29, 12);

  it("PROGRESSING is stale after three intervals of silence, SUBMITTED only after fifteen; finished jobs never", () => {
    const running = { status: "PROGRESSING" as const, lastEventAt: t0 };
    assert.deepEqual(stalenessOf(running, t0 + 180_000), { stale: false }, "exactly three intervals is not yet stale");
    assert.deepEqual(stalenessOf(running, t0 + 180_001), { stale: true, staleSince: t0 + 180_000 });
    const queued = { status: "SUBMITTED" as const, lastEventAt: t0 };
    assert.equal(stalenessOf(queued, t0 + 10 * 60_000).stale, false, "a queued job sends nothing for a while");
    assert.deepEqual(stalenessOf(queued, t0 + 16 * 60_000), { stale: true, staleSince: t0 + 15 * 60_000 });
    for (const status of ["COMPLETE", "ERROR", "CANCELED"] as const) {
      assert.deepEqual(stalenessOf({ status, lastEventAt: t0 }, t0 + 86_400_000), { stale: false }, status);
      assert.equal(staleAfterMs(status), undefined);
    }
  });

  it("scales with the status-update interval (SECONDS_10..SECONDS_600)", () => {
    assert.equal(staleAfterMs("PROGRESSING", 10_000), 30_000);
    assert.equal(staleAfterMs("PROGRESSING", 600_000), 1_800_000);
    assert.equal(stalenessOf({ status: "PROGRESSING", lastEventAt: t0 }, t0 + 31_000, 10_000).stale, true);
    assert.throws(() => staleAfterMs("PROGRESSING", 0), /interval must be above 0/);
  });

  it("the reconciler checks every unfinished job silent for more than three intervals, and no other", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED" as const),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 10, max: 600_000 }),
        (status, silentMs, intervalMs) => {
          const job = { status, lastEventAt: t0 - silentMs };
          const unfinished = status === "SUBMITTED" || status === "PROGRESSING";
          assert.equal(needsCheck(job, t0, intervalMs), unfinished && silentMs > 3 * intervalMs);
          assert.equal(checkCutoff(t0, intervalMs), t0 - 3 * intervalMs);
          // A job the view shows as stale is always one the reconciler checks (it is healed before, or at, that point).
          if (stalenessOf(job, t0, intervalMs).stale) assert.ok(needsCheck(job, t0, intervalMs));
        },
      ),
    );
  });
});
