/**
 * `npm test` is the unit run followed by the integration run: between them every test file runs exactly once,
 * and a file in neither (or in both) is caught here rather than silently skipped or run twice.
 *
 * The file lists come from mocha's own option loading and file collection (the code its CLI runs before it loads
 * any test), so they are what each run would load, without loading every suite three times.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

interface CollectOptions {
  spec: string[];
  ignore: string[];
  extension: string[];
  file: string[];
  recursive: boolean;
  sort: boolean;
}
const { loadOptions } = require("mocha/lib/cli/options.cjs") as { loadOptions(argv: string[]): Record<string, unknown> };
const collectFiles = require("mocha/lib/cli/collect-files.cjs") as (o: CollectOptions) => {
  files: string[];
  unmatchedFiles: unknown[];
};

/** The test files a mocha run with these command-line arguments would load, relative to the repository. */
function filesOf(argv: string[]): string[] {
  const o = loadOptions(argv);
  const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const { files, unmatchedFiles } = collectFiles({
      spec: list(o._),
      ignore: list(o.ignore),
      extension: list(o.extension),
      file: list(o.file),
      recursive: Boolean(o.recursive),
      sort: false,
    });
    assert.deepEqual(unmatchedFiles, [], `${argv.join(" ")}: patterns that match no file`);
    return [...new Set(files.map((f) => path.relative(ROOT, f)))].sort();
  } finally {
    process.chdir(cwd);
  }
}

describe("dev: the unit and integration runs split the suite", () => {
  it("every test file is in exactly one of test:unit and test:integration", () => {
    const all = filesOf(["--config", ".mocharc.json", "test/**/*.test.ts"]);
    const unit = filesOf(["--config", ".mocharc.unit.cjs"]);
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
