/**
 * Local stand-ins for the AWS services that have an emulator: DynamoDB Local (the official jar, run with Java),
 * kinesalite (Kinesis) and s3rver (S3). Started by the code that needs them (tests, the local twin), each on a
 * free loopback port unless one is asked for, and stopped by `stop()`.
 *
 * Product code never imports this file; it only sees the `MCJOBS_ENDPOINT_*` variables in `env`. DynamoDB Local's
 * process handling is in dynamodb-local.ts; what is created on the stand-ins (tables, streams, buckets) in
 * standin-resources.ts, re-exported here for the tests and tools that start stand-ins.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import type * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { startDynamoDb } from "./dynamodb-local";
import { assertPortFree, freePort, HOST } from "./ports";

export { assertJava } from "./dynamodb-local";
export { freePort } from "./ports";
export { createBucket, createStream, createTables, type TableNames } from "./standin-resources";

export type StandInService = "dynamodb" | "kinesis" | "s3";

export interface StandInOptions {
  /** Keep state in this folder (reused on the next start). Without it, state lives in memory / a temp folder. */
  dir?: string;
  /** Which stand-ins to start; default all three. */
  services?: StandInService[];
  /** Fixed ports (the twin uses them for stable URLs); a free port is picked for any not given. */
  ports?: Partial<Record<StandInService, number>>;
  /** Region the stand-ins pretend to be; default us-east-1. */
  region?: string;
  /**
   * Keep DynamoDB Local's tables in memory even when `dir` is given (faster; gone when it stops). The soak uses
   * it: DynamoDB Local's SQLite files are the twin's slowest part on a small machine.
   */
  dynamoDbInMemory?: boolean;
  /**
   * Run DynamoDB Local in a process group of its own (default false). A terminal's Ctrl-C signals the whole
   * foreground group: without this, Java dies at once while this process is still finishing in-flight work
   * against it. Set it only when this process handles SIGINT, SIGTERM and SIGHUP and stops the stand-ins itself
   * (`mcjobs start` does): a process that dies of such a signal would leave Java running.
   */
  ownProcessGroup?: boolean;
}

export interface StandIns {
  /** Environment that points lib/adapters/clients.ts at the stand-ins (endpoints, region, dummy credentials). */
  env: Record<string, string>;
  endpoints: Partial<Record<StandInService, string>>;
  stop(): Promise<void>;
}

async function startKinesis(port: number, dir: string | undefined): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const kinesalite = require("kinesalite") as (opts: Record<string, unknown>) => import("node:http").Server;
  const opts: Record<string, unknown> = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 };
  if (dir) {
    const p = path.resolve(dir, "kinesis");
    fs.mkdirSync(p, { recursive: true });
    opts.path = p;
  }
  const server = kinesalite(opts);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://${HOST}:${actual}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The access key id a request is signed with (SigV4 or V2, in the Authorization header or the query). */
