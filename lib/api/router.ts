/**
 * The Jobs API's routes, independent of API Gateway and of DynamoDB:
 *
 *   GET /jobs/{status}    jobs in that status, newest first, one page (`limit`, `nextToken`, `queue`, `since`)
 *   GET /jobs?input=P     jobs whose input file name starts with P (letter case ignored), one page (`limit`,
 *                         `nextToken`): file names A→Z, the jobs of one file name newest first
 *   GET /jobs/{jobId}     one job's record; `?events=true` adds its events in time order
 *   GET /queues           every queue's live counters
 *   GET /queues/{name}    one queue's counters (name or ARN)
 *   GET /queues/{name}/series  one queue's finished/failed jobs, backlog and queue wait over the last hours (series.ts)
 *
 * Work per request is bounded by the page size: a status listing is one key-condition Query on `byStatus`
 * (status = S [AND createdAt ≥ since]), or on `byQueueStatus` (queueStatus = "Q#S" [AND …]) when a queue is
 * given — never a Scan, never a FilterExpression. `byQueueStatus` follows the queue counters, which move right
 * after the job's write; a job whose live status or queue already differs from the index entry is left out of the
 * page (at most the page's own items are looked at). The input search is one key-condition Query on `byInputName`
 * (inputShard = first character AND begins_with(inputNameKey, P); the key is explained in lib/domain/tables.ts).
 *
 * Nothing past its TTL is served: every read passes the request's clock to the store, which leaves out expired
 * items by the one rule of lib/domain/expiry.ts, so an expired job is a 404 (with or without its events), never
 * listed, and an expired queue counters item is neither listed nor found.
 *
 * `handleRequest` never throws: every failure becomes `{ error: { code, message } }`; unexpected ones are logged
 * through `deps.log` and answered with a generic 500 (or 503 when DynamoDB throttles).
 */
import { toJobRecord } from "../domain/job-update";
import { inputPrefixCondition } from "../domain/input-name";
import { INPUT_NAME_ATTRIBUTE, INPUT_SHARD_ATTRIBUTE, JOBS_INDEX, QUEUE_STATUS_ATTRIBUTE, queueStatusKey } from "../domain/tables";
import { ApiError, errorBody } from "./errors";
import { parseInputListParams } from "./input-param";
import { decodeSegment, parseJobParams, parseJobsSegment, parseListParams, parseNoParams, parseQueue } from "./params";
import type { JobsReadPort } from "./ports";
import { seriesRoute } from "./series";
import { openToken, signToken, type TokenScope } from "./token";
import { eventView, jobView, queueView } from "./view";

export interface ApiRequest {
  method: string;
  /** Path without the stage, e.g. `/jobs/PROGRESSING` (percent-encoding kept). */
  path: string;
  query: Record<string, string | undefined>;
  requestId?: string;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface ApiDeps {
  store: JobsReadPort;
  /** HMAC key for nextToken (≥ 32 bytes). */
  tokenKey: Buffer;
  /** Physical Jobs table name: tokens are bound to it. */
  jobsTable: string;
  now?: () => number;
  /** Most events returned by `?events=true` (default 1000). */
  maxEvents?: number;
  /** Most queues returned by GET /queues (default 1000). */
  maxQueues?: number;
  /** Where unexpected failures are reported (never to the caller). */
  log?: (message: string, err: unknown) => void;
}

const ROUTES =
  "GET /jobs/{status}, GET /jobs?input={file name prefix}, GET /jobs/{jobId}, GET /queues, GET /queues/{name}, GET /queues/{name}/series";

const json = (statusCode: number, body: unknown, extra: Record<string, string> = {}): ApiResponse => ({
  statusCode,
  headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...extra },
  body: JSON.stringify(body),
});

const THROTTLED = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
]);

export async function handleRequest(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  try {
    return await route(req, deps);
  } catch (err) {
    if (err instanceof ApiError) {
      return json(err.statusCode, errorBody(err), err.code === "MethodNotAllowed" ? { allow: "GET" } : {});
    }
    const name = (err as { name?: string })?.name ?? "";
    deps.log?.(`${req.method} ${req.path} failed`, err);
    if (THROTTLED.has(name)) {
      return json(
        503,
        { error: { code: "Throttled", message: "The job tables are busy right now; retry in a second." } },
        { "retry-after": "1" },
      );
    }
    const ref = req.requestId ? ` (request id ${req.requestId})` : "";
    return json(500, {
      error: { code: "InternalError", message: `The request failed on the server side${ref}; retry, and report it if it persists.` },
    });
  }
}

