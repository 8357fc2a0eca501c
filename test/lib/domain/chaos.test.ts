/**
 * Set semantics under adversarial inputs: arbitrary events of one job (every status, synthetic ones included),
 * timestamps crowded into a few milliseconds so clocks tie, several terminal events, several INPUT_INFORMATION /
 * COMPLETE / JOB_DETAILS events, queues present or not. Any order with duplicates must fold to the same state, in
 * memory and through the DynamoDB fast/slow paths.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../../lib/adapters/clients";
import { createTables, startStandIns, type StandIns } from "../../../tools/twin/standins";
import { makeEventKey, type McEvent } from "../../../lib/domain/events";
import { JOB_STATUSES, TERMINAL_STATUSES, type Phase } from "../../../lib/domain/job";
import { foldEvents, recordOf, reduceEvents } from "../../../lib/domain/reducer";
import { buildJobPut, buildJobUpdate, toJobRecord } from "../../../lib/domain/job-update";
import { jobId as makeJobId, processCounter } from "../../support/job-ids";

const QUEUES = [undefined, "arn:aws:mediaconvert:us-west-2:1:queues/A", "arn:aws:mediaconvert:us-west-2:1:queues/B"];
const PHASES: Phase[] = ["PROBING", "TRANSCODING", "UPLOADING"];

function eventArb(jobId: string): fc.Arbitrary<McEvent> {
  return fc
    .record({
      status: fc.constantFrom(
        "SUBMITTED",
        "PROGRESSING",
        "STATUS_UPDATE",
        "INPUT_INFORMATION",
        "COMPLETE",
        "ERROR",
        "CANCELED",
        "NEW_WARNING",
        "QUEUE_HOP",
        "JOB_DETAILS",
      ),
      ts: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_004 }),
      id: fc.constantFrom("a", "b", "c", "d"),
      queue: fc.constantFrom(...QUEUES),
      n: fc.integer({ min: 0, max: 100 }),
      phase: fc.constantFrom(...PHASES),
      jobStatus: fc.constantFrom(...JOB_STATUSES),
      app: fc.constantFrom(undefined, "x", "y"),
    })
    .map(({ status, ts, id, queue, n, phase, jobStatus, app }) => {
      const base = {
        origin: status === "JOB_DETAILS" ? ("getjob" as const) : ("eventbridge" as const),
        eventId: id,
        eventKey: makeEventKey(ts, status, id),
        jobId,
        timestamp: ts,
        accountId: "1",
        region: "us-west-2",
        arn: `arn:aws:mediaconvert:us-west-2:1:jobs/${jobId}`,
        ...(queue ? { queue, queueName: queue.split("/").pop() } : {}),
        userMetadata: app ? { application: app } : {},
      };
      switch (status) {
        case "STATUS_UPDATE":
          return {
            ...base,
            status,
            percentComplete: n,
            currentPhase: phase,
            phasePercentComplete: { [phase]: n },
            framesDecoded: n * 10,
            retryCount: n % 2,
          } as McEvent;
        case "INPUT_INFORMATION":
          return { ...base, status, inputs: [{ uri: `s3://b/${n}.mp4`, video: { width: n } }] } as McEvent;
        case "COMPLETE":
          return { ...base, status, outputs: [{ paths: [`s3://o/${n}`] }], warnings: n % 3 ? [{ code: 230001, count: n }] : [] } as McEvent;
        case "ERROR":
          return { ...base, status, errorCode: 1000 + n, errorMessage: `e${n}` } as McEvent;
        case "NEW_WARNING":
          return { ...base, status, warningCode: n % 2 ? 230001 : 270000 } as McEvent;
        case "QUEUE_HOP":
          return { ...base, status, previousQueue: QUEUES[1] } as McEvent;
        case "SUBMITTED":
          return { ...base, status, submittedAt: ts - n, settings: { inputs: [{ uri: `s3://b/${n}` }], outputGroups: [] } } as McEvent;
        case "JOB_DETAILS":
          return {
            ...base,
            status,
            jobStatus,
            timing: {
              submitTime: ts - n,
              startTime: n % 2 ? ts - 1 : undefined,
              finishTime: TERMINAL_STATUSES.includes(jobStatus) ? ts + (n % 3) : undefined,
            },
            queueTransitions: n % 4 ? [] : [{ at: ts - 2, previousQueue: QUEUES[1], currentQueue: QUEUES[2] }],
            settings: { inputs: [], outputGroups: [], priority: n },
            ...(jobStatus === "ERROR" ? { errorCode: 1401 } : {}),
          } as McEvent;
        default:
          return { ...base, status } as McEvent;
      }
    });
}

/** A set of events (distinct keys), and a delivery of it: shuffled, with duplicates. */
function chaosArb(jobId: string) {
  return fc
    .uniqueArray(eventArb(jobId), { minLength: 1, maxLength: 25, selector: (e) => e.eventKey })
    .chain((events) =>
      fc
        .tuple(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 6 }),
        )
        .map(([shuffled, dups]) => ({ events, delivered: [...shuffled, ...dups.map((i) => events[i])] })),
    );
}

