/**
 * The Config table's runtime-settings item, on DynamoDB Local with the real probe over s3rver: writing the item
 * changes the probe's budget and request bound, or turns the probe off, once the container's cached copy has
 * expired; a bad value is logged, naming the field and the allowed range, and the deployed value is used. The
 * stack's probeMaxRequests (PROBE_MAX_REQUESTS) bounds the S3 ranged GETs a probe makes.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../../lib/adapters/clients";
import { RUNTIME_SETTINGS_KEY } from "../../../lib/domain/runtime-settings";
import { probeS3 } from "../../../lib/probe";
import { createBucket, startStandIns, type StandIns } from "../../../tools/twin/standins";
import { makeMedia } from "../../support/media";
import { makeRig, silentLogger, type Rig } from "./support/rig";
import { jobId as makeJobId } from "../../support/job-ids";

const ACCOUNT = "111122223333";

function jobEvents(jobId: string, uri: string, base: number) {
  const raw = (status: string, t: number, detail: Record<string, unknown> = {}) => ({
    version: "0",
    id: `${jobId}-${status}-${t}`,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: ACCOUNT,
    time: new Date(t).toISOString(),
    region: "us-west-2",
    resources: [`arn:aws:mediaconvert:us-west-2:${ACCOUNT}:jobs/${jobId}`],
    detail: {
      timestamp: t,
      accountId: ACCOUNT,
      queue: `arn:aws:mediaconvert:us-west-2:${ACCOUNT}:queues/Default`,
      jobId,
      status,
      userMetadata: {},
      ...detail,
    },
  });
  return [
    raw("PROGRESSING", base),
    raw("INPUT_INFORMATION", base + 100, { inputDetails: [{ id: 1, uri, video: [{ codec: "H_264" }], audio: [] }] }),
  ];
}

/** Counts the S3 ranged GETs a client sends (what the probe really reads, not what it reports). */
function countRangedGets(s3: S3Client): { count: number } {
  const seen = { count: 0 };
  s3.middlewareStack.add(
    (next) => async (args) => {
      if (args.input && (args.input as { Range?: string }).Range) seen.count++;
      return next(args);
    },
    { step: "initialize", name: "rangedGetCounter" },
  );
  return seen;
}

