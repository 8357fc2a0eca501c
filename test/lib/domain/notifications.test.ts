/**
 * Notification rules (lib/domain/notifications.ts): for any event exactly one rule matches when
 * `notificationPattern(application)` does and none otherwise, and the rendered message tells a person what happened.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ERROR_CODES, describeError } from "../../../lib/domain/error-codes";
import { CATEGORY_MEANING, notificationRules, renderNotification } from "../../../lib/domain/notifications";
import { matchesPattern, notificationPattern } from "../../../lib/domain/patterns";

function event(detail: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    version: "0",
    id: "e1",
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: "111122223333",
    time: "2026-01-02T03:04:05Z",
    region: "eu-west-1",
    resources: [],
    detail: {
      timestamp: 1,
      accountId: "111122223333",
      queue: "arn:aws:mediaconvert:eu-west-1:111122223333:queues/Default",
      jobId: "1767323045000-abc123",
      ...detail,
    },
    ...extra,
  };
}

const rules = notificationRules("studio", "eu-west-1");

describe("watch folder: notification rules", () => {
  it("COMPLETE: a readable message with job, status, input, settings and a console link for the region", () => {
    const e = event({ status: "COMPLETE", userMetadata: { application: "studio", input: "inputs/Été +1.mp4", settings: "jobs/hls.json" } });
    const matching = rules.filter((r) => matchesPattern(r.pattern, e));
    assert.deepEqual(
      matching.map((r) => r.id),
      ["complete"],
    );
    const text = renderNotification(matching[0], e);
    assert.match(text, /^MediaConvert job 1767323045000-abc123 \(studio, eu-west-1\): COMPLETE$/m);
    assert.match(text, /^Input: inputs\/Été \+1\.mp4$/m);
    assert.match(text, /^Settings: jobs\/hls\.json$/m);
    assert.match(
      text,
      /https:\/\/eu-west-1\.console\.aws\.amazon\.com\/mediaconvert\/home\?region=eu-west-1#\/jobs\/summary\/1767323045000-abc123/,
    );
  });

  it("ERROR: the code, what its category means and MediaConvert's message, for every listed code and an unlisted one", () => {
    for (const code of [...ERROR_CODES.keys(), 99999]) {
      const e = event({
        status: "ERROR",
        errorCode: code,
        errorMessage: 'Bad "input" file',
        userMetadata: { application: "studio", input: "inputs/a.mov" },
      });
      const matching = rules.filter((r) => matchesPattern(r.pattern, e));
      assert.equal(matching.length, 1, `code ${code}: ${matching.map((r) => r.id).join(", ")}`);
      const category = describeError(code).category;
      assert.equal(matching[0].id, code === 99999 ? "error-other" : `error-${category}`);
      const text = renderNotification(matching[0], e);
      assert.ok(text.includes(`Error ${code}`), text);
      assert.ok(text.includes(CATEGORY_MEANING[category]), text);
      assert.ok(text.includes('MediaConvert says: Bad "input" file'), text);
    }
  });

  it("property: exactly one rule matches when notificationPattern does, none when it does not", () => {
    const codes = [...ERROR_CODES.keys()];
    const arb = fc.record({
      status: fc.constantFrom("COMPLETE", "ERROR", "PROGRESSING", "CANCELED", "SUBMITTED"),
      app: fc.constantFrom("studio", "other", undefined),
      code: fc.oneof(fc.constantFrom(...codes), fc.integer({ min: 0, max: 2_000_000 })),
      source: fc.constantFrom("aws.mediaconvert", "aws.s3"),
      detailType: fc.constantFrom("MediaConvert Job State Change", "MediaConvert Job Created"),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const e = event(
          { status: a.status, ...(a.status === "ERROR" ? { errorCode: a.code } : {}), userMetadata: a.app ? { application: a.app } : {} },
          { source: a.source, "detail-type": a.detailType },
        );
        const n = rules.filter((r) => matchesPattern(r.pattern, e)).length;
        assert.equal(n, matchesPattern(notificationPattern("studio"), e) ? 1 : 0);
      }),
      { numRuns: 500 },
    );
  });

  it("templates only use placeholders they define, and are JSON string literals EventBridge accepts", () => {
    for (const r of rules) {
      assert.equal(typeof JSON.parse(r.inputTemplate), "string");
      for (const [, name] of r.inputTemplate.matchAll(/<([A-Za-z0-9_]+)>/g))
        assert.ok(r.inputPaths[name], `${r.id}: <${name}> has no input path`);
      assert.ok(Object.keys(r.inputPaths).length <= 100);
    }
  });
});
