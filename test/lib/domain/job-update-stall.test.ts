import { strict as assert } from "node:assert";
import fc from "fast-check";
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../../lib/adapters/clients";
import { dynamoJobsStore, type JobsStore } from "../../../lib/adapters/jobs-store";
import { createTables, startStandIns, type StandIns } from "../../../tools/twin/standins";
import { RECENT_PREFIX, itemFieldsOf, stateFromItem, type JobItem } from "../../../lib/domain/job-update";
import { applyEvent, foldEvents, recordOf, reduceEvents } from "../../../lib/domain/reducer";
import { WINDOW_SLOTS } from "../../../lib/domain/stall";
import type { McEvent } from "../../../lib/domain/events";
import { deliveryOf, progressArb, runningJob, transcoding, wildArb, type Reading } from "./progress-timeline";
import { processCounter } from "../../support/job-ids";

const MINUTE = 60_000;
const ITEM_LIMIT = 400 * 1024;

/**
 * An item's size as DynamoDB counts it: attribute names plus values; strings in UTF-8 bytes, numbers about one
 * byte per two significant digits plus one, maps and lists 3 bytes plus one per element (map keys count as names).
 */
function sizeOf(v: unknown): number {
  if (typeof v === "string") return Buffer.byteLength(v, "utf8");
  if (typeof v === "number") {
    const digits = String(Math.abs(v)).replace(/e.*$/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
    return Math.min(21, Math.ceil(Math.max(digits.length, 1) / 2) + 1);
  }
  if (typeof v === "boolean" || v === null) return 1;
  if (v instanceof Set) return [...v].reduce((n: number, x) => n + sizeOf(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + sizeOf(x), 0);
  if (typeof v === "object") return 3 + Object.entries(v as object).reduce((n, [k, x]) => n + 1 + sizeOf(k) + sizeOf(x), 0);
  return 0;
}
const itemSize = (item: JobItem) => Object.entries(item).reduce((n, [k, v]) => n + sizeOf(k) + sizeOf(v), 0);
const recentAttrs = (item: JobItem) => Object.keys(item).filter((k) => k.startsWith(RECENT_PREFIX));

describe("job-update: the stall window survives DynamoDB, so stored records show stalls", () => {
  let standIns: StandIns;
  let doc: DynamoDBDocumentClient;
  let table: string;
  let store: JobsStore;
  const suffix = processCounter();

  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb"] });
    table = (await createTables(`win${process.pid}`, standIns.env)).jobs;
    doc = clients.dynamoDb(standIns.env);
    store = dynamoJobsStore(doc, table, { sleep: async () => undefined });
  });
  after(async () => {
    doc?.destroy();
    await standIns?.stop();
  });

  /** Applies events through the jobs store one by one; returns the item read back and the paths taken. */
  async function deliver(events: readonly McEvent[]): Promise<{ item: JobItem; paths: Set<string> }> {
    const paths = new Set<string>();
    for (const e of events) paths.add((await store.apply(e, { now: e.timestamp, ttlSeconds: 3600 })).path);
    const item = await store.get(events[0].jobId);
    assert.ok(item, "the job was stored");
    return { item, paths };
  }

  /** A delivery of a template job's events, replayed on a fresh job (same readings, new id) so runs share no item. */
  function onFreshJob(
    readings: readonly Reading[],
    opts: Parameters<typeof runningJob>[1],
    template: readonly McEvent[],
    delivered: readonly McEvent[],
  ) {
    const job = runningJob(readings, { ...opts, n: suffix() });
    return { job, delivered: delivered.map((e) => job.events[template.indexOf(e)]) };
  }

  /** The stored item agrees with the reducer on the record and on the window itself. */
  function assertMatchesReducer(item: JobItem, events: readonly McEvent[]): void {
    assert.deepStrictEqual(store.toRecord(item), reduceEvents(events));
    assert.deepStrictEqual(stateFromItem(item).recent, foldEvents(events).recent);
    assert.ok(recentAttrs(item).length <= WINDOW_SLOTS);
  }

  it("stuck at 1 % for 20 minutes, shuffled with duplicates: stored as stalled since the same time as the reducer says", async () => {
    const readings = transcoding(Array(20).fill(1));
    const template = runningJob(readings, { n: 1 });
    const expected = reduceEvents(template.events);
    assert.equal(expected.stalled, true);
    assert.equal(expected.stalledSince, template.updateTimes[0]);
    const paths = new Set<string>();
    await fc.assert(
      fc.asyncProperty(deliveryOf(template.events), async (d) => {
        const { job, delivered } = onFreshJob(readings, {}, template.events, d);
        const { item, paths: p } = await deliver(delivered);
        for (const x of p) paths.add(x);
        const rec = store.toRecord(item);
        assert.equal(rec.stalled, true);
        assert.equal(rec.stalledSince, job.updateTimes[0]);
        assert.equal(rec.stalledSince, reduceEvents(job.events).stalledSince);
        assert.equal(rec.etaMs, undefined);
        assertMatchesReducer(item, job.events);
      }),
      { numRuns: 15 },
    );
    assert.deepEqual(paths, new Set(["fast", "slow"]), "both write paths carried the window");
  });

  it("in order (fast path only) the same stuck job reads back stalled", async () => {
    const job = runningJob(transcoding(Array(20).fill(1)), { n: suffix() });
    const { item, paths } = await deliver(job.events);
    assert.deepEqual(paths, new Set(["fast"]));
    const rec = store.toRecord(item);
    assert.deepStrictEqual([rec.stalled, rec.stalledSince], [true, job.updateTimes[0]]);
    assert.equal(recentAttrs(item).length, 20, "one slot per minute of updates");
    assertMatchesReducer(item, job.events);
  });

  it("a job whose progress moves reads back not stalled, with an ETA, in any order", async () => {
    const readings = transcoding(Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));
    const template = runningJob(readings, { n: 1 });
    await fc.assert(
      fc.asyncProperty(deliveryOf(template.events), async (d) => {
        const { job, delivered } = onFreshJob(readings, {}, template.events, d);
        const { item } = await deliver(delivered);
        const rec = store.toRecord(item);
        assert.equal(rec.stalled, undefined);
        assert.ok(typeof rec.etaMs === "number" && rec.etaMs > 0, `an ETA (${rec.etaMs})`);
        assert.ok(typeof rec.estimatedFinishAt === "number" && rec.estimatedFinishAt > rec.lastEventAt);
        assertMatchesReducer(item, job.events);
      }),
      { numRuns: 8 },
    );
  });

  it("running jobs of any shape and interval: the stored record equals the reducer's for any order", async () => {
    const arb = fc.oneof(progressArb, wildArb).chain((p) => {
      const template = runningJob(p.readings, { everyMs: p.everyMs, jitter: p.jitter, n: 1 });
      return deliveryOf(template.events).map((d) => ({ p, template, d }));
    });
    let withEta = 0;
    await fc.assert(
      fc.asyncProperty(arb, async ({ p, template, d }) => {
        const { job, delivered } = onFreshJob(p.readings, { everyMs: p.everyMs, jitter: p.jitter }, template.events, d);
        const { item } = await deliver(delivered);
        assertMatchesReducer(item, job.events);
        if (store.toRecord(item).etaMs !== undefined) withEta++;
      }),
      { numRuns: 25 },
    );
    assert.ok(withEta > 0, "some stored records carry an ETA from the window");
  });

  it("hours of updates keep at most one attribute per window slot, and the stall still shows", async () => {
    // three hours flat at one update a minute: every slot is overwritten six times
    const job = runningJob(transcoding(Array(180).fill(3)), { n: suffix() });
    const { item, paths } = await deliver(job.events);
    assert.deepEqual(paths, new Set(["fast"]));
    assert.equal(recentAttrs(item).length, WINDOW_SLOTS);
    const rec = store.toRecord(item);
    assert.equal(rec.stalled, true);
    // the run began with the phase's first sample, which the state keeps beyond the window
    assert.equal(rec.stalledSince, job.updateTimes[0]);
    assert.ok(rec.lastEventAt - job.updateTimes[0] > WINDOW_SLOTS * MINUTE);
    assertMatchesReducer(item, job.events);
  });

  it("a worst-case item stays well under DynamoDB's 400 KB, and the window is a small fixed share of it", async () => {
    // a full window of the largest samples: long event ids, every field set, a retried job
    // half a day of 10-second updates: 4,320 events, more than most jobs send
    const readings: Reading[] = Array.from({ length: 4320 }, (_, i) => ({ phase: "UPLOADING", pct: 100 - (i % 2), retry: 99 }));
    const job = runningJob(readings, { everyMs: 10_000, n: suffix() });
    // event ids as long as EventBridge's UUIDs and more (the keys keep their order)
    const events = job.events.map((e) => ({ ...e, eventKey: `${e.eventKey}-${"0".repeat(48)}` }));
    const [last, ...rest] = [...events].reverse();
    const before = foldEvents(rest);
    await doc.send(new PutCommand({ TableName: table, Item: { ...itemFieldsOf(before), version: rest.length } }));
    const { item, paths } = await deliver([last]);
    assert.deepEqual(paths, new Set(["fast"]), "the fast path updates the large item");
    const expected = applyEvent(before, last);
    assert.deepStrictEqual(store.toRecord(item), recordOf(expected));
    assert.deepStrictEqual(stateFromItem(item).recent, expected.recent);

    const windowBytes = recentAttrs(item).reduce((sum, k) => sum + sizeOf(k) + sizeOf(item[k]), 0);
    const total = itemSize(item);
    assert.equal(recentAttrs(item).length, WINDOW_SLOTS);
    assert.ok(windowBytes < 8 * 1024, `window ${windowBytes} B`);
    assert.ok(total < ITEM_LIMIT / 2, `item ${total} B`);
  });
});
