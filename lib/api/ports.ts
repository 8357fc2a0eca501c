/**
 * What the Jobs API needs from storage, as an interface: lib/adapters/jobs-query.ts implements it on DynamoDB, tests
 * and the bench may wrap it (e.g. to count what each request read).
 *
 * Every read takes the request's clock (`now`, epoch ms) and never returns an item whose TTL has passed by then
 * (lib/domain/expiry.ts): DynamoDB deletes such items only eventually, and until it does they are still stored.
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
  /** Only items whose sort key `attribute` begins with `prefix` (a key condition, like `since`). */
  beginsWith?: { attribute: string; prefix: string };
  /** Sort key order: descending (newest createdAt first) unless set. */
  ascending?: boolean;
  /** At most this many items. */
  limit: number;
  startKey?: Record<string, string | number>;
  /** The request's clock: items expired by then are left out of the page. */
  now: number;
}

export interface JobsPage {
  /** In the index's order (newest first unless `ascending`), expired items left out. */
  items: Item[];
  /** Where the next page starts; absent on the last page. */
  lastKey?: Record<string, string | number>;
  /** Items DynamoDB read to answer (ScannedCount summed over the queries made, expired ones included). */
  itemsRead: number;
  /** Read capacity units consumed, when DynamoDB reports them. */
  capacityUnits: number;
  /** Query calls made. */
  queries: number;
}

export interface JobsReadPort {
  queryJobs(q: JobsPageQuery): Promise<JobsPage>;
  /** One job; undefined when absent or expired at `now`. */
  getJob(jobId: string, now: number): Promise<Item | undefined>;
  /** A job's live events in time order, at most `max`; `truncated` when there are more. */
  listEvents(jobId: string, max: number, now: number): Promise<{ items: Item[]; truncated: boolean }>;
  /** Every live queue counters item (bounded by `max`). */
  listQueues(max: number, now: number): Promise<{ items: Item[]; truncated: boolean }>;
  /** One queue's counters; undefined when absent or expired at `now`. */
  getQueue(queueName: string, now: number): Promise<Item | undefined>;
}
