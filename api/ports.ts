/**
 * What the Jobs API needs from storage, as an interface: adapters/jobs-query.ts implements it on DynamoDB, tests
 * and the bench may wrap it (e.g. to count what each request read).
 */

export type Item = Record<string, unknown>;

export interface JobsPageQuery {
  /** Jobs table index. */
  index: string;
  /** Its partition key attribute and the value to match. */
  partitionAttribute: string;
  partition: string;
  /** Only jobs with createdAt ≥ since (a key condition on the index's sort key). */
  since?: number;
  /** At most this many items. */
  limit: number;
  startKey?: Record<string, string | number>;
}

export interface JobsPage {
  /** Newest first. */
  items: Item[];
  /** Where the next page starts; absent on the last page. */
  lastKey?: Record<string, string | number>;
  /** Items DynamoDB read to answer (ScannedCount summed over the queries made). */
  itemsRead: number;
  /** Read capacity units consumed, when DynamoDB reports them. */
  capacityUnits: number;
  /** Query calls made. */
  queries: number;
}

export interface JobsReadPort {
  queryJobs(q: JobsPageQuery): Promise<JobsPage>;
  getJob(jobId: string): Promise<Item | undefined>;
  /** A job's events in time order, at most `max`; `truncated` when there are more. */
  listEvents(jobId: string, max: number): Promise<{ items: Item[]; truncated: boolean }>;
  /** Every queue's counters item (bounded by `max`). */
  listQueues(max: number): Promise<{ items: Item[]; truncated: boolean }>;
  getQueue(queueName: string): Promise<Item | undefined>;
}
