import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseStackConfig, StackConfigError, CONFIG_KEYS } from "../../infra/stack-config";

/** Values people (or scripts) plausibly type, plus garbage. */
const value = fc.oneof(
  fc.string(),
  fc.integer({ min: -1e6, max: 1e12 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom(
    "",
    " ",
    "true",
    "false",
    "TRUE",
    "null",
    "[]",
    "[1,2]",
    '["a@b.co"]',
    "{}",
    "NaN",
    "Infinity",
    "1e3",
    "0x10",
    "24",
    "8760",
    "60",
    "300",
  ),
  fc.array(fc.string(), { maxLength: 4 }).map((a) => JSON.stringify(a)),
  fc.emailAddress(),
  fc.webUrl(),
);
const key = fc.oneof(fc.constantFrom(...CONFIG_KEYS), fc.string({ minLength: 1, maxLength: 20 }));

describe("infra: stack config fuzz", () => {
  it("any config is either accepted with values in range, or refused with messages naming each bad key", () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), fc.constantFrom("us-east-1", "eu-west-1"), (raw, region) => {
        try {
          const cfg = parseStackConfig(raw, { region });
          assert.ok(cfg.streamTTL >= 24 && cfg.streamTTL <= 8760);
          assert.ok(cfg.tableTTL >= 1 && cfg.tableTTL <= 3650);
          assert.ok(cfg.bufferInterval >= 60 && cfg.bufferInterval <= 300);
          assert.equal(typeof cfg.useStreams, "boolean");
          for (const k of Object.keys(raw)) assert.ok((CONFIG_KEYS as string[]).includes(k), `unknown key ${k} accepted`);
        } catch (e) {
          if (!(e instanceof StackConfigError)) throw new Error(`crashed instead of a config error: ${String(e)}`);
          assert.ok(e.problems.length > 0);
          for (const p of e.problems) {
            assert.ok(p.key in raw || p.key === "queueArn", `problem for a key not given: ${p.key}`);
            assert.ok(p.message.startsWith(`mcjobs:${p.key}`), `message does not start with the key: ${p.message}`);
            assert.ok(p.message.length < 600, "message too long to read");
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("an out-of-range number in any numeric key names the key and its allowed range", () => {
    const numeric = [
      "tableTTL",
      "streamTTL",
      "bufferInterval",
      "probeBudgetBytes",
      "probeMaxRequests",
      "mediaExpirationDays",
      "apiBurstLimit",
      "apiRateLimit",
      "athenaBytesScannedLimit",
    ];
    fc.assert(
      fc.property(fc.constantFrom(...numeric), fc.oneof(fc.integer({ max: 0 }), fc.bigInt({ min: 2n ** 41n, max: 2n ** 70n })), (k, n) => {
        try {
          parseStackConfig({ [k]: String(n) });
          assert.fail("accepted");
        } catch (e) {
          assert.ok(e instanceof StackConfigError);
          assert.match(
            e.problems[0].message,
            new RegExp(`^mcjobs:${k} = "${n}" is out of range: must be a whole number of .* from \\d+ to \\d+$`),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it("one corrupted key in a valid stack config: either still valid, or exactly that key is named", () => {
    const good: Record<string, string> = {
      application: "mcjobs",
      tableTTL: "90",
      streamTTL: "168",
      bufferInterval: "120",
      useStreams: "true",
      notificationEmails: "media-ops@example.com",
      corsOrigins: "https://player.example.com",
      logRetentionDays: "90",
      queueArn: "arn:aws:mediaconvert:eu-west-1:123456789012:queues/Default",
    };
    parseStackConfig(good, { region: "eu-west-1" });
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(good)), value, (k, v) => {
        try {
          parseStackConfig({ ...good, [k]: v }, { region: "eu-west-1" });
        } catch (e) {
          if (!(e instanceof StackConfigError)) throw e;
          assert.deepEqual(
            e.problems.map((p) => p.key),
            [k],
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});
