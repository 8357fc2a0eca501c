/**
 * The byInputName key through the collector's real write path (lib/adapters/jobs-store.ts: one conditional
 * UpdateItem, else read + merge + versioned put) on DynamoDB Local: whatever the delivery order, duplicates and
 * concurrency, the stored `inputShard`/`inputNameKey` are the key of the input URI the reduced record shows —
 * from SUBMITTED or GetJob settings, or a newer INPUT_INFORMATION — and the job is found under it.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../../lib/adapters/clients";
import { dynamoJobsQuery } from "../../../lib/adapters/jobs-query";
import { dynamoJobsStore, type JobsStore } from "../../../lib/adapters/jobs-store";
import type { McEvent } from "../../../lib/domain/events";
import { inputIndexAttributes, inputPrefixCondition } from "../../../lib/domain/input-name";
import { jobDetailsEvent, submittedEvent } from "../../../lib/domain/job-source";
import { reduceEvents } from "../../../lib/domain/reducer";
import { INPUT_NAME_ATTRIBUTE, INPUT_SHARD_ATTRIBUTE, JOBS_INDEX } from "../../../lib/domain/tables";
import { createTables, startStandIns, type StandIns, type TableNames } from "../../../tools/twin/standins";
import { mustParse, raw, specArb, timeline, type TimelineSpec } from "../../support/timeline";
import { processCounter } from "../../support/job-ids";

const ACCOUNT = { accountId: "111122223333", region: "us-west-2" };
/** URIs a job may name: two files, a folder (no file name), and none at all. */
const URIS = ["s3://in/Interview Take 2.MOV", "s3://in/other/interview_take_3.mxf", "s3://in/folder/", undefined];

interface Variant {
  spec: TimelineSpec;
  settingsUri?: string;
  details?: { offset: number; uri?: string };
  infos: { offset: number; uri?: string }[];
}

const variantArb: fc.Arbitrary<Variant> = fc.record({
  spec: specArb,
  settingsUri: fc.constantFrom(...URIS),
  details: fc.option(fc.record({ offset: fc.integer({ min: 1, max: 3_000_000 }), uri: fc.constantFrom(...URIS) }), { nil: undefined }),
  infos: fc.array(fc.record({ offset: fc.integer({ min: 1, max: 3_000_000 }), uri: fc.constantFrom(...URIS) }), { maxLength: 3 }),
});

/** A variant, a delivery order of its events (as indexes) and the indexes delivered a second time. */
const deliveryArb = variantArb.chain((v) => {
  const count = eventsOf(v, 0).length;
  const all = Array.from({ length: count }, (_, i) => i);
  return fc.tuple(
    fc.constant(v),
    fc.shuffledSubarray(all, { minLength: count, maxLength: count }),
    fc.array(fc.nat({ max: count - 1 }), { maxLength: 6 }),
  );
});

function sdkJob(jobId: string, created: number, uri: string | undefined, status?: string) {
  return {
    Id: jobId,
    Arn: `arn:aws:mediaconvert:${ACCOUNT.region}:${ACCOUNT.accountId}:jobs/${jobId}`,
    CreatedAt: new Date(created),
    ...(status ? { Status: status } : {}),
    Settings: { Inputs: uri === undefined ? [] : [{ FileInput: uri }], OutputGroups: [] },
  };
}

/**
 * A job's distinct events: the timeline without its own INPUT_INFORMATION and with only its first few progress
 * updates (they never touch the input; fewer keep the runs quick), plus the variant's input sources.
 */
function eventsOf(v: Variant, n: number): McEvent[] {
  let updates = 0;
  const events: McEvent[] = timeline(v.spec, n).filter(
    (e) => e.status !== "INPUT_INFORMATION" && (e.status !== "STATUS_UPDATE" || updates++ < 3),
  );
  const jobId = events[0].jobId;
  const sub = submittedEvent(sdkJob(jobId, v.spec.created, v.settingsUri), ACCOUNT);
  assert.ok(sub.ok);
  events.push(sub.event);
  if (v.details)
    events.push(
      jobDetailsEvent(sdkJob(jobId, v.spec.created, v.details.uri, "PROGRESSING"), { at: v.spec.created + v.details.offset, ...ACCOUNT })!,
    );
  v.infos.forEach((info, i) => {
    const at = v.spec.created + info.offset + i;
    events.push(
      mustParse(
        raw(jobId, `input-${i}`, {
          timestamp: at,
          status: "INPUT_INFORMATION",
          inputDetails: [{ id: 1, ...(info.uri ? { uri: info.uri } : {}) }],
        }),
      ),
    );
  });
  return events;
}

