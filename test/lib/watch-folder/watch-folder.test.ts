/**
 * The watch folder's pure parts: S3 notification parsing (key decoding, filtering), settings-file validation and
 * CreateJob request building — example cases plus fast-check properties.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { decodeS3Key, encodeS3Key, isInputKey, parseS3Event } from "../../../lib/watch-folder/s3-event";
import { isSettingsKey, parseSettingsFile, SettingsFileSchema } from "../../../lib/watch-folder/settings";
import { buildCreateJobRequest, outputPrefix, requestToken, safePath } from "../../../lib/watch-folder/request";
import { DEFAULT_JOB } from "../../../lib/watch-folder/default-job";
import { s3Event } from "../../../tools/twin/twin";
import { loadWatchFolderConfig } from "../../../lib/watch-folder/config";

function record(key: string, extra: Record<string, unknown> = {}) {
  return {
    eventSource: "aws:s3",
    eventName: "ObjectCreated:Put",
    awsRegion: "eu-west-1",
    s3: { bucket: { name: "watch-bucket" }, object: { key, size: 10, eTag: '"abc"', sequencer: "0A1", ...extra } },
  };
}

const upload = { bucket: "watch-bucket", key: "inputs/a.mp4", eTag: "abc", sequencer: "01" };
const app = { application: "mcjobs", roleArn: "arn:aws:iam::111122223333:role/mc", outputBucket: "media-bucket" };

describe("watch folder: S3 notifications", () => {
  it("decodes keys as S3 encodes them: '+' is a space, %2B a plus, UTF-8 percent-encoded", () => {
    assert.equal(decodeS3Key("inputs/My+clip+%2B+more.mp4"), "inputs/My clip + more.mp4");
    assert.equal(decodeS3Key("inputs/caf%C3%A9+%E6%97%A5%E6%9C%AC.mov"), "inputs/café 日本.mov");
    assert.equal(decodeS3Key("inputs/100%25.mp4"), "inputs/100%.mp4");
    assert.equal(decodeS3Key("inputs/bad%E0%A4.mp4"), undefined, "broken UTF-8 is refused, not guessed");
  });

  it("keeps uploads under inputs/ only, skips folder markers, other prefixes and non-create events with a reason", () => {
    const parsed = parseS3Event({
      Records: [
        record("inputs/clip+1.mp4", { versionId: "v1" }),
        record("inputs/"),
        record("inputs/sub/"),
        record("jobs/hls.json"),
        { ...record("inputs/gone.mp4"), eventName: "ObjectRemoved:Delete" },
        record("inputs/%E0%A4"),
        { hello: "world" },
      ],
    });
    assert.deepEqual(parsed.uploads, [
      { bucket: "watch-bucket", key: "inputs/clip 1.mp4", versionId: "v1", eTag: "abc", sequencer: "0A1", size: 10, region: "eu-west-1" },
    ]);
    assert.deepEqual(
      parsed.skipped.map((s) => [s.index, s.reason.split(" ")[0]]),
      [
        [1, "a"],
        [2, "a"],
        [3, "not"],
        [4, "ObjectRemoved:Delete"],
        [5, "the"],
        [6, "not"],
      ],
    );
    assert.match(parsed.skipped[2].reason, /not under inputs\//);
  });

  it("an S3 test event is nothing to do; something that is not an S3 notification is refused with what arrived", () => {
    assert.deepEqual(parseS3Event({ Service: "Amazon S3", Event: "s3:TestEvent" }), { uploads: [], skipped: [] });
    assert.throws(() => parseS3Event({ detail: {} }), /Not an S3 event notification.*"detail"/);
  });

  it("property: any key survives the twin's encoding and ours, and is kept exactly when it is a file under inputs/", () => {
    const keyChar = fc.oneof(
      fc.constantFrom(" ", "+", "%", "/", "é", "日", "😀", "#", "?", "&", "=", "'", "(", ")", "*", "!", "~"),
      fc.string({ minLength: 1, maxLength: 3 }),
    );
    const key = fc.tuple(
      fc.constantFrom("inputs/", "inputs/x/", "jobs/", "", "input/"),
      fc.array(keyChar, { maxLength: 8 }).map((a) => a.join("")),
    );
    fc.assert(
      fc.property(key, ([prefix, rest]) => {
        const k = prefix + rest;
        if (k.length === 0 || k.length > 1024 || /[\uD800-\uDFFF]/.test(k.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""))) return;
        assert.equal(decodeS3Key(encodeS3Key(k)), k);
        const twin = s3Event("watch-bucket", k, 1, '"e"');
        const parsed = parseS3Event(twin);
        if (isInputKey(k))
          assert.deepEqual(
            parsed.uploads.map((u) => u.key),
            [k],
          );
        else assert.equal(parsed.uploads.length, 0);
        assert.equal(parsed.uploads.length + parsed.skipped.length, 1);
      }),
      { numRuns: 500 },
    );
  });

  it("property: arbitrary JSON never crashes the parser; only non-notifications throw", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ Records: fc.array(fc.jsonValue(), { maxLength: 4 }) })), (v) => {
        try {
          const r = parseS3Event(v);
          assert.ok(Array.isArray(r.uploads) && Array.isArray(r.skipped));
        } catch (e) {
          assert.match((e as Error).message, /Not an S3 event notification/);
          assert.ok(!(v && typeof v === "object" && Array.isArray((v as { Records?: unknown }).Records)));
        }
      }),
    );
  });
});

describe("watch folder: settings files", () => {
  const good = {
    Settings: {
      OutputGroups: [
        { Name: "File", OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS" }, Outputs: [{ ContainerSettings: { Container: "MP4" } }] },
      ],
    },
  };

  it("accepts a minimal file and tolerates extra keys anywhere", () => {
    const r = parseSettingsFile("jobs/a.json", JSON.stringify({ ...good, Queue: "ignored", Role: "ignored", SomethingNew: 1 }));
    assert.ok(r.ok, !r.ok ? r.problem : "");
  });

  it("names the file and the field in each problem", () => {
    const cases: [string, RegExp][] = [
      ["{", /jobs\/x.json: not valid JSON/],
      ["[]", /jobs\/x.json: must hold a JSON object.*a list/],
      ["{}", /jobs\/x.json: Settings is required/],
      [JSON.stringify({ Settings: { OutputGroups: [] } }), /Settings.OutputGroups needs at least one output group/],
      [
        JSON.stringify({ Settings: { OutputGroups: [{ OutputGroupSettings: { Type: "ZIP" }, Outputs: [{}] }] } }),
        /Settings.OutputGroups\[0\].OutputGroupSettings.Type ZIP is not one of .*FILE_GROUP_SETTINGS/,
      ],
      [JSON.stringify({ ...good, Priority: 99 }), /Priority 99 is not from -50 to 50/],
      [JSON.stringify({ ...good, Settings: { ...good.Settings, Inputs: [{}, {}] } }), /more than one input/],
      [JSON.stringify({ ...good, JobTemplate: "t" }), /JobTemplate is not supported/],
      [JSON.stringify({ ...good, UserMetadata: { a: 1 } }), /UserMetadata.a 1 is not text/],
      [
        JSON.stringify({
          Settings: { OutputGroups: [{ OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", HlsGroupSettings: {} }, Outputs: [{}] }] },
        }),
        /Type FILE_GROUP_SETTINGS but carries HlsGroupSettings/,
      ],
    ];
    for (const [text, expected] of cases) {
      const r = parseSettingsFile("jobs/x.json", text);
      assert.equal(r.ok, false, text);
      if (!r.ok) assert.match(r.problem, expected);
    }
  });

  it("the bundled default job passes the same validation", () => {
    assert.ok(SettingsFileSchema.safeParse(DEFAULT_JOB).success);
    const types = DEFAULT_JOB.Settings.OutputGroups.map((g) => g.OutputGroupSettings.Type);
    assert.deepEqual(types, ["HLS_GROUP_SETTINGS", "FILE_GROUP_SETTINGS", "FILE_GROUP_SETTINGS"]);
  });

  it("settings keys are jobs/<name>.json directly under jobs/", () => {
    assert.ok(isSettingsKey("jobs/HLS ladder.json"));
    assert.ok(!isSettingsKey("jobs/old/hls.json"));
    assert.ok(!isSettingsKey("jobs/readme.txt"));
    assert.ok(!isSettingsKey("inputs/x.json"));
  });

  it("property: any JSON is accepted or refused with a message naming the file, never a crash", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ maxLength: 20 }), (v, tail) => {
        const text = JSON.stringify(v) ?? "null";
        for (const t of [text, text + tail]) {
          const r = parseSettingsFile("jobs/f.json", t);
          if (!r.ok) assert.ok(r.problem.startsWith("jobs/f.json: "), r.problem);
          else assert.ok(r.file.Settings.OutputGroups.length >= 1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("watch folder: CreateJob request", () => {
  const settings = (
    parseSettingsFile(
      "jobs/hls.json",
      JSON.stringify({
        Settings: {
          Inputs: [{ AudioSelectors: { "Audio Selector 1": { DefaultSelection: "DEFAULT" } }, FileInput: "s3://elsewhere/x.mp4" }],
          OutputGroups: [
            {
              Name: "Apple HLS",
              OutputGroupSettings: {
                Type: "HLS_GROUP_SETTINGS",
                HlsGroupSettings: { SegmentLength: 6, Destination: "s3://public-bucket/" },
              },
              Outputs: [{}],
            },
            {
              Name: "Apple HLS",
              OutputGroupSettings: { Type: "HLS_GROUP_SETTINGS", HlsGroupSettings: { SegmentLength: 2 } },
              Outputs: [{}],
            },
            { OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS" }, Outputs: [{}] },
          ],
        },
        Priority: 5,
        UserMetadata: { team: "promo", application: "someone-else" },
        Queue: "arn:aws:mediaconvert:us-east-1:111122223333:queues/Other",
        Role: "arn:aws:iam::999999999999:role/Wide",
        Id: "exported-from-get-job",
      }),
    ) as { ok: true; file: any }
  ).file;

  it("input is the upload, destinations are in the media bucket per input and group, role/queue/metadata are ours", () => {
    const r = buildCreateJobRequest({
      ...app,
      upload: { ...upload, key: "inputs/shows/ep 1.mov" },
      settingsName: "jobs/hls.json",
      settings,
      queueArn: "arn:aws:mediaconvert:eu-west-1:111122223333:queues/Ours",
    });
    const s = r.Settings as any;
    assert.deepEqual(s.Inputs, [
      { AudioSelectors: { "Audio Selector 1": { DefaultSelection: "DEFAULT" } }, FileInput: "s3://watch-bucket/inputs/shows/ep 1.mov" },
    ]);
    assert.deepEqual(
      s.OutputGroups.map(
        (g: any) => g.OutputGroupSettings.HlsGroupSettings?.Destination ?? g.OutputGroupSettings.FileGroupSettings?.Destination,
      ),
      [
        "s3://media-bucket/outputs/shows/ep 1.mov/hls/apple-hls/",
        "s3://media-bucket/outputs/shows/ep 1.mov/hls/apple-hls-2/",
        "s3://media-bucket/outputs/shows/ep 1.mov/hls/file/",
      ],
    );
    assert.equal(s.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.SegmentLength, 6, "the group's other settings are kept");
    assert.equal(r.Role, app.roleArn);
    assert.equal(r.Queue, "arn:aws:mediaconvert:eu-west-1:111122223333:queues/Ours");
    assert.deepEqual(r.UserMetadata, { team: "promo", application: "mcjobs", input: "inputs/shows/ep 1.mov", settings: "jobs/hls.json" });
    assert.equal(r.Priority, 5);
    assert.equal((r as any).Id, undefined, "keys CreateJob does not take are dropped");
    assert.match(r.ClientRequestToken, /^[0-9a-f]{64}$/);
    // The shared settings object is not changed by building a request from it.
    assert.equal(settings.Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.Destination, "s3://public-bucket/");
  });

  it("no queue configured: no Queue in the request (MediaConvert uses the Default queue)", () => {
    const r = buildCreateJobRequest({ ...app, upload, settingsName: "default", settings: DEFAULT_JOB });
    assert.equal("Queue" in r, false);
  });

  it("the token is the same for a re-delivery and differs for another version, object, bucket or settings file", () => {
    const t = requestToken({ ...upload, versionId: "v1" }, "jobs/a.json");
    assert.equal(
      requestToken({ ...upload, versionId: "v1", sequencer: "other" }, "jobs/a.json"),
      t,
      "versioned: the version is the identity",
    );
    const others = [
      requestToken({ ...upload, versionId: "v2" }, "jobs/a.json"),
      requestToken({ ...upload, key: "inputs/b.mp4", versionId: "v1" }, "jobs/a.json"),
      requestToken({ ...upload, bucket: "other", versionId: "v1" }, "jobs/a.json"),
      requestToken({ ...upload, versionId: "v1" }, "jobs/b.json"),
      requestToken(upload, "jobs/a.json"),
    ];
    assert.equal(new Set([t, ...others]).size, 6);
    // Unversioned bucket: ETag + sequencer tell a new upload from a re-delivery.
    assert.equal(requestToken(upload, "x"), requestToken({ ...upload }, "x"));
    assert.notEqual(requestToken(upload, "x"), requestToken({ ...upload, sequencer: "02" }, "x"));
    assert.notEqual(requestToken(upload, "x"), requestToken({ ...upload, eTag: "def" }, "x"));
  });

  it("property: output prefixes stay under outputs/, never climb with '..', and differ for different inputs", () => {
    const name = fc.oneof(
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.constantFrom("a#b.mp4", "a?b.mp4", "a_b.mp4", "clip.mov", "clip.mp4", "../x", "./x"),
    );
    fc.assert(
      fc.property(name, name, fc.string({ minLength: 1, maxLength: 12 }), (a, b, settingsName) => {
        const p = outputPrefix(`inputs/${a}`, `jobs/${settingsName}.json`);
        assert.ok(p.startsWith("outputs/") && p.endsWith("/"));
        assert.ok(!p.split("/").some((seg) => seg === ".." || seg === "."), p);
        assert.ok(!/[#?%+&"\\]/.test(p) && !/\p{Cc}/u.test(p), p);
        if (a !== b) assert.notEqual(outputPrefix(`inputs/${b}`, `jobs/${settingsName}.json`), p, `${a} and ${b} share outputs`);
      }),
      { numRuns: 400 },
    );
    assert.equal(safePath("a#b?c"), "a_b_c");
    assert.match(outputPrefix("inputs/../x.mp4", "jobs/a.json"), /^outputs\/_\/x\.mp4-[0-9a-f]{8}\/a\/$/);
  });
});

describe("watch folder: handler configuration", () => {
  const good = {
    JOBS_TABLE: "jobs",
    QUEUES_TABLE: "queues",
    TABLE_TTL_DAYS: "30",
    APPLICATION: "mcjobs",
    MEDIACONVERT_ROLE_ARN: "arn:aws:iam::111122223333:role/mc",
    WATCH_BUCKET: "watch-bucket",
    OUTPUT_BUCKET: "media-bucket",
  };
  it("reads a complete environment; the queue is optional", () => {
    const c = loadWatchFolderConfig(good);
    assert.deepEqual([c.ttlSeconds, c.queueArn, c.roleArn], [30 * 86_400, undefined, good.MEDIACONVERT_ROLE_ARN]);
    assert.equal(
      loadWatchFolderConfig({ ...good, MEDIACONVERT_QUEUE_ARN: "arn:aws:mediaconvert:eu-west-1:111122223333:queues/Q" }).queueArn,
      "arn:aws:mediaconvert:eu-west-1:111122223333:queues/Q",
    );
  });
  it("names every missing or bad variable with its value and what it must be", () => {
    const { JOBS_TABLE: _j, ...missing } = good;
    assert.throws(
      () => loadWatchFolderConfig({ ...missing, MEDIACONVERT_ROLE_ARN: "mc-role", MEDIACONVERT_QUEUE_ARN: "Default" }),
      (e: Error) => {
        assert.match(e.message, /JOBS_TABLE \(not set\): must name the Jobs table/);
        assert.match(e.message, /MEDIACONVERT_ROLE_ARN = "mc-role": must be an IAM role ARN/);
        assert.match(e.message, /MEDIACONVERT_QUEUE_ARN = "Default": must be a MediaConvert queue ARN/);
        return true;
      },
    );
  });
});
