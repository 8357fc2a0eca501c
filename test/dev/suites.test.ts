/**
 * `npm test` is the unit run followed by the integration run: between them every test file runs exactly once,
 * and a file in neither (or in both) is caught here rather than silently skipped or run twice.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** The test files a mocha run would load, from a dry run with the JSON reporter. */
function filesOf(args: string[]): string[] {
  const run = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), ...args, "--dry-run", "--reporter", "json"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as { tests: { file: string }[] };
  return [...new Set(report.tests.map((t) => path.relative(ROOT, t.file)))].sort();
}

describe("dev: the unit and integration runs split the suite", () => {
  it("every test file is in exactly one of test:unit and test:integration", function () {
    this.timeout(120_000);
    const all = filesOf(["test/**/*.test.ts"]);
    const unit = filesOf(["--config", ".mocharc.unit.cjs", "--no-parallel"]);
    const integration = filesOf(["--config", ".mocharc.integration.cjs"]);
    assert.ok(unit.length > 50 && integration.length > 20, `${unit.length} unit, ${integration.length} integration files`);
    assert.deepEqual(
      unit.filter((f) => integration.includes(f)),
      [],
      "files in both runs",
    );
    assert.deepEqual(
      all.filter((f) => !unit.includes(f) && !integration.includes(f)),
      [],
      "files in neither run",
    );
  });
});