describe("input index: the collector's writes keep byInputName equal to the record's input", () => {
  let standIns: StandIns;
  let ddb: DynamoDBDocumentClient;
  let tables: TableNames;
  let store: JobsStore;
  const suffix = processCounter();
  const opts = { now: Date.now(), ttlSeconds: 86_400 };

  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb"] });
    tables = await createTables("inputidx", standIns.env);
    ddb = clients.dynamoDb(standIns.env);
    store = dynamoJobsStore(ddb, tables.jobs, { sleep: async () => undefined });
  });
  after(async () => {
    ddb?.destroy();
    await standIns?.stop();
  });

  const expectedKey = (events: McEvent[]) => inputIndexAttributes(reduceEvents(events).input?.uri, events[0].jobId);
  const storedKey = async (jobId: string) => {
    const item = (await store.get(jobId))!;
    const key: Record<string, unknown> = {};
    for (const a of [INPUT_SHARD_ATTRIBUTE, INPUT_NAME_ATTRIBUTE]) if (item[a] !== undefined) key[a] = item[a];
    return { item, key };
  };

  it("any delivery order with duplicates, through fast and slow paths, stores the reduced record's key", async () => {
    const paths = new Set<string>();
    const keys = new Set<string>();
    await fc.assert(
      fc.asyncProperty(deliveryArb, async ([v, order, dups]) => {
        const events = eventsOf(v, suffix());
        const delivered = [...order, ...dups].map((i) => events[i]);
        for (const e of delivered) paths.add((await store.apply(e, opts)).path);
        const { item, key } = await storedKey(events[0].jobId);
        assert.deepStrictEqual(key, expectedKey(events));
        assert.deepStrictEqual(store.toRecord(item), reduceEvents(events));
        keys.add(String(key[INPUT_NAME_ATTRIBUTE] ?? "none").split("\u0001")[0]);
      }),
      { numRuns: 25 },
    );
    assert.deepEqual([...paths].sort(), ["fast", "slow"], "both write paths were exercised");
    assert.ok(keys.has("interview take 2.mov") && keys.has("interview_take_3.mxf") && keys.has("none"), [...keys].join());
  });

  it("in order, the one write moves the key when it can, and hands over to the slow path when the stored input decides", async () => {
    // Every input source arrives while the job is still queued, so only the input decides which path a write takes.
    const spec: TimelineSpec = { ...fc.sample(specArb, { seed: 5, numRuns: 1 })[0], queueWait: 600_000, hop: false };
    const run = async (v: Variant) => {
      const events = eventsOf(v, suffix()).sort((a, b) => (a.eventKey < b.eventKey ? -1 : 1));
      const steps: string[] = [];
      for (const e of events) {
        const res = await store.apply(e, opts);
        const name = String(res.item[INPUT_NAME_ATTRIBUTE] ?? "-").split("\u0001")[0];
        if (["SUBMITTED", "INPUT_INFORMATION", "JOB_DETAILS"].includes(e.status) || res.path === "slow")
          steps.push(`${e.status} ${res.path} ${name}`);
      }
      assert.deepStrictEqual((await storedKey(events[0].jobId)).key, expectedKey(events));
      return steps;
    };
    // settings name A, then the input names B, then GetJob settings name A again, then an input without a URI
    assert.deepEqual(
      await run({
        spec,
        settingsUri: URIS[0],
        infos: [
          { offset: 1, uri: URIS[1] },
          { offset: 3, uri: undefined },
        ],
        details: { offset: 2, uri: URIS[0] },
      }),
      [
        "SUBMITTED fast interview take 2.mov",
        "INPUT_INFORMATION fast interview_take_3.mxf",
        "JOB_DETAILS slow interview_take_3.mxf", // the stored input's URI wins over the settings
        "INPUT_INFORMATION slow interview take 2.mov", // no URI in the input: the settings' name is back
      ],
    );
    // settings and input agree: nothing for the slow path to decide
    assert.deepEqual(
      await run({ spec, settingsUri: URIS[1], infos: [{ offset: 1, uri: URIS[1] }], details: { offset: 2, uri: URIS[1] } }),
      ["SUBMITTED fast interview_take_3.mxf", "INPUT_INFORMATION fast interview_take_3.mxf", "JOB_DETAILS fast interview_take_3.mxf"],
    );
  });

  it("concurrent writers converge, and the job is found by its file name and not by the one it left", async () => {
    const v: Variant = {
      spec: fc.sample(specArb, { seed: 9, numRuns: 1 })[0],
      settingsUri: URIS[1],
      details: { offset: 5, uri: URIS[1] },
      infos: [{ offset: 40, uri: URIS[0] }],
    };
    const events = eventsOf(v, suffix());
    await Promise.all([...events, ...events.slice(0, 4)].map((e) => store.apply(e, opts)));
    const jobId = events[0].jobId;
    assert.deepStrictEqual((await storedKey(jobId)).key, expectedKey(events));
    const reader = dynamoJobsQuery(ddb, tables);
    const find = async (prefix: string) => {
      const c = inputPrefixCondition(prefix);
      const page = await reader.queryJobs({
        index: JOBS_INDEX.byInputName,
        partitionAttribute: INPUT_SHARD_ATTRIBUTE,
        partition: c.shard,
        beginsWith: { attribute: INPUT_NAME_ATTRIBUTE, prefix: c.beginsWith },
        ascending: true,
        limit: 100,
        now: Date.now(),
      });
      return page.items.map((i) => i.jobId);
    };
    assert.ok((await find("INTERVIEW TAKE 2")).includes(jobId));
    assert.ok(!(await find("interview_take_3")).includes(jobId), "the settings' name no longer lists it");
  });
});
