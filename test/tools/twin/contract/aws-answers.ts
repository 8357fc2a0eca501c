/**
 * Shared by the contract tests: credentials no stand-in has seen before, and a check that a call fails the way
 * AWS fails it (exception name and HTTP status, as the SDK v3 client reports them).
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";

/** A fresh access key of the form AWS issues (letters and digits) and any secret. */
export function anyCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`, secretAccessKey: randomBytes(20).toString("base64") };
}

export interface AwsFailure extends Error {
  $metadata?: { httpStatusCode?: number };
  [member: string]: unknown;
}

/** Awaits `call`, which must fail with exception `name` and HTTP `status`; returns the error for more checks. */
export async function failsAs(call: Promise<unknown>, name: string, status: number): Promise<AwsFailure> {
  let failure: AwsFailure | undefined;
  try {
    await call;
  } catch (err) {
    failure = err as AwsFailure;
  }
  assert.ok(failure, `expected ${name} (HTTP ${status}), but the call succeeded`);
  assert.equal(failure.name, name, `exception name (message: ${failure.message})`);
  assert.equal(failure.$metadata?.httpStatusCode, status, `HTTP status of ${name} (message: ${failure.message})`);
  return failure;
}