describe("chaos: arbitrary event sets with tied clocks", () => {
  // A plain id (no time prefix) is refused on the way in; the fold still handles one, as a stored event may carry it.
  it("fold is order- and duplicate-proof (time-prefixed and plain job ids)", () => {
    for (const jobId of ["1700000000000-chaos0", "plain-job-id"]) {
      fc.assert(
        fc.property(chaosArb(jobId), ({ events, delivered }) => {
          assert.deepStrictEqual(foldEvents(delivered), foldEvents(events));
          const rec = recordOf(foldEvents(delivered));
          assert.equal(rec.eventCount, events.length);
          const terminal = events.some(
            (e) => TERMINAL_STATUSES.includes(e.status as never) || (e.status === "JOB_DETAILS" && TERMINAL_STATUSES.includes(e.jobStatus)),
          );
          assert.equal(TERMINAL_STATUSES.includes(rec.status), terminal, "terminal iff some event says so");
        }),
        { numRuns: 400 },
      );
    }
  });

  describe("through DynamoDB Local", () => {
    let standIns: StandIns;
    let doc: DynamoDBDocumentClient;
    let table: string;
    before(async () => {
      standIns = await startStandIns({ services: ["dynamodb"] });
      table = (await createTables(`chaos${process.pid}`, standIns.env)).jobs;
      doc = clients.dynamoDb(standIns.env);
    });
    after(async () => {
      doc?.destroy();
      await standIns?.stop();
    });

    async function apply(e: McEvent): Promise<void> {
      try {
        await doc.send(new UpdateCommand({ TableName: table, Key: { jobId: e.jobId }, ...buildJobUpdate(e, { ttlSeconds: 3600 }) }));
        return;
      } catch (err) {
        if ((err as { name?: string }).name !== "ConditionalCheckFailedException") throw err;
      }
      for (;;) {
        const got = await doc.send(new GetCommand({ TableName: table, Key: { jobId: e.jobId }, ConsistentRead: true }));
        const put = buildJobPut(got.Item, e, { ttlSeconds: 3600 });
        if (put.duplicate) return;
        try {
          const { duplicate: _d, ...input } = put;
          await doc.send(new PutCommand({ TableName: table, ...input }));
          return;
        } catch (err) {
          if ((err as { name?: string }).name !== "ConditionalCheckFailedException") throw err;
        }
      }
    }

    it("the stored item's record equals reduceEvents(events) for arbitrary sets", async () => {
      let run = 0;
      const next = processCounter();
      await fc.assert(
        fc.asyncProperty(fc.boolean(), fc.nat(), async (plain, seed) => {
          const jobId = plain ? `plain-${process.pid}-${run++}` : makeJobId(1_700_000_000_000, next());
          const [{ events, delivered }] = fc.sample(chaosArb(jobId), { seed, numRuns: 1 });
          for (const e of delivered) await apply(e);
          const got = await doc.send(new GetCommand({ TableName: table, Key: { jobId }, ConsistentRead: true }));
          assert.deepStrictEqual(toJobRecord(got.Item!), reduceEvents(events));
        }),
        { numRuns: 40 },
      );
    });
  });
});
