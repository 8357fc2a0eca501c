/**
 * DynamoDB reads of the Jobs API (api/ports.ts `JobsReadPort`): key-condition Queries on the Jobs table's
 * indexes, GetItem for one job or queue, a Query of one job's events, and a bounded Scan of the small Queues table
 * (one item per MediaConvert queue). Read-only: GetItem, Query and Scan (Queues only).
 *
 * `queryJobs` asks DynamoDB for exactly the items still missing from the page, so a page normally costs one
 * Query; it loops only when DynamoDB stops early at its 1 MB response limit, and never more than `maxQueries`
 * times, so the work per request stays proportional to the page size.
 */
import { GetCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Item, JobsPage, JobsReadPort } from "../api/ports";

export interface JobsQueryTables {
  jobs: string;
  events: string;
  queues: string;
}

export interface JobsQueryOptions {
  /** Query calls per page at most (default 8: 8 MB of items, far above the largest page). */
  maxQueries?: number;
}

export function dynamoJobsQuery(ddb: DynamoDBDocumentClient, tables: JobsQueryTables, opts: JobsQueryOptions = {}): JobsReadPort {
  const maxQueries = opts.maxQueries ?? 8;
  return {
    async queryJobs(q) {
      const page: JobsPage = { items: [], itemsRead: 0, capacityUnits: 0, queries: 0 };
      let startKey: Record<string, unknown> | undefined = q.startKey;
      do {
        const res = await ddb.send(
          new QueryCommand({
            TableName: tables.jobs,
            IndexName: q.index,
            KeyConditionExpression: q.since === undefined ? "#pk = :pk" : "#pk = :pk AND #sk >= :since",
            ExpressionAttributeNames: { "#pk": q.partitionAttribute, ...(q.since === undefined ? {} : { "#sk": "createdAt" }) },
            ExpressionAttributeValues: { ":pk": q.partition, ...(q.since === undefined ? {} : { ":since": q.since }) },
            ScanIndexForward: false,
            Limit: q.limit - page.items.length,
            ExclusiveStartKey: startKey,
            ReturnConsumedCapacity: "TOTAL",
          }),
        );
        page.queries++;
        page.items.push(...((res.Items ?? []) as Item[]));
        page.itemsRead += res.ScannedCount ?? res.Items?.length ?? 0;
        page.capacityUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
        startKey = res.LastEvaluatedKey;
      } while (startKey && page.items.length < q.limit && page.queries < maxQueries);
      if (startKey) page.lastKey = startKey as Record<string, string | number>;
      return page;
    },

    async getJob(jobId) {
      const res = await ddb.send(new GetCommand({ TableName: tables.jobs, Key: { jobId }, ConsistentRead: true }));
      return res.Item as Item | undefined;
    },

    async listEvents(jobId, max) {
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new QueryCommand({
            TableName: tables.events,
            KeyConditionExpression: "jobId = :j",
            ExpressionAttributeValues: { ":j": jobId },
            // Everything the API shows; the raw event text and the claim bookkeeping stay behind.
            ProjectionExpression: "jobId, eventKey, eventId, #st, #ts, receivedAt, #ev, eventOmitted",
            ExpressionAttributeNames: { "#st": "status", "#ts": "timestamp", "#ev": "event" },
            ScanIndexForward: true,
            Limit: max + 1 - items.length,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...((res.Items ?? []) as Item[]));
        startKey = res.LastEvaluatedKey;
      } while (startKey && items.length <= max);
      return { items: items.slice(0, max), truncated: items.length > max };
    },

    async listQueues(max) {
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(new ScanCommand({ TableName: tables.queues, Limit: max + 1 - items.length, ExclusiveStartKey: startKey }));
        items.push(...((res.Items ?? []) as Item[]));
        startKey = res.LastEvaluatedKey;
      } while (startKey && items.length <= max);
      return { items: items.slice(0, max), truncated: items.length > max };
    },

    async getQueue(queueName) {
      const res = await ddb.send(new GetCommand({ TableName: tables.queues, Key: { queueName } }));
      return res.Item as Item | undefined;
    },
  };
}
