/**
 * The collector as Lambda runs it: the esbuild bundle (infra/build-lambdas.ts) loaded in a fresh Node process
 * with only its environment, `handler` called with an EventBridge event and a Lambda-like context. Checks the
 * configuration path, the Powertools wiring, and that the mediainfo.js probe (wasm beside the bundle) works from
 * the bundle against s3rver.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../lib/adapters/clients";
import { buildLambdas } from "../../infra/build-lambdas";
import { createBucket, createStream, createTables, startStandIns, type StandIns } from "../../tools/twin/standins";
import { makeMedia } from "../support/media";
import { readAll } from "../handlers/collector/support/kinesis-read";

function runBundle(
  bundle: string,
  env: Record<string, string>,
  events: unknown[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `
    const { handler } = require(${JSON.stringify(bundle)});
    const context = { functionName: "collector", awsRequestId: "req-1", getRemainingTimeInMillis: () => 30000 };
    (async () => {
      const out = [];
      for (const e of ${JSON.stringify(events)}) {
        try { out.push({ ok: await handler(e, context) }); } catch (err) { out.push({ error: String(err) }); }
      }
      process.stdout.write("RESULT " + JSON.stringify(out) + "\\n");
    })();
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", script], { env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("collector bundle (esbuild) in a fresh process", () => {
  let standIns: StandIns;
  let outDir: string;
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "kinesis", "s3"] });
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-collector-bundle-"));
  });
  after(async () => {
    await standIns?.stop();
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it("folds events, probes the input with the bundled wasm, puts records, and logs/publishes with Powertools", async () => {
    const [built] = await buildLambdas({ outDir, only: ["collector"], quiet: true, sourcemap: false });
    assert.ok(built.outfile, built.skipped);
    assert.ok(built.wasm && fs.existsSync(built.wasm), "MediaInfoModule.wasm beside the bundle");

    const tables = await createTables("bundle", standIns.env);
    const stream = await createStream("bundle-stream", standIns.env);
    const bucket = await createBucket("bundle-inputs", standIns.env);
    const file = await makeMedia({ kind: "mp4-faststart", seconds: 3, width: 320, height: 240 });
    const s3 = clients.s3(standIns.env);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/a.mp4", Body: fs.readFileSync(file) }));
    s3.destroy();

    const jobId = `${Date.now() - 60_000}-bundle`;
    const t = Date.now() - 50_000;
    const event = (status: string, ts: number, detail: Record<string, unknown> = {}) => ({
      version: "0",
      id: `b-${status}`,
      "detail-type": "MediaConvert Job State Change",
      source: "aws.mediaconvert",
      account: "111122223333",
      time: new Date(ts).toISOString(),
      region: "us-east-1",
      resources: [],
      detail: {
        timestamp: ts,
        accountId: "111122223333",
        queue: "arn:aws:mediaconvert:us-east-1:111122223333:queues/Default",
        jobId,
        status,
        userMetadata: {},
        ...detail,
      },
    });
    const events = [
      event("PROGRESSING", t),
      event("INPUT_INFORMATION", t + 1000, {
        inputDetails: [{ id: 1, uri: `s3://${bucket}/in/a.mp4`, video: [{ codec: "H_264" }], audio: [] }],
      }),
      { not: "an event" },
    ];
    const env = {
      ...standIns.env,
      JOBS_TABLE: tables.jobs,
      EVENTS_TABLE: tables.events,
      QUEUES_TABLE: tables.queues,
      TABLE_TTL_DAYS: "7",
      USE_STREAMS: "true",
      STREAM_NAME: stream,
      COLLECTOR_GET_JOB: "false",
      PROBE_BUDGET_BYTES: String(512 * 1024),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const run = await runBundle(built.outfile!, env, events);
    assert.equal(run.code, 0, run.stderr);
    const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    assert.ok(line, `no result line in:\n${run.stdout}\n${run.stderr}`);
    const results = JSON.parse(line.slice(7)) as Array<{ ok?: { processed: number; rejected: number }; error?: string }>;
    assert.deepEqual(
      results.map((r) => r.error ?? [r.ok!.processed, r.ok!.rejected]),
      [
        [1, 0],
        [1, 0],
        [0, 1],
      ],
    );
    // Powertools: structured JSON logs (warnings go to stderr) and EMF metrics on stdout
    const json = `${run.stdout}\n${run.stderr}`
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      json.some((l) => l.message === "event rejected" && typeof l.reason === "string"),
      `rejection logged with its reason:\n${run.stdout}\n${run.stderr}`,
    );
    assert.ok(
      json.some((l) => (l._aws as { CloudWatchMetrics?: unknown } | undefined)?.CloudWatchMetrics),
      "EMF metrics published",
    );

    const ddb = clients.dynamoDb(env);
    const item = (await ddb.send(new GetCommand({ TableName: tables.jobs, Key: { jobId } }))).Item!;
    ddb.destroy();
    const probe = item.probe as { video?: { width?: number }; bytesRead: number };
    assert.ok(probe, "the probe ran inside the bundle");
    assert.equal(probe.video?.width, 320);
    const kinesis = clients.kinesis(env);
    assert.equal((await readAll(kinesis, stream)).length, 2);
    kinesis.destroy();
  });
});
