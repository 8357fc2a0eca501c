import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { buildLambdas, LAMBDA_ENTRIES, REPO_ROOT, type BuiltBundle } from "../../scripts/build-lambdas";

describe("infra: Lambda bundles (scripts/build-lambdas.ts)", function () {
  this.timeout(180_000);
  let out: string;
  let rows: BuiltBundle[];

  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-build-"));
    rows = await buildLambdas({ outDir: out, quiet: true });
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it("builds every entry that exists and skips (not fails) the missing ones", () => {
    assert.deepEqual(rows.map((r) => r.name), Object.keys(LAMBDA_ENTRIES));
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
