import { strict as assert } from "node:assert";
import fc from "fast-check";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../../lib/adapters/clients";
import { createTables, startStandIns, type StandIns } from "../../../tools/twin/standins";
import {
  buildJobPut,
  buildJobUpdate,
  mergeStored,
  recentAttribute,
  stateFromItem,
  statusTransition,
  toJobRecord,
  type JobItem,
} from "../../../lib/domain/job-update";
import { foldEvents, reduceEvents, seenTag, windowSampleOf } from "../../../lib/domain/reducer";
import { slotOf } from "../../../lib/domain/stall";
import type { McEvent } from "../../../lib/domain/events";
import { deliveryArb, mustParse, raw, timeline, type TimelineSpec } from "../../support/timeline";
import { processCounter } from "../../support/job-ids";

const TTL = { ttlSeconds: 3600 };

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === "ConditionalCheckFailedException";
}

/** The collector's write algorithm, reduced to its essentials: fast path, else read + merge + versioned put. */
async function applyToTable(doc: DynamoDBDocumentClient, table: string, event: McEvent): Promise<"fast" | "slow" | "duplicate"> {
  try {
    await doc.send(new UpdateCommand({ TableName: table, Key: { jobId: event.jobId }, ...buildJobUpdate(event, TTL) }));
    return "fast";
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const got = await doc.send(new GetCommand({ TableName: table, Key: { jobId: event.jobId }, ConsistentRead: true }));
    const put = buildJobPut(got.Item, event, TTL);
    if (put.duplicate) return "duplicate";
    try {
      const { duplicate: _d, ...input } = put;
      await doc.send(new PutCommand({ TableName: table, ...input }));
      return "slow";
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
  throw new Error("slow path: too many conflicts");
}

async function stored(doc: DynamoDBDocumentClient, table: string, jobId: string): Promise<JobItem> {
  const got = await doc.send(new GetCommand({ TableName: table, Key: { jobId }, ConsistentRead: true }));
  assert.ok(got.Item, `no item for ${jobId}`);
  return got.Item;
}

const SPEC: TimelineSpec = {
  created: 1_700_000_000_000,
  queueWait: 20_000,
  probeMs: 10_000,
  transcodeMs: 300_000,
  uploadMs: 20_000,
  end: "COMPLETE",
  hop: true,
  warnings: [230001, 270000],
  inputInfoLate: true,
  updateEvery: 60_000,
};

describe("job-update: conditional writes against DynamoDB Local equal the reducer", () => {
  let standIns: StandIns;
  let doc: DynamoDBDocumentClient;
  let table: string;
  const jobSuffix = processCounter();

  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb"] });
    table = (await createTables(`dom${process.pid}`, standIns.env)).jobs;
    doc = clients.dynamoDb(standIns.env);
  });
  after(async () => {
    doc?.destroy();
    await standIns?.stop();
  });

  it("in-order delivery takes the fast path for every event and stores the reducer's record", async () => {
    const events = timeline(SPEC, jobSuffix());
    const paths = [];
    for (const e of events.sort((a, b) => (a.eventKey < b.eventKey ? -1 : 1))) paths.push(await applyToTable(doc, table, e));
    assert.deepEqual(new Set(paths), new Set(["fast"]));
    assert.deepStrictEqual(toJobRecord(await stored(doc, table, events[0].jobId)), reduceEvents(events));
  });

  it("permutations with duplicates, through fast and slow paths, store exactly reduceEvents(events)", async () => {
    let slow = 0;
    let dup = 0;
    await fc.assert(
      fc.asyncProperty(deliveryArb, async (d) => {
        // the same delivery order (duplicates included), re-keyed to a fresh job so runs do not share items
        const events = timeline(d.spec, jobSuffix());
        const delivered = [...d.delivered.map((e) => events[d.events.indexOf(e)]), events[0]];
        for (const e of delivered) {
          const p = await applyToTable(doc, table, e);
          if (p === "slow") slow++;
          if (p === "duplicate") dup++;
        }
        const item = await stored(doc, table, events[0].jobId);
        assert.deepStrictEqual(toJobRecord(item), reduceEvents(events));
        assert.deepStrictEqual(stateFromItem(item).recent, foldEvents(events).recent, "the stall window as the reducer keeps it");
        assert.equal(item.version, events.length, "one write per distinct event");
      }),
      { numRuns: 20 },
    );
    assert.ok(slow > 0, "the slow path was exercised");
    assert.ok(dup > 0, "duplicates were detected");
  });

  it("concurrent writers of one job's events (duplicates included) converge on the reducer's record", async () => {
    const events = timeline({ ...SPEC, end: "ERROR" }, jobSuffix());
    const delivered = [...events, ...events.slice(0, 5)];
    await Promise.all(delivered.map((e) => applyToTable(doc, table, e)));
    assert.deepStrictEqual(toJobRecord(await stored(doc, table, events[0].jobId)), reduceEvents(events));
  });

  it("keeps attributes it does not own (claims, counter markers) on both paths", async () => {
    const events = timeline(SPEC, jobSuffix());
    const jobId = events[0].jobId;
    await applyToTable(doc, table, events[3]);
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { jobId },
        UpdateExpression: "SET countedQueue = :q",
        ExpressionAttributeValues: { ":q": "Default" },
      }),
    );
    await applyToTable(doc, table, events[0]); // older → slow path
    await applyToTable(doc, table, events[5]); // newer → fast path
    const item = await stored(doc, table, jobId);
    assert.equal(item.countedQueue, "Default");
    assert.equal(toJobRecord(item).eventCount, 3);
  });
});

