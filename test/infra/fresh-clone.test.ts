/**
 * A new user's first `pulumi preview` and `pulumi up`: a copy of this checkout as a clone would be (tracked and new
 * files, nothing gitignored, so no dist/), with node_modules linked in as `npm ci` would have put it, and no build
 * step. The clone's own index.ts runs under the mock harness, which, like the engine, reads and hashes every code
 * archive when its function registers, preview included.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { archiveHash } from "../../infra/archive-hash";
import { LAMBDA_ENTRIES, REPO_ROOT } from "../../infra/lambda-bundle";
import { runModule, type MockRun } from "../support/pulumi-harness";

const yaml = require("js-yaml") as { load(s: string): unknown };

/** Copies the files a clone of this checkout would hold (what git tracks or would track) into `dest`. */
function cloneCheckout(dest: string): void {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  for (const rel of listed.split("\0").filter(Boolean)) {
    const from = path.join(REPO_ROOT, rel);
    if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue;
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(dest, rel));
  }
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dest, "node_modules"), "dir");
}

/** The stack files of the checkout, with the project keys and the region each sets. */
function stackFiles(root: string): { stack: string; region: string; config: Record<string, string> }[] {
  return fs
    .readdirSync(root)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .sort()
    .map((f) => {
      const doc = yaml.load(fs.readFileSync(path.join(root, f), "utf8")) as { config: Record<string, unknown> };
      const config: Record<string, string> = {};
      for (const [k, v] of Object.entries(doc.config)) if (k.startsWith("mcjobs:")) config[k.slice(7)] = String(v);
      return { stack: f.slice("Pulumi.".length, -".yaml".length), region: String(doc.config["aws:region"]), config };
    });
}

/** Bundle name → archive hash of every function a run deployed, checking each archive as it goes. */
function deployedCode(run: MockRun<unknown>, clone: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const fn of run.all("aws:lambda/function:Function")) {
    const code = fn.inputs.code as { kind: string; path: string; hash: string };
    assert.equal(code.kind, "archive", fn.name);
    assert.equal(path.dirname(code.path), path.join(clone, "dist"), `${fn.name} deploys ${code.path}, not the clone's dist/<bundle>`);
    const bundle = path.basename(code.path);
    assert.ok(LAMBDA_ENTRIES[bundle], `${fn.name}: ${bundle} is not a known bundle`);
    assert.ok(fs.statSync(path.join(code.path, "index.js")).size > 0, `${fn.name}: no index.js in ${code.path}`);
    assert.equal(code.hash, archiveHash(code.path), fn.name);
    out.set(bundle, code.hash);
  }
  return out;
}

describe("infra: a fresh clone previews and deploys with no build step", function () {
  this.timeout(300_000);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-fresh-clone-"));
  const clone = path.join(base, "mcjobs");
  const stacks = stackFiles(REPO_ROOT);
  const seen: { label: string; code: Map<string, string> }[] = [];

  before(() => {
    cloneCheckout(clone);
    assert.ok(!fs.existsSync(path.join(clone, "dist")), "the clone has no dist/");
    assert.ok(fs.existsSync(path.join(clone, "index.ts")));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it("has stack files to run", () => {
    assert.ok(stacks.length >= 1);
  });

  for (const { stack, region, config } of stacks) {
    for (const preview of [true, false]) {
      const label = `${stack} ${preview ? "preview" : "update"}`;
      it(`${label}: every function's code archive is the clone's built dist/<bundle>, with its index.js`, async () => {
        const run = await runModule(path.join(clone, "index.ts"), { stack, region, config, preview });
        const code = deployedCode(run, clone);
        assert.ok(code.size >= 1, "the program deploys functions");
        seen.push({ label, code });
      });
    }
  }

  it("the runs deployed every bundle, and each bundle the same archive in every stack, preview and update", () => {
    assert.equal(seen.length, stacks.length * 2, "every run above passed");
    const all = new Map<string, string>();
    for (const { label, code } of seen) {
      for (const [bundle, hash] of code) {
        if (!all.has(bundle)) all.set(bundle, hash);
        assert.equal(hash, all.get(bundle), `${label}: ${bundle} differs`);
      }
    }
    assert.deepEqual([...all.keys()].sort(), Object.keys(LAMBDA_ENTRIES).sort());
  });

  it("after a one-line change to the API handler, the next run redeploys that function only; the others keep their archives", async () => {
    const { stack, region, config } = stacks[0];
    const before = seen.find((s) => s.label === `${stack} update`)?.code;
    assert.ok(before, "the first stack's update ran");
    const entry = path.join(clone, LAMBDA_ENTRIES.api);
    const lines = fs.readFileSync(entry, "utf8").split("\n");
    const at = lines.findIndex((l) => l.startsWith("export "));
    assert.ok(at >= 0, `${LAMBDA_ENTRIES.api} has an export line`);
    lines.splice(at, 0, 'console.log("cold start");');
    fs.writeFileSync(entry, lines.join("\n"));

    // A new `pulumi up` is a new process; the clone's own builder forgets this one's builds to stand for it.
    (require(path.join(clone, "infra", "lambda-code")) as typeof import("../../infra/lambda-code")).forgetLambdaBuilds();
    const run = await runModule(path.join(clone, "index.ts"), { stack, region, config });
    const after = deployedCode(run, clone);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [bundle, hash] of after) {
      if (bundle === "api") assert.notEqual(hash, before.get(bundle), "the changed handler gets a new archive");
      else assert.equal(hash, before.get(bundle), `${bundle} was rebuilt to the same bytes`);
    }
  });
});
