/**
 * The twin's HTTP front door (server.ts) wired to the twin: the Jobs API handler behind API Gateway-shaped events,
 * the dashboard's files, the local-only views (Queues table, pipeline counters, the latest messages on the
 * notifications topic) and the
 * event intake, which checks each posted event's envelope (`capturedEventProblems`) and publishes it on the
 * twin's router, so the deployed patterns decide where it goes, as EventBridge's do.
 */
import * as path from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import * as clients from "../../lib/adapters/clients";
import { JOB_STATE_CHANGE, MEDIACONVERT_SOURCE } from "../../lib/domain/events";
import { invoke, type LambdaHandler } from "./lambda";
import type { PublishedMessage } from "./sns";
import { errorPayload, startTwinServer, type TwinServer } from "./server";

const repoRoot = path.resolve(__dirname, "..", "..");

export interface TwinUrls {
  apiUrl: string;
  dashboardUrl: string;
}

/** Fails fast, with the server's own message, when `port` is taken: before anything slow starts. */
export async function assertHttpPortFree(port: number): Promise<void> {
  const probe = await startTwinServer({
    port,
    dashboardDir: repoRoot,
    local: { queues: async () => [], status: () => ({}), notifications: () => [] },
  });
  await probe.stop();
}

/** EventBridge's PutEvents limit on one entry. */
export const MAX_EVENT_BYTES = 256 * 1024;
/** Most events one POST /twin/events takes (`mcjobs send-event` sends more in several). */
export const MAX_EVENTS_PER_POST = 500;

const said = (v: unknown) =>
  v === undefined ? "missing" : `expected a string, got ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`;
const text = z.string({ error: (i) => said(i.input) }).min(1, "must not be empty");
const exactly = (value: string) =>
  z.literal(value, {
    error: (i) => (i.input === undefined ? `missing (expected "${value}")` : `${JSON.stringify(i.input)} is not "${value}"`),
  });

/**
 * The envelope of a MediaConvert job event as EventBridge delivers it. Only what routing and the collector rely
 * on is checked; the rest of the detail is the collector's to judge, as in AWS (it parks what it cannot read).
 */
export const CapturedEventSchema = z.looseObject({
  id: text,
  source: exactly(MEDIACONVERT_SOURCE),
  "detail-type": exactly(JOB_STATE_CHANGE),
  time: text.optional(),
  account: text.optional(),
  region: text.optional(),
  resources: z.array(z.string({ error: "expected an ARN (a string)" })).optional(),
  detail: z.looseObject({ jobId: text, status: text }, { error: (i) => (i.input === undefined ? "missing" : "expected an object") }),
});

/** What is wrong with an event, one `path: problem` line each; empty when it can be delivered. */
export function capturedEventProblems(raw: unknown): string[] {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return ["the event must be a JSON object"];
  const size = Buffer.byteLength(JSON.stringify(raw));
  const problems = size > MAX_EVENT_BYTES ? [`the event is ${size} bytes; EventBridge takes at most ${MAX_EVENT_BYTES}`] : [];
  const parsed = CapturedEventSchema.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`));
  return problems;
}

/** One intake answer entry, in the order posted (like PutEvents' entries). */
export type IntakeEntry = { id: string; jobId: string; rules: string[] } | { error: { code: string; message: string } };

/** The intake: checks every event, publishes the good ones, answers what became of each. */
export function eventIntake(publish: (event: unknown) => string[]): (events: unknown[]) => { status: number; body: unknown } {
  return (events) => {
    if (events.length > MAX_EVENTS_PER_POST) {
      return {
        status: 400,
        body: errorPayload("TooManyEvents", `${events.length} events in one request; send at most ${MAX_EVENTS_PER_POST}.`),
      };
    }
    const entries: IntakeEntry[] = events.map((event) => {
      const problems = capturedEventProblems(event);
      if (problems.length > 0) return errorPayload("InvalidEvent", problems.join("; "));
      const e = event as z.infer<typeof CapturedEventSchema>;
      return { id: e.id, jobId: e.detail.jobId, rules: publish(event) };
    });
    return { status: 200, body: { failedCount: entries.filter((e) => "error" in e).length, entries } };
  };
}

export async function startFrontDoor(o: {
  port?: number;
  api: LambdaHandler<unknown, unknown>;
  functionName: string;
  /** The stand-ins' environment (the Queues view reads DynamoDB Local directly). */
  env: Record<string, string>;
  queuesTable: string;
  status(): unknown;
  /** What the notifications topic received (the SNS stand-in). */
  notifications(): readonly PublishedMessage[];
  /** The twin's router (`router.publish`): POST /twin/events hands it the events; without it the intake answers 503. */
  publish?(event: unknown): string[];
}): Promise<{ urls: TwinUrls; stop(): Promise<void> }> {
  const ddb = clients.dynamoDb(o.env as NodeJS.ProcessEnv);
  let server: TwinServer;
  try {
    server = await startTwinServer({
      port: o.port,
      api: (event) => invoke(o.api, event, { functionName: o.functionName, timeoutMs: 30_000 }),
      dashboardDir: path.join(repoRoot, "tools", "dashboard"),
      local: {
        queues: async () => {
          const out = await ddb.send(new ScanCommand({ TableName: o.queuesTable }));
          return out.Items ?? [];
        },
        status: () => o.status(),
        notifications: () => o.notifications().slice(-50),
        ...(o.publish ? { events: eventIntake((event) => o.publish!(event)) } : {}),
      },
    });
  } catch (err) {
    ddb.destroy();
    throw err;
  }
  return {
    urls: { apiUrl: server.url, dashboardUrl: `${server.url}/` },
    async stop() {
      try {
        await server.stop();
      } finally {
        ddb.destroy();
      }
    },
  };
}
