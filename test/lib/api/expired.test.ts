/**
 * Items past their TTL are invisible on every Jobs API route, while DynamoDB still holds them (TTL is off on the
 * tables here, so nothing is deleted): one job, its events, every listing (status, queue, since, input) and the
 * queue counters. Listing pages still fill to `limit` around expired items, and paging returns each live job once.
 */
import { strict as assert } from "node:assert";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { TTL_ATTRIBUTE } from "../../../lib/domain/tables";
import { itemFor } from "../../support/seed-jobs";
import { jobEvents, startApiRig, type ApiRig, type Body } from "./rig";

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const LIVE = Math.floor(NOW / 1000) + 86_400;
const EXPIRED = Math.floor(NOW / 1000) - 3600;
const COUNT = 24;
/** Which of the jobs (0 = newest) have expired: the newest few, a run in the middle, the oldest. */
const EXPIRED_AT = new Set([0, 1, 2, 5, 8, 9, 10, 11, 15, 23]);

describe("api: nothing past its TTL is served (DynamoDB Local, TTL off)", () => {
  let rig: ApiRig;
  const jobId = (i: number) => `${NOW - 60_000 - i * 1000}-exp${String(i).padStart(3, "0")}`;
  const live = [...Array(COUNT).keys()].filter((i) => !EXPIRED_AT.has(i)).map(jobId);
  const gone = [...EXPIRED_AT].map(jobId);
  const ids = (pages: Body[]) => pages.flatMap((p) => p.jobs.map((j: Body) => j.jobId as string));

  before(async () => {
    rig = await startApiRig("expired");
    const items = [...Array(COUNT).keys()].map((i) => {
      const item = itemFor(jobEvents(jobId(i), NOW - 60_000 - i * 1000, "COMPLETE", "Fast", `s3://in/Clip-${i}.mov`));
      return { ...item, [TTL_ATTRIBUTE]: EXPIRED_AT.has(i) ? EXPIRED : LIVE };
    });
    await rig.put(rig.tables.jobs, items);
    const event = (job: string, t: number, ttl: number) => ({
      jobId: job,
      eventKey: `${t}#STATUS_UPDATE#e${t}`,
      eventId: `e${t}`,
      status: "STATUS_UPDATE",
      timestamp: t,
      [TTL_ATTRIBUTE]: ttl,
    });
    await rig.put(rig.tables.events, [
      event(gone[0], NOW - 50_000, LIVE),
      event(live[0], NOW - 40_000, EXPIRED),
      event(live[0], NOW - 30_000, LIVE),
      event(live[0], NOW - 20_000, LIVE),
    ]);
    await rig.put(rig.tables.queues, [
      { queueName: "Fast", COMPLETE: live.length, [TTL_ATTRIBUTE]: LIVE },
      { queueName: "Gone", COMPLETE: 5, lastActivityAt: NOW - 90 * 86_400_000, [TTL_ATTRIBUTE]: EXPIRED },
    ]);
  });
  after(async () => rig?.stop());

  it("an expired job is 404, with or without its events, though DynamoDB still holds it", async () => {
    const stored = await rig.ddb.send(new GetCommand({ TableName: rig.tables.jobs, Key: { jobId: gone[0] } }));
    assert.equal(stored.Item?.jobId, gone[0], "TTL is off: the expired item is still in the table");
    for (const query of [{}, { events: "true" }] as Record<string, string>[]) {
      const res = await rig.get(`/jobs/${gone[0]}`, query, NOW);
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.equal(res.body.error.code, "JobNotFound");
    }
    assert.equal((await rig.get(`/jobs/${live[0]}`, {}, NOW)).status, 200);
  });

  it("a live job's events leave out the expired ones", async () => {
    const res = await rig.get(`/jobs/${live[0]}`, { events: "true" }, NOW);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.events.map((e: Body) => e.timestamp),
      [NOW - 30_000, NOW - 20_000],
    );
  });

  it("status listings skip expired jobs and still fill every page to the limit", async () => {
    const first = await rig.get("/jobs/COMPLETE", { limit: "5" }, NOW);
    assert.equal(first.body.count, 5);
    assert.deepEqual(
      first.body.jobs.map((j: Body) => j.jobId),
      live.slice(0, 5),
      "the newest live jobs, none of the expired ones before them",
    );
    assert.ok(rig.lastPage()!.itemsRead > 5, "expired items were read and dropped");
    for (const limit of ["1", "3", "4", "500"]) {
      const pages = await rig.pages("/jobs/COMPLETE", { limit }, NOW);
      assert.deepEqual(ids(pages), live, `limit ${limit}: every live job once, newest first`);
      assert.ok(
        pages.slice(0, -1).every((p) => p.count === Number(limit)),
        `limit ${limit}: full pages until the last`,
      );
    }
  });

  it("queue, since and input listings skip them too", async () => {
    assert.deepEqual(ids(await rig.pages("/jobs/COMPLETE", { queue: "Fast", limit: "4" }, NOW)), live);
    const since = NOW - 60_000 - 12_500;
    assert.deepEqual(
      ids(await rig.pages("/jobs/COMPLETE", { since: String(since), limit: "2" }, NOW)),
      live.filter((id) => Number(id.slice(0, 13)) >= since),
    );
    const byInput = ids(await rig.pages("/jobs", { input: "CLIP-1", limit: "2" }, NOW));
    const want = [...Array(COUNT).keys()].filter((i) => !EXPIRED_AT.has(i) && String(i).startsWith("1")).map(jobId);
    assert.deepEqual([...byInput].sort(), [...want].sort());
    assert.ok(byInput.length > 0 && byInput.every((id) => !gone.includes(id)));
  });

  it("expired queue counters are neither listed nor found", async () => {
    const list = await rig.get("/queues", {}, NOW);
    assert.deepEqual(
      list.body.queues.map((q: Body) => q.queueName),
      ["Fast"],
    );
    assert.equal(list.body.count, 1);
    assert.equal((await rig.get("/queues/Gone", {}, NOW)).status, 404);
    assert.equal((await rig.get("/queues/Fast", {}, NOW)).body.COMPLETE, live.length);
  });

  it("the clock rule is the same on every route: alive until the TTL second, gone from it on", async () => {
    const job = gone[1];
    const boundary = EXPIRED * 1000;
    const seen = async (now: number) => ({
      get: (await rig.get(`/jobs/${job}`, {}, now)).status,
      listed: ids(await rig.pages("/jobs/COMPLETE", { limit: "500" }, now)).includes(job),
      byInput: ids(await rig.pages("/jobs", { input: "clip-1" }, now)).includes(job),
      queue: (await rig.get("/queues/Gone", {}, now)).status,
    });
    assert.deepEqual(await seen(boundary - 1), { get: 200, listed: true, byInput: true, queue: 200 });
    assert.deepEqual(await seen(boundary), { get: 404, listed: false, byInput: false, queue: 404 });
  });
});
