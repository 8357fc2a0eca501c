import { strict as assert } from "node:assert";
import command, { parseArgs, parseBytes } from "../../cli/commands/probe";
import * as fs from "node:fs";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as clients from "../../adapters/clients";
import { createBucket, startStandIns, type StandIns } from "../../local/standins";
import { makeMedia } from "../support/media";

async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await command.run(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
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
    assert.match(r.out, /video\s+MPEG Video, 1280x720, 25 fps/);
    assert.match(r.out, /audio 1\s+PCM, 2 ch, 48000 Hz/);
    const bytes = Number(/bytesRead\s+(\d+)/.exec(r.out)?.[1]);
    assert.ok(bytes > 0 && bytes <= 1024 * 1024, `bytesRead ${bytes}`);
    assert.match(r.out, /requests\s+\d+/);
    assert.match(r.out, /stopped by\s+the byte budget/);
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

  it("exits 2 for bad usage: bad budget, bad URI, bad request bound, two targets, no target", async () => {
    for (const [argv, msg] of [
      [[file, "--budget", "lots"], /--budget takes a byte count such as 4194304, 512K or 8M, not "lots"/],
      [[file, "--budget", "1000"], /--budget 1000 is too small: at least 65536 bytes/],
      [[file, "--budget"], /--budget needs a value/],
      [["s3://Not_A_Bucket/x.mp4"], /not a valid S3 bucket name/],
      [["s3://bucket-only"], /expected s3:\/\/bucket\/key/],
      [["https://example.com/x.mp4"], /neither a local path nor an s3:\/\/ URI/],
      [[file, "--max-requests", "1"], /--max-requests takes a whole number from 2 to 10000, not "1"/],
      [[file, "--full", "--budget", "1M"], /--full reads without bounds/],
      [[file, file], /one file or S3 URI at a time/],
      [[], /which file\?/],
      [[file, "--frobnicate"], /unknown option --frobnicate/],
    ] as Array<[string[], RegExp]>) {
      const r = await runCli(argv);
      assert.equal(r.code, 2, `${argv.join(" ")} → ${r.code}`);
      assert.match(r.err, msg);
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
      const r = await runCli(["s3://cli-probe/in/clip.mxf", "--region", "Mars"]);
      assert.equal(r.code, 2);
      assert.match(r.err, /--region must look like eu-west-1/);
    });
  });
});
