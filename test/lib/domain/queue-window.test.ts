/**
 * The analytics window fold: de-duplication, bounded state, reservoir sampling, nearest-rank percentiles.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  MAX_SAMPLES,
  MAX_TRACKED_IDS,
  coerceState,
  emptyState,
  foldRecord,
  offer,
  percentile,
  windowRows,
  type WindowInput,
} from "../../../lib/domain/queue-window";
import { rowSchema } from "../../../lib/domain/history";

function rec(jobId: string, status: string, job: Partial<WindowInput["job"]> = {}, queueName = "Default"): WindowInput {
  return { event: { jobId, status, queueName }, job: { status: "PROGRESSING", queueName, ...job } as WindowInput["job"] };
}

describe("history: analytics window fold", () => {
  it("counts each job once per kind, whatever the duplicates and order", () => {
    const s = emptyState();
    for (const r of [
      rec("a", "PROGRESSING", { queuedMs: 100 }),
      rec("a", "PROGRESSING", { queuedMs: 100 }),
      rec("a", "STATUS_UPDATE"),
      rec("a", "COMPLETE", { status: "COMPLETE", transcodingMs: 1000 }),
      rec("a", "COMPLETE", { status: "COMPLETE", transcodingMs: 1000 }),
      rec("b", "ERROR", { status: "ERROR" }),
      rec("c", "CANCELED", { status: "CANCELED" }, "Fast"),
    ]) {
      foldRecord(s, r);
    }
    const rows = windowRows(s, { start: Date.UTC(2024, 0, 2, 3), end: Date.UTC(2024, 0, 2, 3, 5), shardId: "shardId-1" }, 5);
    assert.deepEqual(
      rows.map((r) => [r.queue_name, r.jobs_started, r.jobs_completed, r.jobs_failed, r.jobs_canceled, r.events]),
      [
        ["Default", 1, 1, 1, 0, 6],
        ["Fast", 0, 0, 0, 1, 1],
      ],
    );
    assert.equal(rows[0].queue_wait_p50_ms, 100);
    // No speed known: no transcoding sample either (they are sampled together, once per job).
    assert.equal(rows[0].transcoding_p50_ms, null);
    assert.equal(rows[0].row_id, `${Date.UTC(2024, 0, 2, 3)}#shardId-1#Default`);
    assert.equal(rows[0].window_date, "2024-01-02");
    for (const r of rows) assert.ok(rowSchema("queue_metrics").safeParse(r).success);
  });

  it("samples transcoding time and speed once a finished job has both (speed may come later)", () => {
    const s = emptyState();
    foldRecord(s, rec("a", "COMPLETE", { status: "COMPLETE", transcodingMs: 1000 }));
    foldRecord(s, rec("a", "INPUT_INFORMATION", { status: "COMPLETE", transcodingMs: 1000, speed: 2 }));
    foldRecord(s, rec("a", "INPUT_INFORMATION", { status: "COMPLETE", transcodingMs: 1000, speed: 2 }));
    const [row] = windowRows(s, { start: 0, end: 1, shardId: "s" }, 2);
    assert.equal(row.transcoding_p50_ms, 1000);
    assert.equal(row.speed_p50, 2);
    assert.equal(s.queues.Default.transcoding.seen, 1);
  });

  it("keeps the state bounded: capped samples, capped de-dup list (and says when it saturates)", () => {
    const s = emptyState();
    const n = MAX_TRACKED_IDS + 500;
    for (let i = 0; i < n; i++) foldRecord(s, rec(`job-${i}`, "PROGRESSING", { queuedMs: i }));
    const agg = s.queues.Default;
    assert.equal(agg.wait.values.length, MAX_SAMPLES);
    assert.equal(agg.wait.seen, n);
    assert.equal(s.trackedIds, MAX_TRACKED_IDS);
    assert.equal(s.saturated, true);
    assert.equal(agg.startedCount, n, "counting goes on past the de-dup budget");
    assert.ok(JSON.stringify(s).length < 1_000_000, "fits Lambda's 1 MB window state");
    // The reservoir is a fair sample: its median is near the true median.
    const [row] = windowRows(s, { start: 0, end: 1, shardId: "s" }, 2);
    assert.ok(Math.abs(Number(row.queue_wait_p50_ms) - n / 2) < n * 0.15, `p50 ${row.queue_wait_p50_ms} vs ${n / 2}`);
  });

  it("replaying the same records gives the same sample (retries are deterministic)", () => {
    const run = () => {
      const s = emptyState();
      for (let i = 0; i < 3 * MAX_SAMPLES; i++) foldRecord(s, rec(`j${i}`, "PROGRESSING", { queuedMs: (i * 7919) % 1000 }));
      return s.queues.Default.wait.values;
    };
    assert.deepEqual(run(), run());
  });

  it("percentile is nearest-rank (the bridge's quantile_disc definition)", () => {
    assert.equal(percentile([], 0.5), undefined);
    assert.equal(percentile([5], 0.9), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.5), 6);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (xs, p) => {
          const v = percentile(xs, p)!;
          const below = xs.filter((x) => x <= v).length;
          const strictlyBelow = xs.filter((x) => x < v).length;
          // nearest rank: at least ceil(p·n) values ≤ v, fewer than ceil(p·n) values < v
          return below >= Math.ceil(p * xs.length) && strictlyBelow < Math.ceil(p * xs.length);
        },
      ),
    );
  });

  it("starts fresh from a state that is not ours, and ignores non-finite values", () => {
    assert.deepEqual(coerceState(undefined), emptyState());
    assert.deepEqual(coerceState({ v: 2, queues: {} }), emptyState());
    assert.deepEqual(coerceState("nonsense"), emptyState());
    const sample = { seen: 0, values: [] as number[] };
    offer(sample, Number.NaN, "k");
    offer(sample, Number.POSITIVE_INFINITY, "k");
    assert.deepEqual(sample, { seen: 0, values: [] });
  });
});
