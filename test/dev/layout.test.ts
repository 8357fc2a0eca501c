/**
 * The layout the README and docs/architecture.md describe is the layout on disk: every folder has exactly one row
 * in the README's table, the top level stays small, tests mirror the source folders, and every file the
 * architecture page names exists.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
/** Test folders that are not a mirror of a source folder. */
const TEST_ONLY = new Set(["e2e", "faults", "support", "fixtures"]);

function files(): string[] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));
}

/** Every folder holding a file, with its parents; under test/ only test/ and its direct children. */
function folders(): Set<string> {
  const out = new Set<string>();
  for (const f of files()) {
    const parts = f.split("/").slice(0, -1);
    if (parts.length === 0 || parts[0].startsWith(".")) continue;
    const depth = parts[0] === "test" ? Math.min(parts.length, 2) : parts.length;
    for (let i = 1; i <= depth; i++) out.add(`${parts.slice(0, i).join("/")}/`);
  }
  return out;
}

function readmeRows(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Layout"), readme.indexOf("\n## ", readme.indexOf("## Layout") + 1));
  return [...section.matchAll(/^\| `([^`]+\/)` \|/gm)].map((m) => m[1]);
}

describe("dev: the layout matches its description", () => {
  it("the README's layout table has exactly one row for every folder, and no row for a folder that is gone", () => {
    const rows = readmeRows();
    const dupes = rows.filter((r, i) => rows.indexOf(r) !== i);
    assert.deepEqual(dupes, [], "folders listed twice");
    const onDisk = folders();
    assert.deepEqual([...onDisk].filter((f) => !rows.includes(f)).sort(), [], "folders missing from the README's layout table");
    assert.deepEqual(rows.filter((r) => !onDisk.has(r)).sort(), [], "README rows for folders that do not exist");
  });

  it("the top level holds at most 10 folders", () => {
    const top = [...folders()].filter((f) => f.split("/").length === 2);
    assert.ok(top.length <= 10, `${top.length} top-level folders: ${top.join(" ")}`);
  });

  it("every test folder mirrors a source folder or file (test/lib/domain/ → lib/domain/, test/handlers/collector/ → handlers/collector.ts)", () => {
    const testDirs = new Set(
      files()
        .filter((f) => f.startsWith("test/"))
        .map((f) => path.posix.dirname(f)),
    );
    const strays: string[] = [];
    for (const dir of testDirs) {
      const parts = dir.split("/").slice(1);
      if (parts.length === 0 || TEST_ONLY.has(parts[0]) || parts.includes("support") || parts.includes("contract")) continue;
      const source = parts.join("/");
      if (!fs.existsSync(path.join(ROOT, source)) && !fs.existsSync(path.join(ROOT, `${source}.ts`))) strays.push(dir);
    }
    assert.deepEqual(strays.sort(), [], "test folders with no source folder or file of the same name");
  });

  it("every path docs/architecture.md names exists", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "architecture.md"), "utf8");
    const named = new Set(
      [...doc.matchAll(/\b((?:components|handlers|consumers|lib|infra|tools|dev|test)\/[\w./*-]*)/g)].map((m) => m[1].replace(/[.,]$/, "")),
    );
    assert.ok(named.size > 20, "the page names the files that own each step");
    const missing = [...named].filter((p) => {
      if (p.includes("*")) return !fs.existsSync(path.join(ROOT, path.dirname(p)));
      return !fs.existsSync(path.join(ROOT, p));
    });
    assert.deepEqual(missing, []);
  });
});
