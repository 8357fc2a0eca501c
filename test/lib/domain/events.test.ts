import { strict as assert } from "node:assert";
import * as path from "node:path";
import fc from "fast-check";
import { parseEvent, readMcEvent, type McEvent } from "../../../lib/domain/events";
import { decodeStreamRecord, encodeStreamRecord, makeStreamRecord } from "../../../lib/domain/stream-record";
import { reduceEvents } from "../../../lib/domain/reducer";
import { buildJobUpdate } from "../../../lib/domain/job-update";

/** DynamoDB rejects an update whose names/values are not all used, or that uses one it does not define. */
function assertWellFormedUpdate(u: ReturnType<typeof buildJobUpdate>): void {
  const text = `${u.UpdateExpression} ${u.ConditionExpression}`;
  for (const ph of Object.keys(u.ExpressionAttributeNames)) assert.ok(new RegExp(`${ph}(?![0-9])`).test(text), `unused name ${ph}`);
  for (const ph of Object.keys(u.ExpressionAttributeValues)) assert.ok(new RegExp(`${ph}(?![0-9])`).test(text), `unused value ${ph}`);
  for (const ph of text.match(/[#:][a-z]\d+/g) ?? []) {
    assert.ok(ph in u.ExpressionAttributeNames || ph in u.ExpressionAttributeValues, `undefined placeholder ${ph}`);
  }
  const noNull = (v: unknown, at: string): void => {
    assert.ok(v !== null && v !== undefined, `null/undefined value at ${at}`);
    if (typeof v === "object" && !(v instanceof Set)) for (const [k, x] of Object.entries(v as object)) noNull(x, `${at}.${k}`);
  };
  for (const [ph, v] of Object.entries(u.ExpressionAttributeValues)) noNull(v, ph);
}
import { fixtureFiles, loadFixture, raw } from "../../support/timeline";

function ok(r: ReturnType<typeof parseEvent>): McEvent {
  if (!r.ok) assert.fail(`expected ok, got ${r.kind}: ${r.reason}`);
  return r.event;
}
function rejected(r: ReturnType<typeof parseEvent>) {
  if (r.ok) assert.fail(`expected a rejection, got ${r.event.status}`);
  return r;
}
const byName = (name: string) => loadFixture(name);

describe("events: parseEvent on the real examples", () => {
  for (const file of fixtureFiles()) {
    it(`parses ${path.basename(file)}`, () => {
      const fixture = loadFixture(file);
      const e = ok(parseEvent(fixture));
      const detail = fixture.detail as Record<string, unknown>;
      assert.equal(e.jobId, detail.jobId);
      assert.equal(e.status, detail.status);
      assert.equal(e.timestamp, detail.timestamp);
      assert.equal(e.eventKey, `${String(detail.timestamp).padStart(13, "0")}#${detail.status}#${fixture.id}`);
    });
  }

  it("STATUS_UPDATE: percent, phase, per-phase percent, frames, retries", () => {
    const e = ok(parseEvent(byName("status_update-awsdoc-1.json")));
    assert.equal(e.status, "STATUS_UPDATE");
    if (e.status !== "STATUS_UPDATE") return;
    assert.deepEqual(
      [e.percentComplete, e.currentPhase, e.framesDecoded, e.retryCount, e.phasePercentComplete],
      [7, "TRANSCODING", 353, 0, { PROBING: 100, TRANSCODING: 2, UPLOADING: 0 }],
    );
  });

  it("the 2018 STATUS_UPDATE with only framesDecoded is accepted", () => {
    const e = ok(parseEvent(raw("1515368087458-qnoxtd", "x", { timestamp: 1515368120764, status: "STATUS_UPDATE", framesDecoded: 120 })));
    assert.ok(e.status === "STATUS_UPDATE" && e.framesDecoded === 120 && e.percentComplete === undefined);
  });

  it('NEW_WARNING\'s string code "000000" becomes the number 0', () => {
    const e = ok(parseEvent(byName("new_warning-awsdoc-1.json")));
    assert.ok(e.status === "NEW_WARNING");
    assert.equal(e.warningCode, 0);
    assert.equal(e.warningMessage, "Example warning message");
  });

  it("numbers as strings are read as numbers (error code, percent, timestamp)", () => {
    const e = ok(
      parseEvent(
        raw("1700000000000-aaa000", "x", { timestamp: "1700000001000", status: "ERROR", errorCode: "1401", errorMessage: "denied" }),
      ),
    );
    assert.ok(e.status === "ERROR");
    assert.deepEqual([e.timestamp, e.errorCode], [1700000001000, 1401]);
  });

  it("QVBR names: averageQVBRScore and qvbrAvgQuality both land in qvbrAvgQuality", () => {
    const doc = ok(parseEvent(byName("complete-awsdoc-2.json")));
    const real = ok(parseEvent(byName("complete-awsdoc-1.json")));
    assert.ok(doc.status === "COMPLETE" && real.status === "COMPLETE");
    assert.deepEqual([doc.outputs[0].qvbrAvgQuality, doc.outputs[0].qvbrMinQuality, doc.outputs[0].qvbrMaxQuality], [7.38, 7, 8]);
    assert.deepEqual([real.outputs[0].qvbrAvgQuality, real.outputs[0].qvbrMinQuality, real.outputs[0].qvbrMaxQuality], [7.38, 7, 8]);
  });

  it("DASH outputs without outputFilePaths and audio-only outputs are kept, with the group's playlists", () => {
    const e = ok(parseEvent(byName("complete-awsdoc-10.json")));
    assert.ok(e.status === "COMPLETE");
    assert.equal(e.outputs.length, 2);
    assert.deepEqual(e.outputs[0].paths, []);
    assert.deepEqual(e.outputs[0].playlistPaths, ["s3://bucket/dash/1.mpd"]);
    assert.deepEqual(e.outputs[1], {
      groupType: "DASH_ISO_GROUP",
      paths: [],
      playlistPaths: ["s3://bucket/dash/1.mpd"],
      durationMs: 180053,
    });
  });

  it("jobId in detail wins over a different job in resources; the ARN is rebuilt from the detail", () => {
    const e = ok(parseEvent(byName("complete-awsdoc-2.json")));
    assert.equal(e.jobId, "1536964333549-opn151");
    assert.equal(e.arn, "arn:aws:mediaconvert:us-west-2:111122223333:jobs/1536964333549-opn151");
  });

  it("INPUT_INFORMATION: input uri, first video stream, audio streams", () => {
    const e = ok(parseEvent(byName("input_information-awsdoc-1.json")));
    assert.ok(e.status === "INPUT_INFORMATION");
    assert.deepEqual(e.inputs[0], {
      uri: "s3://DOC-EXAMPLE-BUCKET/file/file.mp4",
      video: {
        codec: "H_264",
        width: 1920,
        height: 1080,
        frameRate: 24,
        bitDepth: 8,
        colorFormat: "YUV_420",
        interlaceMode: "PROGRESSIVE",
      },
      audio: [{ codec: "AAC", channels: 2, sampleRate: 44100, language: "UND" }],
    });
  });

  it("extra keys anywhere are ignored; a missing timestamp falls back to the envelope time", () => {
    const r = raw("1700000000000-aaa000", "x", { timestamp: 1, status: "PROGRESSING", brandNew: { x: 1 } }) as Record<string, any>;
    delete r.detail.timestamp;
    r.time = "2024-01-01T00:00:00Z";
    r.extraTop = true;
    const e = ok(parseEvent(r));
    assert.equal(e.timestamp, Date.parse("2024-01-01T00:00:00Z"));
  });

  it("the documentation examples that reuse one id get distinct keys per status", () => {
    const keys = fixtureFiles().map((f) => ok(parseEvent(loadFixture(f))).eventKey);
    const progressing = ok(parseEvent(byName("progressing-awsdoc-1.json")));
    const update = ok(parseEvent(byName("status_update-awsdoc-1.json")));
    assert.equal(progressing.eventId, update.eventId);
    assert.notEqual(progressing.eventKey, update.eventKey);
    assert.ok(new Set(keys).size < keys.length, "the spliced COMPLETE examples do share one key (same event)");
  });
});

describe("events: rejections name the field and the problem", () => {
  const base = () => raw("1700000000000-aaa000", "x", { timestamp: 1_700_000_001_000, status: "STATUS_UPDATE" }) as Record<string, any>;

  it("a wrong type inside the detail", () => {
    const r = base();
    r.detail.jobProgress = { jobPercentComplete: "lots" };
    assert.deepEqual(rejected(parseEvent(r)), {
      ok: false,
      kind: "malformed",
      reason: 'detail.jobProgress.jobPercentComplete: expected a number, got "lots"',
    });
  });

  it("a missing status, a missing job id, a missing detail", () => {
    const a = base();
    delete a.detail.status;
    assert.equal(rejected(parseEvent(a)).reason, "detail.status: missing");
    const b = base();
    delete b.detail.jobId;
    b.resources = [];
    assert.match(rejected(parseEvent(b)).reason, /^detail\.jobId: missing/);
    const c = base();
    delete c.detail;
    assert.equal(rejected(parseEvent(c)).reason, "detail: missing");
  });

  it("a job id of another shape than MediaConvert's is malformed, naming what is wrong with it", () => {
    for (const [jobId, fault] of [
      [`1700000000000-${"x".repeat(500)}`, /it has 514 characters, not 20/],
      ["../../../etc/passwd", /path separator/],
      ["1700000000000-aaa000/../bbb000", /path separator/],
      ["1700000000000-AAA000", /upper-case/],
      ["job-1", /it has 5 characters/],
    ] as const) {
      const r = base();
      r.detail.jobId = jobId;
      const x = rejected(parseEvent(r));
      assert.equal(x.kind, "malformed", jobId);
      assert.match(x.reason, /^detail\.jobId: ".*" is not a MediaConvert job id/, jobId);
      assert.match(x.reason, fault, jobId);
    }
  });

  it("a job ARN in resources taken for a missing detail.jobId must be a valid one", () => {
    const fromArn = base();
    delete fromArn.detail.jobId;
    assert.equal(ok(parseEvent(fromArn)).jobId, "1700000000000-aaa000");
    for (const arn of [
      "arn:aws:mediaconvert:us-west-2:111122223333:jobs/../1700000000000-aaa000",
      "arn:aws:mediaconvert:us-west-2::jobs/1700000000000-aaa000",
      "arn:aws-cn:mediaconvert:us-west-2:111122223333:jobs/1700000000000-aaa000",
    ]) {
      const r = base();
      delete r.detail.jobId;
      r.resources = [arn];
      assert.match(rejected(parseEvent(r)).reason, /^resources: /, arn);
    }
  });

  it("a queue ARN, account id or region of the wrong shape is malformed", () => {
    const q = base();
    q.detail.queue = "Default";
    assert.match(rejected(parseEvent(q)).reason, /^detail\.queue: "Default" is not a MediaConvert queue ARN/);
    const a = base();
    a.detail.accountId = "1111";
    assert.match(rejected(parseEvent(a)).reason, /^detail\.accountId: "1111" is not a 12-digit AWS account id/);
    const g = base();
    g.region = "Mars";
    assert.match(rejected(parseEvent(g)).reason, /^region: "Mars" is not an AWS region name/);
  });

  it("the rebuilt job ARN is in the region's partition", () => {
    const r = base();
    r.region = "cn-north-1";
    r.detail.queue = "arn:aws-cn:mediaconvert:cn-north-1:111122223333:queues/Default";
    assert.equal(ok(parseEvent(r)).arn, "arn:aws-cn:mediaconvert:cn-north-1:111122223333:jobs/1700000000000-aaa000");
  });

  it("an unknown status is recognised as such", () => {
    const r = base();
    r.detail.status = "TELEPORTING";
    const x = rejected(parseEvent(r));
    assert.equal(x.kind, "unknown-status");
    assert.match(x.reason, /^detail\.status: "TELEPORTING" is not a known MediaConvert job status/);
  });

  it("other detail-types and sources are reported, not crashed on", () => {
    const r = base();
    r["detail-type"] = "MediaConvert Queue State Change";
    assert.equal(rejected(parseEvent(r)).kind, "other-detail-type");
    const s = base();
    s.source = "aws.s3";
    assert.deepEqual(rejected(parseEvent(s)), { ok: false, kind: "other-detail-type", reason: 'source: "aws.s3" is not aws.mediaconvert' });
  });

  it("non-objects", () => {
    for (const v of [null, 3, "x", [], undefined]) assert.equal(rejected(parseEvent(v)).kind, "malformed");
  });

  it("a bad element deep in a list is named with its index; a single item where a list belongs is accepted", () => {
    const bad = raw("1700000000000-aaa000", "x", {
      timestamp: 5,
      status: "COMPLETE",
      outputGroupDetails: [{ type: "FILE_GROUP", outputDetails: [{ outputFilePaths: ["s3://a", {}] }] }],
    });
    assert.equal(
      rejected(parseEvent(bad)).reason,
      "detail.outputGroupDetails[0].outputDetails[0].outputFilePaths[1]: expected a string, got an object",
    );
    const single = ok(
      parseEvent(
        raw("1700000000000-aaa000", "x", {
          timestamp: 5,
          status: "INPUT_INFORMATION",
          inputDetails: { uri: "s3://in", video: { codec: "H_264", width: "1920" } },
        }),
      ),
    );
    assert.ok(single.status === "INPUT_INFORMATION");
    assert.deepEqual(single.inputs, [{ uri: "s3://in", video: { codec: "H_264", width: 1920 } }]);
  });

  it("a NEW_WARNING code that is not a number", () => {
    const r = raw("1700000000000-aaa000", "x", { timestamp: 5, status: "NEW_WARNING", warningCode: "W-12" });
    assert.equal(rejected(parseEvent(r)).reason, 'detail.warningCode: expected a number, got "W-12"');
  });
});

describe("events: fuzz", () => {
  const fixtures = fixtureFiles().map((f) => loadFixture(f));
  const anyJson = fc.jsonValue({ maxDepth: 3 });

  /** Replaces the value at a random path of a JSON object with another value (or deletes it). */
  function mutate(obj: unknown, pathSeed: number[], replacement: unknown, del: boolean): unknown {
    const clone = JSON.parse(JSON.stringify(obj));
    let node: any = clone;
    for (let depth = 0; depth < pathSeed.length; depth++) {
      if (node === null || typeof node !== "object") break;
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[pathSeed[depth] % keys.length];
      const last = depth === pathSeed.length - 1 || node[key] === null || typeof node[key] !== "object";
      if (last) {
        if (del) delete node[key];
        else node[key] = replacement;
        break;
      }
      node = node[key];
    }
    return clone;
  }

  it("mutated real events never throw: always ok, or a rejection with a reason", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: fixtures.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        anyJson,
        fc.boolean(),
        (i, pathSeed, replacement, del) => {
          const r = parseEvent(mutate(fixtures[i], pathSeed, replacement, del));
          if (r.ok) {
            assert.ok(r.event.jobId && Number.isFinite(r.event.timestamp));
            assert.doesNotThrow(() => reduceEvents([r.event]));
            assertWellFormedUpdate(buildJobUpdate(r.event, { ttlSeconds: 60 }));
          } else {
            assert.ok(["malformed", "unknown-status", "other-detail-type"].includes(r.kind));
            assert.ok(r.reason.length > 5 && /:/.test(r.reason), `reason should name a field: ${r.reason}`);
            assert.ok(!r.reason.startsWith("could not read the event"), `parseEvent hit an internal error: ${r.reason}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("arbitrary JSON never throws", () => {
    fc.assert(
      fc.property(anyJson, (v) => assert.doesNotThrow(() => parseEvent(v))),
      { numRuns: 500 },
    );
  });
});

describe("stream record", () => {
  it("round-trips through bytes and base64 and validates the job record", () => {
    const e = ok(parseEvent(loadFixture("status_update-awsdoc-1.json")));
    const rec = makeStreamRecord(e, reduceEvents([e]), 123);
    const bytes = encodeStreamRecord(rec);
    const back = decodeStreamRecord(bytes);
    assert.ok(back.ok);
    assert.deepEqual(back.record, rec);
    const b64 = decodeStreamRecord(Buffer.from(bytes).toString("base64"));
    assert.ok(b64.ok);
    assert.ok(readMcEvent(rec.event).ok);
  });

  it("rejects records with a reason naming the field", () => {
    const e = ok(parseEvent(loadFixture("status_update-awsdoc-1.json")));
    const rec = JSON.parse(JSON.stringify(makeStreamRecord(e, reduceEvents([e]), 1)));
    rec.job.status = "DONE";
    const r = decodeStreamRecord(Buffer.from(JSON.stringify(rec)));
    assert.ok(!r.ok);
    assert.match(r.reason, /^job\.status: /);
    const notJson = decodeStreamRecord(Buffer.from("{"));
    assert.ok(!notJson.ok && /not JSON/.test(notJson.reason));
  });
});
