/**
 * Jobs API bench: latency of GET /jobs/PROGRESSING (limit 50) through the Lambda entry point against DynamoDB Local
 * holding 100,000 jobs, and evidence that a request's work is proportional to the page, not to the table:
 *
 *  - items DynamoDB reads (ScannedCount) and capacity per request: the byStatus Query vs the baseline of a Scan
 *    with a FilterExpression (what a listing without the index would cost);
 *  - the same figures with 10,000 and with 100,000 jobs in the table (the table grows in place between the two);
 *  - `?queue=`: the byQueueStatus key condition vs a FilterExpression on byStatus that reads pages until the
 *    page is full;
 *  - `GET /jobs?input=`: the byInputName key condition vs a Scan that reads every job's input to find the names
 *    starting with the prefix (the seeded jobs are named after their ids, so the prefix "1" matches them all and
 *    they share one partition of the index).
 *
 * `--quick` uses 2,000 and 20,000 jobs.
 */
import { randomBytes } from "node:crypto";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../lib/adapters/clients";
import { dynamoJobsQuery } from "../../lib/adapters/jobs-query";
import { handleRequest } from "../../lib/api/router";
import type { JobsReadPort } from "../../lib/api/ports";
import { ENV } from "../../lib/domain/env";
import { inputFileName, recordInputUri } from "../../lib/domain/input-name";
import { handler, resetApiHandler } from "../../handlers/api";
import { toApiGatewayEvent } from "../../tools/twin/server";
import { createTables, startStandIns } from "../../tools/twin/standins";
import { batchWrite, makeJobs } from "../../test/support/seed-jobs";
import type { BenchOptions, BenchRow } from "./run";

const PAGE = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeIt(n: number, f: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await f();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** Baseline: "PROGRESSING jobs, newest first" without the index — Scan everything, filter, sort, take a page. */
async function scanListing(ddb: DynamoDBDocumentClient, table: string): Promise<{ read: number; capacity: number; ids: string[] }> {
  let read = 0;
  let capacity = 0;
  const found: { jobId: string; createdAt: number }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "PROGRESSING" },
        ProjectionExpression: "jobId, createdAt",
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    read += res.ScannedCount ?? 0;
    capacity += res.ConsumedCapacity?.CapacityUnits ?? 0;
    found.push(...((res.Items ?? []) as { jobId: string; createdAt: number }[]));
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  found.sort((a, b) => b.createdAt - a.createdAt || (a.jobId < b.jobId ? 1 : -1));
  return { read, capacity, ids: found.slice(0, PAGE).map((f) => f.jobId) };
}

/** Baseline for ?queue=: byStatus with a FilterExpression on the queue, reading until a page is full. */
async function filteredQueueListing(
  ddb: DynamoDBDocumentClient,
  table: string,
  queue: string,
): Promise<{ read: number; capacity: number; count: number }> {
  let read = 0;
  let capacity = 0;
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: "byStatus",
        KeyConditionExpression: "#s = :s",
        FilterExpression: "queueName = :q",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "PROGRESSING", ":q": queue },
        ScanIndexForward: false,
        Limit: PAGE,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    read += res.ScannedCount ?? 0;
    capacity += res.ConsumedCapacity?.CapacityUnits ?? 0;
    count += res.Count ?? 0;
    startKey = res.LastEvaluatedKey;
  } while (startKey && count < PAGE);
  return { read, capacity, count };
}

/** Baseline for ?input=: Scan every job's input and settings, keep the file names starting with the prefix. */
async function scanByInput(
  ddb: DynamoDBDocumentClient,
  table: string,
  prefix: string,
): Promise<{ read: number; capacity: number; count: number }> {
  let read = 0;
  let capacity = 0;
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: "jobId, #i, settings",
        ExpressionAttributeNames: { "#i": "input" },
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    read += res.ScannedCount ?? 0;
    capacity += res.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const item of res.Items ?? []) {
      const uri = recordInputUri(item);
      if (uri && inputFileName(uri)?.toLowerCase().startsWith(prefix)) count++;
    }
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return { read, capacity, count };
}

