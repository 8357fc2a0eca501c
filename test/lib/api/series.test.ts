import { strict as assert } from "node:assert";
import type { Item, JobsPageQuery, JobsReadPort } from "../../../lib/api/ports";
import { handleRequest } from "../../../lib/api/router";
import { SERIES_INTERVALS, SERIES_LOOKBACK_MS } from "../../../lib/api/series";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const MIN = 60_000;

/** A read port over fixed job items: records each Query, and has no Scan to call. */
function fakeStore(jobs: Item[], pageSize = 1000) {
  const queries: JobsPageQuery[] = [];
  const store: JobsReadPort = {
    async queryJobs(q) {
      queries.push(q);
      const match = jobs.filter(
        (j) => j[q.partitionAttribute] === q.partition && (q.since === undefined || (j.createdAt as number) >= q.since),
      );
      match.sort((a, b) => (b.createdAt as number) - (a.createdAt as number));
      const from = q.startKey ? Number(q.startKey.offset) : 0;
      const items = match.slice(from, from + Math.min(pageSize, q.limit));
      const more = from + items.length < match.length;
      return {
        items,
        itemsRead: items.length,
        capacityUnits: 0,
        queries: 1,
        ...(more ? { lastKey: { offset: from + items.length } } : {}),
      };
    },
    getJob: async () => undefined,
    listEvents: async () => ({ items: [], truncated: false }),
    listQueues: async () => ({ items: [], truncated: false }),
    getQueue: async (name) => (name === "Default" ? { queueName: "Default", COMPLETE: 1 } : undefined),
  };
  return { store, queries };
}

function job(id: string, over: Record<string, unknown>): Item {
  return { jobId: id, queueName: "Default", userMetadata: {}, warnings: [], queueHops: [], eventCount: 1, ...over } as Item;
}

async function get(path: string, query: Record<string, string>, store: JobsReadPort) {
  const res = await handleRequest(
    { method: "GET", path, query },
    { store, tokenKey: Buffer.alloc(32, 7), jobsTable: "t-Jobs", now: () => NOW },
  );
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

describe("GET /queues/{name}/series", () => {
  for (const [query, code] of [
    [{ hours: "0" }, "InvalidParameter"],
    [{ hours: "25" }, "InvalidParameter"],
    [{ hours: "6h" }, "InvalidParameter"],
    [{ hours: "-1" }, "InvalidParameter"],
    [{ window: "5" }, "UnknownParameter"],
  ] as const) {
    it(`refuses ${JSON.stringify(query)} with ${code}, reading nothing`, async () => {
      const { store, queries } = fakeStore([]);
      const res = await get("/queues/Default/series", query, store);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, code);
      assert.equal(typeof res.body.error.message, "string");
      assert.equal(queries.length, 0);
    });
  }

  it("answers 404 for a queue with no counters and 400 for a bad name", async () => {
    const { store } = fakeStore([]);
    assert.equal((await get("/queues/Nope/series", {}, store)).body.error.code, "QueueNotFound");
    assert.equal((await get("/queues/bad%20name/series", {}, store)).status, 400);
    assert.equal((await get("/queues/Default/other", {}, store)).body.error.code, "RouteNotFound");
  });

  it("counts finished, failed, backlog and queue wait per interval from byQueue Queries", async () => {
    // hours=2 → 24 intervals of 5 minutes from NOW − 2 h.
    const from = NOW - 120 * MIN;
    const jobs = [
      // Finished in interval 0, waited 1 min.
      job("a", { status: "COMPLETE", createdAt: from - 2 * MIN, progressingAt: from - MIN, finishedAt: from + MIN }),
      // Started in interval 1 after 3 min in the queue, finished in interval 2.
      job("b", { status: "COMPLETE", createdAt: from + 2 * MIN, progressingAt: from + 5 * MIN, finishedAt: from + 11 * MIN }),
      // Failed in interval 2 after starting in interval 1 (1 min wait).
      job("c", { status: "ERROR", createdAt: from + 5 * MIN, progressingAt: from + 6 * MIN, finishedAt: from + 12 * MIN }),
      // Still waiting since interval 20: backlog from interval 20 on.
      job("d", { status: "SUBMITTED", createdAt: from + 101 * MIN }),
      // Another queue: never read.
      job("x", { status: "COMPLETE", queueName: "Other", createdAt: from, progressingAt: from, finishedAt: from + MIN }),
      // Created before the lookback: not read.
      job("old", { status: "SUBMITTED", createdAt: from - SERIES_LOOKBACK_MS - MIN }),
    ];
    const { store, queries } = fakeStore(jobs, 2);
    const res = await get("/queues/Default/series", { hours: "2" }, store);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // Two-item pages: four matching jobs take two Queries, each on byQueue with the lookback as a key condition.
    assert.equal(queries.length, 2);
    for (const q of queries) {
      assert.equal(q.index, "byQueue");
      assert.equal(q.partition, "Default");
      assert.equal(q.since, from - SERIES_LOOKBACK_MS);
    }
    assert.deepEqual(queries[1].startKey, { offset: 2 });
    const iv = res.body.intervals as Record<string, number>[];
    assert.equal(iv.length, SERIES_INTERVALS);
    assert.equal(iv[0].start, from);
    assert.equal(res.body.intervalMs, 5 * MIN);
    assert.deepEqual(
      iv.map((i) => i.completed),
      iv.map((_, n) => (n === 0 || n === 2 ? 1 : 0)),
    );
    assert.deepEqual(
      iv.map((i) => i.failed),
      iv.map((_, n) => (n === 2 ? 1 : 0)),
    );
    // Backlog at each interval's end: b waits through interval 0 (created at +2, starts at +5), c is created at +5
    // and starts within interval 1, d waits from interval 20 on.
    assert.deepEqual(
      iv.map((i) => i.backlog),
      iv.map((_, n) => (n === 0 || n >= 20 ? 1 : 0)),
    );
    assert.equal(iv[1].started, 2);
    assert.equal(iv[1].waitP50Ms, MIN);
    assert.equal(iv[1].waitP90Ms, 3 * MIN);
    assert.equal(iv[0].waitP50Ms, undefined);
    assert.equal(res.body.jobsCounted, 4);
    assert.equal(res.body.truncated, undefined);
  });
});
