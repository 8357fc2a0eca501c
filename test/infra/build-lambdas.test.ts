import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { archiveHash } from "../../infra/archive-hash";
import { buildLambdas, LAMBDA_ENTRIES, REPO_ROOT, type BuiltBundle } from "../../infra/build-lambdas";
import { buildBundle } from "../../infra/lambda-bundle";

describe("infra: Lambda bundles (infra/build-lambdas.ts)", function () {
  this.timeout(180_000);
  let out: string;
  let rows: BuiltBundle[];

  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-build-"));
    rows = await buildLambdas({ outDir: out, quiet: true });
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it("builds every entry that exists and skips (not fails) the missing ones", () => {
    assert.deepEqual(
      rows.map((r) => r.name),
      Object.keys(LAMBDA_ENTRIES),
    );
    for (const r of rows) {
      const exists = fs.existsSync(path.join(REPO_ROOT, r.entry));
      if (exists) {
        assert.equal(r.skipped, undefined, r.name);
        assert.ok(fs.statSync(path.join(out, r.name, "index.js")).size > 0);
        assert.ok(fs.existsSync(path.join(out, r.name, "index.js.map")));
      } else {
        assert.match(r.skipped!, /does not exist/);
        assert.ok(!fs.existsSync(path.join(out, r.name)));
      }
    }
  });

  it("each bundle is self-contained: loads from a folder with no node_modules and exports handler", () => {
    const isolated = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-isolated-"));
    try {
      for (const r of rows.filter((x) => !x.skipped)) {
        const dir = path.join(isolated, r.name);
        fs.cpSync(path.join(out, r.name), dir, { recursive: true });
        const kind = execFileSync(process.execPath, ["-e", "process.stdout.write(typeof require('./index.js').handler)"], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", NODE_PATH: "" },
          encoding: "utf8",
        });
        assert.equal(kind, "function", `${r.name} bundle does not export a handler`);
      }
    } finally {
      fs.rmSync(isolated, { recursive: true, force: true });
    }
  });

  it("puts MediaInfoModule.wasm beside the collector bundle, and the bundle uses mediainfo.js's Node build", function () {
    const collector = rows.find((r) => r.name === "collector")!;
    if (collector.skipped) this.skip();
    assert.equal(collector.wasm, path.join(out, "collector", "MediaInfoModule.wasm"));
    const wasm = fs.readFileSync(collector.wasm!);
    assert.deepEqual([...wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], "not a wasm file");
    const src = fs.readFileSync(collector.outfile!, "utf8");
    assert.ok(!/import\.meta\.url/.test(src), "the ES-module build of mediainfo.js slipped in");
    // Bundles without the probe carry no wasm.
    for (const r of rows.filter((x) => !x.skipped && x.name !== "collector")) {
      if (!r.largestInputs!.some((i) => i.path.includes("mediainfo.js"))) assert.equal(r.wasm, undefined, r.name);
    }
  });

  it("refuses an unknown bundle name", async () => {
    await assert.rejects(buildLambdas({ outDir: out, only: ["nope"], quiet: true }), /unknown bundle "nope"; known: collector, api/);
  });
});

/** A copy of what the api bundle is built from, at another path (a second clone), with the shared node_modules linked in. */
function copySources(dest: string): void {
  for (const item of ["handlers", "lib", "package.json", "tsconfig.json"]) {
    fs.cpSync(path.join(REPO_ROOT, item), path.join(dest, item), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dest, "node_modules"), "dir");
}

/** The folder of a built bundle (a built bundle has one). */
function dirOf(b: BuiltBundle): string {
  assert.ok(b.dir, `${b.name} has no folder`);
  return b.dir;
}

describe("infra: Lambda bundles are deterministic (infra/lambda-bundle.ts)", function () {
  this.timeout(180_000);
  let scratch: string;
  let first: BuiltBundle;
  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-determinism-"));
    first = await buildBundle("api", { outDir: path.join(scratch, "one") });
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("carries no absolute path or machine-specific text, and its source map lists repository-relative sources", () => {
    const js = fs.readFileSync(path.join(dirOf(first), "index.js"), "utf8");
    const mapText = fs.readFileSync(path.join(dirOf(first), "index.js.map"), "utf8");
    const local = [REPO_ROOT, fs.realpathSync(REPO_ROOT), fs.realpathSync(path.join(REPO_ROOT, "node_modules")), scratch];
    for (const text of [js, mapText]) for (const p of local) assert.ok(!text.includes(p), `output mentions ${p}`);
    assert.match(js, /\/\/# sourceMappingURL=index\.js\.map\s*$/);
    const map = JSON.parse(mapText) as { sources: string[]; sourceRoot?: string };
    assert.equal(map.sourceRoot, undefined);
    assert.ok(map.sources.includes("handlers/api.ts"), "the entry is listed as handlers/api.ts");
    for (const s of map.sources) {
      assert.ok(!path.isAbsolute(s) && !s.startsWith("../"), `source ${s} is not repository-relative`);
      assert.ok(fs.existsSync(path.join(REPO_ROOT, s)), `source ${s} does not resolve from the repository root`);
    }
  });

  it("same sources, another output folder: byte-identical files; the same folder again: nothing rewritten", async () => {
    const second = await buildBundle("api", { outDir: path.join(scratch, "two", "deeper") });
    assert.equal(second.hash, first.hash);
    assert.equal(archiveHash(dirOf(second)), archiveHash(dirOf(first)));
    for (const f of ["index.js", "index.js.map"])
      assert.ok(fs.readFileSync(path.join(dirOf(first), f)).equals(fs.readFileSync(path.join(dirOf(second), f))), f);
    const before = fs.statSync(path.join(dirOf(first), "index.js")).mtimeMs;
    const again = await buildBundle("api", { outDir: path.join(scratch, "one") });
    assert.equal(again.written, false);
    assert.equal(again.hash, first.hash);
    assert.equal(fs.statSync(path.join(dirOf(first), "index.js")).mtimeMs, before);
  });

  it("a clone at another path gives the same bytes; one changed line in the handler gives another archive", async () => {
    const clone = path.join(scratch, "elsewhere", "mcjobs");
    copySources(clone);
    const same = await buildBundle("api", { repoRoot: clone });
    assert.equal(same.dir, path.join(clone, "dist", "api"));
    assert.equal(same.hash, first.hash);

    const entry = path.join(clone, "handlers", "api.ts");
    const lines = fs.readFileSync(entry, "utf8").split("\n");
    const at = lines.findIndex((l) => l.startsWith("export "));
    assert.ok(at >= 0, "handlers/api.ts has an export line");
    lines.splice(at, 0, 'console.log("cold start");');
    fs.writeFileSync(entry, lines.join("\n"));
    const changed = await buildBundle("api", { repoRoot: clone });
    assert.equal(changed.written, true);
    assert.notEqual(changed.hash, first.hash);
    assert.equal(changed.hash, archiveHash(dirOf(changed)));
    assert.ok(fs.readFileSync(path.join(dirOf(changed), "index.js"), "utf8").includes("cold start"));
  });

  it("an entry that does not exist is an error naming the bundle and the file", async () => {
    const empty = path.join(scratch, "empty");
    fs.mkdirSync(empty);
    await assert.rejects(
      buildBundle("history", { repoRoot: empty }),
      /Lambda bundle "history": its entry consumers\/history\.ts does not exist/,
    );
  });
});
