/**
 * The reconciler against the stand-ins: DynamoDB Local and kinesalite for the tables and stream, the MediaConvert
 * simulator for GetJob/ListJobs. Who is checked, what a heal writes (record, event, queue counters, stream), what
 * a job MediaConvert no longer knows becomes, and jobs found only by ListJobs.
 */
import { strict as assert } from "node:assert";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { LOST_JOB_ERROR_CODE } from "../../lib/domain/staleness";
import { MARKS_KEY } from "../../lib/reconciler/marks";
import { reconcilerFromEnv, sweep } from "../../handlers/reconciler";
import { startMediaConvertSimulator, type MediaConvertSimulator } from "../../tools/twin/mediaconvert";
import { startStandIns, type StandIns } from "../../tools/twin/standins";
import { disabledMetrics, makeRig, silentLogger, type Rig } from "./collector/support/rig";
import { outsideJob } from "./collector/support/outside-job";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A MediaConvert event of the simulator's account for `jobId`. */
function mcEvent(jobId: string, status: string, at: number, extra: Record<string, unknown> = {}) {
  return {
    version: "0",
    id: `${jobId}-${status}-${at}`,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: "111122223333",
    time: new Date(at).toISOString(),
    region: "us-east-1",
    resources: [`arn:aws:mediaconvert:us-east-1:111122223333:jobs/${jobId}`],
    detail: {
      accountId: "111122223333",
      queue: "arn:aws:mediaconvert:us-east-1:111122223333:queues/Default",
      jobId,
      status,
      timestamp: at,
      userMetadata: { application: "another-tool" },
      ...extra,
    },
  };
}

describe("reconciler handler: a sweep against the stand-ins", function () {
  this.timeout(120_000);
  let standIns: StandIns;
  let mc: MediaConvertSimulator;
  let rig: Rig;
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "kinesis"] });
    mc = await startMediaConvertSimulator({ autoRun: false });
    rig = await makeRig(standIns, { prefix: `rec${Date.now() % 100000}`, env: { MCJOBS_ENDPOINT_MEDIACONVERT: mc.endpoint } });
  });
  after(async () => {
    rig?.close();
    await mc?.stop();
    await standIns?.stop();
  });

  it("checks silent unfinished jobs only, heals them through the collector's path, marks vanished ones lost, records unseen ones", async () => {
    const [silent, recent, finished, vanished, unseen] = await Promise.all(
      ["silent", "recent", "finished", "vanished", "unseen"].map(async (n) => (await outsideJob(mc, `s3://in/${n}.mp4`)).jobId),
    );
    const now = Date.now();
    // What the collector heard: `silent` and `vanished` went quiet 10 s ago, `recent` is still talking, `finished`
    // finished; nothing at all of `unseen`.
    await rig.collect(mcEvent(silent, "PROGRESSING", now - 10_000));
    await rig.collect(mcEvent(vanished, "PROGRESSING", now - 10_000));
    await rig.collect(mcEvent(recent, "PROGRESSING", now + 60_000));
    await rig.collect(mcEvent(finished, "COMPLETE", now - 10_000, { outputGroupDetails: [] }));
    await mc.drain(); // MediaConvert finished every job meanwhile; those events were lost
    mc.deleteJob(vanished);
    const callsBefore = { recent: mc.callsFor(recent), finished: mc.callsFor(finished) };
    await sleep(400); // older than the silence limit below, so ListJobs may record `unseen`

    const wiring = reconcilerFromEnv(
      { ...rig.env, CONFIG_TABLE: rig.tables.config, RECONCILE_STATUS_UPDATE_INTERVAL_MS: "100" },
      { logger: silentLogger(), metrics: disabledMetrics() },
    );
    const result = await sweep(wiring.depsForSweep());

    assert.equal(result.checked, 2, "silent and vanished only");
    assert.equal(mc.callsFor(recent), callsBefore.recent, "a job still talking is not asked about");
    assert.equal(mc.callsFor(finished), callsBefore.finished, "a finished job is not asked about");
    const job = async (id: string) => (await rig.ddb.send(new GetCommand({ TableName: rig.tables.jobs, Key: { jobId: id } }))).Item!;
    assert.equal((await job(silent)).status, String(mc.getJob(silent)!.status));
    assert.equal((await job(recent)).status, "PROGRESSING");
    // Lost: a terminal status the reducer already knows, with a code and message that say what happened.
    const lost = await job(vanished);
    assert.equal(lost.status, "ERROR");
    assert.equal((lost.error as { code: number }).code, LOST_JOB_ERROR_CODE);
    assert.match(String((lost.error as { message: string }).message), /no longer knows this job/);
    assert.deepEqual(result.lostJobs, [vanished]);
    // Found only by ListJobs.
    assert.equal((await job(unseen)).status, String(mc.getJob(unseen)!.status));
    assert.equal(result.discovered, 1);
    assert.deepEqual([...result.healedJobs].sort(), [silent, unseen].sort());

    // The collector's path: the answer is an event of the job, on the stream, and the queue counters moved.
    const events = (await rig.scan(rig.tables.events)).filter((e) => e.jobId === silent);
    assert.ok(
      events.some((e) => e.status === "JOB_DETAILS"),
      "the answer is one of the job's events",
    );
    const records = (await rig.streamRecords()).map((r) => JSON.parse(r.data));
    assert.ok(
      records.some((r) => r.event.jobId === silent && r.event.status === "JOB_DETAILS" && r.job.status === mc.getJob(silent)!.status),
    );
    const queues = await rig.scan(rig.tables.queues);
    const def = queues.find((q) => q.queueName === "Default")!;
    assert.equal(def.PROGRESSING, 1, "only `recent` is still counted as running");

    // Sweep mark kept; a second sweep finds nothing to do.
    const marks = (await rig.ddb.send(new GetCommand({ TableName: rig.tables.config, Key: { key: MARKS_KEY } }))).Item!;
    assert.ok(Object.keys(marks.marks as object).some((arn) => arn.endsWith("queues/Default")));
    const again = await sweep(wiring.depsForSweep());
    assert.deepEqual([again.checked, again.discovered, again.healed, again.lost], [0, 0, 0, 0]);
  });
});
