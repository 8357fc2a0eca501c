/**
 * `mcjobs jobs` against several Jobs APIs at once: two local twins, each its own process with its own state folder
 * and ports (one twin per process, as the twin requires), standing in for two regions. Each is given jobs of its
 * own through `mcjobs send-event`, plus one job both know (a newer record in the second). The CLI merges the
 * listings; once the second twin is stopped, the first one's jobs still come back and the stopped one is named.
 */
import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import jobs from "../../../tools/cli/commands/jobs";
import sendEvent from "../../../tools/cli/commands/send-event";
import { fixture } from "../../support/fixtures";
import { runInProcess } from "./run-command";

const BIN = path.resolve(__dirname, "../../../tools/cli/bin.js");

interface RunningTwin {
  dir: string;
  apiUrl: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  out: () => string;
}

/** `mcjobs start` in a child process on free ports, without demo jobs or reconciler; resolves once it prints its URLs. */
async function startTwinProcess(dir: string): Promise<RunningTwin> {
  const child = spawn(process.execPath, [BIN, "start", "--dir", dir, "--port", "0", "--no-demo", "--reconcile-every", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MCJOBS_API_URL: "" },
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const re = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//;
  const deadline = Date.now() + 150_000;
  while (!re.test(out)) {
    if (child.exitCode !== null) throw new Error(`mcjobs start exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`mcjobs start printed no URLs:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { dir, apiUrl: re.exec(out)![1], child, exited, out: () => out };
}

/** A COMPLETE event for `jobId` at `timestamp` in `queue`, from the published example. */
function completeEvent(jobId: string, timestamp: number, queue: string, id: string): Record<string, unknown> {
  const e = fixture("complete-awsdoc-1.json");
  return {
    ...e,
    id,
    time: new Date(timestamp).toISOString().replace(/\.\d+Z$/, "Z"),
    resources: [`arn:aws:mediaconvert:us-west-2::jobs/${jobId}`],
    detail: { ...e.detail, jobId, timestamp, queue: `arn:aws:mediaconvert:us-west-2:111122223333:queues/${queue}` },
  };
}

async function waitForJob(apiUrl: string, jobId: string, lastEventAt: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${apiUrl}/jobs/${encodeURIComponent(jobId)}`);
    const body = (await res.json()) as { lastEventAt?: number };
    if (res.status === 200 && body.lastEventAt === lastEventAt) return;
    if (Date.now() > deadline) throw new Error(`job ${jobId} never reached ${apiUrl}: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("mcjobs jobs across several endpoints", function () {
  this.timeout(300_000);
  let tmp: string;
  let east: RunningTwin;
  let west: RunningTwin;
  // Creation times (the job ids' prefixes) interleave across the twins, so the merged order is checked.
  const T = 1_717_000_000_000;
  const ids = {
    east1: `${T + 1000}-east01`,
    west1: `${T + 2000}-west01`,
    east2: `${T + 3000}-east02`,
    west2: `${T + 4000}-west02`,
    shared: `${T + 5000}-shared`,
  };
  const sharedEastAt = T + 60_000;
  const sharedWestAt = T + 120_000;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-regions-"));
    [east, west] = await Promise.all([startTwinProcess(path.join(tmp, "east")), startTwinProcess(path.join(tmp, "west"))]);
    const give = async (twin: RunningTwin, name: string, events: Record<string, unknown>[]) => {
      const file = path.join(tmp, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(events));
      const sent = await runInProcess(sendEvent, [file, "--dir", twin.dir]);
      assert.equal(sent.code, 0, sent.err);
    };
    await give(east, "east", [
      completeEvent(ids.east1, T + 10_000, "Default", "east-1"),
      completeEvent(ids.east2, T + 30_000, "Default", "east-2"),
      completeEvent(ids.shared, sharedEastAt, "Default", "east-shared"),
    ]);
    await give(west, "west", [
      completeEvent(ids.west1, T + 20_000, "Default", "west-1"),
      completeEvent(ids.west2, T + 40_000, "Default", "west-2"),
      completeEvent(ids.shared, sharedWestAt, "Priority", "west-shared"),
    ]);
    await Promise.all([
      waitForJob(east.apiUrl, ids.east1, T + 10_000),
      waitForJob(east.apiUrl, ids.east2, T + 30_000),
      waitForJob(east.apiUrl, ids.shared, sharedEastAt),
      waitForJob(west.apiUrl, ids.west1, T + 20_000),
      waitForJob(west.apiUrl, ids.west2, T + 40_000),
      waitForJob(west.apiUrl, ids.shared, sharedWestAt),
    ]);
  });

  after(async () => {
    for (const twin of [east, west]) {
      if (twin && twin.child.exitCode === null && twin.child.signalCode === null) {
        twin.child.kill("SIGINT");
        await twin.exited;
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("merges both twins' jobs, each once (the newer record of a job both know), newest first", async () => {
    const res = await runInProcess(jobs, ["COMPLETE", "--endpoint", east.apiUrl, "--endpoint", west.apiUrl, "--json"]);
    assert.equal(res.code, 0, res.err);
    assert.equal(res.err, "");
    const body = JSON.parse(res.out) as {
      status: string;
      count: number;
      jobs: Array<{ jobId: string; queueName: string; lastEventAt: number }>;
      more: boolean;
      endpoints: Array<{ endpoint: string; count: number }>;
    };
    assert.equal(body.status, "COMPLETE");
    assert.deepEqual(
      body.jobs.map((j) => j.jobId),
      [ids.shared, ids.west2, ids.east2, ids.west1, ids.east1],
    );
    assert.equal(body.count, 5);
    assert.equal(body.more, false);
    const shared = body.jobs.find((j) => j.jobId === ids.shared)!;
    assert.equal(shared.lastEventAt, sharedWestAt, "the newer of the two records");
    assert.equal(shared.queueName, "Priority");
    assert.deepEqual(
      body.endpoints.map((e) => [e.endpoint, e.count]),
      [
        [east.apiUrl, 3],
        [west.apiUrl, 3],
      ],
    );

    // The table lists the same jobs once each; --limit keeps the newest of the merged listing and says so.
    const table = await runInProcess(jobs, ["COMPLETE", "--endpoint", east.apiUrl, "--endpoint", west.apiUrl]);
    assert.equal(table.code, 0, table.err);
    const [header, ...rows] = table.out.split("\n");
    assert.match(header, /^JOB\s+FILE\s+QUEUE\s+STATUS/);
    for (const id of Object.values(ids)) assert.equal(rows.filter((r) => r.startsWith(`${id} `)).length, 1, `${id} once:\n${table.out}`);
    const two = await runInProcess(jobs, ["COMPLETE", "--endpoint", east.apiUrl, "--endpoint", west.apiUrl, "--limit", "2", "--json"]);
    const top = JSON.parse(two.out) as { jobs: Array<{ jobId: string }>; more: boolean };
    assert.deepEqual(
      top.jobs.map((j) => j.jobId),
      [ids.shared, ids.west2],
    );
    assert.equal(top.more, true);

    // --stack finds a Jobs API from the stack's apiUrl output (a `pulumi` on PATH answering as the Pulumi CLI does
    // for a deployed stack); it merges with --endpoint as two endpoints do.
    const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      [
        "#!/bin/sh",
        'if [ "$*" = "stack output --json --stack east" ]; then',
        `  echo '${JSON.stringify({ apiUrl: east.apiUrl, region: "us-east-1" })}'`,
        "else",
        '  echo "error: no stack named $5" >&2; exit 255',
        "fi",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const byStack = await runInProcess(jobs, ["COMPLETE", "--stack", "east", "--endpoint", west.apiUrl, "--json"]);
      assert.equal(byStack.code, 0, byStack.err);
      assert.deepEqual(
        (JSON.parse(byStack.out) as { jobs: Array<{ jobId: string }> }).jobs.map((j) => j.jobId),
        [ids.shared, ids.west2, ids.east2, ids.west1, ids.east1],
      );
      const unknown = await runInProcess(jobs, ["COMPLETE", "--stack", "nope", "--endpoint", west.apiUrl, "--json"]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /stack nope failed: could not read the outputs of stack nope: error: no stack named nope/);
    } finally {
      process.env.PATH = savedPath;
    }

    // One job by id: the newer record, wherever it is.
    const one = await runInProcess(jobs, [ids.shared, "--endpoint", east.apiUrl, "--endpoint", west.apiUrl, "--json"]);
    assert.equal(one.code, 0, one.err);
    assert.equal((JSON.parse(one.out) as { lastEventAt: number }).lastEventAt, sharedWestAt);
  });

  it("with one twin stopped, still lists the other's jobs, names the stopped endpoint on stderr and exits 1", async () => {
    west.child.kill("SIGINT");
    assert.equal(await west.exited, 0, west.out());
    const res = await runInProcess(jobs, ["COMPLETE", "--endpoint", east.apiUrl, "--endpoint", west.apiUrl, "--json"]);
    assert.equal(res.code, 1, res.err);
    const body = JSON.parse(res.out) as {
      jobs: Array<{ jobId: string; lastEventAt: number }>;
      endpoints: Array<{ endpoint: string; error?: string }>;
    };
    assert.deepEqual(
      body.jobs.map((j) => j.jobId),
      [ids.shared, ids.east2, ids.east1],
    );
    assert.equal(body.jobs[0].lastEventAt, sharedEastAt);
    const down = body.endpoints.find((e) => e.endpoint === west.apiUrl);
    assert.match(String(down?.error), /cannot reach/);
    const lines = res.err.trim().split("\n");
    assert.ok(
      lines.some((l) => l.startsWith(`mcjobs jobs: ${west.apiUrl} failed: cannot reach the Jobs API at ${west.apiUrl}`)),
      res.err,
    );
    assert.ok(!res.err.includes(`${east.apiUrl} failed`), res.err);
    assert.match(res.err, /1 of 2 endpoints failed/);
    // The table form too: the live endpoint's jobs on stdout, the failure on stderr.
    const table = await runInProcess(jobs, ["COMPLETE", "--endpoint", west.apiUrl, "--endpoint", east.apiUrl]);
    assert.equal(table.code, 1);
    assert.match(table.out, new RegExp(`^${ids.east1} `, "m"));
    assert.match(table.err, new RegExp(`${west.apiUrl.replace(/[.:/]/g, "\\$&")} failed`));
  });
});
