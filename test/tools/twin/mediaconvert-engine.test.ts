/**
 * The MediaConvert simulator's two layers on their own: the engine driven without HTTP, and the HTTP layer's
 * answers for what the SDK never sends (malformed bodies, unknown routes, bad paths) and for injected faults.
 */
import { strict as assert } from "node:assert";
import { startMediaConvertSimulator, type MediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { createEngine, type Engine } from "../../../tools/twin/mediaconvert/engine";
import { ServiceError, statusOf } from "../../../tools/twin/mediaconvert/errors";

const request = (input: string) => ({
  role: "arn:aws:iam::111122223333:role/mc",
  settings: {
    inputs: [{ fileInput: `s3://watch/${input}` }],
    outputGroups: [
      {
        outputGroupSettings: { type: "FILE_GROUP_SETTINGS", fileGroupSettings: { destination: "s3://out/engine/" } },
        outputs: [{ containerSettings: { container: "MP4" }, videoDescription: { width: 1280, height: 720 } }],
      },
    ],
  },
});

const serviceError = (type: string) => (e: unknown) => e instanceof ServiceError && e.type === type;

describe("MediaConvert simulator engine (no HTTP)", () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });

  it("plays a job to its outcome, and answers with the service's error shapes", async () => {
    engine = createEngine({ autoRun: false, seed: 5, rates: { error: 0, canceled: 0 } });
    const created = await engine.createJob(request("inputs/e.mp4"));
    const id = created.id as string;
    assert.equal(created.status, "SUBMITTED");
    await engine.drain();
    assert.equal(engine.describeJob(id).status, "COMPLETE");
    assert.equal(engine.outcomeOf(id), "COMPLETE");
    const statuses = engine.delivered.filter((e) => e.detail.jobId === id).map((e) => e.detail.status);
    assert.ok(statuses.includes("PROGRESSING") && statuses.includes("COMPLETE"), statuses.join(","));
    assert.throws(() => engine!.describeJob("missing"), serviceError("NotFoundException"));
    assert.throws(() => engine!.cancelJob(id), serviceError("BadRequestException"));
    await assert.rejects(engine.createJob({ settings: {} }), serviceError("BadRequestException"));
  });

  it("without a probe, takes an audio file's extension as an input without video: no video facts, video outputs fail with 1020", async () => {
    engine = createEngine({ autoRun: false, seed: 2, rates: { error: 0, canceled: 0 } });
    const video = (await engine.createJob(request("inputs/voice.wav"))).id as string;
    const audioOnly = request("inputs/voice2.wav");
    audioOnly.settings.outputGroups[0]!.outputs = [{ containerSettings: { container: "MP4" } }] as never;
    const audio = (await engine.createJob(audioOnly)).id as string;
    const mp4 = (await engine.createJob(request("inputs/clip.mp4"))).id as string;
    await engine.drain();
    assert.deepEqual([engine.describeJob(video).status, engine.describeJob(video).errorCode], ["ERROR", 1020]);
    assert.equal(engine.describeJob(audio).status, "COMPLETE");
    assert.equal(engine.describeJob(mp4).status, "COMPLETE", "a video file is not taken for audio");
    const info = (id: string) =>
      (
        engine!.delivered.find((e) => e.detail.jobId === id && e.detail.status === "INPUT_INFORMATION")?.detail.inputDetails as
          | Array<Record<string, unknown>>
          | undefined
      )?.[0];
    assert.equal(info(audio)?.video, undefined);
    assert.ok(Array.isArray(info(audio)?.audio));
    assert.ok(Array.isArray(info(mp4)?.video));
  });

  it("pages ListJobs newest first, with a next token only that listing accepts", async () => {
    engine = createEngine({ autoRun: false });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await engine.createJob(request(`inputs/l${i}.mp4`))).id as string);
    const first = engine.listJobs({ maxResults: 2 });
    assert.deepEqual(
      first.jobs.map((j) => j.id),
      [ids[2], ids[1]],
    );
    assert.ok(first.nextToken);
    assert.throws(
      () => engine!.listJobs({ maxResults: 2, order: "ASCENDING", nextToken: first.nextToken }),
      serviceError("BadRequestException"),
    );
    const second = engine.listJobs({ maxResults: 2, nextToken: first.nextToken });
    assert.deepEqual(
      second.jobs.map((j) => j.id),
      [ids[0]],
    );
    assert.equal(second.nextToken, undefined);
    assert.deepEqual(
      engine.listJobs({ order: "ASCENDING" }).jobs.map((j) => j.id),
      ids,
    );
    assert.deepEqual(engine.listJobs({ status: "COMPLETE" }).jobs, []);
  });

  it("fails only the calls an injected fault names, as many times as asked", () => {
    engine = createEngine({ autoRun: false });
    engine.injectFault({ operation: "GetJob", type: "ForbiddenException", jobId: "a", times: 2 });
    engine.injectFault({ operation: "ListJobs", type: "SlowDown", status: 503 });
    engine.takeFault("GetJob", "b");
    engine.takeFault("CreateJob");
    for (let i = 0; i < 2; i++)
      assert.throws(
        () => engine!.takeFault("GetJob", "a"),
        (e: ServiceError) => statusOf(e) === 403,
      );
    engine.takeFault("GetJob", "a");
    assert.throws(
      () => engine!.takeFault("ListJobs"),
      (e: ServiceError) => e.type === "SlowDown" && statusOf(e) === 503,
    );
  });
});

