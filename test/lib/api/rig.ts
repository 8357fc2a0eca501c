/**
 * Test rig for the Jobs API on DynamoDB Local with TTL turned OFF on every table, so items whose `expiresAt` has
 * passed stay stored (as they do in DynamoDB for hours or days) instead of being deleted within about a second.
 * Requests go through the router with the real DynamoDB reader, wrapped to record what each page read.
 */
import { randomBytes } from "node:crypto";
import { DynamoDBClient, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../../lib/adapters/clients";
import { dynamoJobsQuery } from "../../../lib/adapters/jobs-query";
import type { JobsPage, JobsReadPort } from "../../../lib/api/ports";
import { handleRequest } from "../../../lib/api/router";
import type { McEvent } from "../../../lib/domain/events";
import { TTL_ATTRIBUTE } from "../../../lib/domain/tables";
import { createTables, startStandIns, type StandIns, type TableNames } from "../../../tools/twin/standins";
import { eventsFor, queueArn, rawEvent } from "../../support/seed-jobs";
import { mustParse } from "../../support/timeline";

export type Body = Record<string, any>;

export interface ApiRig {
  standIns: StandIns;
  tables: TableNames;
  ddb: DynamoDBDocumentClient;
  key: Buffer;
  /** What the last queryJobs read. */
  lastPage(): JobsPage | undefined;
  get(path: string, query?: Record<string, string>, now?: number): Promise<{ status: number; body: Body }>;
  /** Every page of a listing, following nextToken. */
  pages(path: string, query?: Record<string, string>, now?: number): Promise<Body[]>;
  put(table: string, items: Record<string, unknown>[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startApiRig(prefix: string): Promise<ApiRig> {
  const standIns = await startStandIns({ services: ["dynamodb"] });
  const tables = await createTables(prefix, standIns.env);
  const raw = new DynamoDBClient({
    region: "us-east-1",
    endpoint: standIns.env.MCJOBS_ENDPOINT_DYNAMODB,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    for (const name of Object.values(tables)) {
      await raw.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: false } }),
      );
    }
  } finally {
    raw.destroy();
  }
  const ddb = clients.dynamoDb(standIns.env as NodeJS.ProcessEnv);
  const key = randomBytes(32);
  const base = dynamoJobsQuery(ddb, tables);
  let last: JobsPage | undefined;
  const store: JobsReadPort = {
    ...base,
    queryJobs: async (q) => (last = await base.queryJobs(q)),
  };
  const get = async (path: string, query: Record<string, string> = {}, now?: number) => {
    const res = await handleRequest(
      { method: "GET", path, query },
      { store, tokenKey: key, jobsTable: tables.jobs, ...(now !== undefined ? { now: () => now } : {}) },
    );
    return { status: res.statusCode, body: JSON.parse(res.body) as Body };
  };
  return {
    standIns,
    tables,
    ddb,
    key,
    lastPage: () => last,
    get,
    async pages(path, query = {}, now) {
      const out: Body[] = [];
      let token: string | undefined;
      do {
        const res = await get(path, { ...query, ...(token ? { nextToken: token } : {}) }, now);
        if (res.status !== 200) throw new Error(`${path} ${JSON.stringify(query)} → ${res.status} ${JSON.stringify(res.body)}`);
        out.push(res.body);
        token = res.body.nextToken;
        if (out.length > 2000) throw new Error("paging does not end");
      } while (token);
      return out;
    },
    async put(table, items) {
      for (let i = 0; i < items.length; i += 25) {
        let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) {
          const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
          pending = (res.UnprocessedItems?.[table] ?? []) as typeof pending;
        }
      }
    },
    async stop() {
      ddb.destroy();
      await standIns.stop();
    },
  };
}

/** A job's events (as the seed makes them) plus an INPUT_INFORMATION naming `uri`, when given. */
export function jobEvents(
  jobId: string,
  created: number,
  status: "SUBMITTED" | "PROGRESSING" | "COMPLETE",
  queue: string,
  uri?: string,
): McEvent[] {
  const events = eventsFor(jobId, created, status, queue, 50);
  if (uri) {
    events.push(mustParse(rawEvent(jobId, "INPUT_INFORMATION", created + 1, queue, { inputDetails: [{ id: 1, uri }] })));
  }
  return events;
}

export { queueArn };
