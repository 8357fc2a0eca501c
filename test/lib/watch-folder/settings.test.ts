/**
 * Settings files are checked against MediaConvert's CreateJob rules for what they send: a file MediaConvert would
 * refuse is skipped with the file, the member, the value and the allowed values; what the watch folder fills in
 * itself (role, queue, the upload as file input, each group's destination) is not asked of the file.
 */
import { strict as assert } from "node:assert";
import { AccelerationMode, StatusUpdateInterval } from "@aws-sdk/client-mediaconvert";
import { parseSettingsFile, SettingsFileSchema } from "../../../lib/watch-folder/settings";
import { DEFAULT_JOB } from "../../../lib/watch-folder/default-job";

const file = (extra: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) =>
  JSON.stringify({
    Settings: {
      OutputGroups: [
        {
          OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS" },
          Outputs: [
            { NameModifier: "_hd", ContainerSettings: { Container: "MP4" }, VideoDescription: { CodecSettings: { Codec: "H_264" } } },
            { NameModifier: "_sd", ContainerSettings: { Container: "MP4" }, VideoDescription: { CodecSettings: { Codec: "H_264" } } },
          ],
        },
      ],
      ...settings,
    },
    ...extra,
  });

function problem(text: string): string {
  const r = parseSettingsFile("jobs/x.json", text);
  assert.equal(r.ok, false, `expected ${text} to be refused`);
  return r.ok ? "" : r.problem;
}

function accepted(text: string) {
  const r = parseSettingsFile("jobs/x.json", text);
  assert.ok(r.ok, r.ok ? "" : r.problem);
}

describe("watch folder: settings files against MediaConvert's rules", () => {
  it("StatusUpdateInterval SECONDS_7 is skipped with the file, the field, the value and every allowed value", () => {
    const p = problem(file({ StatusUpdateInterval: "SECONDS_7" }));
    assert.match(p, /^jobs\/x\.json: StatusUpdateInterval SECONDS_7 is not one of SECONDS_10, SECONDS_12, /);
    for (const v of Object.values(StatusUpdateInterval)) assert.ok(p.includes(v), v);
    accepted(file({ StatusUpdateInterval: "SECONDS_12" }));
  });

  it("Priority: 99 and -51 are refused, -50 and 50 accepted", () => {
    assert.match(problem(file({ Priority: 99 })), /jobs\/x\.json: Priority 99 is not from -50 to 50/);
    assert.match(problem(file({ Priority: -51 })), /Priority -51 is not from -50 to 50/);
    accepted(file({ Priority: -50 }));
    accepted(file({ Priority: 50 }));
  });

  it("AccelerationSettings.Mode BOGUS is refused with the SDK's modes", () => {
    const p = problem(file({ AccelerationSettings: { Mode: "BOGUS" } }));
    assert.match(p, /AccelerationSettings\.Mode BOGUS is not one of /);
    assert.ok(p.endsWith(Object.values(AccelerationMode).join(", ")), p);
  });

  it("a bad codec inside an output names its full member path", () => {
    const text = JSON.parse(file());
    text.Settings.OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.Codec = "DIVX";
    assert.match(
      problem(JSON.stringify(text)),
      /^jobs\/x\.json: Settings\.OutputGroups\[0\]\.Outputs\[1\]\.VideoDescription\.CodecSettings\.Codec DIVX is not one of AV1, /,
    );
  });

  it("what the watch folder fills in is not asked of the file; what it cannot fill in is refused", () => {
    // Role and Queue are ignored, the upload replaces the first FileInput, groups get their destination object.
    accepted(
      file(
        { Role: "ignored", Queue: "not an arn/", ClientRequestToken: 5 },
        { Inputs: [{ FileInput: "C:\\clip.mov", TimecodeSource: "ZEROBASED" }] },
      ),
    );
    assert.match(
      problem(file({}, { Inputs: [{ VideoGenerator: { Duration: 1000 } }] })),
      /Settings\.Inputs\[0\]\.VideoGenerator cannot be combined with a file input/,
    );
    assert.match(
      problem(file({}, { Inputs: [{ TimecodeSource: "FROM_WALL_CLOCK" }] })),
      /Settings\.Inputs\[0\]\.TimecodeSource FROM_WALL_CLOCK is not one of EMBEDDED, /,
    );
    const noModifier = JSON.parse(file());
    delete noModifier.Settings.OutputGroups[0].Outputs[0].NameModifier;
    assert.match(
      problem(JSON.stringify(noModifier)),
      /Settings\.OutputGroups\[0\]\.Outputs\[0\]\.NameModifier is required when a group has more than one output/,
    );
  });

  it("a missing Settings is reported once, with what belongs there", () => {
    const p = problem(JSON.stringify({ Priority: 1 }));
    assert.equal(p, `jobs/x.json: Settings is required: the job settings object (what MediaConvert's "Export JSON" puts under "Settings")`);
  });

  it("many problems: the first five, then how many more", () => {
    const text = JSON.parse(
      file({
        Priority: 99,
        StatusUpdateInterval: "S",
        BillingTagsSource: "X",
        SimulateReservedQueue: "Y",
        AccelerationSettings: {},
        UserMetadata: { a: 1, b: 2 },
      }),
    );
    const p = problem(JSON.stringify(text));
    assert.equal(p.split("; ").length, 5, p);
    assert.match(p, /\(and 2 more\)$/);
  });

  it("the bundled default job passes", () => {
    assert.ok(SettingsFileSchema.safeParse(DEFAULT_JOB).success);
    accepted(JSON.stringify(DEFAULT_JOB));
  });
});
