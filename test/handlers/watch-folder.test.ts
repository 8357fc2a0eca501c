/**
 * The watch-folder handler end to end on this machine: settings files and uploads in s3rver, the Jobs/Queues tables in
 * DynamoDB Local, CreateJob/GetJob answered by the local MediaConvert simulator (tools/twin/mediaconvert/, skipped when
 * absent). Events are not played (autoRun off), so whatever the Jobs table shows came from the handler itself.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../lib/adapters/clients";
import { dynamoJobsStore, type JobsStore } from "../../lib/adapters/jobs-store";
import { mediaConvertJobs } from "../../lib/adapters/mediaconvert";
import {
  createWatchFolder,
  WatchFolderError,
  depsFromEnv,
  type WatchFolderDeps,
  type WatchFolderResult,
} from "../../handlers/watch-folder";
import { ENV } from "../../lib/domain/env";
import { parseEvent } from "../../lib/domain/events";
import { createBucket, createTables, startStandIns, type StandIns, type TableNames } from "../../tools/twin/standins";
import { s3Event } from "../../tools/twin/twin";
import { silentLogger, disabledMetrics } from "./collector/support/rig";

interface Sim {
  endpoint: string;
  calls: Record<string, number>;
  delivered: unknown[];
  listJobs(): Array<Record<string, any>>;
  injectFault(f: Record<string, unknown>): void;
  clearFaults(): void;
  stop(): Promise<void>;
}
const SIM_PATH = path.resolve(__dirname, "../../tools/twin/mediaconvert/index.ts");

const HLS = {
  Settings: {
    Inputs: [{ AudioSelectors: { "Audio Selector 1": { DefaultSelection: "DEFAULT" } } }],
    OutputGroups: [
      {
        Name: "HLS",
        OutputGroupSettings: { Type: "HLS_GROUP_SETTINGS", HlsGroupSettings: { SegmentLength: 6, MinSegmentLength: 0 } },
        Outputs: [{ NameModifier: "_720p", ContainerSettings: { Container: "M3U8" } }],
      },
    ],
  },
  UserMetadata: { team: "promo" },
};
const MP4 = {
  Settings: {
    OutputGroups: [
      { Name: "MP4", OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS" }, Outputs: [{ ContainerSettings: { Container: "MP4" } }] },
    ],
  },
  Priority: 10,
};

describe("watch folder: watch-folder handler on s3rver, DynamoDB Local and the MediaConvert simulator", () => {
  let standIns: StandIns;
  let sim: Sim;
  let s3: S3Client;
  let ddb: DynamoDBDocumentClient;
  let tables: TableNames;
  let env: NodeJS.ProcessEnv;
  let n = 0;
  let bucket: string;
  let output: string;

  before(async function () {
    if (!fs.existsSync(SIM_PATH)) return this.skip();
    const mod = require(SIM_PATH) as { startMediaConvertSimulator(o: Record<string, unknown>): Promise<Sim> };
    standIns = await startStandIns({ services: ["s3", "dynamodb"] });
    sim = await mod.startMediaConvertSimulator({ region: "us-east-1", seed: 5, autoRun: false });
    tables = await createTables("watch", standIns.env);
    s3 = clients.s3(standIns.env);
    ddb = clients.dynamoDb(standIns.env);
    output = await createBucket("watch-media", standIns.env);
    env = {
      ...standIns.env,
      MCJOBS_ENDPOINT_MEDIACONVERT: sim.endpoint,
      [ENV.jobsTable]: tables.jobs,
      [ENV.queuesTable]: tables.queues,
      [ENV.tableTtlDays]: "7",
      [ENV.application]: "mcjobs-test",
      [ENV.mediaConvertRoleArn]: "arn:aws:iam::111122223333:role/mcjobs-mediaconvert",
      [ENV.outputBucket]: output,
    };
  });
  after(async () => {
    s3?.destroy();
    ddb?.destroy();
    await sim?.stop();
    await standIns?.stop();
  });

  /** A fresh watch bucket per test, so settings files of one test do not leak into another. */
  async function freshBucket(files: Record<string, string> = {}): Promise<string> {
    bucket = await createBucket(`watch-in-${++n}`, standIns.env);
    for (const [key, body] of Object.entries(files)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return bucket;
  }

  function handler(extra: Partial<WatchFolderDeps> = {}) {
    const deps = depsFromEnv({ ...env, [ENV.watchBucket]: bucket }, { logger: silentLogger(), metrics: disabledMetrics(), ...extra });
    return { convert: createWatchFolder(deps), deps };
  }

  async function upload(key: string): Promise<unknown> {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `media of ${key}` }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return s3Event(bucket, key, head.ContentLength ?? 0, head.ETag ?? "");
  }

  const jobsOf = (key: string) => sim.listJobs().filter((j) => j.userMetadata?.input === key);
  const item = async (jobId: string) =>
    (await ddb.send(new GetCommand({ TableName: tables.jobs, Key: { jobId }, ConsistentRead: true }))).Item;

  it("no settings files: the default job for a key with spaces, unicode and '+', recorded as SUBMITTED before any event", async () => {
    await freshBucket();
    const key = "inputs/Été 2024 +final (v2) 日本.mp4";
    const { convert } = handler();
    const result = await convert(await upload(key));
    assert.equal(result.jobs.length, 1);
    assert.deepEqual([result.jobs[0].settings, result.jobs[0].how, result.jobs[0].recorded], ["default", "created", true]);

    const [job] = jobsOf(key);
    assert.ok(job, "the simulator has the job");
    assert.equal(job.id, result.jobs[0].jobId);
    assert.equal(job.settings.inputs[0].fileInput, `s3://${bucket}/${key}`);
    assert.deepEqual(job.userMetadata, { application: "mcjobs-test", input: key, settings: "default" });
    assert.equal(job.role, "arn:aws:iam::111122223333:role/mcjobs-mediaconvert");
    const destinations = job.settings.outputGroups
      .map((g: any) => Object.values(g.outputGroupSettings).find((v: any) => v?.destination) as any)
      .map((v: any) => v.destination);
    assert.deepEqual(destinations, [
      `s3://${output}/outputs/Été 2024 _final _v2_ 日本.mp4-${destinations[0].match(/-([0-9a-f]{8})\//)[1]}/default/hls/`,
      destinations[0].replace(/hls\/$/, "mp4/"),
      destinations[0].replace(/hls\/$/, "thumbnails/"),
    ]);

    assert.equal(sim.delivered.length, 0, "no event was played");
    const rec = await item(job.id);
    assert.equal(rec?.status, "SUBMITTED");
    assert.equal(rec?.queueName, "Default");
    assert.equal(rec?.settings?.inputs?.[0]?.uri, `s3://${bucket}/${key}`);
    assert.equal(typeof rec?.submittedAt, "number");
    assert.equal(rec?.userMetadata?.application, "mcjobs-test");
    const queue = (await ddb.send(new GetCommand({ TableName: tables.queues, Key: { queueName: "Default" }, ConsistentRead: true }))).Item;
    assert.ok((queue?.SUBMITTED ?? 0) >= 1, "queue counters moved");

    // The ledger item is not a job: listing jobs by status shows only real jobs.
    const listed = await ddb.send(
      new QueryCommand({
        TableName: tables.jobs,
        IndexName: "byStatus",
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "SUBMITTED" },
      }),
    );
    assert.ok((listed.Items ?? []).every((i) => !String(i.jobId).startsWith("watch-request#")));
    assert.ok((listed.Items ?? []).some((i) => i.jobId === job.id));
  });

  it("the same notification delivered twice, in a row or at the same moment, makes one job", async () => {
    await freshBucket({ "jobs/hls.json": JSON.stringify(HLS) });
    const key = "inputs/twice.mov";
    const event = await upload(key);
    const before = sim.calls.CreateJob;
    const first = await handler().convert(event);
    const again = await handler().convert(event); // a new container: nothing remembered in memory
    assert.equal(jobsOf(key).length, 1);
    assert.equal(again.jobs[0].jobId, first.jobs[0].jobId);
    assert.equal(again.jobs[0].how, "existing");
    assert.equal(sim.calls.CreateJob - before, 1, "the re-delivery did not even ask MediaConvert");

    // Two containers at once: both miss the ledger, MediaConvert's request token makes it one job.
    const key2 = "inputs/at once.mov";
    const event2 = await upload(key2);
    const both = await Promise.all([handler().convert(event2), handler().convert(event2)]);
    assert.equal(jobsOf(key2).length, 1);
    assert.equal(both[0].jobs[0].jobId, both[1].jobs[0].jobId);

    // A new upload of the same key (new ETag/sequencer) is a new job.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "re-uploaded, different bytes" }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    await handler().convert(s3Event(bucket, key, head.ContentLength ?? 0, head.ETag ?? ""));
    assert.equal(jobsOf(key).length, 2);
  });

  it("several settings files: one job each; a broken one is reported by name (logged and in the result) and skipped", async () => {
    await freshBucket({
      "jobs/hls.json": JSON.stringify(HLS),
      "jobs/mp4.json": JSON.stringify(MP4),
      "jobs/broken.json": '{"Settings": {"OutputGroups": [ }',
      "jobs/wrong.json": JSON.stringify({ Settings: { OutputGroups: [{ OutputGroupSettings: { Type: "ZIP" }, Outputs: [{}] }] } }),
      "jobs/notes.txt": "not a settings file",
      "jobs/old/hls.json": JSON.stringify(HLS),
    });
    const logged: unknown[][] = [];
    const logger = silentLogger();
    logger.error = ((...args: unknown[]) => void logged.push(args)) as typeof logger.error;
    const key = "inputs/show/ep1.mxf";
    const result = await handler({ logger }).convert(await upload(key));

    assert.deepEqual(result.jobs.map((j) => j.settings).sort(), ["jobs/hls.json", "jobs/mp4.json"]);
    assert.deepEqual(
      result.brokenSettings.map((b) => b.name),
      ["jobs/broken.json", "jobs/wrong.json"],
    );
    assert.match(result.brokenSettings[0].problem, /^jobs\/broken.json: not valid JSON/);
    assert.match(result.brokenSettings[1].problem, /OutputGroups\[0\].OutputGroupSettings.Type ZIP is not one of/);
    assert.deepEqual(
      logged.map((l) => (l[1] as { settings?: string }).settings),
      ["jobs/broken.json", "jobs/wrong.json"],
      "each broken file is logged by name",
    );

    const jobs = jobsOf(key);
    assert.equal(jobs.length, 2);
    const mp4 = jobs.find((j) => j.userMetadata.settings === "jobs/mp4.json")!;
    assert.equal(mp4.priority, 10);
    assert.equal(
      mp4.settings.outputGroups[0].outputGroupSettings.fileGroupSettings.destination,
      `s3://${output}/outputs/show/ep1.mxf/mp4/mp4/`,
    );
    const hls = jobs.find((j) => j.userMetadata.settings === "jobs/hls.json")!;
    assert.equal(hls.userMetadata.team, "promo");
    assert.deepEqual(hls.settings.inputs[0].audioSelectors, { "Audio Selector 1": { defaultSelection: "DEFAULT" } });
  });

  it("every settings file broken: no job, and the invocation fails (the upload goes to retries and the DLQ, not lost)", async () => {
    await freshBucket({ "jobs/only.json": "[]" });
    const key = "inputs/orphan.mp4";
    await assert.rejects(handler().convert(await upload(key)), (err: unknown) => {
      assert.ok(err instanceof WatchFolderError);
      assert.deepEqual(
        err.result.brokenSettings.map((b) => b.name),
        ["jobs/only.json"],
      );
      assert.match(err.message, /every settings file in jobs\/ is broken/);
      return true;
    });
    assert.equal(jobsOf(key).length, 0);
  });

  it("records that are not uploads (folder marker, other prefix) are skipped without a job", async () => {
    await freshBucket();
    const before = sim.calls.CreateJob;
    const marker = s3Event(bucket, "inputs/new folder/", 0, "");
    const other = s3Event(bucket, "jobs/hls.json", 10, "e");
    const result = await handler().convert({ Records: [...(marker as any).Records, ...(other as any).Records] });
    assert.equal(result.uploads, 0);
    assert.equal(result.skipped.length, 2);
    assert.equal(sim.calls.CreateJob, before);
  });

  it("one CreateJob fails: the invocation throws; the retry creates only the missing job", async () => {
    await freshBucket({ "jobs/a.json": JSON.stringify(MP4), "jobs/b.json": JSON.stringify(HLS) });
    const key = "inputs/retry me.mp4";
    const event = await upload(key);
    sim.injectFault({ operation: "CreateJob", type: "BadRequestException", message: "simulated refusal", times: 1 });
    let first: WatchFolderResult | undefined;
    await assert.rejects(handler().convert(event), (err: unknown) => {
      assert.ok(err instanceof WatchFolderError);
      first = err.result;
      assert.equal(err.result.failures.length, 1);
      assert.match(err.result.failures[0].reason, /CreateJob failed: BadRequestException.*simulated refusal/);
      return true;
    });
    assert.equal(first!.jobs.length, 1);
    assert.equal(jobsOf(key).length, 1);
    const before = sim.calls.CreateJob;
    const retry = await handler().convert(event);
    assert.equal(sim.calls.CreateJob - before, 1, "only the failed one is asked for again");
    assert.equal(jobsOf(key).length, 2);
    assert.deepEqual(retry.jobs.map((j) => j.how).sort(), ["created", "existing"]);
  });

  it("dies after CreateJob but before the record: the retry fetches the job (GetJob) and records it, no second job", async () => {
    await freshBucket();
    const key = "inputs/half done.mp4";
    const event = await upload(key);
    const real = dynamoJobsStore(ddb, tables.jobs);
    let failOnce = true;
    const flaky: JobsStore = {
      ...real,
      apply: async (e, o) => {
        if (failOnce) {
          failOnce = false;
          throw Object.assign(new Error("simulated outage"), { name: "InternalServerError" });
        }
        return real.apply(e, o);
      },
    };
    await assert.rejects(handler({ jobs: flaky }).convert(event), /simulated outage/);
    const [job] = jobsOf(key);
    assert.equal(await item(job.id), undefined, "nothing recorded yet");
    const gets = sim.calls.GetJob;
    const creates = sim.calls.CreateJob;
    const retry = await handler().convert(event);
    assert.equal(sim.calls.CreateJob, creates);
    assert.equal(sim.calls.GetJob - gets, 1);
    assert.deepEqual([retry.jobs[0].jobId, retry.jobs[0].how, retry.jobs[0].recorded], [job.id, "existing", true]);
    assert.equal((await item(job.id))?.status, "SUBMITTED");
    assert.equal(jobsOf(key).length, 1);
  });

  it("a PROGRESSING event that got to the Jobs table first is not regressed by the SUBMITTED record", async () => {
    await freshBucket();
    const key = "inputs/fast start.mp4";
    const jobs = dynamoJobsStore(ddb, tables.jobs);
    const realMc = mediaConvertJobs(clients.mediaConvert(env));
    // The collector wins the race: PROGRESSING lands between CreateJob's answer and the SUBMITTED write.
    const racing = {
      ...realMc,
      createJob: async (req: Parameters<typeof realMc.createJob>[0]) => {
        const job = await realMc.createJob(req);
        const parsed = parseEvent({
          version: "0",
          id: `ev-${job.Id}`,
          "detail-type": "MediaConvert Job State Change",
          source: "aws.mediaconvert",
          account: "111122223333",
          time: new Date().toISOString(),
          region: "us-east-1",
          resources: [job.Arn],
          detail: {
            timestamp: Date.now() + 1000,
            accountId: "111122223333",
            queue: job.Queue,
            jobId: job.Id,
            status: "PROGRESSING",
            userMetadata: job.UserMetadata,
          },
        });
        assert.ok(parsed.ok, !parsed.ok ? parsed.reason : "");
        await jobs.apply(parsed.event, { now: Date.now(), ttlSeconds: 86_400 });
        return job;
      },
    };
    const result = await handler({ mediaConvert: racing }).convert(await upload(key));
    const rec = await item(result.jobs[0].jobId);
    assert.equal(rec?.status, "PROGRESSING", "not regressed to SUBMITTED");
    assert.equal(typeof rec?.submittedAt, "number", "but the submission time is filled in");
    assert.equal(rec?.settings?.inputs?.[0]?.uri, `s3://${bucket}/${key}`, "and the settings too");
  });

  it("uploads from another bucket are not converted", async () => {
    await freshBucket();
    const before = sim.calls.CreateJob;
    const result = await handler().convert(s3Event("some-other-bucket", "inputs/x.mp4", 1, "e"));
    assert.equal(result.jobs.length, 0);
    assert.match(result.skipped[0].reason, /not the watch folder/);
    assert.equal(sim.calls.CreateJob, before);
  });
});
