/**
 * Jobs API Lambda: API Gateway HTTP API (payload format 2.0, IAM authorization) → lib/api/router.ts. Thin: reads and
 * validates its settings (lib/api/config.ts), builds the DynamoDB reader, turns the event into an ApiRequest
 * (lib/api/http-event.ts). The local twin calls `handler` with the same event shape (tools/twin/server.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { Logger } from "@aws-lambda-powertools/logger";
import * as clients from "../lib/adapters/clients";
import { dynamoJobsQuery } from "../lib/adapters/jobs-query";
import { API_SETTINGS_FROM, loadApiConfig } from "../lib/api/config";
import { toApiRequest } from "../lib/api/http-event";
import { handleRequest, type ApiDeps } from "../lib/api/router";

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
  const from = API_SETTINGS_FROM.map((k) => process.env[k] ?? "").join("\n");
  if (!deps || from !== depsFrom) {
    deps = depsFromEnv();
    depsFrom = from;
  }
  return handleRequest(toApiRequest(event), deps);
}
