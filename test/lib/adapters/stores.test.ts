import { strict as assert } from "node:assert";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../../lib/adapters/clients";
import { dynamoEventsStore, sizedBodies, type EventItemInput } from "../../../lib/adapters/events-store";
import { dynamoJobsStore, NOTIFIED_ATTRIBUTES } from "../../../lib/adapters/jobs-store";
import { dynamoQueueCounters } from "../../../lib/adapters/queue-counters";
import { TTL_ATTRIBUTE } from "../../../lib/domain/tables";
import { startFaultProxy } from "../../../tools/twin/faults";
import { createTables, startStandIns, type StandIns, type TableNames } from "../../../tools/twin/standins";

const DAY = 86_400;

function item(jobId: string, eventKey: string): EventItemInput {
  return { jobId, eventKey, eventId: "e", status: "PROGRESSING", timestamp: 1, event: { jobId }, raw: "{}" };
}

describe("collector: Events ledger and queue counters on DynamoDB Local", () => {
  let standIns: StandIns;
  let ddb: DynamoDBDocumentClient;
  let tables: TableNames;
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb"] });
    tables = await createTables("stores", standIns.env);
    ddb = clients.dynamoDb(standIns.env);
  });
  after(async () => {
    ddb?.destroy();
    await standIns?.stop();
  });

  describe("Events ledger", () => {
    it("claims a new event once; a re-delivery while it is claimed is in-flight, after markDone it is done", async () => {
      const store = dynamoEventsStore(ddb, tables.events);
      const now = Date.now();
      const first = await store.claim(item("j1", "k1"), { now, leaseMs: 30_000, ttlSeconds: 7 * DAY });
      assert.equal(first.kind, "new");
      const again = await store.claim(item("j1", "k1"), { now: now + 10, leaseMs: 30_000, ttlSeconds: 7 * DAY });
      assert.equal(again.kind, "in-flight");
      await store.markDone("j1", "k1", { now: now + 20, streamed: true });
      const later = await store.claim(item("j1", "k1"), { now: now + 40_000, leaseMs: 30_000, ttlSeconds: 7 * DAY });
      assert.deepEqual(later, { kind: "done", doneAt: now + 20 });
      const stored = (await ddb.send(new GetCommand({ TableName: tables.events, Key: { jobId: "j1", eventKey: "k1" } }))).Item!;
      assert.equal(stored[TTL_ATTRIBUTE], Math.floor(now / 1000) + 7 * DAY, "TTL counted in seconds from the write");
      assert.equal(stored.streamedAt, now + 20);
      assert.equal(stored.claimUntil, undefined, "claim cleared when done");
    });

    it("takes over a claim whose lease ran out (an attempt that died), exactly once among racers", async () => {
      const store = dynamoEventsStore(ddb, tables.events);
      const now = Date.now();
      await store.claim(item("j2", "k"), { now, leaseMs: 1000, ttlSeconds: DAY });
      const racers = await Promise.all(
        Array.from({ length: 8 }, () => store.claim(item("j2", "k"), { now: now + 5000, leaseMs: 1000, ttlSeconds: DAY })),
      );
      assert.equal(racers.filter((r) => r.kind === "resumed").length, 1);
      assert.equal(racers.filter((r) => r.kind === "in-flight").length, 7);
    });

    it("a released claim can be taken at once by the retry; release by a non-holder changes nothing", async () => {
      const store = dynamoEventsStore(ddb, tables.events);
      const now = Date.now();
      const c = await store.claim(item("j3", "k"), { now, leaseMs: 60_000, ttlSeconds: DAY });
      assert.equal(c.kind, "new");
      await store.release("j3", "k", 12345); // not the holder
      assert.equal((await store.claim(item("j3", "k"), { now: now + 1, leaseMs: 60_000, ttlSeconds: DAY })).kind, "in-flight");
      await store.release("j3", "k", (c as { claimUntil: number }).claimUntil);
      const retry = await store.claim(item("j3", "k"), { now: now + 2, leaseMs: 60_000, ttlSeconds: DAY });
      assert.equal(retry.kind, "resumed");
    });

    it("keeps its claim when the put was applied but the reply was lost and the SDK retried it", async () => {
      const proxy = await startFaultProxy({
        service: "dynamodb",
        target: standIns.endpoints.dynamodb!,
        rate: 1,
        kinds: ["lost-reply"],
        operations: ["PutItem"],
        maxFaults: 1,
        hangMs: 20,
      });
      const flaky = clients.dynamoDb({ ...standIns.env, MCJOBS_ENDPOINT_DYNAMODB: proxy.endpoint });
      try {
        const store = dynamoEventsStore(flaky, tables.events);
        const c = await store.claim(item("j4", "k"), { now: Date.now(), leaseMs: 60_000, ttlSeconds: DAY });
        assert.equal(proxy.stats().injected["lost-reply"], 1, "the first put was applied and its reply dropped");
        assert.equal(c.kind, "new", "the retry recognises its own claim instead of skipping the event");
      } finally {
        flaky.destroy();
        await proxy.stop();
      }
    });
  });

  describe("notification claims on the Jobs item", () => {
    const job = (jobId: string) => ddb.send(new PutCommand({ TableName: tables.jobs, Item: { jobId, status: "COMPLETE", version: 1 } }));
    const claimOf = async (jobId: string) =>
      (await ddb.send(new GetCommand({ TableName: tables.jobs, Key: { jobId }, ConsistentRead: true }))).Item?.[
        NOTIFIED_ATTRIBUTES.COMPLETE
      ];

    it("one claimer among racing events; the others see it held; once marked sent nobody claims it again, even after the lease", async () => {
      const jobId = "1717000000000-ntf001";
      await job(jobId);
      const now = Date.now();
      const stores = Array.from({ length: 6 }, () => dynamoJobsStore(ddb, tables.jobs));
      const racers = await Promise.all(
        stores.map((st, i) => st.claimNotification(jobId, "COMPLETE", { now, leaseMs: 45_000, owner: `event-${i}` })),
      );
      assert.equal(racers.filter((r) => r.kind === "claimed").length, 1);
      assert.deepEqual(
        racers.filter((r) => r.kind === "held"),
        Array(5).fill({ kind: "held", until: now + 45_000 }),
      );
      const w = racers.findIndex((r) => r.kind === "claimed");
      const winner = stores[w];
      assert.equal(await stores.find((st) => st !== winner)!.markNotified(jobId, "COMPLETE", { now, messageId: "not-mine" }), false);
      assert.equal(await winner.markNotified(jobId, "COMPLETE", { now: now + 5, messageId: "m-1" }), true);
      assert.deepEqual(await claimOf(jobId), { state: "sent", sentAt: now + 5, messageId: "m-1" });
      for (const owner of [`event-${w}`, "event-late"]) {
        assert.deepEqual(await winner.claimNotification(jobId, "COMPLETE", { now: now + 600_000, leaseMs: 45_000, owner }), {
          kind: "sent",
          sentAt: now + 5,
        });
      }
      assert.equal(
        (await winner.claimNotification(jobId, "ERROR", { now, leaseMs: 45_000, owner: "event-9" })).kind,
        "claimed",
        "each status has its own claim",
      );
    });

    it("a released claim is taken at once; another event's claim whose holder died is taken once its lease ends; a non-holder cannot release", async () => {
      const jobId = "1717000000000-ntf002";
      await job(jobId);
      const now = Date.now();
      const a = dynamoJobsStore(ddb, tables.jobs);
      const b = dynamoJobsStore(ddb, tables.jobs);
      assert.equal((await a.claimNotification(jobId, "COMPLETE", { now, leaseMs: 45_000, owner: "e1" })).kind, "claimed");
      await b.releaseNotification(jobId, "COMPLETE"); // holds nothing: changes nothing
      assert.equal((await b.claimNotification(jobId, "COMPLETE", { now: now + 1, leaseMs: 45_000, owner: "e2" })).kind, "held");
      await a.releaseNotification(jobId, "COMPLETE");
      assert.equal(await claimOf(jobId), undefined, "given back");
      assert.equal((await b.claimNotification(jobId, "COMPLETE", { now: now + 2, leaseMs: 1000, owner: "e2" })).kind, "claimed");
      // b dies holding it: the other event waits for the lease.
      assert.equal((await a.claimNotification(jobId, "COMPLETE", { now: now + 500, leaseMs: 45_000, owner: "e1" })).kind, "held");
      assert.equal((await a.claimNotification(jobId, "COMPLETE", { now: now + 1003, leaseMs: 45_000, owner: "e1" })).kind, "claimed");
      assert.equal(await b.markNotified(jobId, "COMPLETE", { now: now + 1004, messageId: "late" }), false, "b's claim is over");
      await assert.rejects(a.claimNotification("1717000000000-nojob0", "COMPLETE", { now, leaseMs: 1000, owner: "e1" }), /no job item/);
    });

    it("the retry of the same event takes over the claim its earlier attempt left, at once; the earlier one can no longer mark it", async () => {
      const jobId = "1717000000000-ntf004";
      await job(jobId);
      const now = Date.now();
      const died = dynamoJobsStore(ddb, tables.jobs);
      const retry = dynamoJobsStore(ddb, tables.jobs);
      assert.equal((await died.claimNotification(jobId, "COMPLETE", { now, leaseMs: 45_000, owner: "e1" })).kind, "claimed");
      assert.equal((await retry.claimNotification(jobId, "COMPLETE", { now: now + 1, leaseMs: 45_000, owner: "e1" })).kind, "claimed");
      assert.equal(await died.markNotified(jobId, "COMPLETE", { now: now + 2, messageId: "zombie" }), false);
      await died.releaseNotification(jobId, "COMPLETE");
      assert.equal(((await claimOf(jobId)) as { owner?: string }).owner, "e1", "the retry's claim stands");
      assert.equal(await retry.markNotified(jobId, "COMPLETE", { now: now + 3, messageId: "m" }), true);
    });

    it("keeps its claim when the update was applied but the reply was lost and the SDK retried it", async () => {
      const jobId = "1717000000000-ntf003";
      await job(jobId);
      const proxy = await startFaultProxy({
        service: "dynamodb",
        target: standIns.endpoints.dynamodb!,
        rate: 1,
        kinds: ["lost-reply"],
        operations: ["UpdateItem"],
        maxFaults: 1,
        hangMs: 20,
      });
      const flaky = clients.dynamoDb({ ...standIns.env, MCJOBS_ENDPOINT_DYNAMODB: proxy.endpoint });
      try {
        const store = dynamoJobsStore(flaky, tables.jobs);
        const c = await store.claimNotification(jobId, "COMPLETE", { now: Date.now(), leaseMs: 45_000, owner: "e1" });
        assert.equal(proxy.stats().injected["lost-reply"], 1, "the first update was applied and its reply dropped");
        assert.deepEqual(c, { kind: "claimed" }, "the retry recognises its own claim");
        assert.equal(await store.markNotified(jobId, "COMPLETE", { now: Date.now(), messageId: "m" }), true);
      } finally {
        flaky.destroy();
        await proxy.stop();
      }
    });
  });

  describe("queue counters", () => {
    async function putJob(jobId: string): Promise<void> {
      await ddb.send(new PutCommand({ TableName: tables.jobs, Item: { jobId, status: "PROGRESSING", createdAt: 1, version: 1 } }));
    }
    async function queue(name: string) {
      return (await ddb.send(new GetCommand({ TableName: tables.queues, Key: { queueName: name } }))).Item ?? {};
    }

    it("moves a job between statuses and queues exactly once, whatever the number of racing movers", async () => {
      const counters = dynamoQueueCounters(ddb, { queuesTable: tables.queues, jobsTable: tables.jobs });
      await putJob("qj1");
      const now = Date.now();
      const enter = await Promise.all(
        Array.from({ length: 5 }, () =>
          counters.moveJob({ jobId: "qj1", to: { queueName: "QA", status: "PROGRESSING" }, now, ttlSeconds: DAY }),
        ),
      );
      assert.deepEqual(enter.filter((r) => r === "moved").length, 1);
      assert.equal((await queue("QA")).PROGRESSING, 1);

      const done = await Promise.all(
        Array.from({ length: 5 }, () =>
          counters.moveJob({
            jobId: "qj1",
            from: { queueName: "QA", status: "PROGRESSING" },
            to: { queueName: "QA", status: "COMPLETE" },
            now,
            ttlSeconds: DAY,
          }),
        ),
      );
      assert.equal(done.filter((r) => r === "moved").length, 1);
      const qa = await queue("QA");
      assert.equal(qa.PROGRESSING, 0);
      assert.equal(qa.COMPLETE, 1);
      assert.equal(qa.lastJobId, "qj1");
      assert.equal(qa[TTL_ATTRIBUTE], Math.floor(now / 1000) + DAY);

      // a queue hop of a finished job: counted under the new queue, removed from the old
      await counters.moveJob({
        jobId: "qj1",
        from: { queueName: "QA", status: "COMPLETE" },
        to: { queueName: "QB", status: "COMPLETE" },
        now,
        ttlSeconds: DAY,
      });
      assert.equal((await queue("QA")).COMPLETE, 0);
      assert.equal((await queue("QB")).COMPLETE, 1);

      const job = (await ddb.send(new GetCommand({ TableName: tables.jobs, Key: { jobId: "qj1" } }))).Item!;
      assert.equal(job.countedQueue, "QB");
      assert.equal(job.countedStatus, "COMPLETE");
      assert.equal(job.version, 4, "each move bumps the job's version (1 + 3 moves)");
    });

    it("reports a conflict, and counts nothing, when the caller's view of the counted position is stale", async () => {
      const counters = dynamoQueueCounters(ddb, { queuesTable: tables.queues, jobsTable: tables.jobs });
      await putJob("qj2");
      const now = Date.now();
      assert.equal(await counters.moveJob({ jobId: "qj2", to: { queueName: "QC", status: "PROGRESSING" }, now, ttlSeconds: DAY }), "moved");
      const stale = await counters.moveJob({
        jobId: "qj2",
        from: { queueName: "QC", status: "SUBMITTED" },
        to: { queueName: "QC", status: "ERROR" },
        now,
        ttlSeconds: DAY,
      });
      assert.equal(stale, "conflict");
      const qc = await queue("QC");
      assert.equal(qc.PROGRESSING, 1);
      assert.equal(qc.ERROR, undefined);
      // no job item → nothing counted (the counters never count a job the Jobs table does not have)
      assert.equal(
        await counters.moveJob({ jobId: "ghost", to: { queueName: "QC", status: "COMPLETE" }, now, ttlSeconds: DAY }),
        "conflict",
      );
      assert.equal((await queue("QC")).COMPLETE, undefined);
    });
  });
});

describe("collector: Events item bodies within DynamoDB's item limit", () => {
  it("keeps both forms normally, only the raw text for a huge event, and cuts (and marks) what would not fit", () => {
    const small = sizedBodies({ event: { a: 1 }, raw: '{"a":1}' });
    assert.deepEqual(small, { event: { a: 1 }, raw: '{"a":1}' });
    const big = "x".repeat(200 * 1024);
    const large = sizedBodies({ event: { big }, raw: JSON.stringify({ big }) });
    assert.equal(large.event, undefined);
    assert.equal(large.eventOmitted, true);
    assert.equal(large.raw, JSON.stringify({ big }));
    const huge = sizedBodies({ event: {}, raw: "y".repeat(500 * 1024) });
    assert.equal(huge.rawTruncated, true);
    assert.ok(Buffer.byteLength(String(huge.raw)) <= 350 * 1024);
  });
});
