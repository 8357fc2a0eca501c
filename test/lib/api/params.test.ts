/**
 * Parameter parsing and nextToken, with fast-check: whatever a caller sends, the answer is a parsed value within
 * bounds or an ApiError 400 with a message — never another exception; tokens survive a round trip and no
 * single-character edit of one is accepted.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { ApiError } from "../../../lib/api/errors";
import { LIMIT_MAX, parseJobParams, parseJobsSegment, parseListParams, parseQueue, parseSince } from "../../../lib/api/params";
import { openToken, signToken, type TokenScope } from "../../../lib/api/token";
import { JOB_STATUSES } from "../../../lib/domain/job";

function outcome(f: () => unknown): "ok" | "400" {
  try {
    f();
    return "ok";
  } catch (err) {
    assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
    assert.equal(err.statusCode, 400);
    assert.ok(err.message.length > 20, "a message that says something");
    return "400";
  }
}

const anyText = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }));

describe("api: parameters", () => {
  it("a path segment is a status (any case), a job id, or a 400 naming both forms", () => {
    for (const s of JOB_STATUSES) {
      assert.deepEqual(parseJobsSegment(s.toLowerCase()), { kind: "status", status: s });
    }
    fc.assert(
      fc.property(fc.integer({ min: 1e12, max: 9_999_999_999_999 }), fc.stringMatching(/^[a-z0-9]{6}$/), (ms, suffix) => {
        assert.deepEqual(parseJobsSegment(`${ms}-${suffix}`), { kind: "job", jobId: `${ms}-${suffix}` });
      }),
    );
    fc.assert(
      fc.property(anyText, (s) => {
        const r = outcome(() => parseJobsSegment(s));
        const isStatus = (JOB_STATUSES as readonly string[]).includes(s.toUpperCase());
        assert.equal(r === "ok", isStatus || /^\d{13}-[a-z0-9]{6}$/.test(s));
        if (r === "400") {
          try {
            parseJobsSegment(s);
          } catch (e) {
            assert.match((e as Error).message, /SUBMITTED, PROGRESSING, COMPLETE, ERROR, CANCELED.*job id/s);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("a malformed job id is a 400 saying what is wrong with it (over-long, path-like, upper case)", () => {
    const cases: Array<[string, RegExp]> = [
      [`1717171717171-${"a".repeat(200)}`, /is not a job id \(it has 214 characters, not 20\)/],
      ["1717171717171-../../x", /is not a job id \(it contains a path separator or `..`\)/],
      ["1717171717171-ABC123", /is not a job id \(it has upper-case letters; job ids are lower-case\)/],
      ["1717-abc123", /is not a job id \(it has 11 characters, not 20\)/],
    ];
    for (const [segment, why] of cases) {
      try {
        parseJobsSegment(segment);
        assert.fail(`${segment} was accepted`);
      } catch (e) {
        assert.equal((e as { statusCode?: number }).statusCode, 400, segment);
        assert.match((e as Error).message, why, segment);
        assert.match((e as Error).message, /13 digits \(the creation time in epoch ms\), a hyphen and 6 lower-case letters or digits/);
      }
    }
  });

  it("any query for a listing parses within bounds or is a 400", () => {
    const key = fc.oneof(fc.constantFrom("limit", "nextToken", "queue", "since"), fc.string());
    fc.assert(
      fc.property(fc.dictionary(key, anyText, { maxKeys: 5 }), (query) => {
        let parsed: ReturnType<typeof parseListParams> | undefined;
        const r = outcome(() => (parsed = parseListParams(query)));
        if (r === "ok") {
          assert.ok(Number.isInteger(parsed!.limit) && parsed!.limit >= 1 && parsed!.limit <= LIMIT_MAX);
          if (parsed!.since !== undefined) assert.ok(Number.isFinite(new Date(parsed!.since).getTime()));
          if (parsed!.queueName !== undefined) assert.match(parsed!.queueName, /^[A-Za-z0-9_-]{1,128}$/);
          for (const k of Object.keys(query)) assert.ok(["limit", "nextToken", "queue", "since"].includes(k));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("limit: exactly the whole numbers 1–500 are accepted", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 100_000 }), (n) => {
        const r = outcome(() => parseListParams({ limit: String(n) }));
        assert.equal(r === "ok", n >= 1 && n <= LIMIT_MAX, `limit ${n}`);
        if (r === "ok") assert.equal(parseListParams({ limit: String(n) }).limit, n);
      }),
    );
    assert.equal(
      outcome(() => parseListParams({ limit: "2.5" })),
      "400",
    );
  });

  it("since: epoch ms and ISO 8601 (Z or offset, also with the + turned into a space) give the same instant", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (ms, offsetMin) => {
        assert.equal(parseSince(String(ms)), ms);
        assert.equal(parseSince(new Date(ms).toISOString()), ms);
        const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
        const sign = offsetMin < 0 ? "-" : "+";
        const abs = Math.abs(offsetMin);
        const off = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
        if (Number(local.slice(0, 4)) < 10000 && !local.startsWith("-") && !local.startsWith("+")) {
          assert.equal(parseSince(`${local}${sign}${off}`), ms);
          if (sign === "+") assert.equal(parseSince(`${local} ${off}`), ms);
        }
      }),
    );
    assert.equal(parseSince("2024-05-29"), Date.UTC(2024, 4, 29));
    for (const bad of ["2024-05-29T12:00", "tomorrow", "1e12", "", "2024-13-45T00:00:00Z"])
      assert.equal(
        outcome(() => parseSince(bad)),
        "400",
        bad,
      );
  });

  it("queue: a name or its ARN give the name", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), fc.constantFrom("us-east-1", "eu-west-1"), (name, region) => {
        assert.equal(parseQueue(name), name);
        assert.equal(parseQueue(`arn:aws:mediaconvert:${region}:111122223333:queues/${name}`), name);
      }),
    );
    for (const bad of ["", "a b", "arn:aws:s3:::bucket/queues/x", "queues/Default", "x".repeat(129)])
      assert.equal(
        outcome(() => parseQueue(bad)),
        "400",
        bad,
      );
  });

  it("events: true/false only; other routes refuse unknown parameters", () => {
    assert.deepEqual(parseJobParams({ events: "true" }), { events: true });
    assert.deepEqual(parseJobParams({}), { events: false });
    assert.equal(
      outcome(() => parseJobParams({ events: "yes please" })),
      "400",
    );
    assert.equal(
      outcome(() => parseJobParams({ limit: "5" })),
      "400",
    );
  });
});

describe("api: nextToken", () => {
  const key = randomBytes(32);
  const scope: TokenScope = { table: "t-Jobs", index: "byStatus", partitionAttribute: "status", partition: "PROGRESSING" };
  const attrs = ["jobId", "status", "createdAt"];
  const startKey = fc.record({ jobId: fc.string({ minLength: 1 }), status: fc.constant("PROGRESSING"), createdAt: fc.integer({ min: 0 }) });

  it("round-trips the start key for the same listing", () => {
    fc.assert(
      fc.property(startKey, fc.option(fc.integer({ min: 0, max: 2e12 }), { nil: undefined }), (k, since) => {
        const s = { ...scope, since };
        const now = 1_717_000_000_000;
        assert.deepEqual(openToken(key, signToken(key, s, k, now), s, attrs, now + 1000), { ...k });
      }),
    );
  });

  it("no single-character change of a token is accepted", () => {
    const now = 1_717_000_000_000;
    fc.assert(
      fc.property(startKey, fc.nat(), fc.constantFrom(..."ABCabc019-_.=+/ "), (k, at, ch) => {
        const token = signToken(key, scope, k, now);
        const i = at % token.length;
        fc.pre(token[i] !== ch);
        const edited = token.slice(0, i) + ch + token.slice(i + 1);
        assert.throws(
          () => openToken(key, edited, scope, attrs, now),
          (e: unknown) => e instanceof ApiError && e.code === "InvalidNextToken",
        );
      }),
      { numRuns: 2000 },
    );
  });
});
