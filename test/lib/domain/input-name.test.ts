import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  INPUT_NAME_MAX,
  inputFileName,
  inputIndexKey,
  inputPrefixCondition,
  normalizeInputName,
  recordInputUri,
  SEPARATOR as SEP,
} from "../../../lib/domain/input-name";
import { mergeStored, toJobRecord } from "../../../lib/domain/job-update";
import { foldEvents, recordOf } from "../../../lib/domain/reducer";
import { submittedEvent } from "../../../lib/domain/job-source";
import type { McEvent } from "../../../lib/domain/events";
import { mustParse, raw, specArb, timeline } from "../../support/timeline";

const JOB = "1717000000000-abc123";

/** A name segment without "/" or control characters (what a file name can be). */
const nameChar = fc.oneof(
  fc.constantFrom(..."abcXYZ019 ._-#%?+ßİéÉ"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }).filter((c) => !c.includes("/") && !/\p{Cc}/u.test(c)),
);
const fileName = fc.array(nameChar, { minLength: 1, maxLength: 30 }).map((a) => a.join(""));

describe("input-name: the byInputName key", () => {
  it("the file name is the URI's last path segment; an http(s) query or fragment is not part of it", () => {
    assert.equal(inputFileName("s3://bucket/in/Movie.MOV"), "Movie.MOV");
    assert.equal(inputFileName("s3://bucket/Movie.MOV"), "Movie.MOV");
    assert.equal(inputFileName("https://cdn.example.com/a/b/clip.mp4?X-Amz-Signature=abc#t=10"), "clip.mp4");
    assert.equal(inputFileName("s3://bucket/odd?name.mov"), "odd?name.mov", "in an S3 key a ? is part of the name");
    assert.equal(inputFileName("clip.mxf"), "clip.mxf");
    assert.equal(inputFileName("s3://bucket/folder/"), undefined);
    assert.equal(inputFileName("s3://bucket"), undefined);
    assert.equal(inputIndexKey("s3://bucket/folder/", JOB), undefined);
    assert.equal(inputIndexKey(undefined, JOB), undefined);
  });

  it("normalizes letter case, Unicode composition and control characters, and keeps at most INPUT_NAME_MAX", () => {
    assert.equal(normalizeInputName("MoViE.MOV"), "movie.mov");
    assert.equal(normalizeInputName("Cafe\u0301"), normalizeInputName("CAFÉ"), "decomposed and composed é are one name");
    assert.equal(normalizeInputName("a\tb\u0000c\u009f"), "abc");
    assert.equal(Array.from(normalizeInputName("😀".repeat(INPUT_NAME_MAX + 9))).length, INPUT_NAME_MAX);
  });

  it("the partition is the name's first character; the sort key is name, reversed time, job id", () => {
    const key = inputIndexKey("s3://b/in/Zebra Clip.mov", JOB)!;
    assert.equal(key.shard, "z");
    assert.equal(key.nameKey, ["zebra clip.mov", String(9_999_999_999_999 - 1_717_000_000_000).padStart(13, "0"), JOB].join("\u0001"));
    assert.equal(inputIndexKey("s3://b/😀.mov", JOB)!.shard, "😀", "a character outside the BMP is one character");
  });

  it("begins_with(sort key, normalized prefix) holds exactly when the name starts with the prefix, letter case aside", () => {
    fc.assert(
      fc.property(fileName, fileName, fc.nat({ max: 30 }), fc.boolean(), (name, other, cut, usePrefixOfName) => {
        const prefix = usePrefixOfName ? Array.from(name).slice(0, Math.max(1, cut)).join("") : other;
        fc.pre(normalizeInputName(prefix) !== "" && normalizeInputName(name) !== "");
        const key = inputIndexKey(`s3://bucket/dir/${name}`, JOB)!;
        const cond = inputPrefixCondition(prefix);
        const matches = key.shard === cond.shard && key.nameKey.startsWith(cond.beginsWith);
        assert.equal(matches, normalizeInputName(name).startsWith(normalizeInputName(prefix)));
      }),
      { numRuns: 2000 },
    );
    // and the plain-ASCII reading of "case-insensitive", checked without the module's own normalization
    for (const [name, prefix, hit] of [
      ["Movie_01.mov", "MOVIE", true],
      ["movie_01.mov", "Movie_0", true],
      ["Movie.mov", "movies", false],
      ["a.mov", "a.mov/", false],
    ] as const) {
      const key = inputIndexKey(`s3://b/${name}`, JOB)!;
      const cond = inputPrefixCondition(prefix);
      assert.equal(key.shard === cond.shard && key.nameKey.startsWith(cond.beginsWith), hit, `${name} ~ ${prefix}`);
    }
  });

  it("ascending sort keys (DynamoDB compares UTF-8 bytes) list names A→Z and one name's jobs newest first", () => {
    const keys = [
      inputIndexKey("s3://b/b.mov", "1717000000000-old000"),
      inputIndexKey("s3://b/a.mov", "1717000000000-old000"),
      inputIndexKey("s3://b/a.mov", "1717000009999-new000"),
      inputIndexKey("s3://b/a", "1717000000000-x00000"),
      inputIndexKey("s3://b/a.mov", "no-time-prefix"),
    ].map((k) => k!.nameKey);
    const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual(
      sorted.map((k) => k.split("\u0001").at(-1)),
      ["1717000000000-x00000", "1717000009999-new000", "1717000000000-old000", "no-time-prefix", "1717000000000-old000"],
    );
  });

  it("recordInputUri is the URI the job record shows (INPUT_INFORMATION's, else the settings')", () => {
    fc.assert(
      fc.property(specArb, fc.boolean(), fc.boolean(), (spec, withSettings, withInput) => {
        const events: McEvent[] = timeline(spec).filter((e) => withInput || e.status !== "INPUT_INFORMATION");
        if (withSettings) {
          const jobId = events[0].jobId;
          const sub = submittedEvent(
            {
              Id: jobId,
              Arn: `arn:aws:mediaconvert:us-west-2:111122223333:jobs/${jobId}`,
              CreatedAt: new Date(spec.created),
              Settings: { Inputs: [{ FileInput: "s3://b/From Settings.mov" }], OutputGroups: [] },
            },
            {},
          );
          assert.ok(sub.ok);
          events.push(sub.event);
        }
        const state = foldEvents(events);
        assert.equal(recordInputUri(state), recordOf(state).input?.uri);
      }),
      { numRuns: 60 },
    );
  });

  it("mergeStored keeps the key equal to the record's input, moving it when a newer input names another file", () => {
    const jobId = "1717000000000-merge1";
    const info = (t: number, uri?: string) =>
      mustParse(raw(jobId, `id-${t}`, { timestamp: t, status: "INPUT_INFORMATION", inputDetails: [{ id: 1, ...(uri ? { uri } : {}) }] }));
    const sub = submittedEvent(
      { Id: jobId, CreatedAt: new Date(1_717_000_000_000), Settings: { Inputs: [{ FileInput: "s3://b/Settings.mov" }], OutputGroups: [] } },
      { accountId: "111122223333", region: "us-west-2" },
    );
    assert.ok(sub.ok);
    let item = mergeStored(undefined, sub.event);
    assert.equal(item.inputShard, "s");
    item = mergeStored(item, info(1_717_000_100_000, "s3://b/Renamed.mov"));
    assert.match(String(item.inputNameKey), new RegExp(`^renamed\\.mov${SEP}`));
    item = mergeStored(item, info(1_717_000_200_000));
    assert.match(String(item.inputNameKey), new RegExp(`^settings\\.mov${SEP}`), "an input without a URI leaves the settings' name");
    assert.equal(toJobRecord(item).input?.uri, "s3://b/Settings.mov");
    const stale = mergeStored({ ...item, inputShard: "q", inputNameKey: "q" }, info(1_717_000_300_000, "s3://b/Last.mov"));
    assert.match(String(stale.inputNameKey), new RegExp(`^last\\.mov${SEP}`), "a stored key is recomputed, never kept as foreign");
  });
});