export function signingAccessKey(authorization: string | undefined, query: Record<string, unknown>): string | undefined {
  const fromHeader = authorization
    ? (/Credential=([^/,\s]+)\//.exec(authorization) ?? /^AWS ([^:\s]+):/.exec(authorization))?.[1]
    : undefined;
  const credential = typeof query["X-Amz-Credential"] === "string" ? query["X-Amz-Credential"].split("/")[0] : undefined;
  const v2 = typeof query.AWSAccessKeyId === "string" ? query.AWSAccessKeyId : undefined;
  const key = fromHeader ?? credential ?? v2;
  return key && key.length <= 128 ? key : undefined;
}

type KoaContext = {
  headers: Record<string, string | undefined>;
  query: Record<string, unknown>;
  method: string;
  params?: Record<string, string>;
  body?: unknown;
};

interface S3rverApp {
  middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>>;
  store: {
    listObjects(bucket: string, options: Record<string, unknown>): Promise<{ isTruncated?: boolean; objects: Array<{ key: string }> }>;
  };
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

const TOKEN_PREFIX = "mcjobs1:";

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which the OpenSSL 3 in Node 17+ no longer offers,
 * so every truncated ListObjectsV2 page (more than MaxKeys, 1,000 by default, keys) fails with InternalError.
 * Here the store's listing is told "not truncated" for those requests (no token is built), and a middleware just
 * inside s3rver's XML encoder puts back IsTruncated and a token of its own (the last key, opaque to clients), and
 * turns such a token back into `start-after` on the next request. A token it did not issue is refused as S3
 * refuses it (InvalidArgument).
 */
function pageListingsWithoutDes(app: S3rverApp): void {
  const S3Error = require("s3rver/lib/models/error") as new (code: string, message: string, detail?: Record<string, string>) => Error;
  const listing = new AsyncLocalStorage<{ truncated: boolean; lastKey?: string }>();
  const listObjects = app.store.listObjects.bind(app.store);
  app.store.listObjects = async (bucket, options) => {
    const result = await listObjects(bucket, options);
    const state = listing.getStore();
    if (!state) return result;
    state.truncated = result.isTruncated ?? false;
    state.lastKey = result.objects.at(-1)?.key;
    return { ...result, isTruncated: false };
  };
  // s3rver adds: logger, XML encoder, mount path, vhost, router. This goes after the encoder, to see plain bodies.
  if (app.middleware.length !== 5)
    throw new Error("s3rver's middleware is not what tools/twin/standins.ts expects; check its ListObjectsV2 paging fix.");
  app.middleware.splice(2, 0, async (ctx, next) => {
    if (ctx.method !== "GET" || ctx.query["list-type"] !== "2") return next();
    const token = typeof ctx.query["continuation-token"] === "string" ? ctx.query["continuation-token"] : undefined;
    if (token !== undefined) {
      const decoded = Buffer.from(token, "base64url").toString("utf8");
      if (!decoded.startsWith(TOKEN_PREFIX)) {
        throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", { ArgumentName: "continuation-token" });
      }
      const { "continuation-token": _token, ...rest } = ctx.query;
      ctx.query = { ...rest, "start-after": decoded.slice(TOKEN_PREFIX.length) };
    }
    const state: { truncated: boolean; lastKey?: string } = { truncated: false };
    await listing.run(state, next);
    const result = (ctx.body as { ListBucketResult?: Record<string, unknown> } | undefined)?.ListBucketResult;
    if (!result) return;
    if (token !== undefined) Object.assign(result, { StartAfter: undefined, ContinuationToken: token });
    if (state.truncated && state.lastKey !== undefined) {
      result.IsTruncated = true;
      result.NextContinuationToken = Buffer.from(`${TOKEN_PREFIX}${state.lastKey}`).toString("base64url");
    }
  });
}

/**
 * s3rver looks each request's access key up in its own account registry, which knows one key pair (S3RVER), and
 * answers InvalidAccessKeyId for any other; it never checks a SigV4 signature. Like the other stand-ins (and
 * other AWS-compatible local endpoints), the twin's S3 takes any credentials: a middleware placed before
 * s3rver's own adds each new access key to s3rver's account. `allowMismatchedSignatures` lets a V2 signature
 * made with such a key through too (s3rver does not know its secret).
 */
function acceptAnyAccessKey(app: S3rverApp): void {
  const accounts = require("s3rver/lib/models/account") as {
    registry: Map<string, unknown>;
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };
  app.middleware.unshift(async (ctx, next) => {
    const key = signingAccessKey(ctx.headers.authorization, ctx.query);
    if (key && !accounts.registry.has(key)) accounts.DUMMY_ACCOUNT.createKeyPair(key, key);
    await next();
  });
}

async function startS3(port: number, dir: string | undefined): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => S3rverApp;
  const tmp = dir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-s3-"));
  const directory = dir ? path.resolve(dir, "s3") : tmp!;
  fs.mkdirSync(directory, { recursive: true });
  const server = new S3rver({ port, address: HOST, silent: true, directory, allowMismatchedSignatures: true });
  pageListingsWithoutDes(server);
  acceptAnyAccessKey(server);
  const info = await server.run();
  return {
    endpoint: `http://${HOST}:${info.port}`,
    stop: async () => {
      await server.close();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Starts the requested stand-ins (all three by default) and returns the environment that reaches them. */
export async function startStandIns(opts: StandInOptions = {}): Promise<StandIns> {
  const services = opts.services ?? ["dynamodb", "kinesis", "s3"];
  const region = opts.region ?? "us-east-1";
  const stops: Array<() => Promise<void>> = [];
  const endpoints: Partial<Record<StandInService, string>> = {};
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    for (const service of services) {
      const asked = opts.ports?.[service];
      if (asked !== undefined) await assertPortFree(asked, service === "dynamodb" ? "DynamoDB Local" : service);
      const port = asked ?? (service === "dynamodb" ? await freePort() : 0);
      const started =
        service === "dynamodb"
          ? await startDynamoDb(port, opts.dynamoDbInMemory ? undefined : opts.dir, opts.ownProcessGroup ?? false)
          : service === "kinesis"
            ? await startKinesis(port, opts.dir)
            : await startS3(port, opts.dir);
      stops.push(started.stop);
      endpoints[service] = started.endpoint;
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const env: Record<string, string> = {
    AWS_REGION: region,
    // Every stand-in takes any credentials; these only keep the SDK from looking for real ones.
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
  for (const [service, endpoint] of Object.entries(endpoints)) {
    env[`MCJOBS_ENDPOINT_${service.toUpperCase()}`] = endpoint!;
  }
  return { env, endpoints, stop: stopAll };
}