async function route(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const parts = req.path.replace(/\/+$/, "").split("/").slice(1);
  const known = parts[0] === "jobs" || parts[0] === "queues";
  const series = parts[0] === "queues" && parts.length === 3 && parts[2] === "series";
  if (!known || (parts.length > 2 && !series))
    throw new ApiError(404, "RouteNotFound", `No route for ${req.method} ${req.path}. Routes: ${ROUTES}.`);
  if (req.method !== "GET")
    throw new ApiError(405, "MethodNotAllowed", `${req.method} is not allowed; the Jobs API is read-only (${ROUTES}).`);
  const now = (deps.now ?? Date.now)();
  if (series) return json(200, { ...(await seriesRoute(parts[1], req.query, deps.store, now)), ...asOf(now) });
  if (parts[0] === "queues") {
    if (parts.length === 1) {
      parseNoParams(req.query, "GET /queues");
      const { items, truncated } = await deps.store.listQueues(deps.maxQueues ?? 1000, now);
      const queues = items.map(queueView).sort((a, b) => String(a.queueName).localeCompare(String(b.queueName)));
      return json(200, { queues, count: queues.length, ...(truncated ? { truncated: true } : {}), ...asOf(now) });
    }
    parseNoParams(req.query, "GET /queues/{name}");
    const name = parseQueue(decodeSegment(parts[1], "queue name"), "The queue in the path");
    const item = await deps.store.getQueue(name, now);
    if (!item)
      throw new ApiError(
        404,
        "QueueNotFound",
        `No jobs have been recorded for a queue named ${JSON.stringify(name)} (names are case-sensitive); GET /queues lists the known ones.`,
      );
    return json(200, { ...queueView(item), ...asOf(now) });
  }
  if (parts.length === 1 || parts[1] === "") {
    if (req.query.input !== undefined) return inputListing(req, deps, now);
    throw new ApiError(
      400,
      "InvalidPath",
      "Say which jobs: GET /jobs/{status} (SUBMITTED, PROGRESSING, COMPLETE, ERROR, CANCELED) or GET /jobs/{jobId}, " +
        "or search by input file name with GET /jobs?input={start of the file name}.",
    );
  }
  const target = parseJobsSegment(decodeSegment(parts[1], "status or job id"));
  if (target.kind === "job") {
    const { events } = parseJobParams(req.query);
    const item = await deps.store.getJob(target.jobId, now);
    if (!item)
      throw new ApiError(
        404,
        "JobNotFound",
        `No job ${target.jobId} is on record (it may be older than the tables' TTL, or in another region).`,
      );
    const body: Record<string, unknown> = { ...jobView(toJobRecord(item), now), ...asOf(now) };
    if (events) {
      const ev = await deps.store.listEvents(target.jobId, deps.maxEvents ?? 1000, now);
      body.events = ev.items.map(eventView);
      if (ev.truncated) body.eventsTruncated = true;
    }
    return json(200, body);
  }

  const params = parseListParams(req.query);
  const status = target.status;
  const scope: TokenScope = params.queueName
    ? {
        table: deps.jobsTable,
        index: JOBS_INDEX.byQueueStatus,
        partitionAttribute: QUEUE_STATUS_ATTRIBUTE,
        partition: queueStatusKey(params.queueName, status),
        since: params.since,
      }
    : { table: deps.jobsTable, index: JOBS_INDEX.byStatus, partitionAttribute: "status", partition: status, since: params.since };
  const keyAttributes = ["jobId", scope.partitionAttribute, "createdAt"];
  const startKey = params.nextToken ? openToken(deps.tokenKey, params.nextToken, scope, keyAttributes, now) : undefined;
  const page = await deps.store.queryJobs({
    index: scope.index,
    partitionAttribute: scope.partitionAttribute,
    partition: scope.partition,
    since: params.since,
    limit: params.limit,
    startKey,
    now,
  });
  // byQueueStatus may briefly lag the job's live status/queue (see the header): leave such jobs out.
  const items = params.queueName ? page.items.filter((i) => i.status === status && i.queueName === params.queueName) : page.items;
  const jobs = items.map((i) => jobView(toJobRecord(i), now));
  return json(200, {
    status,
    ...(params.queueName || params.since !== undefined
      ? {
          filters: {
            ...(params.queueName ? { queue: params.queueName } : {}),
            ...(params.since !== undefined ? { since: params.since, sinceIso: new Date(params.since).toISOString() } : {}),
          },
        }
      : {}),
    count: jobs.length,
    jobs,
    ...(page.lastKey ? { nextToken: signToken(deps.tokenKey, scope, page.lastKey, now) } : {}),
    ...asOf(now),
  });
}

/** GET /jobs?input=P: one key-condition page of byInputName (see the header). */
async function inputListing(req: ApiRequest, deps: ApiDeps, now: number): Promise<ApiResponse> {
  const params = parseInputListParams(req.query);
  const { shard, beginsWith } = inputPrefixCondition(params.input);
  const prefix = { attribute: INPUT_NAME_ATTRIBUTE, prefix: beginsWith };
  const scope: TokenScope = {
    table: deps.jobsTable,
    index: JOBS_INDEX.byInputName,
    partitionAttribute: INPUT_SHARD_ATTRIBUTE,
    partition: shard,
    beginsWith: prefix,
  };
  const keyAttributes = ["jobId", INPUT_SHARD_ATTRIBUTE, INPUT_NAME_ATTRIBUTE];
  const startKey = params.nextToken ? openToken(deps.tokenKey, params.nextToken, scope, keyAttributes, now) : undefined;
  const page = await deps.store.queryJobs({
    index: scope.index,
    partitionAttribute: scope.partitionAttribute,
    partition: shard,
    beginsWith: prefix,
    ascending: true,
    limit: params.limit,
    startKey,
    now,
  });
  const jobs = page.items.map((i) => jobView(toJobRecord(i), now));
  return json(200, {
    input: params.input,
    count: jobs.length,
    jobs,
    ...(page.lastKey ? { nextToken: signToken(deps.tokenKey, scope, page.lastKey, now) } : {}),
    ...asOf(now),
  });
}

function asOf(now: number): { asOf: number; asOfIso: string } {
  return { asOf: now, asOfIso: new Date(now).toISOString() };
}
