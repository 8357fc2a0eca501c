/**
 * GET /jobs?input=<prefix> on DynamoDB Local: jobs whose input file name starts with the prefix, letter case
 * ignored, as one key-condition Query per page on byInputName. 1,500 seeded jobs are named by their settings
 * (s3://seed/<jobId>.mov, all in one partition, "1"); 130 more name their file in an INPUT_INFORMATION, which wins
 * over the settings as it does in the job record. The expected answers come from the seeded records, read here
 * with plain string functions, not with the index's own key code.
 */
import { strict as assert } from "node:assert";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { signToken } from "../../../lib/api/token";
import { ENV } from "../../../lib/domain/env";
import { toJobRecord } from "../../../lib/domain/job-update";
import { handler, resetApiHandler } from "../../../handlers/api";
import { toApiGatewayEvent } from "../../../tools/twin/server";
import { itemFor, makeJobs } from "../../support/seed-jobs";
import { jobEvents, startApiRig, type ApiRig, type Body } from "./rig";

const NOW = Date.now();
const BASES = ["Clip", "CLIP", "clip_", "Clipboard", "Interview", "Été", "trailer"];

interface Named {
  jobId: string;
  createdAt: number;
  name: string;
}

/** The file name a person reads in a record's input URI (the last path segment, an URL's query left off). */
function fileNameOf(uri: string): string {
  const path = uri.startsWith("https://") ? uri.split(/[?#]/)[0] : uri;
  return path.slice(path.lastIndexOf("/") + 1);
}

describe("api: GET /jobs?input= finds jobs by input file name", () => {
  let rig: ApiRig;
  const all: Named[] = [];
  const savedEnv = { ...process.env };
  const ids = (pages: Body[]) => pages.flatMap((p) => p.jobs.map((j: Body) => j.jobId as string));

  /** What a listing must return: matching names A→Z (as UTF-8 bytes), one name's jobs newest first. */
  function expected(prefix: string): string[] {
    const p = prefix.toLowerCase();
    return all
      .filter((j) => j.name.toLowerCase().startsWith(p))
      .sort(
        (a, b) =>
          Buffer.compare(Buffer.from(a.name.toLowerCase()), Buffer.from(b.name.toLowerCase())) ||
          b.createdAt - a.createdAt ||
          (a.jobId < b.jobId ? -1 : 1),
      )
      .map((j) => j.jobId);
  }

  before(async () => {
    rig = await startApiRig("byinput");
    const seeded = makeJobs({ count: 1500, newest: NOW - 60_000, seed: 5 });
    const named = [...Array(130).keys()].map((k) => {
      const created = NOW - 3_600_000 - k * 7919;
      const jobId = `${created}-nam${String(k).padStart(3, "0")}`;
      const name = k < 3 ? "Same Name.mov" : `${BASES[k % BASES.length]}${k}.${k % 2 ? "mov" : "MXF"}`;
      const uri = k % 5 === 0 ? `https://cdn.example.com/v/${name}?sig=abc/def` : `s3://in/folder/${name}`;
      return itemFor(jobEvents(jobId, created, k % 3 ? "COMPLETE" : "PROGRESSING", "Default", uri));
    });
    await rig.put(rig.tables.jobs, [...seeded.items, ...named]);
    for (const item of [...seeded.items, ...named]) {
      const rec = toJobRecord(item);
      all.push({ jobId: rec.jobId, createdAt: rec.createdAt, name: fileNameOf(rec.input!.uri!) });
    }
    Object.assign(process.env, rig.standIns.env, {
      [ENV.jobsTable]: rig.tables.jobs,
      [ENV.eventsTable]: rig.tables.events,
      [ENV.queuesTable]: rig.tables.queues,
      [ENV.apiTokenKey]: rig.key.toString("base64"),
    });
  });
  after(async () => {
    resetApiHandler();
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    await rig?.stop();
  });

  it("paging through every match returns each job once, names A→Z, one file's jobs newest first", async () => {
    for (const prefix of ["clip", "Clipb", "été", "Same Name", "trailer1", "interview12", "1", "zzz"]) {
      const pages = await rig.pages("/jobs", { input: prefix, limit: "7" });
      assert.deepEqual(ids(pages), expected(prefix), prefix);
      assert.ok(
        pages.slice(0, -1).every((p) => p.count === 7),
        `${prefix}: full pages until the last`,
      );
      assert.equal(pages[0].input, prefix);
    }
    assert.ok(expected("clip").length > 50 && expected("1").length >= 1500, "the prefixes match many jobs");
    const same = ids(await rig.pages("/jobs", { input: "same name.mov" }));
    assert.deepEqual(
      same,
      all
        .filter((j) => j.name === "Same Name.mov")
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((j) => j.jobId),
    );
  });

  it("letter case is ignored, in the prefix and in the names", async () => {
    const want = expected("clip");
    for (const prefix of ["CLIP", "Clip", "cLiP"])
      assert.deepEqual(ids(await rig.pages("/jobs", { input: prefix, limit: "50" })), want, prefix);
    assert.deepEqual(ids(await rig.pages("/jobs", { input: "ÉTÉ" })), expected("été"));
  });

  it("the record's input decides: the settings' name until an INPUT_INFORMATION names the file", async () => {
    const bySettings = all.find((j) => j.name.endsWith(".mov") && /^\d{13}-/.test(j.name))!;
    assert.deepEqual(ids(await rig.pages("/jobs", { input: bySettings.jobId })), [bySettings.jobId]);
    const renamed = all.find((j) => j.jobId.includes("-nam"))!;
    assert.deepEqual(ids(await rig.pages("/jobs", { input: renamed.jobId })), [], "its settings' name no longer lists it");
  });

  it("a page reads its own items only: 20 read for a page of 20 in a partition of 1,500 matches", async () => {
    for (const query of [
      { input: "1", limit: "20" },
      { input: "17", limit: "20" },
      { input: "clip", limit: "20" },
    ]) {
      const res = await rig.get("/jobs", query);
      assert.equal(res.body.count, 20);
      const page = rig.lastPage()!;
      assert.equal(page.queries, 1, "one Query");
      assert.equal(page.itemsRead, 20, `read ${page.itemsRead} items for a page of 20 (${query.input})`);
    }
  });

  it("bad parameters → 400 with the usual JSON error, saying what is allowed", async () => {
    const cases: [string, Record<string, string>, string, RegExp][] = [
      ["/jobs", { input: "" }, "InvalidParameter", /start of an input file name.*1 to 200 characters.*it is empty/],
      ["/jobs", { input: "a".repeat(201) }, "InvalidParameter", /1 to 200 characters.*longer than that/],
      ["/jobs", { input: "clip\tA" }, "InvalidParameter", /without control characters/],
      ["/jobs", { input: "clip\u0000" }, "InvalidParameter", /without control characters/],
      ["/jobs", { input: "\u001b[31m" }, "InvalidParameter", /without control characters/],
      ["/jobs", { input: "in/folder/clip" }, "InvalidParameter", /drop the folder part/],
      [
        "/jobs",
        { input: "clip", status: "COMPLETE" },
        "UnknownParameter",
        /no query parameter "status"; accepted: input, limit, nextToken/,
      ],
      ["/jobs", { input: "clip", limit: "0" }, "InvalidParameter", /limit must be at least 1/],
      ["/jobs", { input: "clip", nextToken: "" }, "InvalidNextToken", /nextToken/],
      ["/jobs", {}, "InvalidPath", /GET \/jobs\?input=/],
      ["/jobs/COMPLETE", { input: "clip" }, "UnknownParameter", /no query parameter "input"/],
    ];
    for (const [path, query, code, message] of cases) {
      const res = await rig.get(path, query);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(query)}`);
      assert.deepEqual(Object.keys(res.body), ["error"]);
      assert.equal(res.body.error.code, code, JSON.stringify(query));
      assert.match(res.body.error.message, message);
    }
    assert.equal((await rig.get("/jobs", { input: "a".repeat(200) })).status, 200, "200 characters are allowed");
  });

  it("a nextToken is bound to its prefix (letter case aside) and to the input listing", async () => {
    const token = (await rig.get("/jobs", { input: "clip", limit: "2" })).body.nextToken as string;
    const next = await rig.get("/jobs", { input: "CLIP", limit: "2", nextToken: token });
    assert.deepEqual(
      next.body.jobs.map((j: Body) => j.jobId),
      expected("clip").slice(2, 4),
    );
    const refused = async (path: string, query: Record<string, string>, message: RegExp) => {
      const res = await rig.get(path, query);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, "InvalidNextToken");
      assert.match(res.body.error.message, message);
    };
    await refused("/jobs", { input: "cli", nextToken: token }, /another listing \(GET \/jobs\?input=clip\)/);
    await refused("/jobs/COMPLETE", { nextToken: token }, /another listing \(GET \/jobs\?input=clip\)/);
    const statusToken = (await rig.get("/jobs/COMPLETE", { limit: "2" })).body.nextToken as string;
    await refused("/jobs", { input: "clip", nextToken: statusToken }, /another listing \(GET \/jobs\/COMPLETE\)/);
    const [payload] = token.split(".");
    const k = JSON.parse(Buffer.from(payload, "base64url").toString()).k;
    const scope = {
      table: rig.tables.jobs,
      index: "byInputName",
      partitionAttribute: "inputShard",
      partition: "c",
      beginsWith: { attribute: "inputNameKey", prefix: "clip" },
    };
    await refused(
      "/jobs",
      { input: "clip", nextToken: signToken(rig.key, scope, { ...k, inputNameKey: "cz" }, Date.now()) },
      /not a token this API issued/,
    );
  });

  it("through the Lambda entry point, with the file name percent-encoded in the URL", async () => {
    const event = toApiGatewayEvent({ method: "GET", url: "/jobs?input=Same%20Name&limit=2", headers: { host: "test" } }, Buffer.alloc(0));
    const res = (await handler(event)) as APIGatewayProxyStructuredResultV2;
    assert.equal(res.statusCode, 200, res.body);
    const body = JSON.parse(res.body!);
    assert.equal(body.count, 2);
    assert.ok(body.nextToken);
    assert.ok(body.jobs.every((j: Body) => fileNameOf(j.input.uri) === "Same Name.mov"));
  });
});
