/**
 * The Jobs API Lambda (handlers/api.ts) against DynamoDB Local holding 10,000 jobs, called with the API Gateway
 * payload-2.0 events the local twin builds (tools/twin/server.ts `toApiGatewayEvent`).
 *
 * Most jobs are seeded in bulk, shaped by the domain's own merge (test/support/seed-jobs.ts); a few go through the
 * collector's real write path (jobs store + queue-counter transaction + events store) to show the byQueueStatus
 * key and the counters follow a job from SUBMITTED to COMPLETE.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../lib/adapters/clients";
import { dynamoEventsStore } from "../../lib/adapters/events-store";
import { dynamoJobsQuery } from "../../lib/adapters/jobs-query";
import { dynamoJobsStore } from "../../lib/adapters/jobs-store";
import { dynamoQueueCounters, syncQueueCounters } from "../../lib/adapters/queue-counters";
import { handleRequest, type ApiDeps } from "../../lib/api/router";
import { signToken } from "../../lib/api/token";
import type { JobsReadPort } from "../../lib/api/ports";
import { ENV } from "../../lib/domain/env";
import type { McEvent } from "../../lib/domain/events";
import type { JobStatus } from "../../lib/domain/job";
import { handler, resetApiHandler } from "../../handlers/api";
import { toApiGatewayEvent } from "../../tools/twin/server";
import { createTables, startStandIns, type StandIns, type TableNames } from "../../tools/twin/standins";
import { batchWrite, eventsFor, itemFor, makeJobs, queueArn, type SeededJob } from "../support/seed-jobs";

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const COUNT = 10_000;

type Body = Record<string, any>;

describe("api: handler against DynamoDB Local with 10,000 jobs", () => {
  let standIns: StandIns;
  let tables: TableNames;
  let ddb: DynamoDBDocumentClient;
  let jobs: SeededJob[];
  const key = randomBytes(32);
  const savedEnv = { ...process.env };

  before(async function () {
    this.timeout(110_000);
    standIns = await startStandIns({ services: ["dynamodb"] });
    tables = await createTables("apitest", standIns.env);
    ddb = clients.dynamoDb(standIns.env as NodeJS.ProcessEnv);
    const seeded = makeJobs({ count: COUNT, newest: NOW - 60_000, seed: 7, tieEvery: 9 });
    jobs = seeded.jobs;
    await batchWrite(ddb, tables.jobs, seeded.items, 24);
    Object.assign(process.env, standIns.env, {
      [ENV.jobsTable]: tables.jobs,
      [ENV.eventsTable]: tables.events,
      [ENV.queuesTable]: tables.queues,
      [ENV.apiTokenKey]: key.toString("base64"),
    });
  });

  after(async () => {
    resetApiHandler();
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    ddb?.destroy();
    await standIns?.stop();
  });

  /** GET through the Lambda entry point, as API Gateway (or the twin) would call it. */
  async function get(
    path: string,
    query: Record<string, string> = {},
  ): Promise<{ status: number; body: Body; headers: Record<string, string> }> {
    const qs = new URLSearchParams(query).toString();
    const event = toApiGatewayEvent({ method: "GET", url: qs ? `${path}?${qs}` : path, headers: { host: "test" } }, Buffer.alloc(0));
    const res = (await handler(event)) as APIGatewayProxyStructuredResultV2;
    return { status: res.statusCode!, body: JSON.parse(res.body!), headers: res.headers as Record<string, string> };
  }

  /** Every page of a listing, following nextToken. */
  async function all(status: string, query: Record<string, string> = {}): Promise<{ pages: Body[]; jobs: Body[] }> {
    const pages: Body[] = [];
    let token: string | undefined;
    do {
      const res = await get(`/jobs/${status}`, { ...query, ...(token ? { nextToken: token } : {}) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      pages.push(res.body);
      token = res.body.nextToken;
      assert.ok(pages.length < 1000, "paging does not end");
    } while (token);
    return { pages, jobs: pages.flatMap((p) => p.jobs) };
  }

  const idsOf = (list: { jobId: string }[]) => list.map((j) => j.jobId).sort();
  const expected = (f: (j: SeededJob) => boolean) => idsOf(jobs.filter(f));

  function assertNewestFirst(list: Body[]): void {
    for (let i = 1; i < list.length; i++) {
      assert.ok(
        list[i - 1].createdAt >= list[i].createdAt,
        `job ${i} (${list[i].createdAt}) is newer than job ${i - 1} (${list[i - 1].createdAt})`,
      );
    }
  }

  it("paging GET /jobs/PROGRESSING returns every PROGRESSING job exactly once, newest first, pages ≤ limit", async () => {
    const { pages, jobs: got } = await all("PROGRESSING", { limit: "500" });
    const want = expected((j) => j.status === "PROGRESSING");
    assert.ok(want.length > 3000, `seed has ${want.length} PROGRESSING jobs`);
    assert.equal(got.length, want.length, "no duplicates, nothing missing (count)");
    assert.deepEqual(idsOf(got as { jobId: string }[]), want);
    assert.ok(pages.every((p) => p.jobs.length <= 500 && p.count === p.jobs.length));
    assert.ok(pages.length >= Math.ceil(want.length / 500));
    assertNewestFirst(got);
    assert.ok(got.every((j) => j.status === "PROGRESSING"));
  });

  it("paging with a small odd limit over ties in createdAt still returns each job once", async () => {
    const { jobs: got, pages } = await all("ERROR", { limit: "37" });
    const want = expected((j) => j.status === "ERROR");
    const perMs = new Map<number, number>();
    for (const j of jobs) if (j.status === "ERROR") perMs.set(j.createdAt, (perMs.get(j.createdAt) ?? 0) + 1);
    assert.ok(
      [...perMs.values()].some((n) => n > 1),
      "the seed has ERROR jobs created in the same millisecond",
    );
    assert.equal(got.length, want.length);
    assert.deepEqual(idsOf(got as { jobId: string }[]), want);
    assert.ok(
      pages.slice(0, -1).every((p) => p.jobs.length === 37),
      "full pages until the last",
    );
    assertNewestFirst(got);
  });

  it("?queue= (name or ARN) lists exactly that queue's jobs in the status, with every page a key-condition read", async () => {
    const byName = await all("COMPLETE", { queue: "Fast", limit: "250" });
    const byArn = await all("COMPLETE", { queue: queueArn("Fast"), limit: "250" });
    const want = expected((j) => j.status === "COMPLETE" && j.queueName === "Fast");
    assert.ok(want.length > 500);
    assert.deepEqual(idsOf(byName.jobs as { jobId: string }[]), want);
    assert.deepEqual(idsOf(byArn.jobs as { jobId: string }[]), want);
    assert.ok(byName.jobs.every((j) => j.queueName === "Fast" && j.status === "COMPLETE"));
    assert.deepEqual(byName.pages[0].filters, { queue: "Fast" });
    assertNewestFirst(byName.jobs);
  });

  it("?since= (epoch ms or ISO) keeps jobs created at or after it; combines with ?queue=", async () => {
    const since = NOW - 3 * 86_400_000 + 12_345;
    const epoch = await all("PROGRESSING", { since: String(since), limit: "500" });
    const iso = await all("PROGRESSING", { since: new Date(since).toISOString(), limit: "500" });
    const want = expected((j) => j.status === "PROGRESSING" && j.createdAt >= since);
    assert.ok(want.length > 100 && want.length < jobs.filter((j) => j.status === "PROGRESSING").length);
    assert.deepEqual(idsOf(epoch.jobs as { jobId: string }[]), want);
    assert.deepEqual(idsOf(iso.jobs as { jobId: string }[]), want);
    assert.equal(epoch.pages[0].filters.sinceIso, new Date(since).toISOString());
    const both = await all("PROGRESSING", { since: String(since), queue: "Archive", limit: "100" });
    assert.deepEqual(
      idsOf(both.jobs as { jobId: string }[]),
      expected((j) => j.status === "PROGRESSING" && j.createdAt >= since && j.queueName === "Archive"),
    );
  });

  it("a job record: numbers as numbers, times as epoch ms and ISO, percentComplete, queuedMs, submittedAt", async () => {
    const seeded = jobs.find((j) => j.status === "PROGRESSING")!;
    const res = await get(`/jobs/${seeded.jobId}`);
    assert.equal(res.status, 200);
    const j = res.body;
    assert.equal(j.jobId, seeded.jobId);
    assert.equal(j.createdAt, seeded.createdAt);
    assert.equal(j.createdAtIso, new Date(seeded.createdAt).toISOString());
    assert.equal(j.submittedAt, seeded.createdAt);
    assert.equal(j.submittedAtIso, new Date(seeded.createdAt).toISOString());
    assert.equal(j.progressingAt, seeded.createdAt + 2_000);
    assert.equal(j.queuedMs, 2_000);
    assert.equal(typeof j.percentComplete, "number");
    assert.ok(j.percentComplete >= 1 && j.percentComplete <= 99);
    assert.equal(j.queueName, seeded.queueName);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    // no bookkeeping attributes leak into the record
    for (const k of ["seenKeys", "version", "expiresAt", "countedQueue", "queueStatus", "lastKey"])
      assert.ok(!(k in j), `${k} in the record`);
  });

  it("GET /jobs/SUBMITTED lists waiting jobs with waitingMs from submittedAt", async () => {
    const res = await get("/jobs/submitted", { limit: "5" });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, "SUBMITTED");
    assert.equal(res.body.jobs.length, 5);
    for (const j of res.body.jobs) {
      assert.equal(j.status, "SUBMITTED");
      assert.equal(j.waitingMs, res.body.asOf - j.submittedAt);
      assert.equal(j.queuedMs, undefined);
    }
  });

  it("unknown job → 404 JobNotFound; bad path segment → 400 naming the accepted forms", async () => {
    const missing = await get("/jobs/1700000000000-nosuch");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "JobNotFound");
    assert.match(missing.body.error.message, /1700000000000-nosuch/);
    for (const seg of ["PROGRESING", "drop table", "12345", "%E0%A4%A"]) {
      const res = await get(`/jobs/${seg}`);
      assert.equal(res.status, 400, seg);
      assert.equal(res.body.error.code, "InvalidPath");
      if (seg !== "%E0%A4%A") assert.match(res.body.error.message, /SUBMITTED, PROGRESSING, COMPLETE, ERROR, CANCELED.*job id/s);
    }
    // A malformed job id is answered with what is wrong with it, never looked up.
    for (const [seg, why] of [
      [`1700000000000-${"a".repeat(300)}`, /is not a job id \(it has 314 characters, not 20\)/],
      ["1700000000000-..%2F..%2Fetc", /is not a job id \(it contains a path separator or `\.\.`\)/],
      ["1700000000000-NOSUCH", /is not a job id \(it has upper-case letters; job ids are lower-case\)/],
    ] as const) {
      const res = await get(`/jobs/${seg}`);
      assert.equal(res.status, 400, seg);
      assert.equal(res.body.error.code, "InvalidPath");
      assert.match(res.body.error.message, why);
      assert.match(res.body.error.message, /a MediaConvert job id: 13 digits \(the creation time in epoch ms\), a hyphen and 6 lower-case/);
    }
    const bare = await get("/jobs");
    assert.equal(bare.status, 400);
    assert.match(bare.body.error.message, /\/jobs\/\{status\}.*\/jobs\/\{jobId\}/);
    const nowhere = await get("/nowhere");
    assert.equal(nowhere.status, 404);
    assert.equal(nowhere.body.error.code, "RouteNotFound");
  });

  it("bad parameters → 400 with a message that names the parameter and what is accepted", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ limit: "0" }, /limit must be at least 1/],
      [{ limit: "501" }, /limit must be at most 500/],
      [{ limit: "ten" }, /limit must be a whole number from 1 to 500.*"ten"/],
      [{ limit: "-5" }, /limit must be a whole number/],
      [{ since: "yesterday" }, /since must be epoch milliseconds .* or an ISO 8601/],
      [{ since: "2024-05-29T12:00:00" }, /with a zone/],
      [{ queue: "no such/queue" }, /queue must be a MediaConvert queue name .* or a queue ARN/],
      [{ limt: "5" }, /no query parameter "limt"; accepted: limit, nextToken, queue, since/],
    ];
    for (const [query, message] of cases) {
      const res = await get("/jobs/PROGRESSING", query);
      assert.equal(res.status, 400, JSON.stringify(query));
      assert.match(res.body.error.message, message);
      assert.deepEqual(Object.keys(res.body), ["error"]);
    }
    const ev = await get(`/jobs/${jobs[0].jobId}`, { events: "maybe" });
    assert.equal(ev.status, 400);
    assert.match(ev.body.error.message, /events must be true or false/);
  });

  describe("nextToken", () => {
    let token: string;
    let queueToken: string;
    before(async () => {
      token = (await get("/jobs/PROGRESSING", { limit: "3" })).body.nextToken;
      queueToken = (await get("/jobs/PROGRESSING", { limit: "3", queue: "Fast" })).body.nextToken;
      assert.ok(token && queueToken);
    });

    const expect400 = async (query: Record<string, string>, message: RegExp, status = "PROGRESSING") => {
      const res = await get(`/jobs/${status}`, query);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, "InvalidNextToken");
      assert.match(res.body.error.message, message);
    };

    it("the next page starts right after the previous one", async () => {
      const first = await get("/jobs/PROGRESSING", { limit: "6" });
      const second = await get("/jobs/PROGRESSING", { limit: "3", nextToken: token });
      assert.deepEqual(
        second.body.jobs.map((j: Body) => j.jobId),
        first.body.jobs.slice(3).map((j: Body) => j.jobId),
      );
    });

    it("replayed against another status, queue, index or since → 400", async () => {
      await expect400({ nextToken: token }, /another listing \(GET \/jobs\/PROGRESSING\)/, "COMPLETE");
      await expect400({ nextToken: token, queue: "Fast" }, /another listing/);
      await expect400({ nextToken: queueToken }, /another listing \(GET \/jobs\/PROGRESSING, queue=Fast\)/);
      await expect400({ nextToken: queueToken, queue: "Default" }, /another listing/);
      await expect400({ nextToken: token, since: "0" }, /another listing/);
    });

    it("forged, altered, garbage, other key, other table, expired → 400", async () => {
      const [payload, sig] = token.split(".");
      const decoded = JSON.parse(Buffer.from(payload, "base64url").toString());
      // a made-up payload for another index, with a copied signature
      const forged = Buffer.from(JSON.stringify({ ...decoded, i: "byQueue", p: "Fast" })).toString("base64url");
      await expect400({ nextToken: `${forged}.${sig}` }, /not a token this API issued/);
      const altered = Buffer.from(JSON.stringify({ ...decoded, k: { ...decoded.k, createdAt: 1 } })).toString("base64url");
      await expect400({ nextToken: `${altered}.${sig}` }, /not a token this API issued/);
      for (const garbage of [
        "x",
        "....",
        "a".repeat(5000),
        `${payload}.`,
        `${payload}.${sig}x`,
        "eyJ2IjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      ]) {
        await expect400({ nextToken: garbage }, /nextToken/);
      }
      const scope = { table: tables.jobs, index: "byStatus", partitionAttribute: "status", partition: "PROGRESSING" };
      await expect400({ nextToken: signToken(randomBytes(32), scope, decoded.k, Date.now()) }, /not a token this API issued/);
      await expect400(
        { nextToken: signToken(key, { ...scope, table: "another-Jobs" }, decoded.k, Date.now()) },
        /not a token this API issued/,
      );
      // signed with our key but carrying a start key of another shape (e.g. a Scan's)
      await expect400({ nextToken: signToken(key, scope, { jobId: "x" }, Date.now()) }, /not a token this API issued/);
      await expect400({ nextToken: signToken(key, scope, decoded.k, Date.now() - 25 * 3600_000) }, /expired/);
    });
  });

  it("work per request is the page, not the table: items read ≤ limit with or without a queue", async () => {
    const reads: number[] = [];
    const base = dynamoJobsQuery(ddb, { jobs: tables.jobs, events: tables.events, queues: tables.queues });
    const counting: JobsReadPort = {
      ...base,
      queryJobs: async (q) => {
        const page = await base.queryJobs(q);
        reads.push(page.itemsRead);
        return page;
      },
    };
    const deps: ApiDeps = { store: counting, tokenKey: key, jobsTable: tables.jobs };
    for (const query of [
      { limit: "20" },
      { limit: "20", queue: "Default" },
      { limit: "20", queue: "Default", since: String(NOW - 86_400_000) },
    ]) {
      const res = await handleRequest({ method: "GET", path: "/jobs/COMPLETE", query }, deps);
      const body = JSON.parse(res.body);
      assert.equal(body.jobs.length, 20);
      assert.equal(reads.at(-1), 20, `read ${reads.at(-1)} items for a page of 20 (${JSON.stringify(query)})`);
    }
  });

  describe("through the collector's write path", () => {
    // Times here are in 2024: a long TTL keeps DynamoDB Local from expiring what the test writes.
    const ttlSeconds = 20 * 365 * 86_400;
    const job = `${NOW - 5_000}-live01`;
    let events: McEvent[];
    const apply = async (e: McEvent, now: number) => {
      const store = dynamoJobsStore(ddb, tables.jobs);
      const res = await store.apply(e, { now, ttlSeconds });
      await syncQueueCounters(
        dynamoQueueCounters(ddb, { queuesTable: tables.queues, jobsTable: tables.jobs }),
        (id) => store.get(id),
        res.item,
        { now, ttlSeconds },
      );
      await dynamoEventsStore(ddb, tables.events).claim(
        {
          jobId: e.jobId,
          eventKey: e.eventKey,
          eventId: e.eventId,
          status: e.status,
          timestamp: e.timestamp,
          event: e,
          raw: JSON.stringify(e),
        },
        { now, leaseMs: 1000, ttlSeconds },
      );
    };
    const listedUnder = async (status: JobStatus) => {
      const res = await get(`/jobs/${status}`, { queue: "Live", since: String(NOW - 10_000) });
      return res.body.jobs.map((j: Body) => j.jobId);
    };

    before(() => {
      events = eventsFor(job, NOW - 5_000, "COMPLETE", "Live", 50);
    });

    it("queueStatus follows the job: listed under its current status only, with counters to match", async () => {
      const steps: JobStatus[] = ["SUBMITTED", "PROGRESSING", "PROGRESSING", "COMPLETE"];
      for (let i = 0; i < events.length; i++) {
        await apply(events[i], NOW + i);
        for (const s of ["SUBMITTED", "PROGRESSING", "COMPLETE"] as JobStatus[]) {
          assert.deepEqual(await listedUnder(s), s === steps[i] ? [job] : [], `after event ${i} (${events[i].status}), listing ${s}`);
        }
      }
      const q = await get("/queues/Live");
      assert.equal(q.status, 200);
      assert.deepEqual([q.body.SUBMITTED, q.body.PROGRESSING, q.body.COMPLETE, q.body.ERROR, q.body.CANCELED], [0, 0, 1, 0, 0]);
      assert.equal(q.body.lastJobId, job);
      assert.equal(q.body.lastActivityAtIso, new Date(q.body.lastActivityAt).toISOString());
      const byArn = await get(`/queues/${encodeURIComponent(queueArn("Live"))}`);
      assert.deepEqual(byArn.body.COMPLETE, 1);
      const list = await get("/queues");
      assert.ok(list.body.queues.some((x: Body) => x.queueName === "Live" && x.COMPLETE === 1));
      assert.equal((await get("/queues/Nope")).status, 404);
    });

    it("?events=true adds the job's events in time order, without raw text or bookkeeping", async () => {
      const res = await get(`/jobs/${job}`, { events: "true" });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, "COMPLETE");
      assert.deepEqual(
        res.body.events.map((e: Body) => e.status),
        events.map((e) => e.status),
      );
      assert.deepEqual(
        res.body.events.map((e: Body) => e.timestamp),
        [...events.map((e) => e.timestamp)].sort((a, b) => a - b),
      );
      for (const e of res.body.events) {
        assert.equal(e.timestampIso, new Date(e.timestamp).toISOString());
        assert.ok(!("raw" in e) && !("claimToken" in e) && !("expiresAt" in e));
      }
      assert.equal((await get(`/jobs/${job}`)).body.events, undefined);
    });

    it("a stale byQueueStatus entry (status moved, counters not yet) is left out of the queue listing", async () => {
      const stale = itemFor(eventsFor(`${NOW - 4_000}-stale1`, NOW - 4_000, "COMPLETE", "Live", 10));
      stale.queueStatus = "Live#PROGRESSING";
      await ddb.send(new PutCommand({ TableName: tables.jobs, Item: stale }));
      assert.deepEqual(await listedUnder("PROGRESSING"), []);
    });
  });

  it("AWS failures never reach the caller: 503 when throttled, a generic 500 otherwise", async () => {
    const logged: unknown[] = [];
    const failing = (name: string): JobsReadPort => {
      const boom = async () => {
        throw Object.assign(new Error(`User: arn:aws:sts::111122223333:assumed-role/secret is not authorized (${name})`), { name });
      };
      return { queryJobs: boom, getJob: boom, listEvents: boom, listQueues: boom, getQueue: boom };
    };
    for (const [name, status, code] of [
      ["ProvisionedThroughputExceededException", 503, "Throttled"],
      ["AccessDeniedException", 500, "InternalError"],
    ] as const) {
      const res = await handleRequest(
        { method: "GET", path: "/jobs/PROGRESSING", query: {}, requestId: "req-1" },
        { store: failing(name), tokenKey: key, jobsTable: "t", log: (_m, e) => logged.push(e) },
      );
      assert.equal(res.statusCode, status);
      const body = JSON.parse(res.body);
      assert.equal(body.error.code, code);
      assert.doesNotMatch(res.body, /arn:aws|not authorized|Exception|at .*\.ts/);
    }
    assert.equal(logged.length, 2, "the real error is logged for operators");
    const post = await handleRequest(
      { method: "POST", path: "/jobs/PROGRESSING", query: {} },
      { store: failing("x"), tokenKey: key, jobsTable: "t" },
    );
    assert.equal(post.statusCode, 405);
    assert.equal(post.headers.allow, "GET");
  });
});
