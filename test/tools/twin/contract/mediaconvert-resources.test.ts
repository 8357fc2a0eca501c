/**
 * Contract, continued: queues, presets and job templates through the real SDK client, CreateJob from a template,
 * AccelerationStatus as the SDK documents it, and audio-only inputs.
 */
import { strict as assert } from "node:assert";
import {
  CreateJobCommand,
  type CreateJobCommandInput,
  CreateJobTemplateCommand,
  CreatePresetCommand,
  GetJobCommand,
  GetJobTemplateCommand,
  GetPresetCommand,
  GetQueueCommand,
  ListJobTemplatesCommand,
  ListPresetsCommand,
  ListQueuesCommand,
  type MediaConvertClient,
} from "@aws-sdk/client-mediaconvert";
import type { ProbeResult } from "../../../../lib/domain/probe";
import { type EventEnvelope, type MediaConvertSimulator, startMediaConvertSimulator } from "../../../../tools/twin/mediaconvert";
import { client, productRequest, ROLE, rejects } from "./mediaconvert-support";

const SYSTEM_720P = "System-Ott_Hls_Ts_Avc_Aac_16x9_1280x720p_30Hz_5.0Mbps";
const probeOf = (video: boolean, durationMs = 30_000): ProbeResult => ({
  container: video ? "MPEG-4" : "MPEG Audio",
  durationMs,
  ...(video ? { video: { codec: "AVC", width: 1920, height: 1080, frameRate: 25 } } : {}),
  audio: [{ codec: "AAC", channels: 2, sampleRate: 48000 }],
  bytesRead: 1,
  requests: 1,
  complete: true,
  probedAt: 0,
});

/** One FILE group with an audio-only output (no VideoDescription). */
function audioOnlyRequest(input: string): CreateJobCommandInput {
  return {
    Role: ROLE,
    Settings: {
      Inputs: [{ FileInput: input, AudioSelectors: { "Audio Selector 1": { DefaultSelection: "DEFAULT" } } }],
      OutputGroups: [
        {
          OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", FileGroupSettings: { Destination: "s3://media/audio/" } },
          Outputs: [
            {
              ContainerSettings: { Container: "MP4" },
              AudioDescriptions: [
                { CodecSettings: { Codec: "AAC", AacSettings: { Bitrate: 96000, CodingMode: "CODING_MODE_2_0", SampleRate: 48000 } } },
              ],
            },
          ],
        },
      ],
    },
  };
}

