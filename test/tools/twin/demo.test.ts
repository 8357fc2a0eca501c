/**
 * The demo workload as `npm start` plays it (`mcjobs start` at its default speed, demo on; only the state folder
 * and the port differ): within the first minute after the URLs are printed a job is PROGRESSING in the Jobs API,
 * and stays so long enough to be seen (not a blip between two polls), while the short demo jobs still finish.
 */
import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const BIN = path.resolve(__dirname, "../../../tools/cli/bin.js");

interface Listing {
  jobs: Array<{ jobId: string; status: string }>;
}

async function list(apiUrl: string, status: string): Promise<Listing> {
  const res = await fetch(`${apiUrl}/jobs/${status}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Listing;
}

describe("npm start's demo workload", function () {
  this.timeout(240_000);
  let tmp: string;
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;
  let out = "";

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-demo-"));
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      await exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("shows a job PROGRESSING within the first minute, for long enough to be seen, while short jobs complete", async () => {
    child = spawn(process.execPath, [BIN, "start", "--dir", path.join(tmp, "state"), "--port", "0"], {
      cwd: tmp,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    exited = new Promise((resolve) => child!.once("exit", (code) => resolve(code)));
    const re = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//;
    const bootDeadline = Date.now() + 120_000;
    while (!re.test(out)) {
      assert.equal(child.exitCode, null, `mcjobs start exited:\n${out}`);
      assert.ok(Date.now() < bootDeadline, `mcjobs start printed no URLs:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const apiUrl = re.exec(out)![1];
    const upAt = Date.now();

    // When each job id was first and last seen PROGRESSING, polling twice a second for the first minute.
    const seen = new Map<string, { first: number; last: number }>();
    let completed = 0;
    let visible: string | undefined;
    while (Date.now() - upAt < 60_000 && !(visible && completed >= 3)) {
      const now = Date.now();
      for (const j of (await list(apiUrl, "PROGRESSING")).jobs) {
        const s = seen.get(j.jobId) ?? { first: now, last: now };
        s.last = now;
        seen.set(j.jobId, s);
        if (s.last - s.first >= 15_000) visible ??= j.jobId;
      }
      completed = (await list(apiUrl, "COMPLETE")).jobs.length;
      await new Promise((r) => setTimeout(r, 500));
    }
    const spans = [...seen].map(
      ([id, s]) => `${id}: ${Math.round((s.last - s.first) / 1000)} s from ${Math.round((s.first - upAt) / 1000)} s`,
    );
    assert.ok(visible, `no job stayed PROGRESSING for 15 s within the first minute; seen:\n${spans.join("\n")}\n${out}`);
    assert.ok(seen.get(visible)!.first - upAt < 45_000, `the long job showed up late: ${spans.join("\n")}`);
    assert.ok(completed >= 3, `the short demo jobs did not keep completing (${completed} COMPLETE)`);
  });
});
