/**
 * `mcjobs jobs` against the API handler served over HTTP by the twin's front door (tools/twin/server.ts), with jobs in
 * DynamoDB Local; and its SigV4 signing checked by a server that recomputes the signature.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import * as clients from "../../../lib/adapters/clients";
import command, { bar, duration, parseJobsArgs } from "../../../tools/cli/commands/jobs";
import { ENV } from "../../../lib/domain/env";
import { handler, resetApiHandler } from "../../../handlers/api";
import { startTwinServer, type TwinServer } from "../../../tools/twin/server";
import { createTables, startStandIns, type StandIns } from "../../../tools/twin/standins";
import { batchWrite, makeJobs, type SeededJob } from "../../support/seed-jobs";
import { assertUsageError, runInProcess, throughPipe } from "./run-command";

function run(argv: string[]) {
  return runInProcess(command, argv);
}

describe("api: mcjobs jobs", () => {
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
    // The queue counters the collector keeps beside the jobs: one item per queue that has jobs.
    const counters = new Map<string, Record<string, number | string>>();
    for (const j of jobs) {
      const item = counters.get(j.queueName) ?? { queueName: j.queueName };
      item[j.status] = Number(item[j.status] ?? 0) + 1;
      counters.set(j.queueName, item);
    }
    await batchWrite(ddb, tables.queues, [...counters.values()]);
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
      dashboardDir: path.join(__dirname, "..", "..", "..", "tools", "dashboard"),
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
    const want = jobs
      .filter((j) => j.status === "PROGRESSING")
      .map((j) => j.jobId)
      .sort();
    assert.ok(want.length > 17 * 3);
    assert.equal(body.count, want.length);
    assert.deepEqual(body.jobs.map((j: { jobId: string }) => j.jobId).sort(), want);
  });

  it("--all --json into a pipe read by another process: every byte arrives, one valid JSON document", async () => {
    const counts = new Map<string, number>();
    for (const j of jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
    const [status, count] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const out = await throughPipe(["jobs", status, "--endpoint", server.url, "--all", "--json", "--limit", "50"], process.env);
    assert.ok(out.length > 2 * 65536, `the listing is only ${out.length} bytes: too small to show a cut at the pipe buffer`);
    const body = JSON.parse(out) as { count: number; jobs: unknown[] };
    assert.equal(body.count, count);
    assert.equal(body.jobs.length, count);
  });

  it("prints a table: job, input file, queue, status, % with a bar, phase, ETA, elapsed; says when there is more", async () => {
    const res = await run(["progressing", "--endpoint", server.url, "--limit", "5", "--queue", "Fast"]);
    assert.equal(res.code, 0, res.err);
    const lines = res.out.split("\n");
    assert.match(lines[0], /^JOB\s+FILE\s+QUEUE\s+STATUS\s+PROGRESS\s+PHASE\s+ETA\s+ELAPSED$/);
    const rows = lines.slice(1, 6);
    assert.equal(rows.length, 5);
    const newestFast = jobs
      .filter((j) => j.status === "PROGRESSING" && j.queueName === "Fast")
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    assert.ok(rows[0].startsWith(newestFast.jobId), rows[0]);
    for (const r of rows)
      assert.match(r, /^(\d{13}-\w+)\s+\1\.mov\s+Fast\s+PROGRESSING\s+\[[#.]{20}\]\s+\d+%\s+TRANSCODING\s+\S+\s+\d+(h|m|s|d)/);
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

  it("--queue naming a queue with no jobs on record says so and lists the known queues; a known queue's empty status is just empty", async () => {
    const unknown = await run(["COMPLETE", "--endpoint", server.url, "--queue", "fast"]);
    assert.equal(unknown.code, 1, unknown.out);
    assert.equal(unknown.out, "");
    const known = [...new Set(jobs.map((j) => j.queueName))].sort();
    assert.equal(
      unknown.err,
      `mcjobs jobs: no queue named "fast" has any jobs on record (queue names are case-sensitive). Known queues: ${known.join(", ")}.`,
    );
    const statusless = (["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"] as const).find(
      (st) => !jobs.some((j) => j.queueName === "Fast" && j.status === st && j.createdAt >= NOW - 1000),
    )!;
    const empty = await run([statusless, "--endpoint", server.url, "--queue", "Fast", "--since", String(NOW - 1000)]);
    assert.equal(empty.code, 0, empty.err);
    assert.equal(empty.out, `No ${statusless} jobs in queue Fast.`);
  });

  it("takes --flag=value as --flag value: the same jobs either way", async () => {
    const spaced = await run(["PROGRESSING", "--endpoint", server.url, "--limit", "7", "--queue", "Fast", "--json"]);
    const joined = await run(["PROGRESSING", `--endpoint=${server.url}`, "--limit=7", "--queue=Fast", "--json"]);
    assert.equal(spaced.code, 0, spaced.err);
    assert.equal(joined.code, 0, joined.err);
    const [a, b] = [JSON.parse(spaced.out), JSON.parse(joined.out)];
    assert.equal(a.jobs.length, 7);
    assert.ok(a.jobs.every((j: { queueName: string }) => j.queueName === "Fast"));
    assert.deepEqual(b.jobs, a.jobs);
    assert.deepEqual(b.filters, a.filters);
    assert.deepEqual(
      parseJobsArgs(["COMPLETE", "--since=2024-05-29T12:00:00Z", "--dir=d", "--stack=s"]),
      parseJobsArgs(["COMPLETE", "--since", "2024-05-29T12:00:00Z", "--dir", "d", "--stack", "s"]),
    );
  });

  it("refuses bad options before calling anything, in one line with exit 2", async () => {
    for (const [argv, what] of [
      [[], /^say which jobs: a status or a job id$/],
      [["PROGRESSING", "ERROR"], /^one status or job id at a time \(got "PROGRESSING" and "ERROR"\)$/],
      [["PROGRESSING", "--limit", "0"], /^--limit must be a whole number from 1 to 500, not "0"$/],
      [["PROGRESSING", "--limit=ten"], /^--limit must be a whole number from 1 to 500, not "ten"$/],
      [["PROGRESSING", "--frobnicate"], /^unknown option --frobnicate$/],
      [["PROGRESSING", "--endpoint"], /^--endpoint needs a value$/],
      [["PROGRESSING", "--endpoint=ftp://x"], /^--endpoint must be an http\(s\) URL .*; got "ftp:\/\/x"$/],
      [["PROGRESSING", "--region", "Mars"], /^--region must look like eu-west-1, not "Mars"$/],
      [["PROGRESSING", "--events"], /^--events goes with a job id, not a status$/],
      [["PROGRESSING", "--all=yes"], /^--all takes no value$/],
    ] as Array<[string[], RegExp]>) {
      assertUsageError(await run(argv), "jobs", what);
    }
    const noEndpoint = await run(["PROGRESSING", "--dir", "/nonexistent"]);
    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.err, /no Jobs API to ask/);
    assert.equal(bar(50, 10), "[#####.....]  50%");
    assert.equal(duration(3_725_000), "1h02m");
  });

  it("signs a deployed API's requests with SigV4 (execute-api) using the caller's credentials", async () => {
    const creds = {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken: "session-token",
    };
    const seen: { path: string; headers: http.IncomingHttpHeaders }[] = [];
    const fake = http.createServer((req, res) => {
      seen.push({ path: req.url!, headers: req.headers });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ERROR", count: 0, jobs: [], asOf: 0 }));
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const port = (fake.address() as AddressInfo).port;
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken,
    });
    try {
      const res = await run(["ERROR", "--endpoint", `http://127.0.0.1:${port}`, "--sign", "--region", "eu-west-1", "--queue", "Fast"]);
      assert.equal(res.code, 0, res.err);
    } finally {
      for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"])
        if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
      await new Promise<void>((r) => fake.close(() => r()));
    }
    assert.equal(seen.length, 1);
    const { headers, path: url } = seen[0];
    assert.match(String(headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request/);
    assert.equal(headers["x-amz-security-token"], creds.sessionToken);
    // Recompute the signature for what the server received: it must match.
    const amzDate = String(headers["x-amz-date"]);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
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
