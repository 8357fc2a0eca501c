import { strict as assert } from "node:assert";
import * as clients from "../../../lib/adapters/clients";
import { mediaConvertJobDetails } from "../../../lib/adapters/job-details";
import { startMediaConvertSimulator, type MediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { outsideJob } from "./support/outside-job";

describe("collector: GetJob adapter (bounded, cached)", () => {
  let mc: MediaConvertSimulator;
  let a: string, b: string, c: string;
  before(async () => {
    mc = await startMediaConvertSimulator({ autoRun: false });
    [a, b, c] = await Promise.all(["a", "b", "c"].map(async (n) => (await outsideJob(mc, `s3://in/${n}.mp4`)).jobId));
  });
  after(async () => mc?.stop());
  const client = () => clients.mediaConvert({ AWS_REGION: "us-east-1", MCJOBS_ENDPOINT_MEDIACONVERT: mc.endpoint });

  it("shares one call among concurrent asks and answers later asks from the cache, evicting the least recently used", async () => {
    const details = mediaConvertJobDetails(client(), { cacheSize: 2 });
    const same = await Promise.all(Array.from({ length: 5 }, () => details.get(a)));
    assert.ok(same.every((r) => r.ok && r.job.Id === a));
    assert.equal(mc.callsFor(a), 1, "five concurrent asks, one call");
    await details.get(b);
    await details.get(a); // a is now the most recent
    await details.get(c); // evicts b
    assert.equal((await details.get(a)).fromCache, true);
    assert.equal((await details.get(b)).fromCache, false, "b was evicted");
    assert.deepEqual([mc.callsFor(a), mc.callsFor(b), mc.callsFor(c)], [1, 2, 1]);
    assert.equal(details.calls, 4);
  });

  it("answers within its deadline when MediaConvert is slow, and classifies the failure as a timeout", async () => {
    mc.latencyMs = 1000;
    try {
      const details = mediaConvertJobDetails(client(), { timeoutMs: 100 });
      const t0 = Date.now();
      const r = await details.get(a);
      assert.ok(Date.now() - t0 < 900, "did not wait for the slow answer");
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.kind, "timeout");
    } finally {
      mc.latencyMs = 0;
    }
  });
});
