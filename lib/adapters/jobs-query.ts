/**
 * DynamoDB reads of the Jobs API (lib/api/ports.ts `JobsReadPort`): key-condition Queries on the Jobs table's
 * indexes, GetItem for one job or queue, a Query of one job's events, and a bounded Scan of the small Queues table
 * (one item per MediaConvert queue). Read-only: GetItem, Query and Scan (Queues only).
 *
 * Items whose TTL has passed at the request's `now` are dropped as they are read (lib/domain/expiry.ts: DynamoDB
 * may keep them for days), by every read here, with the same rule.
 *
 * `queryJobs` asks DynamoDB for exactly the items still missing from the page, so a page normally costs one
 * Query; it loops when DynamoDB stops early at its 1 MB response limit or when expired items left the page short,
 * and never more than `maxQueries` times, so the work per request stays proportional to the page size. The page's
 * `lastKey` is DynamoDB's LastEvaluatedKey: the next page starts after the last item read, expired or not, so no
 * live item is skipped or repeated. A page cut short by `maxQueries` still carries a `lastKey`.
 */
import { GetCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Item, JobsPage, JobsPageQuery, JobsReadPort } from "../api/ports";
import { liveItems } from "../domain/expiry";
import { JOBS_INDEX, TTL_ATTRIBUTE } from "../domain/tables";

export interface JobsQueryTables {
  jobs: string;
  events: string;
  queues: string;
}

export interface JobsQueryOptions {
  /** Query calls per page at most (default 8: 8 MB of items, far above the largest page). */
  maxQueries?: number;
}

/** The key condition of a page query: partition = value, and optionally createdAt ≥ since or begins_with(sk, p). */
function keyCondition(q: JobsPageQuery): { expression: string; names: Record<string, string>; values: Record<string, unknown> } {
  const names: Record<string, string> = { "#pk": q.partitionAttribute };
  const values: Record<string, unknown> = { ":pk": q.partition };
  let expression = "#pk = :pk";
  if (q.since !== undefined) {
    expression += " AND #sk >= :since";
    names["#sk"] = "createdAt";
    values[":since"] = q.since;
  } else if (q.beginsWith) {
    expression += " AND begins_with(#sk, :prefix)";
    names["#sk"] = q.beginsWith.attribute;
    values[":prefix"] = q.beginsWith.prefix;
  }
  return { expression, names, values };
}

export function dynamoJobsQuery(ddb: DynamoDBDocumentClient, tables: JobsQueryTables, opts: JobsQueryOptions = {}): JobsReadPort {
  const maxQueries = opts.maxQueries ?? 8;
  return {
    async queryJobs(q) {
      const page: JobsPage = { items: [], itemsRead: 0, capacityUnits: 0, queries: 0 };
      let startKey: Record<string, unknown> | undefined = q.startKey;
      const key = keyCondition(q);
      do {
        const res = await ddb.send(
          new QueryCommand({
            TableName: tables.jobs,
            IndexName: q.index,
            KeyConditionExpression: key.expression,
            ExpressionAttributeNames: key.names,
            ExpressionAttributeValues: key.values,
            ScanIndexForward: q.ascending === true,
            Limit: q.limit - page.items.length,
            ExclusiveStartKey: startKey,
            ReturnConsumedCapacity: "TOTAL",
          }),
        );
        page.queries++;
        page.items.push(...liveItems((res.Items ?? []) as Item[], q.now));
        page.itemsRead += res.ScannedCount ?? res.Items?.length ?? 0;
        page.capacityUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
        startKey = res.LastEvaluatedKey;
      } while (startKey && page.items.length < q.limit && page.queries < maxQueries);
      if (startKey) page.lastKey = startKey as Record<string, string | number>;
      return page;
    },

    async getJob(jobId, now) {
      const res = await ddb.send(new GetCommand({ TableName: tables.jobs, Key: { jobId }, ConsistentRead: true }));
      return liveItems(res.Item ? [res.Item as Item] : [], now)[0];
    },

    async listEvents(jobId, max, now) {
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new QueryCommand({
            TableName: tables.events,
            KeyConditionExpression: "jobId = :j",
            ExpressionAttributeValues: { ":j": jobId },
            // Everything the API shows; the raw event text and the claim bookkeeping stay behind.
            // (and the TTL, to leave expired events out).
            ProjectionExpression: "jobId, eventKey, eventId, #st, #ts, receivedAt, #ev, eventOmitted, #ttl",
            ExpressionAttributeNames: { "#st": "status", "#ts": "timestamp", "#ev": "event", "#ttl": TTL_ATTRIBUTE },
            ScanIndexForward: true,
            Limit: max + 1 - items.length,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...liveItems((res.Items ?? []) as Item[], now));
        startKey = res.LastEvaluatedKey;
      } while (startKey && items.length <= max);
      return { items: items.slice(0, max), truncated: items.length > max };
    },

    async listQueues(max, now) {
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new ScanCommand({ TableName: tables.queues, Limit: max + 1 - items.length, ExclusiveStartKey: startKey }),
        );
        items.push(...liveItems((res.Items ?? []) as Item[], now));
        startKey = res.LastEvaluatedKey;
      } while (startKey && items.length <= max);
      return { items: items.slice(0, max), truncated: items.length > max };
    },

    async getQueue(queueName, now) {
      const res = await ddb.send(new GetCommand({ TableName: tables.queues, Key: { queueName } }));
      return liveItems(res.Item ? [res.Item as Item] : [], now)[0];
    },
  };
}

/** One job the reconciler may check: the attributes of the item it needs, nothing more. */
export interface QuietJob {
  jobId: string;
  status: string;
  lastEventAt: number;
  createdAt?: number;
  arn?: string;
  accountId?: string;
  region?: string;
  queue?: string;
  userMetadata?: Record<string, string>;
}

/**
 * The jobs in `status` last heard from before `heardBefore` (epoch ms), at most `max`: a key-condition Query of
 * the byStatus index (unfinished statuses hold few jobs), filtered on lastEventAt, projected to what the
 * reconciler reads. Expired items are left out like everywhere else.
 */
export async function quietJobs(
  ddb: DynamoDBDocumentClient,
  jobsTable: string,
  q: { status: string; heardBefore: number; max: number; now: number },
): Promise<QuietJob[]> {
  const out: QuietJob[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: jobsTable,
        IndexName: JOBS_INDEX.byStatus,
        KeyConditionExpression: "#st = :st",
        FilterExpression: "#le < :before",
        ProjectionExpression: "jobId, #st, #le, createdAt, arn, accountId, #rg, queue, userMetadata, #ttl",
        ExpressionAttributeNames: { "#st": "status", "#le": "lastEventAt", "#rg": "region", "#ttl": TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ":st": q.status, ":before": q.heardBefore },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of liveItems((res.Items ?? []) as Item[], q.now)) {
      if (out.length < q.max) out.push(item as unknown as QuietJob);
    }
    startKey = res.LastEvaluatedKey;
  } while (startKey && out.length < q.max);
  return out;
}