describe("contract: MediaConvert simulator queues, presets, job templates, acceleration and audio-only inputs", function () {
  this.timeout(30_000);
  let sim: MediaConvertSimulator;
  let mc: MediaConvertClient;
  const events: EventEnvelope[] = [];
  beforeEach(async () => {
    events.length = 0;
    sim = await startMediaConvertSimulator({
      autoRun: false,
      seed: 12,
      rates: { error: 0, canceled: 0, queueHop: 0, lateInputInformation: 0 },
      probe: async (uri) => probeOf(!/\.(mp3|m4a)$/.test(uri)),
      onEvent: (e) => void events.push(e),
    });
    mc = client(sim);
  });
  afterEach(async () => {
    mc.destroy();
    await sim.stop();
  });

  it("ListQueues and GetQueue answer the Default and Overflow queues, on demand and active; an unknown one is NotFound", async () => {
    const { Queues } = await mc.send(new ListQueuesCommand({}));
    const names = Queues?.map((q) => q.Name) ?? [];
    assert.ok(names.includes("Default") && names.includes("Overflow"), names.join(","));
    for (const q of Queues ?? []) {
      assert.equal(q.PricingPlan, "ON_DEMAND");
      assert.equal(q.Status, "ACTIVE");
      assert.equal(q.Arn, `arn:aws:mediaconvert:us-east-1:111122223333:queues/${q.Name}`);
    }
    await mc.send(new CreateJobCommand(productRequest()));
    const def = (await mc.send(new GetQueueCommand({ Name: "Default" }))).Queue!;
    assert.equal(def.Type, "SYSTEM");
    assert.equal(def.SubmittedJobsCount, 1);
    const page = await mc.send(new ListQueuesCommand({ MaxResults: 1, ListBy: "NAME" }));
    assert.equal(page.Queues?.length, 1);
    assert.ok(page.NextToken);
    await rejects(mc.send(new GetQueueCommand({ Name: "Missing" })), "NotFoundException", 404, /Missing/);
    await rejects(
      mc.send(new ListQueuesCommand({ ListBy: "SIZE" as never })),
      "BadRequestException",
      400,
      /^listBy SIZE is not one of NAME, CREATION_DATE/,
    );
  });

  it("ListPresets and GetPreset answer system presets; CreatePreset adds one, a taken name is a ConflictException", async () => {
    const { Presets } = await mc.send(new ListPresetsCommand({ ListBy: "SYSTEM" }));
    assert.ok(Presets?.some((p) => p.Name === SYSTEM_720P && p.Type === "SYSTEM"));
    const system = (await mc.send(new GetPresetCommand({ Name: SYSTEM_720P }))).Preset!;
    assert.equal(system.Settings?.VideoDescription?.Width, 1280);
    const settings = { ContainerSettings: { Container: "MP4" as const }, VideoDescription: { Width: 640, Height: 360 } };
    const created = (await mc.send(new CreatePresetCommand({ Name: "small", Settings: settings }))).Preset!;
    assert.equal(created.Type, "CUSTOM");
    assert.equal((await mc.send(new GetPresetCommand({ Name: "small" }))).Preset?.Settings?.VideoDescription?.Height, 360);
    await rejects(mc.send(new CreatePresetCommand({ Name: "small", Settings: settings })), "ConflictException", 409, /small/);
    await rejects(mc.send(new GetPresetCommand({ Name: "System-Nope" })), "NotFoundException", 404, /System-Nope/);
  });

  it("CreateJobTemplate, GetJobTemplate and ListJobTemplates answer; a bad template is refused naming the member", async () => {
    const { Settings } = productRequest();
    const created = (
      await mc.send(
        new CreateJobTemplateCommand({
          Name: "ladder",
          Settings: { OutputGroups: Settings!.OutputGroups },
          Priority: 10,
          StatusUpdateInterval: "SECONDS_10",
        }),
      )
    ).JobTemplate!;
    assert.equal(created.Arn, "arn:aws:mediaconvert:us-east-1:111122223333:jobTemplates/ladder");
    assert.equal((await mc.send(new GetJobTemplateCommand({ Name: "ladder" }))).JobTemplate?.Priority, 10);
    assert.deepEqual(
      (await mc.send(new ListJobTemplatesCommand({}))).JobTemplates?.map((t) => t.Name),
      ["ladder"],
    );
    await rejects(
      mc.send(new CreateJobTemplateCommand({ Name: "hot", Settings: {}, Priority: 99 })),
      "BadRequestException",
      400,
      /^Priority 99/,
    );
    await rejects(
      mc.send(new CreateJobTemplateCommand({ Name: "q", Settings: {}, Queue: "Missing" })),
      "NotFoundException",
      404,
      /^Queue Missing/,
    );
    await rejects(mc.send(new GetJobTemplateCommand({ Name: "nope" })), "NotFoundException", 404, /nope/);
  });

  it("CreateJob from a job template runs with the template's settings under its own", async () => {
    const { Settings } = productRequest();
    await mc.send(new CreateJobTemplateCommand({ Name: "ladder", Settings: { OutputGroups: Settings!.OutputGroups }, Priority: 10 }));
    const job = (
      await mc.send(
        new CreateJobCommand({ Role: ROLE, JobTemplate: "ladder", Settings: { Inputs: [{ FileInput: "s3://watch/inputs/t.mp4" }] } }),
      )
    ).Job!;
    assert.equal(job.JobTemplate, "ladder");
    assert.equal(job.Priority, 10, "the template's priority");
    assert.equal(job.Settings?.Inputs?.[0]?.FileInput, "s3://watch/inputs/t.mp4");
    assert.equal(job.Settings?.OutputGroups?.length, 3, "the template's output groups");
    await sim.drain();
    const done = (await mc.send(new GetJobCommand({ Id: job.Id }))).Job!;
    assert.equal(done.Status, "COMPLETE");
    assert.deepEqual(
      done.OutputGroupDetails?.map((g) => g.OutputDetails?.length),
      [4, 1, 1],
      "one detail per output of the template's groups",
    );
  });

  it("AccelerationStatus: NOT_APPLICABLE when disabled, IN_PROGRESS then ACCELERATED when enabled, NOT_ACCELERATED when preferred but impossible", async () => {
    const send = async (r: CreateJobCommandInput, mode?: "ENABLED" | "PREFERRED" | "DISABLED") =>
      (await mc.send(new CreateJobCommand({ ...r, ...(mode ? { AccelerationSettings: { Mode: mode } } : {}) }))).Job!;
    const disabled = await send(productRequest("inputs/d.mp4"), "DISABLED");
    const enabled = await send(productRequest("inputs/e.mp4"), "ENABLED");
    const preferredAudio = await send(audioOnlyRequest("s3://watch/inputs/talk.mp3"), "PREFERRED");
    const enabledAudio = await send(audioOnlyRequest("s3://watch/inputs/talk2.mp3"), "ENABLED");
    assert.equal(disabled.AccelerationStatus, "NOT_APPLICABLE");
    assert.equal(enabled.AccelerationStatus, "IN_PROGRESS");
    await sim.drain();
    const now = async (id?: string) => (await mc.send(new GetJobCommand({ Id: id }))).Job!;
    assert.equal((await now(disabled.Id)).AccelerationStatus, "NOT_APPLICABLE");
    assert.deepEqual([(await now(enabled.Id)).AccelerationStatus, (await now(enabled.Id)).Status], ["ACCELERATED", "COMPLETE"]);
    assert.deepEqual(
      [(await now(preferredAudio.Id)).AccelerationStatus, (await now(preferredAudio.Id)).Status],
      ["NOT_ACCELERATED", "COMPLETE"],
    );
    const failed = await now(enabledAudio.Id);
    assert.deepEqual([failed.Status, failed.ErrorCode], ["ERROR", 1043], "ENABLED with an input that rules acceleration out fails the job");
  });

  it("an audio-only input: INPUT_INFORMATION has no video, outputs with video fail (1020), audio-only outputs complete", async () => {
    const video = (
      await mc.send(
        new CreateJobCommand({
          ...productRequest(),
          Settings: { ...productRequest().Settings, Inputs: [{ FileInput: "s3://watch/inputs/song.mp3" }] },
        }),
      )
    ).Job!;
    const audio = (await mc.send(new CreateJobCommand(audioOnlyRequest("s3://watch/inputs/song.m4a")))).Job!;
    await sim.drain();
    const failed = (await mc.send(new GetJobCommand({ Id: video.Id }))).Job!;
    assert.deepEqual([failed.Status, failed.ErrorCode], ["ERROR", 1020]);
    assert.match(failed.ErrorMessage ?? "", /song\.mp3/);
    const error = events.find((e) => e.detail.jobId === video.Id && e.detail.status === "ERROR")!;
    assert.equal(error.detail.errorCode, 1020);
    const done = (await mc.send(new GetJobCommand({ Id: audio.Id }))).Job!;
    assert.equal(done.Status, "COMPLETE");
    assert.equal(done.OutputGroupDetails?.[0]?.OutputDetails?.[0]?.VideoDetails, undefined);
    const info = events.find((e) => e.detail.jobId === audio.Id && e.detail.status === "INPUT_INFORMATION")!;
    const details = (info.detail.inputDetails as Array<Record<string, unknown>>)[0]!;
    assert.equal(details.video, undefined, "no made-up video stream");
    assert.equal((details.audio as unknown[]).length, 1);
  });

  it("differs from AWS: a short job with acceleration ENABLED is not failed as too small to benefit (error 1042)", async () => {
    await sim.stop();
    sim = await startMediaConvertSimulator({
      autoRun: false,
      seed: 3,
      rates: { error: 0, canceled: 0 },
      probe: async () => probeOf(true, 5_000),
    });
    mc.destroy();
    mc = client(sim);
    const job = (await mc.send(new CreateJobCommand({ ...productRequest(), AccelerationSettings: { Mode: "ENABLED" } }))).Job!;
    await sim.drain();
    const got = (await mc.send(new GetJobCommand({ Id: job.Id }))).Job!;
    assert.deepEqual([got.Status, got.AccelerationStatus], ["COMPLETE", "ACCELERATED"]);
  });
});
