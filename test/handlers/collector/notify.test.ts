/**
 * One notification per job outcome, through the real collector against DynamoDB Local and the twin's SNS stand-in
 * (tools/twin/sns.ts, spoken to by the real SDK client): re-deliveries and MediaConvert's own repeats send nothing
 * more; a publish that fails is sent by the retry, once; a claim left by an attempt that died is taken over once
 * its lease ends; other applications' jobs and other statuses send nothing.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dynamoJobsStore, NOTIFIED_ATTRIBUTES } from "../../../lib/adapters/jobs-store";
import { startMediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { startLocalSns, type LocalSns } from "../../../tools/twin/sns";
import { startStandIns, type StandIns } from "../../../tools/twin/standins";
import { jobId as makeJobId, processCounter } from "../../support/job-ids";
import { outsideJob } from "./support/outside-job";
import { deliver, makeRig, sum, type Rig } from "./support/rig";

const APP = "studio";
const QUEUE = "arn:aws:mediaconvert:us-west-2:111122223333:queues/Default";

function raw(jobId: string, status: string, t: number, detail: Record<string, unknown> = {}, id = `${jobId}-${status}-${t}`) {
  return {
    version: "0",
    id,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: "111122223333",
    time: new Date(t).toISOString(),
    region: "us-west-2",
    resources: [`arn:aws:mediaconvert:us-west-2:111122223333:jobs/${jobId}`],
    detail: { timestamp: t, accountId: "111122223333", queue: QUEUE, jobId, status, userMetadata: { application: APP }, ...detail },
  };
}

/** A job's life up to its outcome: PROGRESSING, INPUT_INFORMATION naming its input, then COMPLETE (12 outputs) or ERROR. */
function lifeOf(jobId: string, outcome: "COMPLETE" | "ERROR", base: number) {
  const input = `s3://ingest/inputs/${jobId}/Interview take 3.mov`;
  const started = raw(jobId, "PROGRESSING", base);
  const info = raw(jobId, "INPUT_INFORMATION", base + 1000, { inputDetails: [{ id: 1, uri: input, video: [{ codec: "PRORES" }] }] });
  const end =
    outcome === "COMPLETE"
      ? raw(jobId, "COMPLETE", base + 60_000, {
          outputGroupDetails: [
            {
              type: "FILE_GROUP",
              outputDetails: Array.from({ length: 12 }, (_, i) => ({
                outputFilePaths: [`s3://media/outputs/${jobId}/rendition_${i}.mp4`],
              })),
            },
          ],
        })
      : raw(jobId, "ERROR", base + 60_000, { errorCode: 1010, errorMessage: "Failed to open input file" });
  return { input, events: [started, info], end };
}

