/**
 * The real collector handler against DynamoDB Local, kinesalite and s3rver (started here), with an SQS and a
 * MediaConvert stand-in at the service boundary (see support/). What it shows: the fixtures replayed shuffled
 * and duplicated leave the same Jobs/Queues state; Kinesis holds one record per distinct event; malformed events
 * land in the DLQ; no lost update when events of one job race. And what a retry must not break.
 */
import { strict as assert } from "node:assert";
import { parseEvent, type McEvent } from "../../../lib/domain/events";
import { reduceEvents } from "../../../lib/domain/reducer";
import { decodeStreamRecord } from "../../../lib/domain/stream-record";
import { JOB_STATUSES, type JobRecord } from "../../../lib/domain/job";
import { startFaultProxy } from "../../../tools/twin/faults";
import { startStandIns, type StandIns } from "../../../tools/twin/standins";
import { createCollector } from "../../../lib/collector/pipeline";
import { deliver, loadFixtures, makeRig, shuffle, sum, type Rig } from "./support/rig";
import { startSqsStandIn, type SqsStandIn } from "./support/sqs-standin";

function parsedAll(raws: unknown[]): McEvent[] {
  return raws.map((r) => {
    const p = parseEvent(r);
    if (!p.ok) throw new Error(`fixture rejected: ${p.reason}`);
    return p.event;
  });
}

/** What the reducer says each job should be, from the distinct events. */
function expectedJobs(events: McEvent[]): Map<string, JobRecord> {
  const byJob = new Map<string, McEvent[]>();
  for (const e of events) byJob.set(e.jobId, [...(byJob.get(e.jobId) ?? []), e]);
  return new Map([...byJob].map(([id, evs]) => [id, reduceEvents(evs)]));
}

/** Per queue, per status: how many jobs the final records put there (what the counters must say). */
function expectedCounters(records: Iterable<JobRecord>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of records) {
    if (!r.queueName) continue;
    out[r.queueName] ??= {};
    out[r.queueName][r.status] = (out[r.queueName][r.status] ?? 0) + 1;
  }
  return out;
}

function countersOf(items: Record<string, unknown>[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const it of items) {
    const counts: Record<string, number> = {};
    for (const s of JOB_STATUSES) if (typeof it[s] === "number" && it[s] !== 0) counts[s] = it[s] as number;
    if (Object.keys(counts).length) out[String(it.queueName)] = counts;
  }
  return out;
}

async function jobRecords(rig: Rig): Promise<Map<string, JobRecord>> {
  const items = await rig.scan(rig.tables.jobs);
  return new Map(items.map((it) => [String(it.jobId), rig.deps.jobs.toRecord(it as never)]));
}

