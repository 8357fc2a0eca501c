/**
 * `mcjobs jobs` against the API handler served over HTTP by the twin's front door (local/server.ts), with jobs in
 * DynamoDB Local; and its SigV4 signing checked by a server that recomputes the signature.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import * as clients from "../../adapters/clients";
import command, { bar, duration, parseJobsArgs } from "../../cli/commands/jobs";
import { ENV } from "../../domain/env";
import { handler, resetApiHandler } from "../../handlers/api";
import { startTwinServer, type TwinServer } from "../../local/server";
import { createTables, startStandIns, type StandIns } from "../../local/standins";
import { batchWrite, makeJobs, type SeededJob } from "./support/seed";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
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

describe("api: mcjobs jobs", function () {
  let standIns: StandIns;
  let server: TwinServer;
  let jobs: SeededJob[];
  const savedEnv = { ...process.env };
  const NOW = Date.now();

  before(async function () {
    this.timeout(90_000);
    standIns = await startStandIns({ services: ["dynamodb"] });
    const tables = await createTables("clitest", standIns.env);
    const ddb = clients.dynamoDb(standIns.env as NodeJS.ProcessEnv);
    const seeded = makeJobs({ count: 400, newest: NOW - 60_000, spanMs: 86_400_000, seed: 3 });
    jobs = seeded.jobs;
    await batchWrite(ddb, tables.jobs, seeded.items);
    ddb.destroy();
    Object.assign(process.env, standIns.env, {
      [ENV.jobsTable]: tables.jobs,
      [ENV.eventsTable]: tables.events,
      [ENV.queuesTable]: tables.queues,
      [ENV.apiTokenKey]: randomBytes(32).toString("base64"),
    });
    delete process.env.MCJOBS_API_URL;
    server = await startTwinServer({
      port: 0,
      api: (event) => handler(event),
      dashboardDir: path.join(__dirname, "..", "..", "dashboard"),
      local: { queues: async () => [], status: () => ({}), notifications: () => [] },
    });
  });

  after(async () => {
    await server?.stop();
    resetApiHandler();
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    await standIns?.stop();
  });

  it("--all --json follows nextToken and returns every job of the status once", async () => {
    const res = await run(["PROGRESSING", "--endpoint", server.url, "--all", "--json", "--limit", "17"]);
    assert.equal(res.code, 0, res.err);
    const body = JSON.parse(res.out);
    const want = jobs.filter((j) => j.status === "PROGRESSING").map((j) => j.jobId).sort();
    assert.ok(want.length > 17 * 3);
    assert.equal(body.count, want.length);
    assert.deepEqual(body.jobs.map((j: { jobId: string }) => j.jobId).sort(), want);
  });

  it("prints a table: job, queue, status, % with a bar, phase, ETA, elapsed; says when there is more", async () => {
    const res = await run(["progressing", "--endpoint", server.url, "--limit", "5", "--queue", "Fast"]);
    assert.equal(res.code, 0, res.err);
    const lines = res.out.split("\n");
    assert.match(lines[0], /^JOB\s+QUEUE\s+STATUS\s+PROGRESS\s+PHASE\s+ETA\s+ELAPSED$/);
    const rows = lines.slice(1, 6);
    assert.equal(rows.length, 5);
    const newestFast = jobs.filter((j) => j.status === "PROGRESSING" && j.queueName === "Fast").sort((a, b) => b.createdAt - a.createdAt)[0];
    assert.ok(rows[0].startsWith(newestFast.jobId), rows[0]);
    for (const r of rows) assert.match(r, /^\d{13}-\w+\s+Fast\s+PROGRESSING\s+\[[#.]{20}\]\s+\d+%\s+TRANSCODING\s+\S+\s+\d+(h|m|s|d)/);
    assert.match(res.out, /add --all/);
  });

  it("shows one job, and reports API errors with their message and a non-zero exit", async () => {
    const job = jobs.find((j) => j.status === "COMPLETE")!;
    const one = await run([job.jobId, "--endpoint", server.url]);
    assert.equal(one.code, 0, one.err);
    assert.match(one.out, new RegExp(`^job\\s+${job.jobId}$`, "m"));
    assert.match(one.out, /^status\s+COMPLETE$/m);
    assert.match(one.out, /^progress\s+\[#{20}\]\s+100%$/m);
    const missing = await run(["1700000000000-nosuch", "--endpoint", server.url]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No job 1700000000000-nosuch is on record.*\[HTTP 404 JobNotFound\]/);
    const bad = await run(["PROGRESSING", "--endpoint", server.url, "--since", "last tuesday"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /since must be epoch milliseconds.*\[HTTP 400 InvalidParameter\]/);
  });

  it("refuses bad options before calling anything", async () => {
    assert.throws(() => parseJobsArgs([]), /status or a job id/);
    assert.throws(() => parseJobsArgs(["PROGRESSING", "--limit", "0"]), /--limit must be 1-500/);
    assert.throws(() => parseJobsArgs(["PROGRESSING", "--frobnicate"]), /unknown option --frobnicate/);
    assert.throws(() => parseJobsArgs(["PROGRESSING", "--endpoint"]), /--endpoint needs a value/);
    const noEndpoint = await run(["PROGRESSING", "--dir", "/nonexistent"]);
    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.err, /no Jobs API to ask/);
    assert.equal(bar(50, 10), "[#####.....]  50%");
    assert.equal(duration(3_725_000), "1h02m");
  });

  it("signs a deployed API's requests with SigV4 (execute-api) using the caller's credentials", async () => {
    const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session-token" };
    const seen: { path: string; headers: http.IncomingHttpHeaders }[] = [];
    const fake = http.createServer((req, res) => {
      seen.push({ path: req.url!, headers: req.headers });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ERROR", count: 0, jobs: [], asOf: 0 }));
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const port = (fake.address() as AddressInfo).port;
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_SESSION_TOKEN: creds.sessionToken });
    try {
      const res = await run(["ERROR", "--endpoint", `http://127.0.0.1:${port}`, "--sign", "--region", "eu-west-1", "--queue", "Fast"]);
      assert.equal(res.code, 0, res.err);
    } finally {
      for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
      await new Promise<void>((r) => fake.close(() => r()));
    }
    assert.equal(seen.length, 1);
    const { headers, path: url } = seen[0];
    assert.match(String(headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request/);
    assert.equal(headers["x-amz-security-token"], creds.sessionToken);
    // Recompute the signature for what the server received: it must match.
    const amzDate = String(headers["x-amz-date"]);
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const u = new URL(url, `http://127.0.0.1:${port}`);
    const signer = new SignatureV4({ service: "execute-api", region: "eu-west-1", credentials: creds, sha256: Sha256 });
    const again = await signer.sign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        port,
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: { host: String(headers.host), accept: String(headers.accept) },
      },
      { signingDate },
    );
    assert.equal(again.headers.authorization, headers.authorization);
  });
});
