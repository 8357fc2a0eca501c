import { strict as assert } from "node:assert";
import fc from "fast-check";
import { jobDetailsEvent, jobDetailsEventResult, needsJobDetails, submittedEvent } from "../../../lib/domain/job-source";
import { applyEvent, foldEvents, recordOf, reduceEvents } from "../../../lib/domain/reducer";
import { buildJobUpdate, mergeStored, toJobRecord } from "../../../lib/domain/job-update";
import type { McEvent } from "../../../lib/domain/events";
import { QUEUE, QUEUE_B, specArb, timeline, type TimelineSpec } from "../../support/timeline";

/** A MediaConvert `Job` as the SDK returns it (Dates, PascalCase). */
function sdkJob(spec: TimelineSpec, suffix = "000000", status?: string) {
  const start = spec.created + spec.queueWait;
  const end = start + spec.probeMs + spec.transcodeMs + spec.uploadMs;
  return {
    Id: `${spec.created}-${suffix}`,
    Arn: `arn:aws:mediaconvert:us-west-2:111122223333:jobs/${spec.created}-${suffix}`,
    CreatedAt: new Date(spec.created),
    Queue: spec.hop ? QUEUE_B : QUEUE,
    Priority: 5,
    Status: status ?? spec.end,
    UserMetadata: { application: "app" },
    Role: "arn:aws:iam::111122223333:role/mc",
    AccelerationSettings: { Mode: "PREFERRED" },
    Timing: { SubmitTime: new Date(spec.created), StartTime: new Date(start), FinishTime: new Date(end) },
    QueueTransitions: spec.hop
      ? [{ Timestamp: new Date(spec.created + Math.floor(spec.queueWait / 2)), SourceQueue: QUEUE, DestinationQueue: QUEUE_B }]
      : undefined,
    Settings: {
      Inputs: [{ FileInput: "s3://bucket/in.mp4", InputClippings: [{ StartTimecode: "00:00:10:00", EndTimecode: "00:01:00:00" }] }],
      OutputGroups: [
        {
          Name: "File",
          OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", FileGroupSettings: { Destination: "s3://bucket/out/" } },
          Outputs: [{}, {}],
        },
        {
          Name: "HLS",
          OutputGroupSettings: { Type: "HLS_GROUP_SETTINGS", HlsGroupSettings: { Destination: "s3://bucket/hls/" } },
          Outputs: [{}],
        },
      ],
    },
    ErrorCode: spec.end === "ERROR" ? 1401 : undefined,
    ErrorMessage: spec.end === "ERROR" ? "Access denied" : undefined,
  };
}

