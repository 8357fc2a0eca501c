/**
 * lib/domain/notifications.ts: which events are notified (COMPLETE and ERROR of this stack's application, from
 * MediaConvert), and what a person reads: a subject SNS accepts, a body naming the job, its input and outputs (the
 * first ten, then a count) or its error (code, meaning, what to look at, MediaConvert's message), and a console
 * link for the region's partition.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { CATEGORY_MEANING, ERROR_CODES, describeError } from "../../../lib/domain/error-codes";
import { parseEvent, type McEvent } from "../../../lib/domain/events";
import {
  consoleJobUrl,
  isNotified,
  LISTED_OUTPUTS,
  MESSAGE_MAX_BYTES,
  renderNotification,
  SUBJECT_MAX_CHARS,
  type OutcomeEvent,
} from "../../../lib/domain/notifications";
import { reduceEvents } from "../../../lib/domain/reducer";
import { subjectProblem } from "../../../tools/twin/sns";

const JOB = "1767323045000-abc123";

function raw(detail: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    version: "0",
    id: `e-${String(detail.status)}`,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: "111122223333",
    time: "2026-01-02T03:04:05Z",
    region: "eu-west-1",
    resources: [],
    detail: {
      timestamp: 1_767_323_100_000,
      accountId: "111122223333",
      queue: "arn:aws:mediaconvert:eu-west-1:111122223333:queues/Default",
      jobId: JOB,
      userMetadata: { application: "studio" },
      ...detail,
    },
    ...extra,
  };
}

function parsed(r: unknown): McEvent {
  const p = parseEvent(r);
  if (!p.ok) throw new Error(p.reason);
  return p.event;
}

function outputs(n: number) {
  return [
    {
      type: "FILE_GROUP",
      outputDetails: Array.from({ length: n }, (_, i) => ({
        outputFilePaths: [`s3://media/outputs/Été/clip_${i}.mp4`],
        durationInMs: 1000,
      })),
    },
  ];
}

const complete = (n: number, userMetadata: Record<string, string> = { application: "studio" }) =>
  parsed(raw({ status: "COMPLETE", userMetadata, outputGroupDetails: outputs(n) })) as OutcomeEvent;
const inputInfo = parsed(
  raw({ status: "INPUT_INFORMATION", timestamp: 1_767_323_060_000, inputDetails: [{ id: 1, uri: "s3://in/inputs/Été +1.mp4" }] }),
);

describe("domain: notifications", () => {
  it("notifies COMPLETE and ERROR from MediaConvert of this application's jobs, nothing else", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("COMPLETE", "ERROR", "PROGRESSING", "CANCELED", "STATUS_UPDATE", "NEW_WARNING"),
        fc.constantFrom("studio", "other", undefined),
        (status, app) => {
          const e = parsed(raw({ status, warningCode: 1, userMetadata: app ? { application: app } : {} }));
          assert.equal(isNotified(e, "studio"), (status === "COMPLETE" || status === "ERROR") && app === "studio");
        },
      ),
    );
    // Our own synthetic events never notify, whatever status they claim.
    const synthetic = { ...complete(1), origin: "getjob" as const };
    assert.equal(isNotified(synthetic, "studio"), false);
  });

  it("COMPLETE: subject and body name the job, status, queue, the input from the record and every output path", () => {
    const e = complete(3);
    const record = reduceEvents([inputInfo, e]);
    const { subject, message } = renderNotification(e, record, { application: "studio" });
    assert.equal(subject, `MediaConvert job ${JOB} COMPLETE: Ete +1.mp4`);
    assert.match(message, new RegExp(`^MediaConvert job ${JOB} is COMPLETE\\.$`, "m"));
    assert.match(message, /^Application: studio$/m);
    assert.match(message, /^Region: eu-west-1$/m);
    assert.match(message, /^Queue: Default$/m);
    assert.match(message, /^Input: s3:\/\/in\/inputs\/Été \+1\.mp4$/m);
    assert.match(
      message,
      /^Outputs \(3\):\n {2}s3:\/\/media\/outputs\/Été\/clip_0\.mp4\n {2}s3:\/\/media\/outputs\/Été\/clip_1\.mp4\n {2}s3:\/\/media\/outputs\/Été\/clip_2\.mp4$/m,
    );
    assert.ok(!message.includes("more"), message);
    assert.match(
      message,
      new RegExp(
        `Open the job: https://eu-west-1\\.console\\.aws\\.amazon\\.com/mediaconvert/home\\?region=eu-west-1#/jobs/summary/${JOB}$`,
      ),
    );
  });

  it("lists the first ten output paths, manifests first, then says how many more", () => {
    const e = parsed(
      raw({
        status: "COMPLETE",
        outputGroupDetails: [
          ...outputs(14),
          {
            type: "HLS_GROUP",
            playlistFilePaths: ["s3://media/outputs/hls/index.m3u8"],
            outputDetails: [{ outputFilePaths: ["s3://media/outputs/hls/a.m3u8"] }],
          },
        ],
      }),
    ) as OutcomeEvent;
    const { message } = renderNotification(e, undefined, { application: "studio" });
    const listed = message.split("\n").filter((l) => l.startsWith("  s3://"));
    assert.equal(listed.length, LISTED_OUTPUTS);
    assert.equal(listed[0], "  s3://media/outputs/hls/index.m3u8", "the manifest comes first");
    assert.match(message, /^Outputs \(16\):$/m);
    assert.match(message, /^ {2}…and 6 more$/m);
    const none = renderNotification(parsed(raw({ status: "COMPLETE", outputGroupDetails: [] })) as OutcomeEvent, undefined, {
      application: "studio",
    });
    assert.match(none.message, /^Outputs: the event lists no output paths\.$/m);
  });

  it("ERROR: the code, its meaning, what its category asks to look at and MediaConvert's message, for every listed code and an unlisted one", () => {
    for (const code of [...ERROR_CODES.keys(), 99999]) {
      const e = parsed(raw({ status: "ERROR", errorCode: code, errorMessage: 'Bad "input" file' })) as OutcomeEvent;
      const { subject, message } = renderNotification(e, undefined, { application: "studio" });
      const info = describeError(code);
      assert.equal(subject, `MediaConvert job ${JOB} ERROR`, "no input known: the subject names the job only");
      assert.ok(message.includes(`\nError ${code} (${info.category}): ${info.meaning}\n`), message);
      assert.ok(message.includes(`\nWhat to look at: ${CATEGORY_MEANING[info.category]}.\n`), message);
      assert.ok(message.includes('\nMediaConvert says: Bad "input" file\n'), message);
      assert.match(message, /^Input: \(not known\)$/m);
    }
    const bare = renderNotification(parsed(raw({ status: "ERROR" })) as OutcomeEvent, undefined, { application: "studio" });
    assert.match(bare.message, /^Error code: none given$/m);
    assert.match(bare.message, /^MediaConvert says: \(no message\)$/m);
  });

  it("names the watch folder's input key when the record knows no input yet", () => {
    const e = complete(1, { application: "studio", input: "inputs/Clip 7.mov" });
    const { subject, message } = renderNotification(e, reduceEvents([e]), { application: "studio" });
    assert.equal(subject, `MediaConvert job ${JOB} COMPLETE: Clip 7.mov`);
    assert.match(message, /^Input: inputs\/Clip 7\.mov$/m);
  });

  it("links the console of the region's partition", () => {
    assert.equal(
      consoleJobUrl("us-east-1", JOB),
      `https://us-east-1.console.aws.amazon.com/mediaconvert/home?region=us-east-1#/jobs/summary/${JOB}`,
    );
    assert.equal(consoleJobUrl("cn-north-1", JOB), `https://console.amazonaws.cn/mediaconvert/home?region=cn-north-1#/jobs/summary/${JOB}`);
    assert.equal(
      consoleJobUrl("us-gov-west-1", JOB),
      `https://console.amazonaws-us-gov.com/mediaconvert/home?region=us-gov-west-1#/jobs/summary/${JOB}`,
    );
  });

  it("property: whatever the input name, outputs and error message, SNS accepts the subject and the message fits", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.string({ unit: "binary", maxLength: 2000 }),
    );
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 40 }), text, fc.boolean(), (input, paths, errorMessage, failed) => {
        const e = parsed(
          raw({
            status: failed ? "ERROR" : "COMPLETE",
            errorCode: 1010,
            errorMessage,
            userMetadata: { application: "studio", input: `inputs/${input}` },
            outputGroupDetails: [{ type: "FILE_GROUP", outputDetails: paths.map((p) => ({ outputFilePaths: [`s3://b/${p}`] })) }],
          }),
        ) as OutcomeEvent;
        const { subject, message } = renderNotification(e, undefined, { application: "studio" });
        assert.equal(subjectProblem(subject), undefined, JSON.stringify(subject));
        assert.ok(subject.length <= SUBJECT_MAX_CHARS);
        assert.ok(subject.startsWith(`MediaConvert job ${JOB} `));
        assert.ok(Buffer.byteLength(message) < MESSAGE_MAX_BYTES);
        assert.ok(message.split("\n").filter((l) => l.startsWith("  s3://")).length <= LISTED_OUTPUTS);
      }),
      { numRuns: 300 },
    );
  });
});
