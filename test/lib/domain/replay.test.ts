import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES_DIR, fixtureFiles, loadFixture, raw, timeline } from "../../support/timeline";
import { reduceEvents } from "../../../lib/domain/reducer";
import { parseEvent, type McEvent } from "../../../lib/domain/events";
import { assertUsageError } from "../../tools/cli/run-command";

const ROOT = path.resolve(__dirname, "../../..");

function replay(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "tools/cli/bin.js"), "replay", ...args], { encoding: "utf8", cwd: ROOT });
  const lines = r.stdout.split("\n").filter((l) => l.trim() !== "");
  return { code: r.status ?? -1, records: lines.map((l) => JSON.parse(l)), stderr: r.stderr, out: r.stdout, err: r.stderr };
}

describe("mcjobs replay", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-replay-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("replays the bundled examples directory: one line per job, exit 0", () => {
    const r = replay(FIXTURES_DIR);
    assert.equal(r.code, 0, r.stderr);
    const expectedJobs = new Set(fixtureFiles().map((f) => (loadFixture(f).detail as { jobId: string }).jobId));
    assert.deepEqual(new Set(r.records.map((x) => x.jobId)), expectedJobs);
    const updated = r.records.find((x) => x.jobId === "1671477617078-2886ye");
    assert.deepEqual([updated.status, updated.percentComplete, updated.eventCount], ["PROGRESSING", 7, 2]);
    const input = r.records.find((x) => x.jobId === "1671476818694-phptj0");
    assert.deepEqual([input.status, input.input.video.width, input.eventCount], ["COMPLETE", 1920, 2]);
  });

  it("reads .json arrays, .jsonl and nested directories; the order given does not change the records", () => {
    const events = timeline({
      created: 1_700_000_000_000,
      queueWait: 1000,
      probeMs: 5000,
      transcodeMs: 120_000,
      uploadMs: 5000,
      end: "COMPLETE",
      hop: true,
      warnings: [230001],
      inputInfoLate: true,
      updateEvery: 20_000,
    });
    const raws = events.map((e, i) => raw(e.jobId, e.eventId, { ...rawDetail(e), timestamp: e.timestamp, status: e.status, _i: i }));
    fs.mkdirSync(path.join(dir, "nested/deeper"), { recursive: true });
    fs.writeFileSync(path.join(dir, "nested/a.json"), JSON.stringify(raws.slice(0, 4), null, 2));
    fs.writeFileSync(
      path.join(dir, "nested/deeper/b.jsonl"),
      `${raws
        .slice(4)
        .reverse()
        .map((x) => JSON.stringify(x))
        .join("\n")}\n`,
    );
    fs.writeFileSync(path.join(dir, "nested/ignored.txt"), "not an event file");
    const fromDir = replay(path.join(dir, "nested"));
    assert.equal(fromDir.code, 0, fromDir.stderr);
    assert.equal(fromDir.records.length, 1);
    const parsed = raws.map((x) => (parseEvent(x) as { ok: true; event: McEvent }).event);
    assert.deepEqual(fromDir.records[0], JSON.parse(JSON.stringify(reduceEvents(parsed))));
    const reversed = replay(path.join(dir, "nested/deeper/b.jsonl"), path.join(dir, "nested/a.json"), path.join(dir, "nested/a.json"));
    assert.deepEqual(reversed.records, fromDir.records);
  });

  it("lists rejected events on stderr with file, line and reason, prints the rest, exits 1", () => {
    const bad = path.join(dir, "bad");
    fs.mkdirSync(bad);
    const good = loadFixture("progressing-awsdoc-1.json");
    const wrong = JSON.parse(JSON.stringify(good));
    wrong.detail.status = "TELEPORTING";
    const typo = JSON.parse(JSON.stringify(good));
    typo.detail.timestamp = "soon";
    fs.writeFileSync(path.join(bad, "1.json"), `[\n${JSON.stringify(good)},\n${JSON.stringify(wrong)}\n]\n`);
    fs.writeFileSync(path.join(bad, "2.jsonl"), `${JSON.stringify(good)}\n\n{oops\n${JSON.stringify(typo)}\n`);
    fs.writeFileSync(path.join(bad, "3.json"), `{\n  "id": 1,\n  ]\n`);
    const r = replay(bad);
    assert.equal(r.code, 1);
    assert.equal(r.records.length, 1);
    const lines = r.stderr.trim().split("\n");
    assert.match(lines[0], /1\.json:3: unknown-status: detail\.status: "TELEPORTING"/);
    assert.match(lines[1], /2\.jsonl:3: invalid-json: /);
    assert.match(lines[2], /2\.jsonl:4: malformed: detail\.timestamp: expected a number, got "soon"/);
    assert.match(lines[3], /3\.json:3: invalid-json: /);
    assert.match(lines[4], /4 event\(s\) rejected, 2 used/);
  });

  it("usage errors are one line and exit 2; --quiet is a flag; --help prints the usage", () => {
    assertUsageError(replay(), "replay", /^give at least one file or directory$/);
    assertUsageError(replay(FIXTURES_DIR, "--frobnicate"), "replay", /^unknown option --frobnicate$/);
    assertUsageError(replay(FIXTURES_DIR, "--quiet=yes"), "replay", /^--quiet takes no value$/);
    const missing = replay(path.join(dir, "does-not-exist"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does-not-exist/);
    // --quiet drops the list of rejected events, not the count; after "--" a word is a path even if it looks like a flag.
    fs.writeFileSync(path.join(dir, "--quiet"), "{oops\n");
    const quiet = replay("--quiet", "--", path.join(dir, "--quiet"));
    assert.equal(quiet.code, 1);
    assert.deepEqual(quiet.stderr.trim().split("\n"), ["mcjobs replay: 1 event(s) rejected, 0 used"]);
    const help = spawnSync(process.execPath, [path.join(ROOT, "tools/cli/bin.js"), "replay", "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /mcjobs replay <file\|dir>/);
  });
});

/** The status-specific detail fields of a test event, back in EventBridge form. */
function rawDetail(e: McEvent): Record<string, unknown> {
  switch (e.status) {
    case "STATUS_UPDATE":
      return {
        framesDecoded: e.framesDecoded,
        jobProgress: {
          jobPercentComplete: e.percentComplete,
          currentPhase: e.currentPhase,
          retryCount: e.retryCount,
          phaseProgress: Object.fromEntries(Object.entries(e.phasePercentComplete ?? {}).map(([k, v]) => [k, { percentComplete: v }])),
        },
        queue: e.queue,
      };
    case "INPUT_INFORMATION":
      return { queue: e.queue, inputDetails: e.inputs.map((i) => ({ uri: i.uri, video: i.video ? [i.video] : [], audio: i.audio ?? [] })) };
    case "COMPLETE":
      return {
        queue: e.queue,
        warnings: e.warnings,
        outputGroupDetails: [
          { type: "FILE_GROUP", outputDetails: e.outputs.map((o) => ({ outputFilePaths: o.paths, durationInMs: o.durationMs })) },
        ],
      };
    case "NEW_WARNING":
      return { queue: e.queue, warningCode: e.warningCode };
    case "QUEUE_HOP":
      return { queue: e.queue, previousQueue: e.previousQueue };
    default:
      return { queue: e.queue };
  }
}