function submitted(spec: TimelineSpec): McEvent {
  const r = submittedEvent({
    ...sdkJob(spec),
    Status: "SUBMITTED",
    Timing: { SubmitTime: new Date(spec.created) },
    QueueTransitions: undefined,
    Queue: QUEUE,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

describe("job-source: CreateJob/GetJob answers as events", () => {
  const spec: TimelineSpec = {
    created: 1_700_000_000_000,
    queueWait: 30_000,
    probeMs: 5000,
    transcodeMs: 120_000,
    uploadMs: 10_000,
    end: "COMPLETE",
    hop: true,
    warnings: [],
    inputInfoLate: false,
    updateEvery: 30_000,
  };

  it("SUBMITTED from CreateJob: visible as SUBMITTED with submittedAt and the settings summary before any event", () => {
    const rec = reduceEvents([submitted(spec)]);
    assert.equal(rec.status, "SUBMITTED");
    assert.equal(rec.submittedAt, spec.created);
    assert.equal(rec.queueName, "Default");
    assert.equal(rec.input?.uri, "s3://bucket/in.mp4", "the input URI comes from the settings until INPUT_INFORMATION");
    assert.deepEqual(rec.settings, {
      inputs: [{ uri: "s3://bucket/in.mp4", clipping: [{ start: "00:00:10:00", end: "00:01:00:00" }] }],
      outputGroups: [
        { name: "File", type: "FILE_GROUP_SETTINGS", destination: "s3://bucket/out/", outputCount: 2 },
        { name: "HLS", type: "HLS_GROUP_SETTINGS", destination: "s3://bucket/hls/", outputCount: 1 },
      ],
      queue: QUEUE,
      priority: 5,
      accelerationMode: "PREFERRED",
      role: "arn:aws:iam::111122223333:role/mc",
    });
  });

  it("recording the same submission twice is one event", () => {
    const a = submitted(spec);
    const b = submitted(spec);
    assert.equal(a.eventKey, b.eventKey);
    assert.equal(reduceEvents([a, b]).eventCount, 1);
  });

  it("a SUBMITTED that arrives after PROGRESSING or a terminal event regresses nothing", () => {
    const events = timeline(spec);
    const progressing = events.find((e) => e.status === "PROGRESSING")!;
    const complete = events.find((e) => e.status === "COMPLETE")!;
    assert.equal(recordOf(applyEvent(applyEvent(undefined, progressing), submitted(spec))).status, "PROGRESSING");
    const late = recordOf(applyEvent(applyEvent(undefined, complete), submitted(spec)));
    assert.equal(late.status, "COMPLETE");
    assert.equal(late.submittedAt, spec.created);
    // ... and through the fast-path expression too: a SUBMITTED-rank event only uses if_not_exists on status
    const u = buildJobUpdate(submitted(spec), { ttlSeconds: 60 });
    const sc = Object.keys(u.ExpressionAttributeNames).find((k) => u.ExpressionAttributeNames[k] === "status")!;
    assert.ok(u.UpdateExpression.includes(`${sc} = if_not_exists(${sc}, `));
  });

  it("JOB_DETAILS from GetJob fills timing, queue transitions and settings; queue wait is measured from submission", () => {
    const events = timeline(spec).filter((e) => e.status === "STATUS_UPDATE"); // a job first seen mid-run
    const details = jobDetailsEvent(sdkJob(spec, "000000", "PROGRESSING"), { at: spec.created + 60_000 })!;
    assert.ok(details);
    const rec = reduceEvents([...events, details]);
    assert.equal(rec.status, "PROGRESSING");
    assert.equal(rec.submittedAt, spec.created);
    assert.equal(rec.progressingAt, spec.created + spec.queueWait, "GetJob's StartTime is earlier than the first STATUS_UPDATE");
    assert.equal(rec.queuedMs, spec.queueWait);
    assert.equal(rec.queueHops.length, 1);
    assert.equal(rec.settings?.outputGroups.length, 2);
    assert.equal(needsJobDetails(mergeStored(undefined, events[0])), true);
    assert.equal(needsJobDetails(mergeStored(mergeStored(undefined, events[0]), details)), false);
  });

  it("a GetJob that says COMPLETE finishes the job at FinishTime; ERROR carries its code", () => {
    const d = jobDetailsEvent(sdkJob({ ...spec, end: "ERROR" }), { at: spec.created + 999_999 })!;
    const rec = reduceEvents([d]);
    assert.equal(rec.status, "ERROR");
    assert.equal(rec.finishedAt, spec.created + spec.queueWait + spec.probeMs + spec.transcodeMs + spec.uploadMs);
    assert.deepEqual([rec.error?.code, rec.error?.category], [1401, "access"]);
  });

  it("accepts JSON times (ISO text, epoch seconds) and rejects an unreadable answer with a reason", () => {
    const json = JSON.parse(JSON.stringify(sdkJob(spec)));
    json.Timing.StartTime = (spec.created + spec.queueWait) / 1000;
    const d = jobDetailsEvent(json, { at: spec.created + 1 })!;
    assert.equal(d.timing.startTime, spec.created + spec.queueWait);
    assert.equal(d.timing.submitTime, spec.created);
    const bad = jobDetailsEventResult({ Id: "1700000000000-aaa000", Timing: { StartTime: "yesterday" } }, { at: 1 });
    assert.ok(!bad.ok && /^Job\.Timing\.StartTime: expected a time/.test(bad.reason));
    const noArn = submittedEvent({ Id: "1700000000000-aaa000" });
    assert.ok(!noArn.ok && /Arn/.test(noArn.reason));
    assert.ok(submittedEvent({ Id: "1700000000000-aaa000" }, { accountId: "111122223333", region: "us-east-1" }).ok);
  });

  it("refuses a job id of another shape and an ARN that names another job, saying which", () => {
    const where = { accountId: "111122223333", region: "us-east-1", at: 1 };
    for (const Id of ["../../jobs/x", "1700000000000-abc1234", "1700000000000-ABC123", "x"]) {
      const r = jobDetailsEventResult({ Id }, where);
      assert.ok(!r.ok && /^Job\.Id: .* is not a MediaConvert job id/.test(r.reason), `${Id}: ${JSON.stringify(r)}`);
      assert.ok(!submittedEvent({ Id }, where).ok, Id);
    }
    const other = submittedEvent({
      Id: "1700000000000-aaa000",
      Arn: "arn:aws:mediaconvert:us-east-1:111122223333:jobs/1700000000000-bbb000",
    });
    assert.ok(
      !other.ok && /Job\.Arn: .* is the ARN of job 1700000000000-bbb000, not of 1700000000000-aaa000/.test(other.reason),
      JSON.stringify(other),
    );
    const wrongPartition = submittedEvent({
      Id: "1700000000000-aaa000",
      Arn: "arn:aws:mediaconvert:cn-north-1:111122223333:jobs/1700000000000-aaa000",
    });
    assert.ok(!wrongPartition.ok && /that region is in aws-cn/.test(wrongPartition.reason), JSON.stringify(wrongPartition));
    const china = submittedEvent({
      Id: "1700000000000-aaa000",
      Arn: "arn:aws-cn:mediaconvert:cn-north-1:111122223333:jobs/1700000000000-aaa000",
    });
    assert.ok(china.ok && china.event.arn === "arn:aws-cn:mediaconvert:cn-north-1:111122223333:jobs/1700000000000-aaa000");
  });

  it("property: with SUBMITTED and JOB_DETAILS mixed in, any order and duplicates give one record; terminal never regressed", () => {
    fc.assert(
      fc.property(specArb, fc.nat(), fc.integer({ min: 0, max: 3_600_000 }), (s, seed, fetchDelay) => {
        const events = [
          ...timeline(s),
          submitted(s),
          jobDetailsEvent(sdkJob(s, "000000", seed % 2 ? s.end : "PROGRESSING"), { at: s.created + s.queueWait + fetchDelay })!,
        ];
        const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), {
          seed,
          numRuns: 1,
        })[0];
        const delivered = [...shuffled, shuffled[seed % shuffled.length]];
        assert.deepStrictEqual(foldEvents(delivered), foldEvents(events));
        const rec = reduceEvents(delivered);
        assert.equal(rec.status, s.end);
        assert.equal(rec.submittedAt, s.created);
        assert.equal(rec.queuedMs, s.queueWait);
        assert.equal(toJobRecord(foldEvents(delivered)).eventCount, events.length);
      }),
      { numRuns: 200 },
    );
  });
});
