/**
 * The once-per-job extras of the collector, on the local stand-ins: the GetJob backfill against
 * the MediaConvert simulator, which counts calls, and the mediainfo probe of the input over s3rver.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as clients from "../../../lib/adapters/clients";
import { syncQueueCounters } from "../../../lib/adapters/queue-counters";
import { createCollector } from "../../../lib/collector/pipeline";
import { submittedEvent } from "../../../lib/domain/job-source";
import { probeS3 } from "../../../lib/probe";
import { createBucket, startStandIns, type StandIns } from "../../../tools/twin/standins";
import { makeMedia } from "../../support/media";
import { startMediaConvertSimulator, type MediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { outsideJob } from "./support/outside-job";
import { countDynamoCalls, deliver, makeRig, type Rig } from "./support/rig";

const ACCOUNT = "111122223333";

function eventsFor(jobId: string, opts: { count: number; queueName?: string; base?: number; inputUri?: string }) {
  const base = opts.base ?? Date.now() - 300_000;
  const queue = `arn:aws:mediaconvert:us-west-2:${ACCOUNT}:queues/${opts.queueName ?? "Default"}`;
  const raw = (status: string, t: number, detail: Record<string, unknown> = {}) => ({
    version: "0",
    id: `${jobId}-${status}-${t}`,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: ACCOUNT,
    time: new Date(t).toISOString(),
    region: "us-west-2",
    resources: [`arn:aws:mediaconvert:us-west-2:${ACCOUNT}:jobs/${jobId}`],
    detail: { timestamp: t, accountId: ACCOUNT, queue, jobId, status, userMetadata: {}, ...detail },
  });
  const out: Record<string, unknown>[] = [raw("PROGRESSING", base)];
  if (opts.inputUri) {
    out.push(
      raw("INPUT_INFORMATION", base + 100, { inputDetails: [{ id: 1, uri: opts.inputUri, video: [{ codec: "H_264" }], audio: [] }] }),
    );
  }
  for (let i = 1; out.length < opts.count; i++) {
    out.push(
      raw("STATUS_UPDATE", base + i * 1000, { framesDecoded: i * 10, jobProgress: { jobPercentComplete: i, currentPhase: "TRANSCODING" } }),
    );
  }
  return out;
}

describe("collector extras: GetJob backfill and input probe", () => {
  let standIns: StandIns;
  let mc: MediaConvertSimulator;
  const rigs: Rig[] = [];
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "kinesis", "s3"] });
    mc = await startMediaConvertSimulator({ autoRun: false, region: "us-west-2" });
  });
  after(async () => {
    for (const r of rigs) r.close();
    await mc?.stop();
    await standIns?.stop();
  });
  async function rig(opts: Parameters<typeof makeRig>[1]): Promise<Rig> {
    const r = await makeRig(standIns, { ...opts, env: { MCJOBS_ENDPOINT_MEDIACONVERT: mc.endpoint, ...(opts.env ?? {}) } });
    rigs.push(r);
    return r;
  }
  const jobRecord = async (r: Rig, jobId: string) => {
    const item = (await r.scan(r.tables.jobs)).find((i) => i.jobId === jobId);
    assert.ok(item, `job ${jobId} stored`);
    return { item, record: r.deps.jobs.toRecord(item as never) };
  };

  describe("GetJob backfill", () => {
    it("fetches a job's settings once, however many events arrive at once and in how many containers", async () => {
      const r = await rig({ prefix: "gj-once", getJob: true });
      const { jobId, submitMs } = await outsideJob(mc, "s3://in/outside.mp4");
      mc.latencyMs = 50; // widen the race
      const events = eventsFor(jobId, { count: 20, base: submitMs + 1000 });
      // a second container: same tables, its own in-memory GetJob cache
      const second = await rig({ prefix: "gj-once", getJob: true });
      await Promise.all([
        deliver(r.collect, events.slice(0, 10), { concurrency: 10 }),
        deliver(second.collect, events.slice(10), { concurrency: 10 }),
      ]);
      mc.latencyMs = 0;
      assert.equal(mc.callsFor(jobId), 1, "GetJob called exactly once");
      const { record } = await jobRecord(r, jobId);
      assert.equal(record.settings?.inputs[0]?.uri, "s3://in/outside.mp4");
      assert.equal(record.settings?.outputGroups[0]?.outputCount, 2);
      assert.equal(record.submittedAt, submitMs, "submit time from GetJob timing");
      assert.equal(record.status, "PROGRESSING");
      assert.equal(record.eventCount, 20 + 1, "the 20 events, plus the GetJob snapshot folded in as one JOB_DETAILS event");
      // later events of the job do not ask again
      await r.collect(eventsFor(jobId, { count: 3, base: Date.now() - 1000 }).slice(1));
      assert.equal(mc.callsFor(jobId), 1);
    });

    for (const [error, kind] of [
      ["ForbiddenException", "denied"],
      ["NotFoundException", "not-found"],
    ] as const) {
      it(`keeps the job usable when GetJob answers ${error}, and does not ask again`, async () => {
        const ddb = clients.dynamoDb(standIns.env);
        const calls = countDynamoCalls(ddb);
        const r = await rig({ prefix: `gj-${kind}`, getJob: true, deps: { clients: { dynamoDb: ddb } } });
        const jobId = `${Date.now() - 100_000}-${kind.replace("-", "").slice(0, 6)}`;
        mc.injectFault({ operation: "GetJob", type: error, jobId, times: Infinity });
        const events = eventsFor(jobId, { count: 6 });
        const { gaveUp } = await deliver(r.collect, events, { concurrency: 3 });
        assert.equal(gaveUp.length, 0, "a failing GetJob fails no event");
        assert.equal(mc.callsFor(jobId), 1);
        const { item, record } = await jobRecord(r, jobId);
        assert.equal(record.status, "PROGRESSING");
        assert.equal(record.eventCount, 6, "every event still folded in");
        assert.equal(record.settings, undefined);
        assert.match(String((item.detailsError as { reason?: string }).reason), new RegExp(kind));
        calls.clear();
        await r.collect(eventsFor(jobId, { count: 2, base: Date.now() }).slice(1));
        assert.equal(mc.callsFor(jobId), 1, "a final failure is remembered on the job");
        assert.equal(calls.get("UpdateItem Jobs"), 1, "a later event costs its one Jobs write, no doomed claim attempt");
        ddb.destroy();
      });
    }

    it("tries a throttled GetJob again on a later event, a bounded number of times", async () => {
      const r = await rig({ prefix: "gj-throttle", getJob: true });
      const jobId = `${Date.now() - 100_000}-thrtl1`;
      mc.injectFault({ operation: "GetJob", type: "TooManyRequestsException", jobId, times: Infinity });
      for (let i = 0; i < 6; i++) {
        // each batch is a new invocation in a new container (no in-memory cache), one after another
        const fresh = await rig({ prefix: "gj-throttle", getJob: true });
        await fresh.collect(eventsFor(jobId, { count: 2, base: Date.now() - 100_000 + i * 5000 }));
      }
      const { item, record } = await jobRecord(r, jobId);
      assert.equal(record.status, "PROGRESSING");
      const attempts = Number(item.detailsAttempts);
      assert.equal(attempts, 3, "three claims, then it stops asking");
      // the SDK itself retries a throttled call (3 HTTP requests per claim)
      assert.equal(mc.callsFor(jobId), attempts * 3);
      mc.clearFaults();
    });
  });

  describe("SUBMITTED recorded from CreateJob, then events", () => {
    it("counts the job SUBMITTED in its queue before any event, then moves it to PROGRESSING and COMPLETE once", async () => {
      const r = await rig({ prefix: "submitted", getJob: true });
      const submitMs = Date.now() - 200_000;
      const jobId = `${submitMs}-subm01`;
      // what the watch folder does after CreateJob: fold a SUBMITTED event in, then sync the counters
      const created = submittedEvent(
        {
          Id: jobId,
          Arn: `arn:aws:mediaconvert:us-west-2:${ACCOUNT}:jobs/${jobId}`,
          CreatedAt: new Date(submitMs),
          Queue: `arn:aws:mediaconvert:us-west-2:${ACCOUNT}:queues/Default`,
          Settings: { Inputs: [{ FileInput: "s3://watch/inputs/a.mov" }], OutputGroups: [] },
        },
        {},
      );
      assert.ok(created.ok, created.ok ? "" : created.reason);
      const applied = await r.deps.jobs.apply(created.event, { now: Date.now(), ttlSeconds: 86_400 });
      await syncQueueCounters(r.deps.queues, (id) => r.deps.jobs.get(id), applied.item, { now: Date.now(), ttlSeconds: 86_400 });
      const queue = async () => (await r.scan(r.tables.queues)).find((q) => q.queueName === "Default") ?? {};
      assert.equal((await queue()).SUBMITTED, 1, "visible as SUBMITTED before any MediaConvert event");

      const events = eventsFor(jobId, { count: 4, base: submitMs + 30_000 });
      await deliver(r.collect, [...events, ...events], { concurrency: 4 });
      let q = await queue();
      assert.deepEqual([q.SUBMITTED, q.PROGRESSING], [0, 1]);
      assert.equal(mc.callsFor(jobId), 0, "settings already on record: no GetJob");
      const { record } = await jobRecord(r, jobId);
      assert.equal(record.submittedAt, submitMs);
      assert.equal(record.queuedMs, 30_000, "queue wait measured from submission");

      const done = {
        ...events[0],
        id: "done",
        detail: { ...(events[0].detail as object), status: "COMPLETE", timestamp: submitMs + 90_000 },
      };
      await deliver(r.collect, [done, done], { concurrency: 2 });
      q = await queue();
      assert.deepEqual([q.SUBMITTED, q.PROGRESSING, q.COMPLETE], [0, 0, 1]);
    });
  });

  describe("input probe", () => {
    let bucket: string;
    let key: string;
    let size: number;
    before(async () => {
      bucket = await createBucket("collector-probe", standIns.env);
      const file = await makeMedia({ kind: "mp4-moov-end", seconds: 6, width: 640, height: 360 });
      size = fs.statSync(file).size;
      key = "inputs/clip.mp4";
      const s3 = clients.s3(standIns.env);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.readFileSync(file) }));
      s3.destroy();
    });

    it("probes the input once per job within the byte budget and stores the result on the job", async () => {
      let probes = 0;
      const s3 = clients.s3(standIns.env);
      const r = await rig({
        prefix: "probe-once",
        probe: true,
        env: { PROBE_BUDGET_BYTES: String(256 * 1024) },
        deps: {
          probe: async (uri, opts) => {
            probes++;
            return probeS3(uri, { ...opts, s3 });
          },
        },
      });
      const jobId = `${Date.now() - 50_000}-probe1`;
      const uri = `s3://${bucket}/${key}`;
      const events = eventsFor(jobId, { count: 10, inputUri: uri });
      const { gaveUp } = await deliver(r.collect, [events[1], ...events], { concurrency: 10 });
      s3.destroy();
      assert.equal(gaveUp.length, 0);
      assert.equal(probes, 1, "one probe per job");
      const { record } = await jobRecord(r, jobId);
      assert.ok(record.probe, "probe stored");
      assert.ok(record.probe!.bytesRead <= 256 * 1024, `read ${record.probe!.bytesRead} bytes within the 256 KiB budget`);
      assert.ok(record.probe!.bytesRead < size || size <= 256 * 1024);
      assert.equal(record.probe!.video?.width, 640);
      assert.equal(record.probe!.video?.height, 360);
      assert.ok(Math.abs((record.probe!.durationMs ?? 0) - 6000) < 200, `duration ${record.probe!.durationMs}`);
      assert.equal(record.input?.uri, uri);
      assert.ok(record.input?.durationMs, "the probe fills what INPUT_INFORMATION lacks");
    });

    it("gives up on a probe that takes too long without holding the event, and lets a later event try again", async () => {
      let calls = 0;
      const r = await rig({
        prefix: "probe-slow",
        probe: true,
        deps: {
          probeTimeoutMs: 300,
          probe: async () => {
            calls++;
            await new Promise((res) => setTimeout(res, 2000));
            throw new Error("too late anyway");
          },
        },
      });
      const jobId = `${Date.now() - 50_000}-probe3`;
      const events = eventsFor(jobId, { count: 3, inputUri: `s3://${bucket}/${key}` });
      const t0 = Date.now();
      await r.collect(events.slice(0, 2));
      assert.ok(Date.now() - t0 < 1800, "the invocation did not wait for the probe");
      assert.equal(calls, 1);
      const { item } = await jobRecord(r, jobId);
      assert.match(String((item.probeErrorLast as { reason?: string }).reason), /longer than 300 ms/);
      assert.equal(item.probeError, undefined, "a timeout is not final");
      await r.collect(events.slice(2));
      assert.equal(calls, 2, "the next event tries once more");
      await r.collect(eventsFor(jobId, { count: 2, base: Date.now() - 1000 }).slice(1));
      assert.equal(calls, 2, "then the attempts are spent (2 per job)");
    });

    it("does not start a probe when the invocation has too little time left, and takes no claim", async () => {
      let calls = 0;
      const r = await rig({
        prefix: "probe-late",
        probe: true,
        deps: {
          probe: async () => {
            calls++;
            throw new Error("not expected");
          },
        },
      });
      const collect = createCollector(r.deps);
      const jobId = `${Date.now() - 50_000}-probe4`;
      await collect(eventsFor(jobId, { count: 2, inputUri: `s3://${bucket}/${key}` }), { getRemainingTimeInMillis: () => 8000 });
      assert.equal(calls, 0);
      const { item } = await jobRecord(r, jobId);
      assert.equal(item.probeAttempts, undefined, "no claim spent");
    });

    it("logs a probe that cannot read the input and keeps the job and its events", async () => {
      const r = await rig({ prefix: "probe-fail", probe: true });
      const jobId = `${Date.now() - 50_000}-probe2`;
      const events = eventsFor(jobId, { count: 4, inputUri: `s3://${bucket}/inputs/missing.mp4` });
      const { gaveUp } = await deliver(r.collect, events, { concurrency: 1 });
      assert.equal(gaveUp.length, 0, "a failing probe fails no event");
      const { item, record } = await jobRecord(r, jobId);
      assert.equal(record.eventCount, 4);
      assert.equal(record.probe, undefined);
      assert.match(String((item.probeError as { reason?: string })?.reason), /NotFound|NoSuchKey|404/);
    });
  });
});