describe("collector: one notification per job outcome (DynamoDB Local + the SNS stand-in)", () => {
  let standIns: StandIns;
  let sns: LocalSns;
  let dir: string;
  let topicArn: string;
  const rigs: Rig[] = [];
  const next = processCounter();
  const newJob = () => makeJobId(Date.now() - 600_000, next());

  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "kinesis", "s3"] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-notify-"));
    sns = await startLocalSns({ region: "us-east-1", accountId: "111122223333", file: path.join(dir, "notifications.jsonl") });
    topicArn = sns.createTopic("mcjobs-notifications");
  });
  after(async () => {
    for (const r of rigs) r.close();
    await sns?.stop();
    await standIns?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function rig(prefix: string, extra: Parameters<typeof makeRig>[1]["deps"] = {}): Promise<Rig> {
    const r = await makeRig(standIns, {
      prefix,
      env: { MCJOBS_ENDPOINT_SNS: sns.endpoint, NOTIFICATION_TOPIC_ARN: topicArn, APPLICATION: APP },
      deps: extra,
    });
    rigs.push(r);
    return r;
  }
  const sentFor = (jobId: string) => sns.messages.filter((m) => m.subject?.includes(jobId));
  const item = async (r: Rig, jobId: string) => (await r.scan(r.tables.jobs)).find((i) => i.jobId === jobId)!;

  it("the same COMPLETE and the same ERROR delivered twice (and at once) send one notification each, naming input and outputs", async () => {
    const r = await rig("twice");
    const done = lifeOf(newJob(), "COMPLETE", Date.now() - 500_000);
    const failed = lifeOf(newJob(), "ERROR", Date.now() - 400_000);
    const doneId = done.end.detail.jobId;
    const failedId = failed.end.detail.jobId;
    await deliver(r.collect, [...done.events, ...failed.events]);
    // Twice at once, then once more later: EventBridge's re-deliveries carry the same event.
    const first = await deliver(r.collect, [done.end, done.end, failed.end, failed.end], { concurrency: 4, retries: 2 });
    assert.equal(first.gaveUp.length, 0, String(first.gaveUp.map((g) => g.err)));
    const again = await deliver(r.collect, [done.end, failed.end]);
    assert.equal(sum(again.results, "duplicates"), 2);

    const [completeMsg] = sentFor(doneId);
    assert.equal(sentFor(doneId).length, 1, "one COMPLETE notification");
    assert.equal(completeMsg.topicArn, topicArn);
    assert.equal(completeMsg.subject, `MediaConvert job ${doneId} COMPLETE: Interview take 3.mov`);
    assert.ok(completeMsg.message.includes(`\nInput: ${done.input}\n`), completeMsg.message);
    assert.match(completeMsg.message, /^Outputs \(12\):$/m);
    for (let i = 0; i < 10; i++)
      assert.ok(completeMsg.message.includes(`  s3://media/outputs/${doneId}/rendition_${i}.mp4\n`), `output ${i}`);
    assert.ok(!completeMsg.message.includes("rendition_10.mp4"));
    assert.match(completeMsg.message, /^ {2}…and 2 more$/m);
    assert.match(completeMsg.message, /^Queue: Default$/m);
    assert.ok(
      completeMsg.message.includes(`https://us-west-2.console.aws.amazon.com/mediaconvert/home?region=us-west-2#/jobs/summary/${doneId}`),
    );

    const [errorMsg] = sentFor(failedId);
    assert.equal(sentFor(failedId).length, 1, "one ERROR notification");
    assert.equal(errorMsg.subject, `MediaConvert job ${failedId} ERROR: Interview take 3.mov`);
    assert.ok(errorMsg.message.includes(`\nInput: ${failed.input}\n`));
    assert.match(errorMsg.message, /^Error 1010 \(input\): /m);
    assert.match(errorMsg.message, /^What to look at: the input file itself could not be used/m);
    assert.match(errorMsg.message, /^MediaConvert says: Failed to open input file$/m);

    // The claims on the job items say what went out.
    const claim = (await item(r, doneId))[NOTIFIED_ATTRIBUTES.COMPLETE] as Record<string, unknown>;
    assert.deepEqual([claim.state, claim.messageId], ["sent", completeMsg.messageId]);
    assert.equal(((await item(r, failedId))[NOTIFIED_ATTRIBUTES.ERROR] as Record<string, unknown>).state, "sent");
  });

  it("the retry of an invocation whose stream put failed after the notification went out sends nothing more", async () => {
    let failPuts = 1;
    const r = await rig("streamfail");
    const put = r.deps.stream!.put.bind(r.deps.stream);
    r.deps.stream!.put = async (entries) => {
      if (failPuts-- > 0)
        return {
          accepted: [],
          failed: entries.map((_, index) => ({ index, errorCode: "InternalFailure", errorMessage: "injected" })),
          calls: 1,
        };
      return put(entries);
    };
    const job = lifeOf(newJob(), "COMPLETE", Date.now() - 350_000);
    const jobId = job.end.detail.jobId;
    const { failedAttempts, gaveUp } = await deliver(r.collect, [{ events: [...job.events, job.end] }], { retries: 2 });
    assert.equal(failedAttempts, 1, "the stream put failed: the invocation fails and is retried");
    assert.equal(gaveUp.length, 0);
    assert.equal(sentFor(jobId).length, 1, "the retry re-folds the COMPLETE but finds its notification sent");
  });

  it("a second COMPLETE of the same job with another event id sends nothing more (the claim on the job decides)", async () => {
    const r = await rig("repeat");
    const job = lifeOf(newJob(), "COMPLETE", Date.now() - 300_000);
    const jobId = job.end.detail.jobId;
    await deliver(r.collect, [...job.events, job.end]);
    const repeat = { ...job.end, id: `${job.end.id}-repeat`, detail: { ...job.end.detail, timestamp: job.end.detail.timestamp + 5 } };
    const { gaveUp, results } = await deliver(r.collect, [repeat]);
    assert.equal(gaveUp.length, 0);
    assert.equal(sum(results, "processed"), 1, "a new event: processed, folded, streamed");
    assert.equal(sentFor(jobId).length, 1);
  });

  it("when the first publish fails, the invocation fails and its retry sends exactly one", async () => {
    const r = await rig("retry");
    const job = lifeOf(newJob(), "ERROR", Date.now() - 200_000);
    const jobId = job.end.detail.jobId;
    await deliver(r.collect, job.events);
    const requests = sns.requests();
    sns.failNext(3); // every attempt the SDK makes of the first publish
    const { failedAttempts, gaveUp } = await deliver(r.collect, [job.end], { retries: 2 });
    assert.equal(failedAttempts, 1, "the first invocation fails, so Lambda retries it");
    assert.equal(gaveUp.length, 0);
    assert.equal(sns.requests() - requests, 4, "three failed attempts, then the retry's one");
    assert.equal(sentFor(jobId).length, 1);
    assert.equal(((await item(r, jobId))[NOTIFIED_ATTRIBUTES.ERROR] as Record<string, unknown>).state, "sent");
    const errorEvent = (await r.scan(r.tables.events)).find((e) => e.jobId === jobId && e.status === "ERROR")!;
    assert.equal(typeof errorEvent.doneAt, "number", "the retried event is done");
    assert.equal((await r.streamRecords()).filter((rec) => rec.partitionKey === jobId).length, 3, "each event streamed once");
  });

  it("the retry of an attempt that died holding the claim takes it over at once and sends once", async () => {
    const r = await rig("crashed");
    const job = lifeOf(newJob(), "COMPLETE", Date.now() - 110_000);
    const jobId = job.end.detail.jobId;
    await deliver(r.collect, job.events);
    // An attempt of this very event claimed the notification and died before publishing, leaving its claim.
    const eventKey = `${String(job.end.detail.timestamp).padStart(13, "0")}#COMPLETE#${job.end.id}`;
    const dead = dynamoJobsStore(r.ddb, r.tables.jobs);
    assert.deepEqual(await dead.claimNotification(jobId, "COMPLETE", { now: Date.now(), leaseMs: 45_000, owner: eventKey }), {
      kind: "claimed",
    });
    const retry = await r.collect(job.end);
    assert.equal(retry.processed, 1);
    assert.equal(sentFor(jobId).length, 1);
    assert.equal((await r.collect(job.end)).duplicates, 1);
    assert.equal(sentFor(jobId).length, 1);
  });

  it("another event of the job holding the claim turns this one away until its lease ends; then this one sends it, once", async () => {
    const r = await rig("held", { notifyLeaseMs: 1500 });
    const job = lifeOf(newJob(), "COMPLETE", Date.now() - 100_000);
    const jobId = job.end.detail.jobId;
    await deliver(r.collect, job.events);
    // MediaConvert's COMPLETE under another id is being handled by an attempt that then dies.
    const other = dynamoJobsStore(r.ddb, r.tables.jobs);
    assert.deepEqual(await other.claimNotification(jobId, "COMPLETE", { now: Date.now(), leaseMs: 1500, owner: "another-event" }), {
      kind: "claimed",
    });
    await assert.rejects(r.collect(job.end), /being sent for another of its events/);
    assert.equal(sentFor(jobId).length, 0);
    await new Promise((res) => setTimeout(res, 1600));
    const retry = await r.collect(job.end);
    assert.equal(retry.processed, 1);
    assert.equal(sentFor(jobId).length, 1);
    assert.equal((await r.collect(job.end)).duplicates, 1);
    assert.equal(sentFor(jobId).length, 1);
  });

  it("names the input from GetJob when the outcome is folded before the input is known and another attempt holds the backfill", async () => {
    const mc = await startMediaConvertSimulator({ autoRun: false, region: "us-west-2" });
    try {
      const env = { MCJOBS_ENDPOINT_MEDIACONVERT: mc.endpoint };
      const { jobId, submitMs } = await outsideJob(mc, "s3://ingest/elsewhere/Board meeting.mxf");
      // The job's first event, folded by a container that does no backfill: a record without settings or input.
      const plain = await rig("lateinput");
      await deliver(plain.collect, [raw(jobId, "PROGRESSING", submitMs + 1000)]);
      // Another container is fetching the settings right now: this one skips the backfill.
      const other = dynamoJobsStore(plain.ddb, plain.tables.jobs);
      assert.equal(await other.claim(jobId, "details", { now: Date.now(), staleMs: 300_000 }), true);
      const r = await makeRig(standIns, {
        prefix: "lateinput",
        getJob: true,
        env: { ...env, MCJOBS_ENDPOINT_SNS: sns.endpoint, NOTIFICATION_TOPIC_ARN: topicArn, APPLICATION: APP },
      });
      rigs.push(r);
      const end = raw(jobId, "COMPLETE", submitMs + 60_000, {
        outputGroupDetails: [{ type: "FILE_GROUP", outputDetails: [{ outputFilePaths: ["s3://out/Board meeting.mp4"] }] }],
      });
      const { gaveUp } = await deliver(r.collect, [end]);
      assert.equal(gaveUp.length, 0);
      assert.equal((await item(r, jobId)).settings, undefined, "the backfill was another attempt's to do");
      const [msg] = sentFor(jobId);
      assert.equal(sentFor(jobId).length, 1);
      assert.equal(msg.subject, `MediaConvert job ${jobId} COMPLETE: Board meeting.mxf`);
      assert.match(msg.message, /^Input: s3:\/\/ingest\/elsewhere\/Board meeting\.mxf$/m);
    } finally {
      await mc.stop();
    }
  });

  it("sends nothing for another application's jobs, for other statuses, or without a topic", async () => {
    const r = await rig("others");
    const other = lifeOf(newJob(), "COMPLETE", Date.now() - 90_000);
    const otherId = other.end.detail.jobId;
    const foreign = { ...other.end, detail: { ...other.end.detail, userMetadata: { application: "someone-else" } } };
    const canceled = raw(newJob(), "CANCELED", Date.now() - 80_000);
    const before = sns.messages.length;
    const { gaveUp, results } = await deliver(r.collect, [...other.events, foreign, canceled]);
    assert.equal(gaveUp.length, 0);
    assert.equal(sum(results, "processed"), 4);
    assert.equal(sns.messages.length, before);
    assert.equal(sentFor(otherId).length, 0);

    const quiet = await makeRig(standIns, { prefix: "quiet", env: { MCJOBS_ENDPOINT_SNS: sns.endpoint } });
    rigs.push(quiet);
    const job = lifeOf(newJob(), "COMPLETE", Date.now() - 70_000);
    await deliver(quiet.collect, [...job.events, job.end]);
    assert.equal(sns.messages.length, before, "no NOTIFICATION_TOPIC_ARN: no notification");
  });
});
