/**
 * Jobs API Lambda: API Gateway HTTP API (payload format 2.0, IAM authorization) → api/router.ts. Thin: reads and
 * validates its settings once per container, builds the DynamoDB reader, turns the event into an ApiRequest.
 * The local twin calls `handler` with the same event shape (local/server.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { Logger } from "@aws-lambda-powertools/logger";
import { z } from "zod";
import * as clients from "../adapters/clients";
import { dynamoJobsQuery } from "../adapters/jobs-query";
import { ENV } from "../domain/env";
import { handleRequest, type ApiDeps, type ApiRequest } from "../api/router";

export const ApiConfigSchema = z.object({
  [ENV.jobsTable]: z.string().min(1, "must name the Jobs table"),
  [ENV.eventsTable]: z.string().min(1, "must name the Events table"),
  [ENV.queuesTable]: z.string().min(1, "must name the Queues table"),
  [ENV.apiTokenKey]: z
    .string({ message: "must hold the base64 nextToken signing key (the JobsApi component sets it)" })
    .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, "base64").length >= 32, "must be base64 of at least 32 random bytes"),
});

export interface ApiConfig {
  jobsTable: string;
  eventsTable: string;
  queuesTable: string;
  tokenKey: Buffer;
}

/** Reads and validates the handler's settings; throws one message naming every bad variable (never its value for the key). */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = ApiConfigSchema.safeParse(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v])));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "?");
      const shown = env[name] === undefined ? " (not set)" : name === ENV.apiTokenKey ? "" : ` = ${JSON.stringify(env[name])}`;
      return `  ${name}${shown}: ${i.message}`;
    });
    throw new Error(`Jobs API configuration is invalid:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  return { jobsTable: c[ENV.jobsTable], eventsTable: c[ENV.eventsTable], queuesTable: c[ENV.queuesTable], tokenKey: Buffer.from(c[ENV.apiTokenKey], "base64") };
}

/** The router's input for an HTTP API payload-2.0 event. */
export function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  let path = event.rawPath ?? event.requestContext?.http?.path ?? "/";
  const stage = event.requestContext?.stage;
  // With a named stage (not $default) the path starts with it.
  if (stage && stage !== "$default" && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  return {
    method: (event.requestContext?.http?.method ?? "GET").toUpperCase(),
    path,
    query: { ...(event.queryStringParameters ?? {}) },
    requestId: event.requestContext?.requestId,
  };
}

const logger = new Logger({ serviceName: "mcjobs-api" });
let deps: ApiDeps | undefined;
/** The settings `deps` was built from: rebuilt when they change (the twin and tests set process.env between runs). */
let depsFrom = "";

let client: { destroy(): void } | undefined;

/** Drops the cached settings and closes the DynamoDB client (tests and the twin, between runs). */
export function resetApiHandler(): void {
  client?.destroy();
  client = undefined;
  deps = undefined;
  depsFrom = "";
}

function depsFromEnv(): ApiDeps {
  const config = loadApiConfig();
  client?.destroy();
  const ddb = clients.dynamoDb();
  client = ddb;
  return {
    store: dynamoJobsQuery(ddb, { jobs: config.jobsTable, events: config.eventsTable, queues: config.queuesTable }),
    tokenKey: config.tokenKey,
    jobsTable: config.jobsTable,
    log: (message, err) => logger.error(message, err instanceof Error ? err : String(err)),
  };
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const from = [ENV.jobsTable, ENV.eventsTable, ENV.queuesTable, ENV.apiTokenKey, "MCJOBS_ENDPOINT_DYNAMODB"].map((k) => process.env[k] ?? "").join("\n");
  if (!deps || from !== depsFrom) {
    deps = depsFromEnv();
    depsFrom = from;
  }
  return handleRequest(toApiRequest(event), deps);
}
