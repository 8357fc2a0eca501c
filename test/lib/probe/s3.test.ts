/**
 * The probe through S3 ranged GETs, against s3rver from the local stand-ins: the same fields as a full parse
 * of the local file, and the request and byte counts it reports are the ones that went over the wire.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as net from "node:net";
import { Readable } from "node:stream";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as clients from "../../../lib/adapters/clients";
import { startStandIns, createBucket, type StandIns } from "../../../tools/twin/standins";
import { probeFile, probeS3, parseS3Uri } from "../../../lib/probe";
import { ProbeStorageError } from "../../../lib/probe/storage";
import { makeMedia, MEDIA_KINDS, type MediaKind } from "../../support/media";

interface Wire {
  command: string;
  range?: string;
  bytes: number;
}

/** Records every S3 call the client makes, with the Range asked and the bytes that came back. */
function recordCalls(client: S3Client): Wire[] {
  const calls: Wire[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Range?: string };
      const out = await next(args);
      const res = out.response as { headers?: Record<string, string> };
      calls.push({
        command: context.commandName ?? "?",
        range: input.Range,
        bytes: context.commandName === "GetObjectCommand" ? Number(res.headers?.["content-length"] ?? NaN) : 0,
      });
      return out;
    },
    { step: "deserialize", name: "mcjobsRecordCalls" },
  );
  return calls;
}

