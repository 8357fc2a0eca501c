/**
 * Every CLI command writes all of its output before it exits, into a pipe too: Node writes to a pipe
 * asynchronously, so exiting right after a large write used to cut the output at the pipe buffer (64 KiB).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fixture } from "../../support/fixtures";
import { throughPipe } from "./run-command";

describe("cli: output through a pipe", function () {
  this.timeout(120_000);
  let dir: string;
  const JOBS = 3000;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-pipe-"));
    const template = fixture("complete-awsdoc-1.json");
    const lines: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const jobId = `${1700000000000 + i}-p${String(i).padStart(5, "0")}`;
      const e = structuredClone(template);
      e.id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      e.detail.jobId = jobId;
      e.resources = [`arn:aws:mediaconvert:us-west-2:111122223333:jobs/${jobId}`];
      lines.push(JSON.stringify(e));
    }
    fs.writeFileSync(path.join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("mcjobs replay of 3,000 jobs: every line arrives, each valid JSON", async () => {
    const out = await throughPipe(["replay", dir]);
    const lines = out.split("\n").filter((l) => l !== "");
    assert.ok(out.length > 3 * 65536, `only ${out.length} bytes arrived`);
    assert.equal(lines.length, JOBS);
    const ids = new Set(lines.map((l) => (JSON.parse(l) as { jobId: string }).jobId));
    assert.equal(ids.size, JOBS);
  });
});
