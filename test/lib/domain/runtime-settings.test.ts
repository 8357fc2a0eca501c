import { strict as assert } from "node:assert";
import { mergeRuntimeSettings, type CollectorRuntimeSettings } from "../../../lib/domain/runtime-settings";

const DEPLOYED: CollectorRuntimeSettings = { probe: true, probeBudgetBytes: 4 * 1024 * 1024, probeMaxRequests: 16, getJob: true };

describe("domain: the collector's runtime settings item", () => {
  it("no item, or only bookkeeping attributes: the deployed settings, no problems", () => {
    assert.deepEqual(mergeRuntimeSettings(DEPLOYED, undefined), { settings: DEPLOYED, problems: [], applied: [] });
    assert.deepEqual(mergeRuntimeSettings(DEPLOYED, { key: "collector-settings", source: "operator", note: "x" }).problems, []);
  });

  it("each valid field overrides its setting", () => {
    const { settings, applied } = mergeRuntimeSettings(DEPLOYED, {
      probeEnabled: false,
      probeBudgetBytes: 65536,
      probeMaxRequests: 64,
      getJobBackfill: false,
    });
    assert.deepEqual(settings, { probe: false, probeBudgetBytes: 65536, probeMaxRequests: 64, getJob: false });
    assert.deepEqual(applied, ["probeEnabled", "probeBudgetBytes", "probeMaxRequests", "getJobBackfill"]);
  });

  it("a bad field keeps the deployed value and says what is allowed; the others still apply", () => {
    const { settings, problems } = mergeRuntimeSettings(DEPLOYED, {
      probeMaxRequests: 1,
      probeBudgetBytes: 1.5e6 + 0.5,
      getJobBackfill: "false",
      probeEnabled: false,
    });
    assert.deepEqual(settings, { ...DEPLOYED, probe: false });
    assert.deepEqual(problems, [
      "probeMaxRequests = 1 is not used: probeMaxRequests must be a whole number of requests from 2 to 64; the deployed value 16 applies",
      "probeBudgetBytes = 1500000.5 is not used: probeBudgetBytes must be a whole number of bytes from 65536 to 67108864; the deployed value 4194304 applies",
      'getJobBackfill = "false" is not used: getJobBackfill must be true or false, stored as a DynamoDB boolean ({"BOOL": false}); the deployed value true applies',
    ]);
  });
});
