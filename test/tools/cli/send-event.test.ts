import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import command, { readCapturedEvents } from "../../../tools/cli/commands/send-event";
import { startTwin, type Twin } from "../../../tools/twin/twin";
import { FIXTURES_DIR, fixture } from "../../support/fixtures";
import { assertUsageError, runInProcess } from "./run-command";

const repo = path.resolve(__dirname, "../../..");
const bin = path.join(repo, "tools", "cli", "bin.js");

/** `mcjobs …` as a user runs it: its own process, stdin given, output and exit code collected. */
function mcjobs(args: string[], stdin = ""): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, out, err })));
}

describe("mcjobs send-event", () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-send-event-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("reads one event, an array, or JSON lines, and says where each refused event is and what is wrong", () => {
    const good = fixture("progressing-awsdoc-1.json");
    assert.deepEqual(readCapturedEvents("one.json", JSON.stringify(good, null, 2)).events, [{ where: "one.json", event: good }]);

    const array = readCapturedEvents("many.json", JSON.stringify([good, { ...good, source: "aws.s3" }, good]));
    assert.deepEqual(
      array.events.map((e) => e.where),
      ["many.json, event 1", "many.json, event 3"],
    );
    assert.deepEqual(array.refused, [{ where: "many.json, event 2", reason: 'source: "aws.s3" is not "aws.mediaconvert"' }]);

    const noJob = { ...good, detail: { status: "COMPLETE" } };
    const lines = [
      JSON.stringify(good),
      "",
      JSON.stringify(noJob),
      '{"id": "cut off',
      JSON.stringify({ ...good, "detail-type": "Other" }),
    ].join("\n");
    const jsonl = readCapturedEvents("events.jsonl", lines);
    assert.deepEqual(
      jsonl.events.map((e) => e.where),
      ["events.jsonl:1"],
    );
    assert.deepEqual(
      jsonl.refused.map((r) => r.where),
      ["events.jsonl:3", "events.jsonl:4", "events.jsonl:5"],
    );
    assert.equal(jsonl.refused[0].reason, "detail.jobId: missing");
    assert.match(jsonl.refused[1].reason, /^not JSON: /);
    assert.equal(jsonl.refused[2].reason, 'detail-type: "Other" is not "MediaConvert Job State Change"');

    const broken = readCapturedEvents("broken.json", JSON.stringify(good, null, 2).slice(0, -3));
    assert.equal(broken.refused.length, 1);
    assert.match(broken.refused[0].reason, /^not JSON: /, "a broken pretty-printed event is one problem, not one per line");
    assert.deepEqual(readCapturedEvents("empty.json", " \n").refused, [{ where: "empty.json", reason: "no events: the file is empty" }]);
    assert.deepEqual(readCapturedEvents("num.json", "42").refused, [{ where: "num.json", reason: "the event must be a JSON object" }]);
  });

  it("refuses a bad command line with one usage line and exit 2", async () => {
    assertUsageError(await runInProcess(command, []), "send-event", /give at least one file/);
    assertUsageError(await runInProcess(command, ["a.json", "--bogus"]), "send-event", /unknown option --bogus/);
    assertUsageError(await runInProcess(command, ["-", "-"]), "send-event", /stdin \(-\) can be read only once/);
    assertUsageError(await runInProcess(command, ["a.json", "--dir"]), "send-event", /--dir needs a value/);
  });

  it("exits 2 for a file it cannot read and 1 when no twin runs with the folder, sending nothing", async () => {
    const missing = await runInProcess(command, [path.join(tmp, "nope.json"), "--dir", tmp]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read .*nope\.json: .*no such file.*Nothing was sent/i);
    const idle = await runInProcess(command, [path.join(FIXTURES_DIR, "complete-awsdoc-1.json"), "--dir", tmp]);
    assert.equal(idle.code, 1);
    assert.match(idle.err, /No twin is running with state folder .*: there is no .*twin\.json\. Start one with `mcjobs start --dir/);
    fs.writeFileSync(path.join(tmp, "twin.json"), JSON.stringify({ pid: 2 ** 22 + 12345, apiUrl: "http://127.0.0.1:9" }));
    const stale = await runInProcess(command, [path.join(FIXTURES_DIR, "complete-awsdoc-1.json"), "--dir", tmp]);
    assert.equal(stale.code, 1);
    assert.match(stale.err, /names process \d+, which is not running/);
    fs.rmSync(path.join(tmp, "twin.json"));
  });

  describe("against a running twin", function () {
    this.timeout(180_000);
    let twin: Twin;
    let dir: string;
    before(async () => {
      dir = path.join(tmp, "twin");
      twin = await startTwin({ dir, fresh: true, demo: false, speed: 600, seed: 5 });
    });
    after(async () => {
      await twin?.stop();
    });

    it("twin.json names every endpoint by service, the API's and the region, for outside clients", () => {
      const state = JSON.parse(fs.readFileSync(path.join(dir, "twin.json"), "utf8"));
      for (const service of ["dynamodb", "kinesis", "s3", "firehose", "mediaconvert"]) {
        assert.equal(state.endpoints[service], twin.standInEndpoints[service], service);
        assert.match(state.endpoints[service], /^http:\/\/127\.0\.0\.1:\d+$/, service);
      }
      assert.equal(state.endpoints.api, twin.urls.apiUrl);
      assert.equal(state.endpoints.MCJOBS_ENDPOINT_S3, state.endpoints.s3, "the handlers' variables stay");
      assert.equal(state.region, twin.env.AWS_REGION);
    });

    it("delivers a captured event file through the twin's rules: the Jobs API then has the job", async () => {
      const file = path.join(FIXTURES_DIR, "complete-awsdoc-1.json");
      const jobId = fixture("complete-awsdoc-1.json").detail.jobId as string;
      const sent = await mcjobs(["send-event", file, "--dir", dir]);
      assert.equal(sent.code, 0, sent.err);
      assert.match(sent.out, /1 event\(s\) delivered \(rules: collector 1\), 0 refused/);
      const job = await waitForJob(twin.urls.apiUrl, jobId);
      assert.equal(job.status, "COMPLETE");
      assert.equal(twin.status().router.matched.collector >= 1, true);
    });

    it("reads JSON lines from stdin, delivers the good events and names the refused one (exit 1)", async () => {
      const progressing = fixture("progressing-awsdoc-1.json");
      const error = fixture("error-awsdoc-1.json");
      const stdin = [
        JSON.stringify(progressing),
        JSON.stringify({ ...error, detail: { ...error.detail, jobId: "" } }),
        JSON.stringify(error),
      ].join("\n");
      const sent = await mcjobs(["send-event", "-", "--dir", dir], stdin);
      assert.equal(sent.code, 1, sent.err);
      assert.equal(sent.err.trim(), "stdin:2: detail.jobId: must not be empty");
      assert.match(sent.out, /2 event\(s\) delivered \(rules: collector 2\), 1 refused/);
      assert.equal((await waitForJob(twin.urls.apiUrl, progressing.detail.jobId)).status, "PROGRESSING");
      assert.equal((await waitForJob(twin.urls.apiUrl, error.detail.jobId)).status, "ERROR");
    });
  });
});

/** GET /jobs/{jobId} on the twin's Jobs API until it answers 200 (the collector runs asynchronously). */
async function waitForJob(apiUrl: string, jobId: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${apiUrl}/jobs/${encodeURIComponent(jobId)}`);
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status === 200) return body;
    assert.equal(res.status, 404, JSON.stringify(body));
    if (Date.now() > deadline) throw new Error(`job ${jobId} never reached the Jobs API: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