export default async function bench({ quick }: BenchOptions): Promise<BenchRow[]> {
  const small = quick ? 2_000 : 10_000;
  const large = quick ? 20_000 : 100_000;
  const requests = quick ? 60 : 300;
  const standIns = await startStandIns({ services: ["dynamodb"] });
  const savedEnv = { ...process.env };
  const ddb = clients.dynamoDb(standIns.env as NodeJS.ProcessEnv);
  try {
    const tables = await createTables("bench-api", standIns.env);
    // One job in eight is in the rare queue "Archive" for the ?queue= comparison.
    const newest = Date.now() - 60_000;
    const all = makeJobs({ count: large, newest, seed: 11 });
    Object.assign(process.env, standIns.env, {
      [ENV.jobsTable]: tables.jobs,
      [ENV.eventsTable]: tables.events,
      [ENV.queuesTable]: tables.queues,
      [ENV.apiTokenKey]: randomBytes(32).toString("base64"),
    });
    const event = toApiGatewayEvent({ method: "GET", url: `/jobs/PROGRESSING?limit=${PAGE}`, headers: { host: "bench" } }, Buffer.alloc(0));
    const viaHandler = async () => {
      const res = (await handler(event)) as APIGatewayProxyStructuredResultV2;
      if (res.statusCode !== 200) throw new Error(`GET /jobs/PROGRESSING → ${res.statusCode}: ${res.body}`);
    };

    const base = dynamoJobsQuery(ddb, tables);
    let last = { read: 0, capacity: 0 };
    const counting: JobsReadPort = {
      ...base,
      queryJobs: async (q) => {
        const page = await base.queryJobs(q);
        last = { read: page.itemsRead, capacity: page.capacityUnits };
        return page;
      },
    };
    const apiPage = async (query: Record<string, string>, path = "/jobs/PROGRESSING") => {
      const res = await handleRequest(
        { method: "GET", path, query },
        { store: counting, tokenKey: randomBytes(32), jobsTable: tables.jobs },
      );
      return { ...last, body: JSON.parse(res.body) as { jobs: { jobId: string }[] } };
    };

    const measure = async (size: number) => {
      // Cold start and DynamoDB Local's own warm-up outside the timing.
      for (let i = 0; i < 30; i++) await viaHandler();
      const latency = await timeIt(requests, viaHandler);
      const page = await apiPage({ limit: String(PAGE) });
      // The Scan baseline takes seconds to minutes on DynamoDB Local: one timed run.
      const t0 = Date.now();
      const scan = await scanListing(ddb, tables.jobs);
      const scanLatency = { p50: Date.now() - t0 };
      if (page.body.jobs.map((j) => j.jobId).join() !== scan.ids.join())
        throw new Error(`at ${size} jobs the API page and the Scan baseline disagree`);
      const queued = await apiPage({ limit: String(PAGE), queue: "Archive" });
      const filtered = await filteredQueueListing(ddb, tables.jobs, "Archive");
      const byInput = await apiPage({ input: "1", limit: String(PAGE) }, "/jobs");
      const inputScan = await scanByInput(ddb, tables.jobs, "1");
      return { size, latency, scanLatency, page, scan, queued, filtered, byInput, inputScan };
    };

    await batchWrite(ddb, tables.jobs, all.items.slice(0, small), 24);
    const at10k = await measure(small);
    await batchWrite(ddb, tables.jobs, all.items.slice(small), 24);
    const at100k = await measure(large);

    const suite = "api";
    const n = (x: number) => x.toLocaleString("en-US");
    const rows: BenchRow[] = [
      {
        suite,
        metric: `GET /jobs/PROGRESSING p50 (${n(large)} jobs, limit ${PAGE})`,
        value: at100k.latency.p50,
        unit: "ms",
        baseline: { name: "Scan + filter + sort (one run)", value: at100k.scanLatency.p50 },
        note: `handler + DynamoDB Local, ${requests} requests`,
      },
      {
        suite,
        metric: `GET /jobs/PROGRESSING p99 (${n(large)} jobs, limit ${PAGE})`,
        value: at100k.latency.p99,
        unit: "ms",
        baseline: { name: `same at ${n(small)} jobs`, value: at10k.latency.p99 },
        note: `p50 at ${n(small)} jobs: ${at10k.latency.p50.toFixed(1)} ms`,
      },
      {
        suite,
        metric: `items read per page (${n(large)} jobs)`,
        value: at100k.page.read,
        unit: "items",
        baseline: { name: "Scan + filter", value: at100k.scan.read },
        note: `capacity ${at100k.page.capacity} vs ${at100k.scan.capacity} RCU (as DynamoDB Local reports)`,
      },
      {
        suite,
        metric: `items read per page: ${n(large)} vs ${n(small)} jobs`,
        value: at100k.page.read,
        unit: "items",
        baseline: { name: `same request at ${n(small)} jobs`, value: at10k.page.read },
        note: `Scan baseline grows ${at10k.scan.read} → ${at100k.scan.read} (${(at100k.scan.read / at10k.scan.read).toFixed(1)}×)`,
      },
      {
        suite,
        metric: `?queue=Archive items read per page (${n(large)} jobs)`,
        value: at100k.queued.read,
        unit: "items",
        baseline: { name: "byStatus + FilterExpression", value: at100k.filtered.read },
        note: `a full page of ${at100k.queued.body.jobs.length} jobs; the filter read ${at100k.filtered.read} items to match ${at100k.filtered.count}`,
      },
      {
        suite,
        metric: `GET /jobs?input=1 items read per page (${n(large)} jobs)`,
        value: at100k.byInput.read,
        unit: "items",
        baseline: { name: "Scan + match names", value: at100k.inputScan.read },
        note: `a page of ${at100k.byInput.body.jobs.length} of ${n(at100k.inputScan.count)} matches in one partition; ${at10k.byInput.read} read at ${n(small)} jobs; capacity ${at100k.byInput.capacity} vs ${at100k.inputScan.capacity} RCU`,
      },
    ];
    return rows;
  } finally {
    resetApiHandler();
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    ddb.destroy();
    await standIns.stop();
  }
}
