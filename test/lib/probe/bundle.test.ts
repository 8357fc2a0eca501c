/**
 * The probe inside an esbuild bundle, as a Lambda runs it: bundled with the settings from lib/probe/build.ts into a
 * temp folder far from node_modules, the wasm copied beside it, run with plain `node`.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { copyMediaInfoWasm, PROBE_ESBUILD_OPTIONS } from "../../../lib/probe/build";
import { probeFile } from "../../../lib/probe";
import { makeMedia } from "../../support/media";

const ENTRY = `
import { probeFile } from ${JSON.stringify(path.resolve(__dirname, "../../../lib/probe"))};
probeFile(process.argv[2], { budgetBytes: 1024 * 1024 }).then(
  (r) => { process.stdout.write(JSON.stringify(r)); },
  (e) => { process.stderr.write(String(e && e.message)); process.exit(3); },
);
`;

describe("probe: inside an esbuild bundle", function () {
  this.timeout(120_000);
  let dir: string;
  let bundle: string;
  let media: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-probe-bundle-"));
    const entry = path.join(dir, "entry.ts");
    fs.writeFileSync(entry, ENTRY);
    bundle = path.join(dir, "out", "index.js");
    await build({
      ...PROBE_ESBUILD_OPTIONS,
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      target: "node20",
      logLevel: "silent",
      // Resolve packages from this repo, though the entry lives in a temp folder.
      nodePaths: [path.resolve(__dirname, "../../../node_modules")],
    });
    media = await makeMedia({ kind: "mp4-moov-end", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(env: NodeJS.ProcessEnv = {}) {
    // cwd and NODE_PATH far from the repo: nothing can come from node_modules at run time.
    const clean = { PATH: process.env.PATH, HOME: os.tmpdir(), ...env };
    return spawnSync(process.execPath, [bundle, media], { cwd: dir, env: clean, encoding: "utf8", timeout: 60_000 });
  }

  it("fails with a message naming where it looked when the wasm is not beside the bundle", () => {
    const r = run();
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /Cannot find MediaInfoModule\.wasm; looked in: .*out\/MediaInfoModule\.wasm/);
  });

  it("works with the wasm copied beside it, and gives what the probe gives from source", async () => {
    copyMediaInfoWasm(path.dirname(bundle));
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    const fromBundle = JSON.parse(r.stdout);
    const fromSource = await probeFile(media, { budgetBytes: 1024 * 1024 });
    const { probedAt: _a, ...b } = fromBundle;
    const { probedAt: _b, ...s } = fromSource;
    assert.deepEqual(b, s);
    assert.equal(fromBundle.container, "MPEG-4");
    assert.equal(fromBundle.video.width, 1280);
  });

  it("honours MCJOBS_MEDIAINFO_WASM, and says so when it points nowhere", () => {
    const moved = path.join(dir, "elsewhere.wasm");
    fs.renameSync(path.join(path.dirname(bundle), "MediaInfoModule.wasm"), moved);
    assert.equal(run({ MCJOBS_MEDIAINFO_WASM: moved }).status, 0);
    const bad = run({ MCJOBS_MEDIAINFO_WASM: path.join(dir, "missing.wasm") });
    assert.equal(bad.status, 3);
    assert.match(bad.stderr, /MCJOBS_MEDIAINFO_WASM is set to .*missing\.wasm, but there is no file there/);
  });
});
