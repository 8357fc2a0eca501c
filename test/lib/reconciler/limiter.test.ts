/**
 * The reconciler's MediaConvert reads at the AWS boundary: a scripted client answers GetJob/ListJobs, throttles
 * on cue, and records when each call arrived, so batching, rate, back-off and NotFound are observable.
 */
import { strict as assert } from "node:assert";
import { type GetJobCommand, ListJobsCommand, ListQueuesCommand, type MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import { mediaConvertSweep } from "../../../lib/adapters/mediaconvert";

type Cmd = GetJobCommand | ListJobsCommand | ListQueuesCommand;
const err = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

function scripted(answer: (cmd: Cmd, n: number) => unknown, delayMs = 5) {
  const calls: Array<{ at: number; cmd: Cmd }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    async send(cmd: Cmd) {
      calls.push({ at: Date.now(), cmd });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, delayMs));
        const out = answer(cmd, calls.length);
        if (out instanceof Error) throw out;
        return out;
      } finally {
        inFlight--;
      }
    },
  } as unknown as MediaConvertClient;
  return { client, calls, maxInFlight: () => maxInFlight };
}

describe("adapters: MediaConvert sweep reads (batching, rate, back-off, NotFound)", function () {
  this.timeout(20_000);

  it("GetJob for many jobs: at most `concurrency` in flight, every job answered once", async () => {
    const mc = scripted((cmd) => ({ Job: { Id: (cmd as GetJobCommand).input.Id, Status: "COMPLETE" } }), 20);
    const ids = Array.from({ length: 12 }, (_, i) => `1717000000000-job000${i}`);
    const out = await mediaConvertSweep(mc.client, { concurrency: 3, ratePerSecond: 100 }).getJobs([...ids, ids[0]]);
    assert.equal(mc.calls.length, 12, "a repeated id is asked once");
    assert.ok(mc.maxInFlight() <= 3 && mc.maxInFlight() >= 2, `in flight at most ${mc.maxInFlight()}`);
    assert.deepEqual([...out.keys()].sort(), [...ids].sort());
    for (const o of out.values()) assert.equal(o.kind, "found");
  });

  it("starts no faster than ratePerSecond", async () => {
    const mc = scripted((cmd) => ({ Job: { Id: (cmd as GetJobCommand).input.Id } }), 1);
    await mediaConvertSweep(mc.client, { concurrency: 4, ratePerSecond: 20 }).getJobs(["a", "b", "c", "d", "e", "f"]);
    const span = mc.calls[mc.calls.length - 1].at - mc.calls[0].at;
    assert.ok(span >= 5 * 50 - 10, `6 calls at 20/s need about 250 ms, took ${span} ms`);
  });

  it("backs off on throttling (every caller pauses), retries, and reports what stayed throttled", async () => {
    // The first four calls are throttled; then MediaConvert answers again.
    const mc = scripted((cmd, n) => (n <= 4 ? err("TooManyRequestsException", 429) : { Job: { Id: (cmd as GetJobCommand).input.Id } }));
    const sweep = mediaConvertSweep(mc.client, { concurrency: 2, ratePerSecond: 100, baseDelayMs: 100, random: () => 1 });
    const out = await sweep.getJobs(["a", "b", "c"]);
    assert.deepEqual(
      [...out.values()].map((o) => o.kind),
      ["found", "found", "found"],
    );
    assert.equal(sweep.throttled, 4);
    const firstThrottle = mc.calls[0].at;
    const afterPause = mc.calls.filter((c) => c.at - firstThrottle >= 90);
    assert.ok(mc.calls.length >= 7 && afterPause.length >= 3, "retries came only after the back-off");

    // A call throttled on every attempt becomes a failed outcome, not an exception, after maxAttempts.
    const always = scripted(() => err("TooManyRequestsException", 429), 1);
    const s2 = mediaConvertSweep(always.client, { concurrency: 1, ratePerSecond: 100, maxAttempts: 3, baseDelayMs: 10 });
    const o2 = (await s2.getJobs(["x"])).get("x");
    assert.deepEqual(o2 && o2.kind === "failed" ? o2.throttled : undefined, true);
    assert.equal(always.calls.length, 3);
  });

  it("NotFoundException is its own outcome; other errors are failures that are not retried", async () => {
    const mc = scripted((cmd) => {
      const id = (cmd as GetJobCommand).input.Id;
      if (id === "gone") return err("NotFoundException", 404);
      if (id === "denied") return err("ForbiddenException", 403);
      return { Job: { Id: id } };
    });
    const out = await mediaConvertSweep(mc.client, { ratePerSecond: 100 }).getJobs(["gone", "denied", "ok"]);
    assert.equal(out.get("gone")?.kind, "not-found");
    const denied = out.get("denied");
    assert.ok(denied?.kind === "failed" && !denied.throttled && /ForbiddenException/.test(denied.reason));
    assert.equal(mc.calls.length, 3);
  });

  it("ListQueues pages; ListJobs goes newest first and stops at the first page reaching below `since`", async () => {
    const t = (s: number) => new Date(1_717_000_000_000 + s * 1000);
    const pages: Record<string, { Jobs: Array<{ Id: string; CreatedAt: Date }>; NextToken?: string }> = {
      "": {
        Jobs: [
          { Id: "j9", CreatedAt: t(9) },
          { Id: "j8", CreatedAt: t(8) },
        ],
        NextToken: "p2",
      },
      p2: {
        Jobs: [
          { Id: "j7", CreatedAt: t(7) },
          { Id: "j4", CreatedAt: t(4) },
        ],
        NextToken: "p3",
      },
      p3: { Jobs: [{ Id: "j2", CreatedAt: t(2) }] },
    };
    const mc = scripted((cmd) => {
      if (cmd instanceof ListQueuesCommand)
        return cmd.input.NextToken ? { Queues: [{ Arn: "arn:q2" }] } : { Queues: [{ Arn: "arn:q1" }], NextToken: "n" };
      const input = (cmd as ListJobsCommand).input;
      assert.equal(input.Order, "DESCENDING");
      return pages[input.NextToken ?? ""];
    }, 1);
    const sweep = mediaConvertSweep(mc.client, { ratePerSecond: 100 });
    assert.deepEqual(await sweep.listQueues(), ["arn:q1", "arn:q2"]);
    const jobs = await sweep.listJobsSince("arn:q1", t(5).getTime());
    assert.deepEqual(
      jobs.map((j) => j.Id),
      ["j9", "j8", "j7"],
    );
    assert.equal(mc.calls.filter((c) => c.cmd instanceof ListJobsCommand).length, 2, "page 3 is never asked for");
  });
});
