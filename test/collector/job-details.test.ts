import { strict as assert } from "node:assert";
import * as clients from "../../adapters/clients";
import { mediaConvertJobDetails } from "../../adapters/job-details";
import { getJobBody, startMediaConvertStandIn, type MediaConvertStandIn } from "./support/mediaconvert-standin";

describe("collector: GetJob adapter (bounded, cached)", () => {
  let mc: MediaConvertStandIn;
  before(async () => {
    mc = await startMediaConvertStandIn();
    for (const id of ["a", "b", "c"]) mc.jobs.set(id, getJobBody({ jobId: id, inputUri: `s3://in/${id}.mp4`, submitMs: 1_700_000_000_000 }));
  });
  after(async () => mc?.stop());
  const client = () => clients.mediaConvert({ AWS_REGION: "us-east-1", MCJOBS_ENDPOINT_MEDIACONVERT: mc.endpoint });

  it("shares one call among concurrent asks and answers later asks from the cache, evicting the least recently used", async () => {
    mc.calls.clear();
    const details = mediaConvertJobDetails(client(), { cacheSize: 2 });
    const same = await Promise.all(Array.from({ length: 5 }, () => details.get("a")));
    assert.ok(same.every((r) => r.ok && r.job.Id === "a"));
    assert.equal(mc.calls.get("a"), 1, "five concurrent asks, one call");
    await details.get("b");
    await details.get("a"); // a is now the most recent
    await details.get("c"); // evicts b
    assert.equal((await details.get("a")).fromCache, true);
    assert.equal((await details.get("b")).fromCache, false, "b was evicted");
    assert.deepEqual([mc.calls.get("a"), mc.calls.get("b"), mc.calls.get("c")], [1, 2, 1]);
    assert.equal(details.calls, 4);
  });

  it("answers within its deadline when MediaConvert is slow, and classifies the failure as a timeout", async () => {
    mc.delayMs = 1000;
    try {
      const details = mediaConvertJobDetails(client(), { timeoutMs: 100 });
      const t0 = Date.now();
      const r = await details.get("a");
      assert.ok(Date.now() - t0 < 900, "did not wait for the slow answer");
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.kind, "timeout");
    } finally {
      mc.delayMs = 0;
    }
  });
});
