import { strict as assert } from "node:assert";
import { z } from "zod";
import { envError, loadEnv } from "../../../lib/domain/env";

const Schema = z.object({
  TABLE: z.string({ error: "must name the table" }).min(1, "must name the table"),
  DAYS: z.coerce.number({ error: "must be a number of days" }).int("must be a whole number of days").default(7),
  KEY: z.string({ error: "must hold the signing key" }).min(32, "must be at least 32 characters"),
});

describe("environment loader", () => {
  const good = { TABLE: "jobs", KEY: "k".repeat(32), UNRELATED: "kept out" };

  it("returns the parsed settings, defaults filled in, other variables left out", () => {
    assert.deepEqual(loadEnv("Test", Schema, good), { TABLE: "jobs", DAYS: 7, KEY: "k".repeat(32) });
    assert.equal(loadEnv("Test", Schema, { ...good, DAYS: "30" }).DAYS, 30);
  });

  it("treats a blank value as not set: the default applies, a required one is reported as not set", () => {
    assert.equal(loadEnv("Test", Schema, { ...good, DAYS: "" }).DAYS, 7);
    assert.throws(
      () => loadEnv("Test", Schema, { ...good, TABLE: "" }),
      /^Error: Test configuration is invalid:\n {2}TABLE \(not set\): must name the table$/,
    );
  });

  it("names every bad or missing variable in one error, with its value and what it must be", () => {
    assert.throws(
      () => loadEnv("Test", Schema, { DAYS: "1.5", KEY: "short" }),
      (err: Error) => {
        assert.equal(
          err.message,
          [
            "Test configuration is invalid:",
            "  TABLE (not set): must name the table",
            '  DAYS = "1.5": must be a whole number of days',
            '  KEY = "short": must be at least 32 characters',
          ].join("\n"),
        );
        return true;
      },
    );
  });

  it("never shows the value of a secret variable, only its name", () => {
    assert.throws(
      () => loadEnv("Test", Schema, { ...good, KEY: "hunter2" }, { secret: ["KEY"] }),
      (err: Error) => {
        assert.match(err.message, /\n {2}KEY: must be at least 32 characters/);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
  });

  it("formats a problem found outside the schema the same way", () => {
    const err = envError("Test", [{ name: "QUEUE_URL", message: "required in Lambda" }], { OTHER: "x" });
    assert.equal(err.message, "Test configuration is invalid:\n  QUEUE_URL (not set): required in Lambda");
  });
});