describe("collector handler on the local stand-ins", () => {
  let standIns: StandIns;
  let sqs: SqsStandIn;
  const rigs: Rig[] = [];
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "kinesis", "s3"] });
    sqs = await startSqsStandIn();
  });
  after(async () => {
    for (const r of rigs) r.close();
    await sqs?.stop();
    await standIns?.stop();
  });
  async function rig(opts: Parameters<typeof makeRig>[1]): Promise<Rig> {
    const r = await makeRig(standIns, opts);
    rigs.push(r);
    return r;
  }

  // The documentation examples reuse one event id: six COMPLETE pages of one job share time, status and id, i.e.
  // one eventKey with six payloads. Real re-deliveries carry one payload per key, so the replay uses the first
  // payload of each key; the collision itself is covered by its own test below.
  const fixtures = loadFixtures();
  const allFixtureEvents = fixtures.map((f) => f.event);
  const keyOf = (raw: unknown) => {
    const p = parseEvent(raw);
    if (!p.ok) throw new Error(p.reason);
    return p.event.eventKey;
  };
  const fixtureEvents = allFixtureEvents.filter((e, i) => allFixtureEvents.findIndex((o) => keyOf(o) === keyOf(e)) === i);

  it("replays the fixtures shuffled and duplicated into the same Jobs and Queues state, whatever the order", async () => {
    const distinct = parsedAll(fixtureEvents);
    const distinctKeys = new Set(distinct.map((e) => e.eventKey));
    const expected = expectedJobs(distinct);
    const states: string[] = [];
    for (const seed of [1, 2, 3]) {
      const r = await rig({ prefix: `replay${seed}` });
      // every event twice, some three times, shuffled; delivered concurrently one per invocation
      const deliveries = shuffle([...fixtureEvents, ...fixtureEvents, ...fixtureEvents.filter((_, i) => i % 3 === seed % 3)], seed);
      const { results, gaveUp } = await deliver(r.collect, deliveries, { concurrency: 6 });
      assert.equal(gaveUp.length, 0);
      assert.equal(sum(results, "processed"), distinctKeys.size, "each distinct event processed once");
      assert.equal(sum(results, "duplicates"), deliveries.length - distinctKeys.size);

      const jobs = await jobRecords(r);
      assert.deepEqual(new Set(jobs.keys()), new Set(expected.keys()));
      for (const [id, rec] of jobs) assert.deepEqual(rec, expected.get(id), `job ${id} equals the reducer over its distinct events`);

      const counters = countersOf(await r.scan(r.tables.queues));
      assert.deepEqual(counters, expectedCounters(expected.values()), "queue counters = jobs per queue and status");

      const records = await r.streamRecords();
      const keys = records.map((rec) => {
        const d = decodeStreamRecord(new Uint8Array(Buffer.from(rec.data)));
        assert.ok(d.ok, d.ok ? "" : d.reason);
        assert.equal(rec.partitionKey, d.record.event.jobId, "partition key is the job id");
        return d.record.eventKey;
      });
      assert.equal(keys.length, distinctKeys.size, "one Kinesis record per distinct event");
      assert.deepEqual(new Set(keys), distinctKeys);

      const events = await r.scan(r.tables.events);
      assert.equal(events.length, distinctKeys.size);
      assert.ok(events.every((e) => typeof e.doneAt === "number" && typeof e.raw === "string" && typeof e.expiresAt === "number"));
      states.push(JSON.stringify({ jobs: [...jobs].sort(), counters }));
    }
    assert.equal(new Set(states).size, 1, "three shuffles, one state");
  });

  it("loses no update when many invocations for one job race (fast path conflicts go to the slow path)", async () => {
    const r = await rig({ prefix: "race", useStreams: true });
    const jobId = `${Date.now() - 600_000}-race01`;
    const base = Date.now() - 500_000;
    const raw = (status: string, t: number, detail: Record<string, unknown> = {}) => ({
      version: "0",
      id: `race-${status}-${t}`,
      "detail-type": "MediaConvert Job State Change",
      source: "aws.mediaconvert",
      account: "111122223333",
      time: new Date(t).toISOString(),
      region: "us-west-2",
      resources: [],
      detail: {
        timestamp: t,
        accountId: "111122223333",
        queue: "arn:aws:mediaconvert:us-west-2:111122223333:queues/Race",
        jobId,
        status,
        userMetadata: {},
        ...detail,
      },
    });
    const events = [
      raw("PROGRESSING", base),
      raw("INPUT_INFORMATION", base + 500, {
        inputDetails: [{ id: 1, uri: "s3://in/race.mov", video: [{ codec: "PRORES", width: 3840, height: 2160 }], audio: [] }],
      }),
      ...Array.from({ length: 40 }, (_, i) =>
        raw("STATUS_UPDATE", base + 1000 + i * 1000, {
          framesDecoded: i * 100,
          jobProgress: {
            jobPercentComplete: i * 2,
            currentPhase: "TRANSCODING",
            phaseProgress: { TRANSCODING: { status: "PROGRESSING", percentComplete: i * 2 } },
          },
        }),
      ),
      ...Array.from({ length: 5 }, (_, i) => raw("NEW_WARNING", base + 2000 + i, { warningCode: "230005", warningMessage: "w" })),
      raw("COMPLETE", base + 60_000, {
        outputGroupDetails: [{ type: "FILE_GROUP", outputDetails: [{ outputFilePaths: ["s3://out/race.mp4"], durationInMs: 4000 }] }],
      }),
    ];
    // A re-delivery that runs while its first copy is in flight finds the event held and fails, to be retried as
    // Lambda would; once the first copy is done the retry is a duplicate and is skipped.
    const { gaveUp } = await deliver(r.collect, shuffle([...events, ...events.slice(0, 10)], 42), {
      concurrency: 24,
      retries: 5,
      retryDelayMs: 300,
    });
    assert.deepEqual(
      gaveUp.map((g) => String(g.err)),
      [],
    );
    const jobs = await jobRecords(r);
    assert.deepEqual(jobs.get(jobId), reduceEvents(parsedAll(events)));
    assert.equal(jobs.get(jobId)!.eventCount, events.length);
    assert.deepEqual(
      countersOf(await r.scan(r.tables.queues)),
      { Race: { COMPLETE: 1 } },
      "PROGRESSING counted then moved to COMPLETE exactly once",
    );
    assert.equal((await r.streamRecords()).length, events.length);
  });

  it("sends malformed and unknown events to the dead-letter queue with the reason, and still processes the good ones", async () => {
    const queueUrl = `${sqs.endpoint}/000000000000/collector-dlq`;
    const r = await rig({ prefix: "dlq", env: { MCJOBS_ENDPOINT_SQS: sqs.endpoint, DEAD_LETTER_QUEUE_URL: queueUrl } });
    const good = fixtureEvents.find((e) => (e.detail as { status: string }).status === "PROGRESSING")!;
    const badStatus = { ...good, id: "bad-status", detail: { ...(good.detail as object), status: "EXPLODED" } };
    const badNumber = {
      ...good,
      id: "bad-number",
      detail: { ...(good.detail as object), status: "STATUS_UPDATE", jobProgress: { jobPercentComplete: "lots" } },
    };
    const notAnEvent = "hello";
    const otherType = { ...good, id: "queue-change", "detail-type": "MediaConvert Queue State Change" };
    const before = sqs.messages.length;
    const res = await r.collect({ events: [badStatus, good, badNumber, notAnEvent, otherType] });
    assert.equal(res.rejected, 3);
    assert.equal(res.ignored, 1, "another MediaConvert detail-type is skipped, not dead-lettered");
    assert.equal(res.processed, 1);
    const letters = sqs.messages.slice(before);
    assert.equal(letters.length, 3);
    assert.ok(letters.every((m) => m.queueUrl === queueUrl));
    const byId = new Map(letters.map((m) => [m.attributes.eventId?.StringValue ?? "(none)", m]));
    assert.equal(byId.get("bad-status")!.attributes.kind.StringValue, "unknown-status");
    assert.match(byId.get("bad-status")!.attributes.reason.StringValue!, /EXPLODED/);
    assert.match(byId.get("bad-number")!.attributes.reason.StringValue!, /jobPercentComplete/);
    assert.deepEqual(JSON.parse(byId.get("bad-number")!.body), badNumber, "the body is the event as received");
    assert.equal(byId.get("(none)")!.body, "hello");
    assert.equal((await r.scan(r.tables.jobs)).length, 1);
  });

  it("sends an event with an over-long or path-like job id straight to the dead-letter queue, and records nothing of it", async () => {
    const queueUrl = `${sqs.endpoint}/000000000000/collector-dlq`;
    const r = await rig({ prefix: "badid", env: { MCJOBS_ENDPOINT_SQS: sqs.endpoint, DEAD_LETTER_QUEUE_URL: queueUrl } });
    const good = fixtureEvents.find((e) => (e.detail as { status: string }).status === "COMPLETE")!;
    const withJobId = (id: string, jobId: string) => ({ ...good, id, detail: { ...(good.detail as object), jobId } });
    const overLong = withJobId("over-long", `1717171717171-${"a".repeat(2000)}`);
    const pathLike = withJobId("path-like", "../../../jobs/1717171717171-abc123");
    const before = sqs.messages.length;
    const requestsBefore = sqs.requests;
    // Delivered like EventBridge does, each on its own, with Lambda's two retries: a rejection is not a failure.
    const { results, failedAttempts, gaveUp } = await deliver(r.collect, [overLong, pathLike], { concurrency: 1, retries: 2 });
    assert.equal(failedAttempts, 0, "a malformed job id is permanent: the invocation succeeds, nothing is retried");
    assert.equal(gaveUp.length, 0);
    assert.equal(sum(results, "rejected"), 2);
    assert.equal(sum(results, "processed"), 0);
    const letters = sqs.messages.slice(before);
    assert.equal(letters.length, 2, "one dead letter each");
    assert.equal(sqs.requests - requestsBefore, 2, "each sent once");
    const byId = new Map(letters.map((m) => [m.attributes.eventId?.StringValue, m]));
    const long = byId.get("over-long")!;
    assert.equal(long.attributes.kind.StringValue, "malformed");
    assert.match(
      long.attributes.reason.StringValue!,
      /^detail\.jobId: ".*" is not a MediaConvert job id \(it has 2014 characters, not 20\)/,
    );
    assert.deepEqual(JSON.parse(long.body), overLong, "the body is the event as received");
    assert.match(byId.get("path-like")!.attributes.reason.StringValue!, /^detail\.jobId: .*path separator/);
    assert.deepEqual(await r.scan(r.tables.jobs), [], "no Jobs record");
    assert.deepEqual(await r.scan(r.tables.events), [], "no Events record");
    assert.deepEqual(await r.scan(r.tables.queues), [], "no queue counter moved");
    assert.deepEqual(await r.streamRecords(), [], "nothing on the stream");
  });

  it("fails the invocation when the dead-letter queue cannot take a bad event, so Lambda keeps it", async () => {
    const queueUrl = `${sqs.endpoint}/000000000000/collector-dlq`;
    const r = await rig({ prefix: "dlqdown", env: { MCJOBS_ENDPOINT_SQS: sqs.endpoint, DEAD_LETTER_QUEUE_URL: queueUrl } });
    sqs.failNext(3); // every attempt of the SDK (3) fails; the retried invocation gets through
    const before = sqs.messages.length;
    await assert.rejects(r.collect({ id: "x", source: "aws.mediaconvert" }), /could not be processed/);
    const retry = await r.collect({ id: "x", source: "aws.mediaconvert" });
    assert.equal(retry.rejected, 1);
    assert.equal(sqs.messages.length, before + 1);
  });

  it("keeps the first payload of an eventKey seen with several (the Events item decides, the job follows it)", async () => {
    const r = await rig({ prefix: "collide" });
    const colliding = allFixtureEvents.filter(
      (e) => !fixtureEvents.includes(e) || allFixtureEvents.filter((o) => keyOf(o) === keyOf(e)).length > 1,
    );
    assert.ok(colliding.length >= 2, "the fixtures have one key with several payloads");
    const { gaveUp } = await deliver(r.collect, shuffle(colliding, 5), { concurrency: 6 });
    assert.equal(gaveUp.length, 0);
    const stored = await r.scan(r.tables.events);
    assert.equal(stored.length, 1, "one event per key");
    const winner = JSON.parse(String(stored[0].raw));
    assert.ok(
      colliding.some((c) => JSON.stringify(c) === JSON.stringify(winner)),
      "the stored raw event is one of the payloads",
    );
    const jobs = await jobRecords(r);
    assert.deepEqual([...jobs.values()], [reduceEvents(parsedAll([winner]))], "the job is the fold of the payload the ledger kept");
    assert.equal((await r.streamRecords()).length, 1);
  });

  it("writes no Kinesis record when USE_STREAMS=false, and still keeps Jobs/Events/Queues", async () => {
    const r = await rig({ prefix: "nostream", useStreams: false });
    assert.equal(r.deps.stream, undefined);
    const res = await r.collect(fixtureEvents);
    assert.equal(res.streamed, 0);
    assert.ok(res.processed > 0);
    assert.ok((await r.scan(r.tables.jobs)).length > 0);
    const events = await r.scan(r.tables.events);
    assert.ok(events.every((e) => e.doneAt !== undefined && e.streamedAt === undefined));
  });

  it("after a Kinesis failure, the retried invocation puts each record once and counts nothing twice", async () => {
    const proxy = await startFaultProxy({
      service: "kinesis",
      target: standIns.endpoints.kinesis!,
      rate: 1,
      kinds: ["throttle"],
      operations: ["PutRecords"],
    });
    try {
      const r = await rig({ prefix: "kfail", env: { MCJOBS_ENDPOINT_KINESIS: proxy.endpoint } });
      const batch = fixtureEvents.filter((e) =>
        ["1671477617078-2886ye", "1671476818694-phptj0"].includes((e.detail as { jobId: string }).jobId),
      );
      await assert.rejects(r.collect(batch), /Kinesis did not accept/);
      const events = await r.scan(r.tables.events);
      assert.ok(events.length > 0 && events.every((e) => e.doneAt === undefined), "nothing marked done");
      const jobsAfterFailure = await jobRecords(r);
      proxy.setRate(0);
      const retry = await r.collect(batch);
      assert.equal(retry.streamed, batch.length);
      assert.equal(retry.processed, batch.length, "released claims are taken again at once");
      const again = await r.collect(batch);
      assert.equal(again.duplicates, batch.length);
      assert.equal(again.streamed, 0);
      assert.equal((await r.streamRecords()).length, batch.length, "exactly one record per event");
      assert.deepEqual(await jobRecords(r), jobsAfterFailure, "re-applying the events changed no job");
      assert.deepEqual(countersOf(await r.scan(r.tables.queues)), expectedCounters(jobsAfterFailure.values()));
    } finally {
      await proxy.stop();
    }
  });

  it("resumes an event whose invocation died after its Kinesis put (lease ran out): state right, the record at least once", async () => {
    const r = await rig({ prefix: "died" });
    const batch = fixtureEvents.filter((e) => (e.detail as { jobId: string }).jobId === "1671477617078-2886ye");
    // An invocation that "dies" after Kinesis accepted the records: its markDone never happens and its claims are
    // never released (the process is gone), so they stay held until their lease runs out.
    const dying = createCollector({
      ...r.deps,
      defaultLeaseMs: 3000,
      events: {
        ...r.deps.events,
        markDone: async () => {
          throw new Error("container died");
        },
        release: async () => {},
      },
    });
    const died = Date.now();
    await assert.rejects(dying(batch), /container died/);
    const diedEnd = Date.now();
    // While the lease holds, a retry cannot know whether the holder is alive: it waits a little, then fails the
    // events (so Lambda retries them later) instead of skipping them — skipping would lose them.
    const retry = createCollector({ ...r.deps, inFlightWaitMs: 200 });
    await assert.rejects(retry(batch), (err: Error & { result?: { failed: number; duplicates: number } }) => {
      assert.match(err.message, /held by another attempt/);
      assert.equal(err.result?.failed, batch.length);
      assert.equal(err.result?.duplicates, 0, "an event in flight is not a duplicate");
      return true;
    });
    assert.ok(Date.now() - died < 3000, "still within the lease");
    await new Promise((res) => setTimeout(res, Math.max(0, diedEnd + 3100 - Date.now())));
    const after = await r.collect(batch);
    assert.equal(after.processed, batch.length, "after the lease, the event is taken over and finished");
    const expected = expectedJobs(parsedAll(batch));
    assert.deepEqual(await jobRecords(r), expected);
    assert.deepEqual(countersOf(await r.scan(r.tables.queues)), expectedCounters(expected.values()), "counted once");
    const keys = (await r.streamRecords()).map((x) => JSON.parse(x.data).eventKey as string);
    assert.equal(keys.length, 2 * batch.length, "the documented at-least-once window: the record was put by both attempts");
    assert.equal(new Set(keys).size, batch.length);
    assert.ok((await r.scan(r.tables.events)).every((e) => typeof e.doneAt === "number"));
  });

  it("a duplicate delivered while the first is being processed waits for it and is then skipped, not failed", async () => {
    const r = await rig({ prefix: "twins" });
    const batch = fixtureEvents.filter((e) => (e.detail as { jobId: string }).jobId === "1671477617078-2886ye");
    // Slow the first invocation's Jobs writes so the second arrives while the first holds the claims.
    const slow = createCollector({
      ...r.deps,
      jobs: {
        ...r.deps.jobs,
        apply: async (...args: Parameters<typeof r.deps.jobs.apply>) => {
          await new Promise((res) => setTimeout(res, 300));
          return r.deps.jobs.apply(...args);
        },
      },
    });
    const [first, second] = await Promise.all([slow(batch), new Promise((res) => setTimeout(res, 50)).then(() => r.collect(batch))]);
    assert.equal(first.processed, batch.length);
    assert.equal(second.duplicates, batch.length);
    assert.equal(second.failed, 0);
    assert.deepEqual(await jobRecords(r), expectedJobs(parsedAll(batch)));
  });

  it("survives throttling, 5xx, timeouts and lost replies from DynamoDB and Kinesis: retried invocations converge on the reducer", async () => {
    const ddbProxy = await startFaultProxy({
      service: "dynamodb",
      target: standIns.endpoints.dynamodb!,
      rate: 0.15,
      kinds: ["throttle", "5xx", "lost-reply"],
      hangMs: 30,
      seed: 11,
    });
    const kProxy = await startFaultProxy({
      service: "kinesis",
      target: standIns.endpoints.kinesis!,
      rate: 0.3,
      kinds: ["partial", "5xx", "throttle"],
      seed: 5,
    });
    try {
      // A failed attempt whose release of its claims is itself lost leaves them held until the lease ends. On Lambda
      // the lease is the invocation's remaining time and async retries come minutes later, after it. Here retries
      // are immediate (each waits up to 3 s for a held event), so the lease is 6 s rather than the 60 s default:
      // long enough for an attempt slowed by faults, short enough for the retries to take a leaked claim over.
      const r = await rig({
        prefix: "chaos",
        env: { MCJOBS_ENDPOINT_DYNAMODB: ddbProxy.endpoint, MCJOBS_ENDPOINT_KINESIS: kProxy.endpoint },
        deps: { defaultLeaseMs: 6000 },
      });
      const deliveries = shuffle([...fixtureEvents, ...fixtureEvents], 9);
      const { gaveUp, failedAttempts } = await deliver(r.collect, deliveries, { concurrency: 6, retries: 8 });
      assert.equal(
        gaveUp.length,
        0,
        `every invocation eventually succeeded: ${gaveUp.map((g) => String((g.err as Error)?.message)).join("; ")}`,
      );
      const distinct = parsedAll(fixtureEvents);
      const expected = expectedJobs(distinct);
      ddbProxy.setRate(0);
      const jobs = await jobRecords(r);
      for (const [id, rec] of expected) assert.deepEqual(jobs.get(id), rec, `job ${id}`);
      assert.deepEqual(countersOf(await r.scan(r.tables.queues)), expectedCounters(expected.values()));
      const keys = new Set((await r.streamRecords()).map((x) => JSON.parse(x.data).eventKey));
      assert.deepEqual(keys, new Set(distinct.map((e) => e.eventKey)), "every distinct event reached Kinesis (at least once)");
      assert.ok(ddbProxy.stats().injected.throttle + ddbProxy.stats().injected["lost-reply"] > 0, "faults were injected");
      void failedAttempts;
    } finally {
      await ddbProxy.stop();
      await kProxy.stop();
    }
  });
});
