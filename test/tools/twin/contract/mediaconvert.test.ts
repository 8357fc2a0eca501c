/**
 * Contract: the real @aws-sdk/client-mediaconvert client against the MediaConvert simulator, for every operation
 * the product (CreateJob, GetJob) and the twin use, and for the requests MediaConvert refuses. Each refusal is
 * checked as the SDK surfaces AWS's: the exception class, `$metadata.httpStatusCode` and a message naming the member.
 */
import { strict as assert } from "node:assert";
import {
  CancelJobCommand,
  CreateJobCommand,
  type CreateJobCommandInput,
  DescribeEndpointsCommand,
  GetJobCommand,
  ListJobsCommand,
  type ListJobsCommandInput,
  type MediaConvertClient,
} from "@aws-sdk/client-mediaconvert";
import { type MediaConvertSimulator, startMediaConvertSimulator } from "../../../../tools/twin/mediaconvert";
import { client, productRequest, ROLE, rejects } from "./mediaconvert-support";

describe("contract: @aws-sdk/client-mediaconvert against the MediaConvert simulator", function () {
  this.timeout(30_000);
  let sim: MediaConvertSimulator;
  let mc: MediaConvertClient;
  beforeEach(async () => {
    sim = await startMediaConvertSimulator({ autoRun: false, seed: 7, rates: { error: 0, canceled: 0 } });
    mc = client(sim);
  });
  afterEach(async () => {
    mc.destroy();
    await sim.stop();
  });

  it("CreateJob takes the product's own request and GetJob, ListJobs, CancelJob and DescribeEndpoints answer", async () => {
    const created = (await mc.send(new CreateJobCommand(productRequest()))).Job!;
    assert.equal(created.Status, "SUBMITTED");
    assert.equal(created.Role, ROLE);
    assert.equal(created.AccelerationStatus, "NOT_APPLICABLE");
    assert.deepEqual(Object.keys(created.Settings?.Inputs?.[0]?.AudioSelectors ?? {}), ["Audio Selector 1"], "map keys kept as sent");
    const got = (await mc.send(new GetJobCommand({ Id: created.Id }))).Job!;
    assert.equal(got.ClientRequestToken, productRequest().ClientRequestToken);
    assert.equal(got.Settings?.OutputGroups?.length, 3);
    const listed = await mc.send(new ListJobsCommand({ Queue: "Default", Order: "ASCENDING", MaxResults: 20 }));
    assert.deepEqual(
      listed.Jobs?.map((j) => j.Id),
      [created.Id],
    );
    await mc.send(new CancelJobCommand({ Id: created.Id }));
    await sim.drain();
    assert.equal((await mc.send(new GetJobCommand({ Id: created.Id }))).Job?.Status, "CANCELED");
    const endpoints = await mc.send(new DescribeEndpointsCommand({}));
    assert.equal(endpoints.Endpoints?.[0]?.Url, sim.endpoint);
  });

  it("honours ClientRequestToken: the same token gives the same job, echoed in it", async () => {
    const a = (await mc.send(new CreateJobCommand(productRequest("inputs/a.mp4", "tok-a")))).Job!;
    const again = (await mc.send(new CreateJobCommand(productRequest("inputs/a.mp4", "tok-a")))).Job!;
    const b = (await mc.send(new CreateJobCommand(productRequest("inputs/b.mp4", "tok-b")))).Job!;
    assert.equal(again.Id, a.Id);
    assert.notEqual(b.Id, a.Id);
    assert.equal(again.ClientRequestToken, a.ClientRequestToken);
    assert.equal((await mc.send(new ListJobsCommand({}))).Jobs?.length, 2);
  });

  describe("CreateJob refuses what MediaConvert refuses", () => {
    const bad = (change: (r: CreateJobCommandInput) => void): CreateJobCommandInput => {
      const r = productRequest();
      change(r);
      return r;
    };

    it("StatusUpdateInterval SECONDS_7: BadRequestException naming the member and the allowed values", async () => {
      const m = await rejects(
        mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { StatusUpdateInterval: "SECONDS_7" })))),
        "BadRequestException",
        400,
        /StatusUpdateInterval SECONDS_7/,
      );
      assert.match(m, /SECONDS_10/);
    });

    it("Priority 99 and AccelerationSettings.Mode BOGUS: BadRequestException naming the member", async () => {
      await rejects(
        mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { Priority: 99 })))),
        "BadRequestException",
        400,
        /Priority 99/,
      );
      await rejects(
        mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { AccelerationSettings: { Mode: "BOGUS" } })))),
        "BadRequestException",
        400,
        /AccelerationSettings\.Mode BOGUS/,
      );
    });

    it("a role or queue that is no ARN of its kind: BadRequestException; no Role at all: BadRequestException", async () => {
      await rejects(
        mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { Role: "mc-role" })))),
        "BadRequestException",
        400,
        /^Role mc-role/,
      );
      await rejects(
        mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { Queue: "arn:aws:s3:::bucket" })))),
        "BadRequestException",
        400,
        /Queue/,
      );
      await rejects(
        mc.send(new CreateJobCommand(bad((r) => delete (r as { Role?: string }).Role))),
        "BadRequestException",
        400,
        /Role is required/,
      );
    });

    it("a queue, job template or preset that does not exist: NotFoundException naming the member", async () => {
      await rejects(
        mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { Queue: "Missing" })))),
        "NotFoundException",
        404,
        /^Queue Missing/,
      );
      const otherRegion = "arn:aws:mediaconvert:eu-west-1:111122223333:queues/Default";
      await rejects(mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { Queue: otherRegion })))), "NotFoundException", 404, /Queue/);
      await rejects(
        mc.send(new CreateJobCommand(bad((r) => Object.assign(r, { JobTemplate: "nope" })))),
        "NotFoundException",
        404,
        /^JobTemplate nope/,
      );
      const withPreset = bad((r) => {
        const out = r.Settings!.OutputGroups![1]!.Outputs![0]!;
        delete out.ContainerSettings;
        out.Preset = "System-Nope";
      });
      await rejects(
        mc.send(new CreateJobCommand(withPreset)),
        "NotFoundException",
        404,
        /OutputGroups\[1\]\.Outputs\[0\]\.Preset System-Nope/,
      );
      assert.equal(sim.listJobs().length, 0, "no job was created by a refused request");
    });

    it("answers with the error shape in x-amzn-ErrorType and the message in a JSON body", async () => {
      const res = await fetch(`${sim.endpoint}/2017-08-29/jobs`, { method: "POST", body: JSON.stringify({ role: ROLE, priority: 99 }) });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get("x-amzn-errortype"), "BadRequestException");
      const body = (await res.json()) as { message: string };
      assert.deepEqual(Object.keys(body), ["message"]);
      assert.match(body.message, /Priority 99 is not from -50 to 50/);
    });
  });

  describe("ListJobs, GetJob and CancelJob refuse what MediaConvert refuses", () => {
    const list = (input: ListJobsCommandInput) => mc.send(new ListJobsCommand(input));

    it("an unknown status, order or maxResults out of 1..20: BadRequestException naming the member", async () => {
      await rejects(list({ Status: "DONE" as never }), "BadRequestException", 400, /^status DONE is not one of .*SUBMITTED/);
      await rejects(list({ Order: "SIDEWAYS" as never }), "BadRequestException", 400, /^order SIDEWAYS/);
      await rejects(list({ MaxResults: 21 }), "BadRequestException", 400, /^maxResults 21/);
      await rejects(list({ MaxResults: 0 }), "BadRequestException", 400, /^maxResults 0/);
      await rejects(list({ Queue: "Missing" }), "NotFoundException", 404, /^queue Missing/);
    });

    it("a garbage nextToken, or one from another listing: BadRequestException; real tokens page through", async () => {
      for (let i = 0; i < 3; i++) await mc.send(new CreateJobCommand(productRequest(`inputs/p${i}.mp4`)));
      await rejects(list({ NextToken: "garbage" }), "BadRequestException", 400, /^nextToken garbage/);
      const first = await list({ MaxResults: 2 });
      assert.equal(first.Jobs?.length, 2);
      await rejects(list({ MaxResults: 2, Status: "COMPLETE", NextToken: first.NextToken }), "BadRequestException", 400, /nextToken/);
      const second = await list({ MaxResults: 2, NextToken: first.NextToken });
      assert.equal(second.Jobs?.length, 1);
      assert.equal(second.NextToken, undefined);
      const ids = [...first.Jobs!, ...second.Jobs!].map((j) => j.Id);
      assert.equal(new Set(ids).size, 3, "every job once, newest first");
    });

    it("GetJob and CancelJob of a job that does not exist: NotFoundException; CancelJob of a finished job: BadRequestException", async () => {
      await rejects(mc.send(new GetJobCommand({ Id: "1700000000000-nosuch" })), "NotFoundException", 404, /1700000000000-nosuch/);
      await rejects(mc.send(new CancelJobCommand({ Id: "1700000000000-nosuch" })), "NotFoundException", 404, /1700000000000-nosuch/);
      const id = (await mc.send(new CreateJobCommand(productRequest()))).Job!.Id!;
      await sim.drain();
      await rejects(mc.send(new CancelJobCommand({ Id: id })), "BadRequestException", 400, /COMPLETE/);
    });
  });
});
