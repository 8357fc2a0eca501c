import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeMedia } from "../../support/media";
import { startTwin, type Twin } from "../../../tools/twin/twin";
import { fixture } from "../../support/fixtures";

describe("local twin wiring", function () {
  this.timeout(120_000);
  let twin: Twin;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-twin-"));
    twin = await startTwin({ dir, fresh: true, demo: false, speed: 600, seed: 3, rates: { error: 0, canceled: 0 } });
  });
  after(async () => {
    await twin?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes twin.json for the CLI with the URLs and names", () => {
    const state = JSON.parse(fs.readFileSync(path.join(dir, "twin.json"), "utf8"));
    assert.equal(state.apiUrl, twin.urls.apiUrl);
    assert.equal(state.dashboardUrl, twin.urls.dashboardUrl);
    assert.equal(state.tables.jobs, twin.tables.jobs);
    assert.equal(state.lakeDir, twin.lakeDir);
    assert.equal(state.pid, process.pid);
  });

  it("parks a poison event in the dead-letter queue (a file under twin/dlq) and keeps going", async () => {
    const bad = fixture("progressing-awsdoc-1.json");
    bad.detail.status = "NOT_A_STATUS";
    bad.id = "poison-1";
    twin.publish(bad);
    await twin.settle({ timeoutMs: 60_000 });
    const dlq = twin.status().deadLetterQueue;
    assert.equal(
      Object.values(dlq).reduce((a, b) => a + b, 0),
      1,
      JSON.stringify(dlq),
    );
    const files = fs.readdirSync(path.join(dir, "twin", "dlq"));
    const lines = fs
      .readFileSync(path.join(dir, "twin", "dlq", files[0]), "utf8")
      .trim()
      .split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /poison-1/);
    assert.equal(twin.deadLetters.length, 0, "the invocation itself succeeded: nothing for the async DLQ");
  });

  it("the collector publishes one notification per COMPLETE of this application's jobs to the SNS stand-in, duplicates or not", async () => {
    assert.equal(twin.env.NOTIFICATION_TOPIC_ARN, "arn:aws:sns:us-east-1:000000000000:mcjobs-local-notifications");
    assert.equal(twin.env.MCJOBS_ENDPOINT_SNS, twin.standInEndpoints.sns);
    const state = JSON.parse(fs.readFileSync(path.join(dir, "twin.json"), "utf8"));
    assert.equal(state.endpoints.MCJOBS_ENDPOINT_SNS, twin.standInEndpoints.sns, "twin.json names the SNS stand-in");
    const id = (await twin.submitJob({ queue: "Default", input: "s3://ingest/inputs/Twin clip.mov" }))!;
    // MediaConvert's event, delivered once more by EventBridge: still one notification.
    await twin.settle({ timeoutMs: 60_000 });
    const complete = twin.simulator!.delivered.find((e) => e.detail.jobId === id && e.detail.status === "COMPLETE");
    assert.ok(complete, "the simulator delivered the job's COMPLETE");
    twin.publish(complete);
    await twin.settle({ timeoutMs: 60_000 });
    const mine = twin.notifications.filter((n) => n.subject?.includes(id));
    assert.equal(mine.length, 1, JSON.stringify(mine));
    const [n] = mine;
    assert.equal(n.topicArn, twin.env.NOTIFICATION_TOPIC_ARN);
    assert.equal(n.subject, `MediaConvert job ${id} COMPLETE: Twin clip.mov`);
    assert.match(n.message, /^Input: s3:\/\/ingest\/inputs\/Twin clip\.mov$/m);
    assert.match(n.message, new RegExp(`^Outputs \\(1\\):\\n {2}s3://${twin.buckets.output}/outputs/demo-\\d+/Twin clip\\.mp4$`, "m"));
    assert.match(n.message, /Open the job: https:\/\/us-east-1\.console\.aws\.amazon\.com\/mediaconvert/);
    const file = fs
      .readFileSync(path.join(dir, "twin", "notifications.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(file.filter((m) => m.subject?.includes(id)).length, 1);
    const shown = (await (await fetch(`${twin.urls.apiUrl}/twin/notifications`)).json()) as { notifications: Array<{ messageId: string }> };
    assert.ok(
      shown.notifications.some((m) => m.messageId === n.messageId),
      "/twin/notifications shows it",
    );
    assert.equal(twin.status().notifications, twin.notifications.length);
    assert.deepEqual(Object.keys(twin.status().router.matched), ["collector"], "the router routes to the collector only");
    // Another application's jobs are not ours to notify about.
    const other = (await twin.submitJob({ queue: "Default", userMetadata: { application: "someone-else" } }))!;
    await twin.settle({ timeoutMs: 60_000 });
    assert.equal(twin.notifications.filter((m) => m.subject?.includes(other)).length, 0);
  });

  it("turns a file dropped into the watch folder's inputs/ into a MediaConvert job", async () => {
    const media = await makeMedia({ kind: "mp4-faststart", seconds: 4, width: 640, height: 360 });
    const before = twin.simulator!.listJobs().length;
    await twin.dropFile("inputs/clip one.mp4", fs.readFileSync(media));
    const deadline = Date.now() + 30_000;
    while (twin.simulator!.listJobs().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const jobs = twin.simulator!.listJobs();
    assert.equal(jobs.length, before + 1, JSON.stringify(twin.status().watchFolder));
    const job = jobs[jobs.length - 1] as any;
    assert.equal(job.settings.inputs[0].fileInput, `s3://${twin.buckets.watch}/inputs/clip one.mp4`);
    // Not submitted twice on the next scans.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(twin.simulator!.listJobs().length, before + 1);
    // The watch-folder handler recorded it from the CreateJob answer: the API has its submit time and settings at
    // once, and the collector never needs GetJob for it.
    await twin.settle({ timeoutMs: 60_000 });
    const res = await fetch(`${twin.urls.apiUrl}/jobs/${job.id}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    const rec = body.job ?? body;
    assert.equal(rec.submittedAt, job.timing.submitTime * 1000);
    assert.equal(rec.settings?.inputs?.[0]?.uri, `s3://${twin.buckets.watch}/inputs/clip one.mp4`);
    assert.equal(twin.simulator!.callsFor(job.id), 0, "no GetJob for a job the watch folder created");
  });

  it("takes a file copied into the local inbox to the watch folder, once it has stopped growing", async () => {
    const media = await makeMedia({ kind: "mp4-faststart", seconds: 2, width: 320, height: 180 });
    const before = twin.simulator!.listJobs().length;
    fs.copyFileSync(media, path.join(twin.inboxDir, "from inbox.mp4"));
    const deadline = Date.now() + 30_000;
    while (twin.simulator!.listJobs().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const jobs = twin.simulator!.listJobs() as any[];
    assert.equal(jobs.length, before + 1);
    assert.equal(jobs[jobs.length - 1].settings.inputs[0].fileInput, `s3://${twin.buckets.watch}/inputs/from inbox.mp4`);
    assert.ok(fs.existsSync(path.join(twin.inboxDir, "submitted", "from inbox.mp4")), "moved out of the inbox");
    assert.ok(!fs.existsSync(path.join(twin.inboxDir, "from inbox.mp4")));
  });
});