describe("job-update: pure parts", () => {
  const events = timeline(SPEC, 1);

  it("mergeStored folds like the reducer, bumps the version and keeps foreign attributes", () => {
    let item: JobItem | undefined;
    for (const e of [...events].reverse()) item = mergeStored(item, e, { ttlSeconds: 60, now: 1_000_000 });
    item = { ...item!, claimProbe: 123 };
    const again = mergeStored(item, events[2], { ttlSeconds: 60 });
    assert.equal(again, item, "a duplicate returns the item untouched");
    assert.equal(item.version, events.length);
    assert.equal(item.expiresAt, 1000 + 60);
    assert.deepStrictEqual(toJobRecord(item), reduceEvents(events));
    assert.deepStrictEqual(toJobRecord(foldEvents(events)), reduceEvents(events));
    assert.deepStrictEqual(stateFromItem(item).recent, foldEvents(events).recent);
    assert.equal(item.recent, undefined, "the window is stored one attribute per slot");
  });

  it("a STATUS_UPDATE's fast path overwrites its window slot, guarded by the lastKey condition alone", () => {
    const update = events.find((e) => e.status === "STATUS_UPDATE");
    const progressing = events.find((e) => e.status === "PROGRESSING");
    assert.ok(update && progressing);
    const u = buildJobUpdate(update, TTL);
    const names = u.ExpressionAttributeNames;
    const slotAttr = recentAttribute(slotOf(update.timestamp));
    const ph = Object.keys(names).find((k) => names[k] === slotAttr);
    assert.ok(ph, `sets ${slotAttr}`);
    const set = new RegExp(`${ph} = (:v\\d+)`).exec(u.UpdateExpression);
    assert.ok(set);
    assert.deepStrictEqual(u.ExpressionAttributeValues[set[1]], windowSampleOf(update));
    assert.doesNotMatch(u.ConditionExpression, new RegExp(`${ph}\\b`), "no condition of its own");
    const other = buildJobUpdate(progressing, TTL);
    assert.ok(!Object.values(other.ExpressionAttributeNames).some((a) => a.startsWith("recent_")), "only STATUS_UPDATEs touch the window");
  });

  it("buildJobPut conditions on the version read, or on absence for a new job", () => {
    const first = buildJobPut(undefined, events[0], TTL);
    assert.ok(!first.duplicate);
    assert.equal(first.ConditionExpression, "attribute_not_exists(#jobId)");
    const second = buildJobPut(first.Item, events[1], TTL);
    assert.ok(!second.duplicate);
    assert.deepEqual(second.ExpressionAttributeValues, { ":version": 1 });
    assert.deepEqual(buildJobPut(second.Item, events[1], TTL), { duplicate: true });
  });

  it("buildJobUpdate guards duplicates and order in its condition", () => {
    const u = buildJobUpdate(events[1], TTL);
    const names = u.ExpressionAttributeNames;
    const byName = (attr: string) => Object.keys(names).find((k) => names[k] === attr)!;
    assert.match(u.ConditionExpression, new RegExp(`NOT contains\\(${byName("seenKeys")}, :v1\\)`));
    assert.match(u.ConditionExpression, new RegExp(`${byName("lastKey")} < :v0`));
    assert.equal(u.ExpressionAttributeValues[":v0"], events[1].eventKey);
    assert.equal(u.ExpressionAttributeValues[":v1"], seenTag(events[1].eventKey));
  });

  it("a terminal event's condition compares status clocks; a SUBMITTED-rank one never conditions on status", () => {
    const terminal = events.find((e) => e.status === "COMPLETE")!;
    const hop = events.find((e) => e.status === "QUEUE_HOP")!;
    const sc = (u: ReturnType<typeof buildJobUpdate>) =>
      Object.keys(u.ExpressionAttributeNames).find((k) => u.ExpressionAttributeNames[k] === "statusClock")!;
    const t = buildJobUpdate(terminal, TTL);
    assert.ok(t.ConditionExpression.includes(`${sc(t)} < `));
    const h = buildJobUpdate(hop, TTL);
    assert.ok(!h.ConditionExpression.includes(sc(h)));
    assert.ok(h.UpdateExpression.includes(`${sc(h)} = if_not_exists(${sc(h)}`));
  });

  it("seen tags are short, stable and distinct across a large set of keys", () => {
    const keys = Array.from(
      { length: 50_000 },
      (_, i) => `${String(1_700_000_000_000 + i * 7).padStart(13, "0")}#STATUS_UPDATE#${i.toString(16)}-uuid`,
    );
    const tags = new Set(keys.map(seenTag));
    assert.equal(tags.size, keys.length);
    assert.equal(seenTag(keys[0]), seenTag(keys[0]));
    assert.ok([...tags].every((t) => t.length === 14));
  });

  it("toJobRecord of a partial item (e.g. an index projection) is still a well-formed record", () => {
    const rec = toJobRecord({ jobId: "1700000000000-p00000", status: "PROGRESSING", queueName: "Default" });
    assert.deepEqual(
      [rec.jobId, rec.status, rec.createdAt, rec.lastEventAt, rec.eventCount, rec.queueName],
      ["1700000000000-p00000", "PROGRESSING", 1_700_000_000_000, 1_700_000_000_000, 0, "Default"],
    );
    assert.deepEqual([rec.userMetadata, rec.warnings, rec.queueHops], [{}, [], []]);
  });

  it("statusTransition reports only real changes", () => {
    assert.equal(statusTransition("PROGRESSING", "PROGRESSING"), undefined);
    assert.deepEqual(statusTransition(undefined, "SUBMITTED"), { to: "SUBMITTED" });
    assert.deepEqual(statusTransition("SUBMITTED", "COMPLETE"), { from: "SUBMITTED", to: "COMPLETE" });
  });

  it("an event with an unparseable job id keeps the earliest createdAt on both paths", () => {
    // parseEvent refuses such ids; a stored event may still carry one, and the merge folds it.
    const jobId = "my-job";
    const a = { ...mustParse(raw("1700000000000-myjob0", "a", { timestamp: 9000, status: "PROGRESSING" })), jobId };
    const b = { ...mustParse(raw("1700000000000-myjob0", "b", { timestamp: 7000, status: "QUEUE_HOP", previousQueue: "x" })), jobId };
    assert.equal(toJobRecord(mergeStored(mergeStored(undefined, a), b)).createdAt, 7000);
  });
});
