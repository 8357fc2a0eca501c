/**
 * MediaConvert's CreateJob request rules (lib/watch-folder/job-rules.ts): enum values come from the SDK, ranges and
 * shapes are enforced, messages name the member path, the value and the allowed values.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import * as sdk from "@aws-sdk/client-mediaconvert";
import { createJobProblems, CreateJobRequestSchema, GROUP_SETTINGS_MEMBER, type JobProblem } from "../../../lib/watch-folder/job-rules";
import { requiredMemberNames } from "../../../lib/watch-folder/job-rules-codecs";
import { buildCreateJobRequest } from "../../../lib/watch-folder/request";
import { DEFAULT_JOB } from "../../../lib/watch-folder/default-job";

const ROLE = "arn:aws:iam::111122223333:role/MediaConvert";

function output(modifier: string) {
  return {
    NameModifier: modifier,
    ContainerSettings: { Container: "MP4" },
    VideoDescription: { CodecSettings: { Codec: "H_264", H264Settings: { RateControlMode: "QVBR", MaxBitrate: 5_000_000 } } },
    AudioDescriptions: [{ CodecSettings: { Codec: "AAC", AacSettings: { Bitrate: 96000 } } }],
  };
}

/** A request MediaConvert accepts: one input, one file group with two outputs. */
function request(): any {
  return {
    Role: ROLE,
    Settings: {
      Inputs: [{ FileInput: "s3://in-bucket/clip.mov" }],
      OutputGroups: [
        {
          OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", FileGroupSettings: { Destination: "s3://out-bucket/x/" } },
          Outputs: [output("_a"), output("_b")],
        },
      ],
    },
  };
}

/** `request()` with one member set (undefined deletes it), by a path like `Settings.OutputGroups.0.Outputs.1`. */
function withMember(path: string, value: unknown): any {
  const r = request();
  const keys = path.split(".");
  let at = r;
  for (const k of keys.slice(0, -1)) at = at[k] ??= {};
  if (value === undefined) delete at[keys[keys.length - 1]];
  else at[keys[keys.length - 1]] = value;
  return r;
}

function only(problems: JobProblem[]): JobProblem {
  assert.equal(problems.length, 1, JSON.stringify(problems, null, 1));
  return problems[0];
}