describe("collector: runtime settings from the Config table", () => {
  let standIns: StandIns;
  let uri: string;
  let size: number;
  const closers: Array<() => void> = [];
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "s3"] });
    const bucket = await createBucket("runtime-settings", standIns.env);
    const file = await makeMedia({ kind: "mp4-moov-end", seconds: 6, width: 640, height: 360 });
    size = fs.statSync(file).size;
    const s3 = clients.s3(standIns.env);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "inputs/clip.mp4", Body: fs.readFileSync(file) }));
    s3.destroy();
    uri = `s3://${bucket}/inputs/clip.mp4`;
  });
  after(async () => {
    for (const c of closers) c();
    await standIns?.stop();
  });

  /** A collector with the real probe, a clock the test moves, and a logger whose warnings are kept. */
  async function rig(prefix: string, env: Record<string, string>) {
    let offsetMs = 0;
    const warnings: string[] = [];
    const logger = silentLogger();
    logger.warn = ((message: string) => {
      warnings.push(message);
    }) as typeof logger.warn;
    const s3 = clients.s3(standIns.env);
    const gets = countRangedGets(s3);
    const probes: Array<{ budgetBytes: number; maxRequests: number }> = [];
    const r: Rig = await makeRig(standIns, {
      prefix,
      useStreams: false,
      probe: true,
      // The stand-in tables are named <prefix>-<Table>; the Config table is what the component sets too.
      env: { CONFIG_TABLE: `${prefix}-Config`, ...env },
      deps: {
        logger,
        now: () => Date.now() + offsetMs,
        probe: async (u, opts) => {
          probes.push(opts);
          return probeS3(u, { ...opts, s3 });
        },
      },
    });
    assert.equal(r.env.CONFIG_TABLE, r.tables.config);
    closers.push(() => {
      r.close();
      s3.destroy();
    });
    let n = 0;
    return {
      r,
      warnings,
      probes,
      gets,
      later: (ms: number) => {
        offsetMs += ms;
      },
      /** One new job through the collector; its stored probe (if any) and the ranged GETs it cost. */
      async job() {
        const before = gets.count;
        const jobId = makeJobId(Date.now() - 60_000, prefix.length * 1000 + n++);
        const result = await r.collect(jobEvents(jobId, uri, Date.now() - 60_000 + offsetMs));
        assert.equal(result.failed, 0);
        const item = (await r.scan(r.tables.jobs)).find((i) => i.jobId === jobId);
        assert.ok(item, `job ${jobId} stored`);
        return { probe: r.deps.jobs.toRecord(item as never).probe, rangedGets: gets.count - before };
      },
      put: (attrs: Record<string, unknown>) =>
        r.ddb.send(new PutCommand({ TableName: r.tables.config, Item: { key: RUNTIME_SETTINGS_KEY, ...attrs } })),
      clear: () => r.ddb.send(new DeleteCommand({ TableName: r.tables.config, Key: { key: RUNTIME_SETTINGS_KEY } })),
    };
  }

  it("PROBE_MAX_REQUESTS (stack probeMaxRequests) bounds the S3 ranged GETs of one probe", async () => {
    const budget = String(1024 * 1024);
    const wide = await rig("rs-max16", { PROBE_BUDGET_BYTES: budget, PROBE_MAX_REQUESTS: "16" });
    const narrow = await rig("rs-max2", { PROBE_BUDGET_BYTES: budget, PROBE_MAX_REQUESTS: "2" });
    const a = await wide.job();
    const b = await narrow.job();
    assert.equal(wide.probes[0].maxRequests, 16);
    assert.equal(narrow.probes[0].maxRequests, 2);
    assert.ok(b.probe, "probed");
    assert.ok(b.rangedGets <= 2, `at most 2 ranged GETs, made ${b.rangedGets}`);
    assert.equal(b.probe!.requests, b.rangedGets);
    assert.ok(a.rangedGets > 2, `with 16 allowed the same file takes more reads (${a.rangedGets}) of a ${size}-byte file`);
    assert.equal(b.probe!.stoppedBy, "max-requests");
  });

  it("the item changes the probe budget and bound after the cache expires, and can turn the probe off", async () => {
    const t = await rig("rs-item", { PROBE_BUDGET_BYTES: String(512 * 1024), PROBE_MAX_REQUESTS: "16" });
    await t.job();
    assert.deepEqual(t.probes.at(-1), { budgetBytes: 512 * 1024, maxRequests: 16 }, "no item: the deployed values");

    await t.put({ probeBudgetBytes: 128 * 1024, probeMaxRequests: 3, source: "operator" });
    await t.job();
    assert.deepEqual(t.probes.at(-1), { budgetBytes: 512 * 1024, maxRequests: 16 }, "within the cache time: unchanged");

    t.later(61_000);
    const tuned = await t.job();
    assert.deepEqual(t.probes.at(-1), { budgetBytes: 128 * 1024, maxRequests: 3 });
    assert.ok(tuned.probe && tuned.probe.bytesRead <= 128 * 1024, `read ${tuned.probe?.bytesRead} bytes`);
    assert.ok(tuned.rangedGets <= 3, `${tuned.rangedGets} ranged GETs`);

    await t.put({ probeEnabled: false });
    t.later(61_000);
    const calls = t.probes.length;
    const off = await t.job();
    assert.equal(t.probes.length, calls, "no probe while probeEnabled is false");
    assert.equal(off.probe, undefined);
    assert.equal(off.rangedGets, 0);

    await t.clear();
    t.later(61_000);
    await t.job();
    assert.deepEqual(t.probes.at(-1), { budgetBytes: 512 * 1024, maxRequests: 16 }, "item removed: the deployed values again");
    assert.deepEqual(
      t.warnings.filter((w) => w.includes("runtime setting")),
      [],
    );
  });

  it("a bad value is logged naming the field and the allowed range, and the deployed value is used", async () => {
    const t = await rig("rs-bad", { PROBE_BUDGET_BYTES: String(512 * 1024), PROBE_MAX_REQUESTS: "16" });
    await t.put({ probeBudgetBytes: 1000, probeEnabled: "no", probeMaxRequests: 4, probeBudget: 1 });
    const done = await t.job();
    assert.ok(done.probe, "the probe stays on: probeEnabled was not a boolean");
    assert.deepEqual(t.probes.at(-1), { budgetBytes: 512 * 1024, maxRequests: 4 }, "the good field applies, the bad one does not");
    const text = t.warnings.join("\n");
    assert.match(
      text,
      /probeBudgetBytes = 1000 is not used: probeBudgetBytes must be a whole number of bytes from 65536 to 67108864; the deployed value 524288 applies/,
    );
    assert.match(text, /probeEnabled = "no" is not used: probeEnabled must be true or false, stored as a DynamoDB boolean/);
    assert.match(text, /probeBudget is not a runtime setting \(known: probeEnabled, probeBudgetBytes, probeMaxRequests, getJobBackfill\)/);
  });
});
