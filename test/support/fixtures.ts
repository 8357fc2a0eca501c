/**
 * Where the tests' MediaConvert material lives: published example events and the error-code reference, copied
 * into the repository so a clone needs nothing beside it.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const FIXTURES_DIR = path.resolve(__dirname, "../fixtures/mediaconvert-events");
export const ERROR_CODES_REFERENCE = path.resolve(__dirname, "../fixtures/mediaconvert-error-codes.md");

/** One example event by file name, parsed. */
export function fixture(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, name), "utf8")) as Record<string, any>;
}