describe("MediaConvert CreateJob rules", () => {
  it("a well-formed request has no problems; unknown members pass", () => {
    assert.deepEqual(createJobProblems(request()), []);
    assert.deepEqual(createJobProblems({ ...request(), SomethingNew: { Deep: [1] }, Settings: { ...request().Settings, Esam: {} } }), []);
  });

  it("StatusUpdateInterval SECONDS_7 is refused, listing the SDK's values", () => {
    const p = only(createJobProblems(withMember("StatusUpdateInterval", "SECONDS_7")));
    assert.equal(p.member, "StatusUpdateInterval");
    assert.equal(p.value, "SECONDS_7");
    assert.deepEqual(p.allowed, Object.values(sdk.StatusUpdateInterval));
    assert.match(p.message, /^StatusUpdateInterval SECONDS_7 is not one of SECONDS_10, SECONDS_12, /);
    for (const v of Object.values(sdk.StatusUpdateInterval))
      assert.deepEqual(createJobProblems(withMember("StatusUpdateInterval", v)), [], v);
  });

  it("Priority is a whole number from -50 to 50", () => {
    for (const v of [-50, 0, 50]) assert.deepEqual(createJobProblems(withMember("Priority", v)), [], String(v));
    for (const v of [99, -51, 51])
      assert.match(only(createJobProblems(withMember("Priority", v))).message, new RegExp(`^Priority ${v} is not from -50 to 50$`));
    assert.match(only(createJobProblems(withMember("Priority", 1.5))).message, /Priority 1.5 is not a whole number/);
    assert.match(only(createJobProblems(withMember("Priority", "5"))).message, /Priority "5" is not a number/);
  });

  it("AccelerationSettings.Mode must be one of the SDK's modes and is required", () => {
    const p = only(createJobProblems(withMember("AccelerationSettings", { Mode: "BOGUS" })));
    assert.equal(p.member, "AccelerationSettings.Mode");
    assert.deepEqual(p.allowed, Object.values(sdk.AccelerationMode));
    assert.match(p.message, /AccelerationSettings.Mode BOGUS is not one of DISABLED, ENABLED, PREFERRED/);
    assert.equal(only(createJobProblems(withMember("AccelerationSettings", {}))).message, "AccelerationSettings.Mode is required");
  });

  it("a bad codec inside an output is reported with its full member path", () => {
    const p = only(createJobProblems(withMember("Settings.OutputGroups.0.Outputs.1.VideoDescription.CodecSettings.Codec", "H_266")));
    assert.equal(p.member, "Settings.OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.Codec");
    assert.equal(p.value, "H_266");
    assert.deepEqual(p.allowed, Object.values(sdk.VideoCodec));
    assert.match(p.message, /^Settings\.OutputGroups\[0\]\.Outputs\[1\]\.VideoDescription\.CodecSettings\.Codec H_266 is not one of AV1, /);
    const a = only(createJobProblems(withMember("Settings.OutputGroups.0.Outputs.0.AudioDescriptions.0.CodecSettings.Codec", "MP5")));
    assert.equal(a.member, "Settings.OutputGroups[0].Outputs[0].AudioDescriptions[0].CodecSettings.Codec");
  });

  it("every enum member's allowed values are the SDK's enum object, and each SDK value is accepted", () => {
    const cases: Array<[string, Record<string, string>]> = [
      ["StatusUpdateInterval", sdk.StatusUpdateInterval],
      ["AccelerationSettings.Mode", sdk.AccelerationMode],
      ["BillingTagsSource", sdk.BillingTagsSource],
      ["SimulateReservedQueue", sdk.SimulateReservedQueue],
      ["Settings.OutputGroups.0.OutputGroupSettings.Type", sdk.OutputGroupType],
      ["Settings.OutputGroups.0.Outputs.0.ContainerSettings.Container", sdk.ContainerType],
      ["Settings.OutputGroups.0.Outputs.0.VideoDescription.CodecSettings.Codec", sdk.VideoCodec],
      ["Settings.OutputGroups.0.Outputs.0.VideoDescription.ScalingBehavior", sdk.ScalingBehavior],
      ["Settings.OutputGroups.0.Outputs.0.VideoDescription.CodecSettings.H264Settings.RateControlMode", sdk.H264RateControlMode],
      ["Settings.OutputGroups.0.Outputs.0.AudioDescriptions.0.CodecSettings.Codec", sdk.AudioCodec],
      ["Settings.OutputGroups.0.Outputs.0.AudioDescriptions.0.CodecSettings.AacSettings.CodingMode", sdk.AacCodingMode],
      ["Settings.Inputs.0.TimecodeSource", sdk.InputTimecodeSource],
      ["Settings.Inputs.0.AudioSelectors.Audio Selector 1.DefaultSelection", sdk.AudioDefaultSelection],
      ["Settings.Inputs.0.VideoSelector.ColorSpace", sdk.ColorSpace],
      ["Settings.TimecodeConfig.Source", sdk.TimecodeSource],
    ];
    for (const [path, sdkEnum] of cases) {
      const problems = createJobProblems(withMember(path, "NOT_A_VALUE")).filter((p) => p.value === "NOT_A_VALUE");
      assert.deepEqual(only(problems).allowed, Object.values(sdkEnum), path);
      const rejected = Object.values(sdkEnum).filter((v) => createJobProblems(withMember(path, v)).some((p) => p.value === v));
      assert.deepEqual(rejected, [], path);
    }
  });

  it("requires the members the SDK's model marks required", () => {
    for (const m of requiredMemberNames(sdk.CreateJobRequest$)) {
      assert.equal(only(createJobProblems(withMember(m, undefined))).message, `${m} is required`);
      assert.equal(CreateJobRequestSchema.shape[m as "Role"].safeParse(undefined).success, false, m);
    }
    assert.deepEqual(requiredMemberNames(sdk.CreateJobRequest$), ["Role", "Settings"], "the model still requires Role and Settings");
    for (const m of requiredMemberNames(sdk.AccelerationSettings$)) {
      assert.match(only(createJobProblems(withMember("AccelerationSettings", {}))).member, new RegExp(`^AccelerationSettings\\.${m}$`));
    }
  });

  it("each output group type has its settings member in the SDK's OutputGroupSettings", () => {
    const members = sdk.OutputGroupSettings$[4];
    assert.deepEqual(Object.keys(GROUP_SETTINGS_MEMBER), Object.values(sdk.OutputGroupType));
    for (const [type, member] of Object.entries(GROUP_SETTINGS_MEMBER)) {
      assert.ok(members.includes(member), `${type} → ${member}`);
      assert.equal(member.toLowerCase(), type.replace(/_/g, "").toLowerCase());
    }
    assert.equal(GROUP_SETTINGS_MEMBER.DASH_ISO_GROUP_SETTINGS, "DashIsoGroupSettings");
  });

  it("a group carries the settings object of its own Type, and only that one", () => {
    const mixed = withMember("Settings.OutputGroups.0.OutputGroupSettings.HlsGroupSettings", {});
    const p = only(createJobProblems(mixed));
    assert.equal(p.member, "Settings.OutputGroups[0].OutputGroupSettings");
    assert.match(p.message, /is of Type FILE_GROUP_SETTINGS but carries HlsGroupSettings; keep only FileGroupSettings/);
    const missing = withMember("Settings.OutputGroups.0.OutputGroupSettings.FileGroupSettings", undefined);
    assert.equal(
      only(createJobProblems(missing)).message,
      "Settings.OutputGroups[0].OutputGroupSettings.FileGroupSettings is required when Type is FILE_GROUP_SETTINGS",
    );
    assert.deepEqual(createJobProblems(missing, { groupSettingsSupplied: true }), []);
    assert.match(
      only(createJobProblems(withMember("Settings.OutputGroups.0.OutputGroupSettings.FileGroupSettings.Destination", "/tmp/out"))).message,
      /Destination \/tmp\/out is not an S3 location/,
    );
  });

  it("Role is an IAM role ARN and Queue, JobTemplate and Preset are names or ARNs, in any partition", () => {
    for (const role of [ROLE, "arn:aws-cn:iam::111122223333:role/service-role/MC", "arn:aws-us-gov:iam::111122223333:role/mc"]) {
      assert.deepEqual(createJobProblems(withMember("Role", role)), [], role);
    }
    for (const role of ["MediaConvert", "arn:aws:iam::1111:role/mc", "arn:aws:iam::111122223333:user/mc", "arn:aws:s3:::bucket"]) {
      assert.match(only(createJobProblems(withMember("Role", role))).message, /is not an IAM role ARN/, role);
    }
    const good: Array<[string, string]> = [
      ["Queue", "Default"],
      ["Queue", "arn:aws-us-gov:mediaconvert:us-gov-west-1:111122223333:queues/Overflow"],
      ["JobTemplate", "System-Ott_Hls_Ts_Avc_Aac"],
      ["JobTemplate", "arn:aws:mediaconvert:eu-west-1:111122223333:jobTemplates/hls"],
    ];
    for (const [m, v] of good) assert.deepEqual(createJobProblems(withMember(m, v)), [], v);
    for (const [m, v] of [
      ["Queue", "arn:aws:mediaconvert:eu-west-1:111122223333:presets/x"],
      ["JobTemplate", "arn:aws:mediaconvert:eu-west-1:1:jobTemplates/x"],
      ["Queue", ""],
    ]) {
      assert.match(only(createJobProblems(withMember(m, v))).message, new RegExp(`^${m} .* is neither a`), v);
    }
    const preset = (v: string) => {
      const r = withMember("Settings.OutputGroups.0.Outputs.0.Preset", v);
      delete r.Settings.OutputGroups[0].Outputs[0].ContainerSettings;
      return createJobProblems(r);
    };
    assert.deepEqual(preset("System-Generic_Hd_Mp4_Avc_Aac_16x9_1920x1080p_24Hz_6Mbps"), []);
    assert.deepEqual(preset("arn:aws:mediaconvert:us-east-1:111122223333:presets/mine"), []);
    assert.match(
      only(preset("arn:aws:mediaconvert:us-east-1:111122223333:queues/mine")).message,
      /Preset .* is neither a preset name nor a preset ARN/,
    );
    const both = only(createJobProblems(withMember("Settings.OutputGroups.0.Outputs.0.Preset", "mine")));
    assert.match(both.message, /Outputs\[0\]\.Preset cannot be combined with ContainerSettings/);
  });

  it("inputs need a FileInput or a VideoGenerator, not both; a job template cannot provide FileInput", () => {
    assert.equal(only(createJobProblems(withMember("Settings.Inputs", []))).message, "Settings.Inputs needs at least one input");
    const noFile = withMember("Settings.Inputs", [{ TimecodeSource: "ZEROBASED" }]);
    assert.equal(only(createJobProblems(noFile)).member, "Settings.Inputs[0].FileInput");
    assert.equal(only(createJobProblems({ ...noFile, JobTemplate: "System-Ott_Hls_Ts_Avc_Aac" })).member, "Settings.Inputs[0].FileInput");
    assert.deepEqual(createJobProblems(noFile, { fileInputSupplied: true }), []);
    assert.deepEqual(createJobProblems(withMember("Settings.Inputs", [{ VideoGenerator: { Duration: 5000 } }])), []);
    const both = only(createJobProblems(withMember("Settings.Inputs.0.VideoGenerator", { Duration: 5000 })));
    assert.equal(both.member, "Settings.Inputs[0].VideoGenerator");
    assert.match(
      only(createJobProblems(withMember("Settings.Inputs.0.FileInput", "/local/clip.mov"))).message,
      /FileInput \/local\/clip.mov is not an S3, HTTP or HTTPS location/,
    );
    assert.match(only(createJobProblems(withMember("Settings.Inputs.0.FilterStrength", 6))).message, /FilterStrength 6 is not from 1 to 5/);
  });

  it("output groups: at least one unless a job template has them; several outputs each need a NameModifier", () => {
    assert.equal(
      only(createJobProblems(withMember("Settings.OutputGroups", []))).message,
      "Settings.OutputGroups needs at least one output group",
    );
    assert.deepEqual(createJobProblems({ ...withMember("Settings.OutputGroups", undefined), JobTemplate: "hls" }), []);
    assert.equal(
      only(createJobProblems(withMember("Settings.OutputGroups.0.Outputs", []))).message,
      "Settings.OutputGroups[0].Outputs needs at least one output",
    );
    const p = only(createJobProblems(withMember("Settings.OutputGroups.0.Outputs.1.NameModifier", undefined)));
    assert.equal(p.member, "Settings.OutputGroups[0].Outputs[1].NameModifier");
    assert.deepEqual(
      createJobProblems(
        withMember(
          "Settings.OutputGroups.0.Outputs",
          [output("_a")].map(({ NameModifier: _, ...o }) => o),
        ),
      ),
      [],
    );
  });

  it("maps of text, hop destinations and codec details follow the model's documentation", () => {
    assert.equal(only(createJobProblems(withMember("UserMetadata", { team: 7 }))).message, "UserMetadata.team 7 is not text");
    assert.equal(only(createJobProblems(withMember("Tags", ["a"]))).member, "Tags");
    assert.match(
      only(createJobProblems(withMember("HopDestinations", [{ WaitMinutes: 4321 }]))).message,
      /HopDestinations\[0\]\.WaitMinutes 4321 is not from 1 to 4320/,
    );
    assert.equal(
      only(createJobProblems(withMember("HopDestinations", [{ Priority: 1 }]))).message,
      "HopDestinations[0].WaitMinutes is required",
    );
    const h264 = "Settings.OutputGroups.0.Outputs.0.VideoDescription.CodecSettings.H264Settings";
    assert.equal(
      only(createJobProblems(withMember(`${h264}.MaxBitrate`, undefined))).member,
      `${h264.replace(/\.(\d)\./g, "[$1].")}.MaxBitrate`,
    );
    assert.match(
      only(createJobProblems(withMember(`${h264}.QvbrSettings`, { QvbrQualityLevel: 11 }))).message,
      /QvbrQualityLevel 11 is not from 1 to 10/,
    );
    const aac = only(
      createJobProblems(withMember("Settings.OutputGroups.0.Outputs.0.AudioDescriptions.0.CodecSettings.AacSettings.Bitrate", 95000)),
    );
    assert.ok(aac.allowed?.includes("96000") && !aac.allowed.includes("95000"));
    assert.match(
      only(createJobProblems(withMember("ClientRequestToken", "x".repeat(65)))).message,
      /ClientRequestToken .* is not up to 64 ASCII characters/,
    );
  });

  it("cross-member problems are still found next to a malformed number", () => {
    const r = withMember("Priority", 2.5);
    r.Settings.Inputs = [{}];
    assert.deepEqual(
      createJobProblems(r)
        .map((p) => p.member)
        .sort(),
      ["Priority", "Settings.Inputs[0].FileInput"],
    );
  });

  it("the bundled default job, as the watch folder sends it, has no problems", () => {
    const upload = { bucket: "watch-bucket", key: "inputs/a b.mp4", eTag: "e", sequencer: "01" };
    const args = {
      upload,
      settingsName: "default",
      settings: DEFAULT_JOB,
      application: "mcjobs",
      roleArn: ROLE,
      outputBucket: "media-bucket",
    };
    assert.deepEqual(createJobProblems(buildCreateJobRequest(args)), []);
    const queued = buildCreateJobRequest({ ...args, queueArn: "arn:aws-cn:mediaconvert:cn-north-1:111122223333:queues/Default" });
    assert.deepEqual(createJobProblems(queued), []);
  });

  it("property: any JSON gives a list of problems, each message starting with its member path, in our words", () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const settings = fc.record(
      {
        Inputs: fc.array(json, { maxLength: 2 }),
        OutputGroups: fc.array(fc.record({ OutputGroupSettings: json, Outputs: json }), { maxLength: 2 }),
        TimecodeConfig: json,
      },
      { requiredKeys: [] },
    );
    const req = fc.record(
      {
        Role: json,
        Settings: fc.oneof(json, settings),
        Priority: json,
        AccelerationSettings: json,
        UserMetadata: json,
        HopDestinations: json,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(json, req), (v) => {
        for (const p of createJobProblems(v)) {
          assert.ok(p.message.startsWith(`${p.member} `), p.message);
          assert.doesNotMatch(p.message, /Invalid input|Too (big|small)|expected/, "every message is one of the rules' own");
        }
      }),
      { numRuns: 300 },
    );
  });
});
