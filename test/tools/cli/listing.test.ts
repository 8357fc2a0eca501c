/**
 * `mcjobs jobs` without an API: the table, rendered from job records as the Jobs API returns them (the FILE column
 * shows the input's file name, not its whole URI, from `input.uri` or else the job's settings); the merge of several
 * endpoints' listings; and the repeatable --endpoint / --stack options.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import history from "../../../tools/cli/commands/history";
import command, {
  etaCell,
  eventLine,
  inputFileCell,
  mergeJobs,
  parseJobsArgs,
  progressCell,
  renderJob,
  renderJobsTable,
} from "../../../tools/cli/commands/jobs";
import { assertUsageError, runInProcess } from "./run-command";

const NOW = 1_717_000_100_000;

function job(over: Record<string, unknown>): Record<string, unknown> {
  return { jobId: "1717000000000-abc123", queueName: "Default", status: "COMPLETE", createdAt: 1_717_000_000_000, ...over };
}

describe("mcjobs jobs table", () => {
  it("has a FILE column with the input's file name beside the other columns", () => {
    const out = renderJobsTable(
      [
        job({ input: { uri: "s3://media-in/inputs/2024/Movie One.MOV" }, percentComplete: 100, finishedAt: 1_717_000_060_000 }),
        job({ jobId: "1717000000001-def456", settings: { inputs: [{ uri: "https://cdn.example.com/a/clip.mp4?X-Amz-Signature=f00" }] } }),
        job({ jobId: "1717000000002-ghi789" }),
      ],
      NOW,
    );
    const [header, ...rows] = out.split("\n");
    assert.match(header, /^JOB\s+FILE\s+QUEUE\s+STATUS\s+PROGRESS\s+PHASE\s+ETA\s+ELAPSED$/);
    assert.match(rows[0], /^1717000000000-abc123\s+Movie One\.MOV\s+Default\s+COMPLETE\s+\[#{20}\]\s+100%\s+-\s+-\s+1m00s$/);
    assert.match(rows[1], /^1717000000001-def456\s+clip\.mp4\s+Default\s+COMPLETE\s/);
    assert.match(rows[2], /^1717000000002-ghi789\s+-\s+Default\s+COMPLETE\s/);
    assert.ok(!out.includes("s3://"), "the whole URI is not shown");
    // The columns line up: QUEUE starts at the same place on every line.
    const at = header.indexOf("QUEUE");
    for (const r of rows) assert.equal(r.slice(at, at + "Default".length), "Default", r);
  });

  it("cuts a long name in the middle, keeping its end, and never lets a control character into a row", () => {
    const long = `${"a-very-long-episode-title-".repeat(4)}S01E02.mxf`;
    const cell = inputFileCell(job({ input: { uri: `s3://b/in/${long}` } }));
    assert.equal(Array.from(cell).length, 32);
    assert.ok(cell.startsWith("a-very-long-episode-"), cell);
    assert.ok(cell.endsWith("S01E02.mxf"), cell);
    assert.ok(cell.includes("…"));
    assert.equal(inputFileCell(job({ input: { uri: "s3://b/in/two\nlines.mp4" } })), "two?lines.mp4");
    assert.equal(inputFileCell(job({ input: { uri: "s3://b/in/" } })), "-");
  });
});

describe("mcjobs jobs over several endpoints, without them", () => {
  it("merges listings: each job once, its record with the later event (then more events), newest created first", () => {
    const a = [
      job({ jobId: "1717000000003-c00000", createdAt: 3, lastEventAt: 10, eventCount: 2, queueName: "A" }),
      job({ jobId: "1717000000001-a00000", createdAt: 1, lastEventAt: 5, eventCount: 1 }),
    ];
    const b = [
      job({ jobId: "1717000000003-c00000", createdAt: 3, lastEventAt: 20, eventCount: 1, queueName: "B" }),
      job({ jobId: "1717000000002-b00000", createdAt: 2, lastEventAt: 7, eventCount: 1 }),
      job({ jobId: "1717000000002-z00000", createdAt: 2, lastEventAt: 7, eventCount: 1 }),
    ];
    const merged = mergeJobs([a, b]);
    assert.deepEqual(
      merged.map((j) => j.jobId),
      ["1717000000003-c00000", "1717000000002-z00000", "1717000000002-b00000", "1717000000001-a00000"],
    );
    assert.equal(merged[0].queueName, "B");
    assert.deepEqual(mergeJobs([b, a]), merged, "the order the endpoints answered in does not matter");
    const tie = mergeJobs([[job({ lastEventAt: 9, eventCount: 3, queueName: "more" })], [job({ lastEventAt: 9, eventCount: 2 })]]);
    assert.equal(tie[0].queueName, "more");
  });

  it("takes --endpoint and --stack more than once; a bad one is a usage error naming it", async () => {
    const args = parseJobsArgs([
      "COMPLETE",
      "--endpoint",
      "http://127.0.0.1:1",
      "--endpoint=https://x.example.com",
      "--stack",
      "s1",
      "--stack=s2",
    ]);
    assert.deepEqual(args.endpoint, ["http://127.0.0.1:1", "https://x.example.com"]);
    assert.deepEqual(args.stack, ["s1", "s2"]);
    assert.deepEqual(parseJobsArgs(["COMPLETE"]).endpoint, []);
    assertUsageError(
      await runInProcess(command, ["COMPLETE", "--endpoint", "http://127.0.0.1:1", "--endpoint", "ftp://x"]),
      "jobs",
      /^--endpoint must be an http\(s\) URL .*; got "ftp:\/\/x"$/,
    );
    assertUsageError(await runInProcess(command, ["COMPLETE", "--stack="]), "jobs", /^--stack needs a stack name$/);
    const help = await runInProcess(command, ["--help"]);
    assert.match(help.out, /--endpoint URL\]\.\.\./);
    assert.match(help.out, /^Exit codes: 0 every endpoint answered; 1 an endpoint failed/m);
  });

  it("--stack without the Pulumi CLI on PATH says to install it or which flags to pass instead", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-nopulumi-"));
    const saved = process.env.PATH;
    process.env.PATH = empty;
    try {
      const listed = await runInProcess(command, ["COMPLETE", "--stack", "prod-us-east-1"]);
      assert.equal(listed.code, 1, listed.err);
      assert.match(listed.err, /--stack prod-us-east-1 reads the stack's outputs with the Pulumi CLI, and `pulumi` is not on PATH/);
      assert.match(listed.err, /or pass --endpoint URL \(the stack's apiUrl output\)/);
      assert.ok(!/ENOENT/.test(listed.err), listed.err);
      const sql = await runInProcess(history, ["--athena", "--stack", "prod-us-east-1", "--query", "warnings_by_code"]);
      assert.equal(sql.code, 1, sql.err);
      assert.match(sql.err, /`pulumi` is not on PATH: install it .* or pass --workgroup, --database and --region$/);
    } finally {
      process.env.PATH = saved;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("mcjobs jobs: what each row and the single-job view say", () => {
  it("a failed job's progress says how far it got, or that it failed before any progress; running jobs say why there is no ETA", () => {
    assert.match(progressCell(job({ status: "ERROR", percentComplete: 42 })), /\[#{8}\.{12}\]\s+42%/);
    assert.equal(progressCell(job({ status: "ERROR" })), "failed before any progress");
    assert.equal(etaCell(job({ status: "PROGRESSING", etaMs: 90_000 })), "1m30s");
    assert.equal(etaCell(job({ status: "PROGRESSING", stalled: true, etaMs: 90_000 })), "stalled");
    assert.equal(etaCell(job({ status: "PROGRESSING", stale: true })), "stale");
    assert.equal(etaCell(job({ status: "COMPLETE", etaMs: 5 })), "-");
    const table = renderJobsTable(
      [job({ status: "ERROR" }), job({ jobId: "1717000000001-def456", status: "PROGRESSING", stalled: true })],
      NOW,
    );
    const [, failed, stalled] = table.split("\n");
    assert.match(failed, /\sERROR\s+failed before any progress\s/);
    assert.match(stalled, /\sPROGRESSING\s.*\sstalled\s/);
  });

  it("the single-job view shows the file, the error's meaning and MediaConvert's message, warnings, hops and outputs", () => {
    const outputs = Array.from({ length: 23 }, (_, i) => `s3://out/movie/rendition_${i}.mp4`);
    const text = renderJob(
      job({
        status: "ERROR",
        percentComplete: 61,
        input: {
          uri: "s3://media-in/inputs/Movie One.mov",
          container: "QuickTime",
          durationMs: 5_000,
          video: { codec: "H_264", width: 1920, height: 1080 },
        },
        error: { code: 1030, category: "input", meaning: "The input could not be read.", message: "Unable to open input file" },
        warnings: [{ code: 230005, count: 2, meaning: "Bit depth was reduced." }],
        queueHops: [{ at: 1, atIso: "2024-05-29T16:26:40.000Z", previousQueue: "Default", currentQueue: "Overflow" }],
        outputs: [{ groupType: "FILE_GROUP", paths: outputs }],
      }),
      NOW,
    );
    const row = (k: string) => text.split("\n").find((l) => l.startsWith(k.padEnd(12)));
    assert.equal(row("file"), `${"file".padEnd(12)}Movie One.mov`);
    assert.match(row("progress") ?? "", /61%/);
    assert.match(row("error") ?? "", /^error\s+1030 \(input\): The input could not be read\.$/);
    assert.match(text, /\n\s+MediaConvert says: Unable to open input file\n/);
    assert.match(row("warnings") ?? "", /230005 ×2: Bit depth was reduced\./);
    assert.match(row("queue hops") ?? "", /Default → Overflow/);
    assert.match(row("input facts") ?? "", /QuickTime, 5\.0 s, H_264, 1920x1080/);
    assert.equal(row("outputs"), `${"outputs".padEnd(12)}${outputs[0]}`);
    for (const p of outputs.slice(0, 20)) assert.ok(text.includes(p), p);
    assert.ok(!text.includes(outputs[20]), "only the first twenty are listed");
    assert.match(text, /…and 3 more \(--json lists them all\)/);
  });

  it("a running job's view says stalled or stale in place of an ETA, with since when", () => {
    const stalled = renderJob(job({ status: "PROGRESSING", stalled: true, stalledSinceIso: "2024-05-29T16:00:00.000Z", etaMs: 5 }), NOW);
    assert.match(stalled, /\neta\s+none: stalled, progress flat since .*2024-05-29T16:00:00\.000Z/);
    const stale = renderJob(job({ status: "PROGRESSING", stale: true, staleSinceIso: "2024-05-29T16:05:00.000Z" }), NOW);
    assert.match(stale, /\neta\s+none: stale, no event since .*2024-05-29T16:05:00\.000Z/);
    assert.match(renderJob(job({ status: "PROGRESSING", etaMs: 120_000 }), NOW), /\neta\s+2m00s\n/);
  });

  it("--events lines carry each event's percent and phase, and its error or warning code", () => {
    const update = eventLine({
      timestampIso: "2024-05-29T16:01:00.000Z",
      status: "STATUS_UPDATE",
      event: { detail: { jobProgress: { jobPercentComplete: 45, currentPhase: "TRANSCODING" } } },
    });
    assert.match(update, /^ {2}2024-05-29T16:01:00\.000Z {2}STATUS_UPDATE\s+45% {2}TRANSCODING$/);
    const failed = eventLine({ timestampIso: "2024-05-29T16:02:00.000Z", status: "ERROR", event: { detail: { errorCode: 1030 } } });
    assert.match(failed, /ERROR\s+error 1030$/);
    assert.match(eventLine({ timestampIso: "t", status: "COMPLETE", eventOmitted: true }), /\(event body not stored\)$/);
  });

  it("a word that is neither a status nor a job id is a usage error naming the statuses, with MediaConvert's word for it", async () => {
    assertUsageError(
      await runInProcess(command, ["RUNNING"]),
      "jobs",
      /^"RUNNING" is neither a status \(SUBMITTED, PROGRESSING, COMPLETE, ERROR, CANCELED\) nor a MediaConvert job id .*\(MediaConvert calls it PROGRESSING: mcjobs jobs PROGRESSING\)$/,
    );
    assertUsageError(await runInProcess(command, ["../etc"]), "jobs", /^"\.\.\/etc" is neither a status .* e\.g\. 1717171717171-abc123\)$/);
    assert.equal(parseJobsArgs(["progressing"]).target, "progressing");
    assert.equal(parseJobsArgs(["1717000000000-abc123"]).target, "1717000000000-abc123");
  });
});