describe("probe: through S3 ranged GETs (s3rver)", function () {
  this.timeout(180_000);
  let standIns: StandIns;
  let env: Record<string, string>;
  const bucket = "probe-media";
  const files = new Map<MediaKind, string>();

  before(async () => {
    standIns = await startStandIns({ services: ["s3"] });
    env = standIns.env;
    await createBucket(bucket, env);
    const s3 = clients.s3(env);
    try {
      for (const kind of MEDIA_KINDS) {
        const file = await makeMedia({ kind, seconds: 8, width: 1280, height: 720, videoBitRate: 6_000_000 });
        files.set(kind, file);
        // Not streamed: s3rver wants a body of known length.
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `inputs/${kind}/clip name.bin`, Body: fs.readFileSync(file) }));
      }
    } finally {
      s3.destroy();
    }
  });

  /** The stand-in's S3 settings, for a client built by hand. */
  function s3Config() {
    return {
      region: env.AWS_REGION,
      endpoint: env.MCJOBS_ENDPOINT_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
      requestChecksumCalculation: "WHEN_REQUIRED" as const,
      responseChecksumValidation: "WHEN_REQUIRED" as const,
    };
  }

  after(async () => {
    await standIns?.stop();
  });

  for (const kind of MEDIA_KINDS) {
    it(`${kind}: same result as a full parse of the file; counts match the wire; no suffix ranges`, async () => {
      const client = clients.s3(env);
      const calls = recordCalls(client);
      try {
        const budget = 1024 * 1024;
        const r = await probeS3(`s3://${bucket}/inputs/${kind}/clip name.bin`, { budgetBytes: budget, s3: client });
        const full = await probeFile(files.get(kind)!, { full: true });
        for (const k of ["container", "containerProfile", "durationMs", "overallBitRate", "fileSize", "video", "audio"] as const) {
          assert.deepEqual(r[k], full[k], `${k} differs`);
        }
        assert.ok(r.complete);
        const gets = calls.filter((c) => c.command === "GetObjectCommand");
        const heads = calls.filter((c) => c.command === "HeadObjectCommand");
        assert.equal(heads.length, 1, "one HeadObject for the size");
        assert.equal(gets.length, r.requests, "requests counts the GETs sent");
        assert.equal(
          gets.reduce((n, c) => n + c.bytes, 0),
          r.bytesRead,
          "bytesRead counts the bytes received",
        );
        assert.ok(r.bytesRead <= budget);
        for (const g of gets) assert.match(g.range ?? "", /^bytes=\d+-\d+$/, "explicit first-last ranges only");
        assert.ok(r.bytesRead < fs.statSync(files.get(kind)!).size);
      } finally {
        client.destroy();
      }
    });
  }

  it("uses the S3 client from lib/adapters/clients.ts (MCJOBS_ENDPOINT_S3) when none is given", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const r = await probeS3(`s3://${bucket}/inputs/mxf/clip name.bin`);
      assert.equal(r.container, "MXF");
      assert.ok(r.bytesRead <= 4 * 1024 * 1024);
    } finally {
      for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("says plainly when the object or the bucket is missing, or the URI is bad", async () => {
    const client = clients.s3(env);
    try {
      await assert.rejects(
        probeS3(`s3://${bucket}/nope.mp4`, { s3: client }),
        /Cannot probe s3:\/\/probe-media\/nope\.mp4: no such object/,
      );
      await assert.rejects(probeS3("s3://no-such-bucket-here/x.mp4", { s3: client }), /no such (bucket|object)/);
      await assert.rejects(probeS3("s3://Bad_Bucket/x.mp4", { s3: client }), /not a valid S3 bucket name/);
      await assert.rejects(probeS3("s3://bucket-only", { s3: client }), /expected s3:\/\/bucket\/key/);
      await assert.rejects(probeS3(`s3://${bucket}/x.mp4`, { s3: client, budgetBytes: 10 }), /budgetBytes must be at least/);
    } finally {
      client.destroy();
    }
  });

  it("keeps the SDK's status on errors, so the collector can tell a missing object from a passing fault", async () => {
    const client = clients.s3(env);
    try {
      const err = await probeS3(`s3://${bucket}/nope.mp4`, { s3: client }).then(
        () => assert.fail("should have failed"),
        (e: unknown) => e as ProbeStorageError,
      );
      assert.ok(err instanceof ProbeStorageError);
      assert.equal(err.$metadata?.httpStatusCode, 404);
    } finally {
      client.destroy();
    }
    // A 503 on the second ranged GET, as S3 gives under load.
    const flaky = new S3Client({ ...s3Config(), maxAttempts: 1 });
    let gets = 0;
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetObjectCommand" && ++gets === 2) {
          // What S3 sends back; the SDK's own deserializer turns it into its error.
          const response = {
            statusCode: 503,
            headers: { "content-type": "application/xml" },
            body: Readable.from([Buffer.from("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")]),
          };
          return { response, output: undefined as never };
        }
        return next(args);
      },
      { step: "deserialize", name: "mcjobsInject503", priority: "low" },
    );
    try {
      const err = await probeS3(`s3://${bucket}/inputs/ts/clip name.bin`, { s3: flaky }).then(
        () => assert.fail("should have failed"),
        (e: unknown) => e as ProbeStorageError,
      );
      assert.equal(err.$metadata?.httpStatusCode, 503, `${err.name}: ${err.message}`);
      assert.equal(err.name, "SlowDown", "the S3 error code is kept as the name");
      assert.match(err.message, /Reading bytes \d+-\d+ of s3:\/\/probe-media\/inputs\/ts\/clip name\.bin/);
    } finally {
      flaky.destroy();
    }
  });

  it("fails loudly, instead of mixing two versions, when the object is replaced mid-probe", async () => {
    const key = "inputs/replaced.mxf";
    const original = fs.readFileSync(files.get("mxf")!);
    const writer = clients.s3(env);
    await writer.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: original }));
    const client = clients.s3(env);
    let gets = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetObjectCommand" && ++gets === 2) {
          await writer.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat([original, Buffer.from("v2")]) }));
        }
        return next(args);
      },
      { step: "initialize", name: "mcjobsReplaceObject" },
    );
    try {
      await assert.rejects(probeS3(`s3://${bucket}/${key}`, { s3: client, budgetBytes: 1 << 20 }), /changed while it was being probed/);
    } finally {
      client.destroy();
      writer.destroy();
    }
  });

  it("gives up on an S3 endpoint that never answers, with a transient error", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((sock) => void sockets.add(sock)); // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const client = new S3Client({ ...s3Config(), endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    const started = Date.now();
    try {
      const err = await probeS3(`s3://${bucket}/x.mp4`, { s3: client, requestTimeoutMs: 300 }).then(
        () => assert.fail("should have failed"),
        (e: unknown) => e as Error,
      );
      assert.match(err.message, /Cannot probe s3:\/\/probe-media\/x\.mp4: no answer from S3 in time/);
      assert.ok(["TimeoutError", "AbortError"].includes(err.name), err.name);
      assert.ok(Date.now() - started < 5000);
    } finally {
      client.destroy();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("parses s3:// URIs, keeping the key as written", () => {
    assert.deepEqual(parseS3Uri("s3://my.bucket-1/a/b c%20d.mp4"), { bucket: "my.bucket-1", key: "a/b c%20d.mp4" });
    assert.throws(() => parseS3Uri("https://x/y"), /not an S3 URI/);
    assert.throws(() => parseS3Uri("s3://ab/k"), /not a valid S3 bucket name/);
  });
});
