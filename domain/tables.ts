/**
 * DynamoDB table layout: the one definition of key attributes and index names, used by the Pulumi
 * BasePipeline component, the handlers, and the local twin when it creates tables in DynamoDB Local.
 * Pure data, no AWS imports.
 */

/** Every table's TTL attribute (epoch seconds), set from the stack's `tableTTL` days. */
export const TTL_ATTRIBUTE = "expiresAt";

export type KeyType = "S" | "N";
export interface KeyAttr {
  name: string;
  type: KeyType;
}
export interface IndexLayout {
  name: string;
  partitionKey: KeyAttr;
  sortKey?: KeyAttr;
}
export interface TableLayout {
  /** Logical name; also the suffix of the physical table name. */
  logicalName: "Jobs" | "Events" | "Queues" | "Config";
  partitionKey: KeyAttr;
  sortKey?: KeyAttr;
  globalSecondaryIndexes: IndexLayout[];
}

/** Jobs: one item per job (the job record plus bookkeeping attributes). */
export const JOBS_TABLE: TableLayout = {
  logicalName: "Jobs",
  partitionKey: { name: "jobId", type: "S" },
  globalSecondaryIndexes: [
    // "jobs in status X, newest first": Query status = X, ScanIndexForward = false.
    { name: "byStatus", partitionKey: { name: "status", type: "S" }, sortKey: { name: "createdAt", type: "N" } },
    // "jobs of queue Q, newest first".
    { name: "byQueue", partitionKey: { name: "queueName", type: "S" }, sortKey: { name: "createdAt", type: "N" } },
    // "jobs of queue Q in status X, newest first" (the Jobs API's ?queue= filter as a key condition, never a
    // FilterExpression). `queueStatus` = queueStatusKey(queueName, status), set by the queue-counter transaction
    // (adapters/queue-counters.ts) whenever a job's counted (queue, status) moves, so it follows the counters.
    { name: "byQueueStatus", partitionKey: { name: "queueStatus", type: "S" }, sortKey: { name: "createdAt", type: "N" } },
  ],
};

/** Index names of the Jobs table, for the code that queries them. */
export const JOBS_INDEX = { byStatus: "byStatus", byQueue: "byQueue", byQueueStatus: "byQueueStatus" } as const;

/** Attribute holding the byQueueStatus partition key. */
export const QUEUE_STATUS_ATTRIBUTE = "queueStatus";

/** The byQueueStatus partition key of a job: `<queueName>#<status>` (queue names hold no `#`). */
export function queueStatusKey(queueName: string, status: string): string {
  return `${queueName}#${status}`;
}

/**
 * Events: every distinct event, "all events of a job in time order" = Query jobId, ascending eventKey.
 * eventKey = `${timestamp as 13 digits}#${status}#${eventId}`; a re-delivered event maps to the same key.
 */
export const EVENTS_TABLE: TableLayout = {
  logicalName: "Events",
  partitionKey: { name: "jobId", type: "S" },
  sortKey: { name: "eventKey", type: "S" },
  globalSecondaryIndexes: [],
};

/** Queues: live per-queue counters and last activity, one item per queue name. */
export const QUEUES_TABLE: TableLayout = {
  logicalName: "Queues",
  partitionKey: { name: "queueName", type: "S" },
  globalSecondaryIndexes: [],
};

/** Config: the pipeline's runtime settings written by the Pulumi program, one item per key. */
export const CONFIG_TABLE: TableLayout = {
  logicalName: "Config",
  partitionKey: { name: "key", type: "S" },
  globalSecondaryIndexes: [],
};

export const TABLES = [JOBS_TABLE, EVENTS_TABLE, QUEUES_TABLE, CONFIG_TABLE] as const;

