import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { loadApiConfig } from "../../../lib/api/config";

describe("Jobs API: handler configuration", () => {
  const key = randomBytes(32).toString("base64");
  const good = { JOBS_TABLE: "jobs", EVENTS_TABLE: "events", QUEUES_TABLE: "queues", API_TOKEN_KEY: key };

  it("reads the tables and decodes the signing key", () => {
    const c = loadApiConfig(good);
    assert.deepEqual([c.jobsTable, c.eventsTable, c.queuesTable], ["jobs", "events", "queues"]);
    assert.equal(c.tokenKey.length, 32);
  });

  it("names every bad variable in one message, and never shows the key's value", () => {
    const shortKey = randomBytes(16).toString("base64");
    assert.throws(
      () => loadApiConfig({ ...good, EVENTS_TABLE: "", API_TOKEN_KEY: shortKey }),
      (err: Error) => {
        assert.match(err.message, /^Jobs API configuration is invalid:/);
        assert.match(err.message, /EVENTS_TABLE \(not set\): must name the Events table/);
        assert.match(err.message, /API_TOKEN_KEY: must be base64 of at least 32 random bytes/);
        assert.ok(!err.message.includes(shortKey), "the key's value stays out of the message");
        return true;
      },
    );
    assert.throws(
      () => loadApiConfig({ ...good, API_TOKEN_KEY: undefined }),
      /API_TOKEN_KEY \(not set\): must hold the base64 nextToken signing key/,
    );
  });
});
