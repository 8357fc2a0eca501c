import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkRepository, findOutsidePaths } from "../../dev/scripts/check-paths";

const SCRIPT = path.resolve(__dirname, "../../dev/scripts/check-paths.ts");
// Example machine paths and climbing paths are assembled at run time, so this file names no path outside the
// repository itself (neither for the check it tests nor for any other reader).
const MACHINE = ["", "work", "shared", "fixtures", "x.json"].join("/");
const HOME_NOTES = ["", "home", "someone", "notes"].join("/");
const CODES = ["..", "..", "shared", "reference", "codes.md"].join("/");
const EVENTS = ["..", "..", "shared", "fixtures", "events.json"].join("/");
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("dev: check-paths", () => {
  it("flags machine paths and paths that climb out, and lets in-repository and system paths pass", () => {
    const text = [
      `const a = "${MACHINE}";`,
      `see ${CODES}`,
      'import { x } from "../lib/domain/x";',
      'const chromium = "/usr/bin/chromium"; const tmp = "/tmp/out";',
    ].join("\n");
    const found = findOutsidePaths("/repo", "test/a.test.ts", text);
    assert.deepEqual(
      found.map((f) => [f.line, f.path]),
      [
        [1, MACHINE],
        [2, CODES],
      ],
    );
    // From the repository root, `../lib` climbs out as well.
    assert.equal(findOutsidePaths("/repo", "README.md", "../lib/domain/x").length, 1);
  });

  it("reads only tracked files, and the command exits 1 naming each finding", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-paths-"));
    try {
      execFileSync("git", ["init", "-q"], { cwd: repo });
      fs.mkdirSync(path.join(repo, "docs"));
      fs.writeFileSync(path.join(repo, "docs", "a.md"), `Examples: ${EVENTS}\n`);
      fs.writeFileSync(path.join(repo, "untracked.md"), `${HOME_NOTES}\n`);
      execFileSync("git", ["add", "docs/a.md"], { cwd: repo });
      assert.deepEqual(
        checkRepository(repo).map((f) => `${f.file}:${f.line}`),
        ["docs/a.md:1"],
      );
      const run = spawnSync(process.execPath, ["--import", "tsx", SCRIPT, repo], { encoding: "utf8" });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stdout, new RegExp(`docs/a\\.md:1: ${escaped(EVENTS)} — climbs out of the repository`));
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("finds nothing in this repository", () => {
    const found = checkRepository(path.resolve(__dirname, "../.."));
    assert.deepEqual(found, [], found.map((f) => `${f.file}:${f.line}: ${f.path}`).join("\n"));
  });
});
