/** The MediaConvert simulator's job API through the SDK: shapes, tokens, refusals, cancel, faults. */
import { strict as assert } from "node:assert";
import { CancelJobCommand, CreateJobCommand, GetJobCommand, ListJobsCommand } from "@aws-sdk/client-mediaconvert";
import { startMediaConvertSimulator, type MediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { request, sdk } from "./contract/mediaconvert-support";

describe("MediaConvert simulator", function () {
  this.timeout(30_000);
  let sim: MediaConvertSimulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("answers CreateJob, GetJob and ListJobs through the real SDK client with the real shapes", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false, seed: 3 });
    const mc = sdk(sim);
    const before = Date.now();
    const created = await mc.send(new CreateJobCommand(request("inputs/a.mp4", "t-1")));
    const job = created.Job!;
    assert.match(job.Id!, /^\d{13}-[a-z0-9]{6}$/);
    const prefix = Number(job.Id!.split("-")[0]);
    assert.ok(prefix >= before && prefix <= Date.now(), "job id prefix is the creation time in epoch ms");
    assert.equal(job.Status, "SUBMITTED");
    assert.equal(job.Arn, `arn:aws:mediaconvert:us-east-1:111122223333:jobs/${job.Id}`);
    assert.equal(job.Queue, "arn:aws:mediaconvert:us-east-1:111122223333:queues/Default");
    assert.deepEqual(job.UserMetadata, { application: "sim-test", input: "inputs/a.mp4" });
    assert.equal(job.Timing?.SubmitTime?.getTime(), Math.floor(prefix / 1000) * 1000);
    assert.equal(job.Settings?.Inputs?.[0]?.FileInput, "s3://watch/inputs/a.mp4");

    const got = await mc.send(new GetJobCommand({ Id: job.Id }));
    assert.equal(got.Job?.Id, job.Id);
    assert.equal(got.Job?.ClientRequestToken, "t-1");
    const listed = await mc.send(new ListJobsCommand({ Status: "SUBMITTED" }));
    assert.deepEqual(
      listed.Jobs?.map((j) => j.Id),
      [job.Id],
    );
    const none = await mc.send(new ListJobsCommand({ Status: "COMPLETE" }));
    assert.deepEqual(none.Jobs, []);
    assert.equal(sim.calls.CreateJob, 1);
    assert.equal(sim.calls.GetJob, 1);
    mc.destroy();
  });

  it("dedupes clientRequestToken: the same token gives the same job, a new token a new job", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false });
    const mc = sdk(sim);
    const a = await mc.send(new CreateJobCommand(request("inputs/a.mp4", "same")));
    const b = await mc.send(new CreateJobCommand(request("inputs/a.mp4", "same")));
    const c = await mc.send(new CreateJobCommand(request("inputs/a.mp4", "other")));
    assert.equal(a.Job!.Id, b.Job!.Id);
    assert.notEqual(a.Job!.Id, c.Job!.Id);
    assert.equal(sim.listJobs().length, 2);
    mc.destroy();
  });

  it("rejects invalid CreateJob requests with BadRequestException and a usable message", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false });
    const mc = sdk(sim, 1);
    const bad = request("inputs/a.mp4");
    bad.Settings!.OutputGroups = [];
    await assert.rejects(
      mc.send(new CreateJobCommand(bad)),
      (e: Error) => e.name === "BadRequestException" && /Settings\.OutputGroups/.test(e.message),
    );
    const noRole = { ...request("inputs/a.mp4"), Role: "" };
    await assert.rejects(mc.send(new CreateJobCommand(noRole)), (e: Error) => e.name === "BadRequestException" && /^Role /.test(e.message));
    assert.equal(sim.listJobs().length, 0);
    mc.destroy();
  });

  it("cancels through CancelJob: a CANCELED event, status CANCELED, nothing after it", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false, seed: 2 });
    const mc = sdk(sim);
    const id = (await mc.send(new CreateJobCommand(request("inputs/c.mp4")))).Job!.Id!;
    await new Promise((r) => setTimeout(r, 20));
    await mc.send(new CancelJobCommand({ Id: id }));
    await sim.drain();
    const events = sim.delivered.filter((e) => e.detail.jobId === id);
    assert.deepEqual(
      events.map((e) => e.detail.status),
      ["CANCELED"],
    );
    assert.equal((await mc.send(new GetJobCommand({ Id: id }))).Job!.Status, "CANCELED");
    await assert.rejects(mc.send(new CancelJobCommand({ Id: id })), (e: Error) => e.name === "BadRequestException");
    mc.destroy();
  });

  it("injects faults like the service's errors, and answers NotFound for a deleted job", async () => {
    sim = await startMediaConvertSimulator({ autoRun: false });
    const mc = sdk(sim, 1);
    const id = (await sim.createJob(request("inputs/f.mp4") as unknown as Record<string, unknown>)).id as string;
    sim.injectFault({ operation: "GetJob", type: "TooManyRequestsException", times: 2 });
    await assert.rejects(
      mc.send(new GetJobCommand({ Id: id })),
      (e: { name: string; $metadata: { httpStatusCode: number } }) =>
        e.name === "TooManyRequestsException" && e.$metadata.httpStatusCode === 429,
    );
    await assert.rejects(mc.send(new GetJobCommand({ Id: id })), (e: Error) => e.name === "TooManyRequestsException");
    assert.equal((await mc.send(new GetJobCommand({ Id: id }))).Job!.Id, id);
    sim.injectFault({ operation: "GetJob", type: "ForbiddenException", jobId: "other" });
    assert.equal((await mc.send(new GetJobCommand({ Id: id }))).Job!.Id, id, "a fault for another job leaves this one alone");
    sim.deleteJob(id);
    await assert.rejects(mc.send(new GetJobCommand({ Id: id })), (e: Error) => e.name === "NotFoundException");
    assert.equal(sim.calls.GetJob, 5);
    mc.destroy();
  });
});
