import { strict as assert } from "node:assert";
import command, { factsLine, parseArgs, parseBytes } from "../../../tools/cli/commands/probe";
import * as fs from "node:fs";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as clients from "../../../lib/adapters/clients";
import { createBucket, startStandIns, type StandIns } from "../../../tools/twin/standins";
import { makeMedia } from "../../support/media";
import { assertUsageError, runInProcess } from "./run-command";

function runCli(argv: string[]) {
  return runInProcess(command, argv);
}

describe("cli: mcjobs probe", function () {
  this.timeout(60_000);
  let file: string;
  before(async () => {
    file = await makeMedia({ kind: "mxf", seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 });
  });

  it("prints the fields with bytesRead and requests", async () => {
    const r = await runCli([file, "--budget", "1M"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /container\s+MXF/);
    assert.match(r.out, /video\s+MPEG2, 1280x720, 25 fps/, "MediaConvert's codec name, as job records have it");
    assert.match(r.out, /audio 1\s+PCM, 2 ch, 48000 Hz/);
    const bytes = Number(/bytesRead\s+(\d+)/.exec(r.out)?.[1]);
    assert.ok(bytes > 0 && bytes <= 1024 * 1024, `bytesRead ${bytes}`);
    assert.match(r.out, /requests\s+\d+/);
    assert.match(r.out, /facts\s+all found before the byte budget stopped the read/);
    assert.ok(!/complete\s+yes/.test(r.out), r.out);
  });

  it("says whether the facts were all found and whether a bound or the file's end stopped the read", () => {
    assert.equal(factsLine({ complete: true }), "all found");
    assert.equal(factsLine({ complete: true, stoppedBy: "max-requests" }), "all found before the request bound stopped the read");
    assert.equal(
      factsLine({ complete: false, stoppedBy: "budget", missing: ["durationMs", "video.codec"] }),
      "the byte budget stopped the read before durationMs, video.codec was found",
    );
    assert.equal(factsLine({ complete: false, missing: ["container"] }), "missing from the file: container");
  });

  it("--json prints the ProbeResult, and --full reads more than the budget does", async () => {
    const budgeted = JSON.parse((await runCli([file, "--json", "--budget=524288"])).out);
    const full = JSON.parse((await runCli([file, "--json", "--full"])).out);
    assert.equal(budgeted.container, "MXF");
    assert.ok(budgeted.bytesRead <= 524288);
    assert.ok(full.bytesRead > budgeted.bytesRead);
    assert.deepEqual(budgeted.video, full.video);
    assert.deepEqual(budgeted.audio, full.audio);
    assert.equal(budgeted.durationMs, full.durationMs);
  });

  it("exits 1 with a plain message for a missing file", async () => {
    const r = await runCli(["/no/such/clip.mov"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no such file: \/no\/such\/clip\.mov/);
  });

  it("takes --flag=value as --flag value: the same result either way", async () => {
    const spaced = await runCli([file, "--budget", "512K", "--max-requests", "6", "--json"]);
    const joined = await runCli([file, "--budget=512K", "--max-requests=6", "--json"]);
    assert.equal(spaced.code, 0, spaced.err);
    assert.equal(joined.code, 0, joined.err);
    // Everything but the time of the probe is the same.
    const { probedAt: at1, ...a } = JSON.parse(spaced.out);
    const { probedAt: at2, ...b } = JSON.parse(joined.out);
    assert.ok(at2 >= at1);
    assert.deepEqual(b, a);
    assert.ok(a.requests <= 6 && a.bytesRead <= 512 * 1024, JSON.stringify(a));
  });

  it("exits 2 with one line for bad usage: unknown flag, bad budget, bad URI, bad request bound, two targets, no target", async () => {
    for (const [argv, msg] of [
      [[file, "--budget", "lots"], /--budget takes a byte count such as 4194304, 512K or 8M, not "lots"/],
      [[file, "--budget=1000"], /--budget 1000 is too small: at least 65536 bytes/],
      [[file, "--budget"], /--budget needs a value/],
      [["s3://Not_A_Bucket/x.mp4"], /not a valid S3 bucket name/],
      [["s3://bucket-only"], /expected s3:\/\/bucket\/key/],
      [["https://example.com/x.mp4"], /neither a local path nor an s3:\/\/ URI/],
      [[file, "--max-requests", "1"], /--max-requests must be a whole number from 2 to 10000, not "1"/],
      [[file, "--max-requests=many"], /--max-requests must be a whole number from 2 to 10000, not "many"/],
      [[file, "--full", "--budget", "1M"], /--full reads without bounds/],
      [[file, "--json=yes"], /--json takes no value/],
      [[file, "--region=eu-west-1"], /--region only applies to s3:\/\/ URIs/],
      [[file, file], /one file or S3 URI at a time/],
      [[], /which file\?/],
      [[file, "--frobnicate"], /unknown option --frobnicate/],
      [[file, "--frobnicate=1"], /unknown option --frobnicate/],
    ] as Array<[string[], RegExp]>) {
      assertUsageError(await runCli(argv), "probe", msg);
    }
  });

  it("parses byte counts with K/M/G suffixes", () => {
    assert.equal(parseBytes("4194304"), 4194304);
    assert.equal(parseBytes("512K"), 524288);
    assert.equal(parseBytes("8MiB"), 8 * 1024 * 1024);
    assert.equal(parseBytes("1g"), 1024 ** 3);
    assert.deepEqual(parseArgs(["s3://my-bucket/a b.mp4", "--max-requests", "8"]), {
      target: "s3://my-bucket/a b.mp4",
      opts: { maxRequests: 8 },
      json: false,
    });
  });

  describe("against S3 (s3rver)", () => {
    let standIns: StandIns;
    const saved: Record<string, string | undefined> = {};
    before(async () => {
      standIns = await startStandIns({ services: ["s3"] });
      await createBucket("cli-probe", standIns.env);
      const s3 = clients.s3(standIns.env);
      try {
        await s3.send(new PutObjectCommand({ Bucket: "cli-probe", Key: "in/clip.mxf", Body: fs.readFileSync(file) }));
      } finally {
        s3.destroy();
      }
      for (const [k, v] of Object.entries(standIns.env)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
    });
    after(async () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await standIns?.stop();
    });

    it("probes an s3:// URI with ranged GETs and prints bytesRead and requests", async () => {
      const r = await runCli(["s3://cli-probe/in/clip.mxf", "--budget", "1M", "--region", "eu-west-1", "--json"]);
      assert.equal(r.code, 0, r.err);
      const out = JSON.parse(r.out);
      assert.equal(out.container, "MXF");
      assert.ok(out.bytesRead > 0 && out.bytesRead <= 1024 * 1024);
      assert.ok(out.requests >= 2 && out.requests <= 16);
      assert.equal(out.fileSize, fs.statSync(file).size);
    });

    it("exits 1 with a plain message when the object is missing", async () => {
      const r = await runCli(["s3://cli-probe/in/missing.mxf"]);
      assert.equal(r.code, 1);
      assert.match(r.err, /Cannot probe s3:\/\/cli-probe\/in\/missing\.mxf: no such object/);
    });

    it("rejects a malformed --region", async () => {
      assertUsageError(
        await runCli(["s3://cli-probe/in/clip.mxf", "--region", "Mars"]),
        "probe",
        /--region must look like eu-west-1, not "Mars"/,
      );
      assertUsageError(
        await runCli(["s3://cli-probe/in/clip.mxf", "--region=Mars"]),
        "probe",
        /--region must look like eu-west-1, not "Mars"/,
      );
    });
  });
});
