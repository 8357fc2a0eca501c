/**
 * Running a Lambda entry point inside the twin's process: a cold-start loader (a fresh module instance of the
 * handler and everything it imports from this repository, as a new Lambda container would have) and an invoker
 * that passes a Lambda-like context and enforces the function's timeout.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import type { Context } from "aws-lambda";

export type LambdaHandler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

const repoRoot = path.resolve(__dirname, "..", "..");
/** Folders holding product code: a cold start re-evaluates their modules (the twin's own code is kept). */
const productFolders = ["handlers", "consumers", "lib"].map((f) => path.join(repoRoot, f) + path.sep);

/** Drops product modules from the require cache so the next require evaluates them again (a cold start). */
export function forgetProductModules(): void {
  for (const key of Object.keys(require.cache)) {
    if (key.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (productFolders.some((f) => key.startsWith(f))) delete require.cache[key];
  }
}

/**
 * Loads `exportName` (default `handler`) from a repository file such as `handlers/collector.ts`. The caller sets
 * the function's environment in `process.env` before calling this: handlers read their settings at cold start.
 */
export function loadHandler<E = unknown, R = unknown>(file: string, exportName = "handler"): LambdaHandler<E, R> {
  const full = path.resolve(repoRoot, file);
  const mod = require(full) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== "function") {
    throw new Error(`${file} does not export a function named "${exportName}" (exports: ${Object.keys(mod).join(", ") || "none"}).`);
  }
  return fn as LambdaHandler<E, R>;
}

export interface InvokeOptions {
  functionName: string;
  timeoutMs?: number;
  region?: string;
  accountId?: string;
}

export class LambdaTimeoutError extends Error {
  constructor(functionName: string, timeoutMs: number) {
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds (${functionName})`);
    this.name = "LambdaTimeoutError";
  }
}

export function lambdaContext(opts: InvokeOptions, deadline: number): Context {
  const region = opts.region ?? process.env.AWS_REGION ?? "us-east-1";
  const account = opts.accountId ?? "000000000000";
  const fail = () => {
    throw new Error("The callback-style context methods are not supported by the local twin; return a promise.");
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: opts.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${opts.functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${opts.functionName}`,
    logStreamName: "local-twin",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** Invokes a handler the way the Lambda runtime would (fresh request id, deadline); rejects on timeout. */
export async function invoke<E, R>(handler: LambdaHandler<E, R>, event: E, opts: InvokeOptions): Promise<R> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(() => handler(event, lambdaContext(opts, deadline))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LambdaTimeoutError(opts.functionName, timeoutMs)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
