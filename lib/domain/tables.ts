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
    // (lib/adapters/queue-counters.ts) whenever a job's counted (queue, status) moves, so it follows the counters.
    { name: "byQueueStatus", partitionKey: { name: "queueStatus", type: "S" }, sortKey: { name: "createdAt", type: "N" } },
    // "jobs whose input file name starts with P" (GET /jobs?input=P): Query inputShard = first character of P AND
    // begins_with(inputNameKey, P), ascending. Both keys are derived from the file name in lower case (see
    // lib/domain/input-name.ts): inputShard is its first character, inputNameKey is the name, the reversed
    // createdAt and the jobId joined by U+0001 (below any character of a name). Why this shape:
    //   - one prefix, one partition: every match shares the prefix's first character, so any non-empty prefix is a
    //     single key-condition Query whose reads are the page itself, never a Scan or a filter;
    //   - no single hot key: writes spread over one partition per leading character instead of one for the whole
    //     table, and because the sort key starts with the full name DynamoDB can still split a busy partition by
    //     sort-key range (e.g. a fleet whose files all start with a date);
    //   - order: file names A→Z, and the jobs of one file name newest first (the reversed time); a strict
    //     newest-first order across different names would need every match read and sorted, which no key can give.
    // The collector's writes set both attributes whenever the record's input URI becomes known or changes
    // (SUBMITTED or GetJob settings, INPUT_INFORMATION; lib/domain/job-update.ts). A job with no file name (no
    // input yet, a URI ending in "/") has neither, so it is simply absent from this sparse index.
    { name: "byInputName", partitionKey: { name: "inputShard", type: "S" }, sortKey: { name: "inputNameKey", type: "S" } },
  ],
};

/** Index names of the Jobs table, for the code that queries them. */
export const JOBS_INDEX = { byStatus: "byStatus", byQueue: "byQueue", byQueueStatus: "byQueueStatus", byInputName: "byInputName" } as const;

/** Attribute holding the byQueueStatus partition key. */
export const QUEUE_STATUS_ATTRIBUTE = "queueStatus";

/** Attributes holding the byInputName partition and sort keys. */
export const INPUT_SHARD_ATTRIBUTE = "inputShard";
export const INPUT_NAME_ATTRIBUTE = "inputNameKey";

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
