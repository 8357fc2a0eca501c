import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { ERROR_CATEGORIES, ERROR_CODES, WARNING_CODES, describeError, describeWarning } from "../../../lib/domain/error-codes";
import { reduceEvents } from "../../../lib/domain/reducer";
import { mustParse, raw } from "../../support/timeline";

import { ERROR_CODES_REFERENCE as REFERENCE } from "../../support/fixtures";

function codesIn(section: string): number[] {
  return [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
}

describe("error codes", () => {
  const text = fs.readFileSync(REFERENCE, "utf8");
  const errorSection = text.split("## Error codes")[1].split("## Warning codes")[0];
  const warningSection = text.split("## Warning codes")[1];

  it("every error code of the reference has a category other than unknown and a meaning", () => {
    const codes = codesIn(errorSection);
    assert.equal(codes.length, 46, "the reference lists 46 error codes");
    for (const code of codes) {
      const info = describeError(code);
      assert.notEqual(info.category, "unknown", `error ${code}`);
      assert.ok(info.meaning.length > 10);
    }
  });

  it("the retired codes 1050 and 1507 (disk full) are known too", () => {
    assert.equal(describeError(1050).category, "storage");
    assert.equal(describeError(1507).category, "storage");
  });

  it("every warning code of the reference is known", () => {
    const codes = codesIn(warningSection);
    assert.equal(codes.length, 17);
    for (const code of codes) assert.notEqual(describeWarning(code).category, "unknown", `warning ${code}`);
    assert.equal(WARNING_CODES.size, codes.length);
  });

  it("categories group causes a person acts on differently", () => {
    assert.deepEqual(
      [1010, 1040, 1041, 1401, 1433, 1404, 1517, 3404, 1091, 1602, 1999].map((c) => describeError(c).category),
      [
        "input",
        "settings",
        "acceleration",
        "access",
        "access",
        "storage",
        "storage",
        "http-input",
        "encryption",
        "watermarking",
        "internal",
      ],
    );
    assert.deepEqual(
      [100000, 230001, 240000, 260000, 270000].map((c) => describeWarning(c).category),
      ["queue", "input", "av-sync", "output", "storage"],
    );
    for (const info of ERROR_CODES.values()) assert.ok((ERROR_CATEGORIES as readonly string[]).includes(info.category));
  });

  it("unknown codes are kept as they are, with category unknown", () => {
    assert.deepEqual([describeError(4242).code, describeError(4242).category], [4242, "unknown"]);
    assert.deepEqual([describeWarning(0).code, describeWarning(0).category], [0, "unknown"]);
  });

  it("the job record carries the category and meaning of its error and warnings", () => {
    const err = reduceEvents([
      mustParse(raw("1700000000000-err000", "a", { timestamp: 1_700_000_001_000, status: "ERROR", errorCode: 3404, errorMessage: "404" })),
    ]);
    assert.deepEqual(err.error, { code: 3404, message: "404", category: "http-input", meaning: describeError(3404).meaning });
    const unknown = reduceEvents([
      mustParse(raw("1700000000000-err000", "a", { timestamp: 1_700_000_001_000, status: "ERROR", errorCode: 7777 })),
    ]);
    assert.deepEqual([unknown.error?.code, unknown.error?.category], [7777, "unknown"]);
    const warned = reduceEvents([
      mustParse(raw("1700000000000-wrn000", "a", { timestamp: 1_700_000_001_000, status: "NEW_WARNING", warningCode: "270000" })),
    ]);
    assert.deepEqual(warned.warnings, [{ code: 270000, count: 1, meaning: describeWarning(270000).meaning }]);
  });
});