describe("MediaConvert simulator HTTP layer", () => {
  let sim: MediaConvertSimulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(sim!.endpoint + path, { method, body });
    return { status: res.status, type: res.headers.get("x-amzn-errortype"), body: (await res.json()) as Record<string, any> };
  };

  it("answers what the SDK never sends with AWS-shaped errors", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false });
    const bad = await call("POST", "/2017-08-29/jobs", "{not json");
    assert.deepEqual([bad.status, bad.type, bad.body.message], [400, "BadRequestException", "The request body is not valid JSON."]);
    const unknown = await call("PUT", "/2017-08-29/jobs");
    assert.deepEqual([unknown.status, unknown.type], [404, "NotFoundException"]);
    assert.match(unknown.body.message, /does not serve PUT \/2017-08-29\/jobs; it serves CreateJob, GetJob/);
    const malformed = await call("GET", "/2017-08-29/jobs/%E0%A4%A");
    assert.deepEqual([malformed.status, malformed.type], [500, "InternalServerErrorException"]);
    const created = await call("POST", "/2017-08-29/jobs/", JSON.stringify(request("inputs/h.mp4")));
    assert.equal(created.status, 201, "a trailing slash names the same route");
    assert.equal((await call("GET", `/2017-08-29/jobs/${created.body.job.id}`)).body.job.id, created.body.job.id);
    assert.equal((await call("DELETE", `/2017-08-29/jobs/${created.body.job.id}`)).status, 202);
    assert.deepEqual((await call("POST", "/2017-08-29/endpoints")).body, { endpoints: [{ url: sim.endpoint }] });
    // Requests that fail before an operation is known (body not JSON, path not decodable) count for none.
    const counted = Object.entries(sim.calls).filter(([, n]) => n > 0);
    assert.deepEqual(Object.fromEntries(counted), { CreateJob: 1, GetJob: 1, CancelJob: 1, DescribeEndpoints: 1 });
    assert.equal(sim.callsFor(created.body.job.id), 2);
  });

  it("answers an injected fault with its status, counts the failed call, and waits latencyMs first", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false });
    sim.injectFault({ operation: "ListJobs", type: "ThrottlingException", status: 418, message: "tea time" });
    sim.latencyMs = 60;
    const t0 = Date.now();
    const failed = await call("GET", "/2017-08-29/jobs");
    assert.ok(Date.now() - t0 >= 55, "the answer waited for the latency");
    assert.deepEqual([failed.status, failed.type, failed.body.message], [418, "ThrottlingException", "tea time"]);
    sim.latencyMs = 0;
    assert.deepEqual((await call("GET", "/2017-08-29/jobs")).body, { jobs: [] });
    assert.equal(sim.calls.ListJobs, 2);
  });
});
