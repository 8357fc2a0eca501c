/**
 * Queues table: live counters per MediaConvert queue — how many jobs are in each status right now (SUBMITTED,
 * PROGRESSING) or ended there (COMPLETE, ERROR, CANCELED) — and the queue's last activity.
 *
 * Exactly-once counting: each job item in the Jobs table remembers what the counters already reflect
 * (`countedQueue`, `countedStatus`). When the job's live (queueName, status) differs from it, `moveJob` runs ONE
 * transaction: decrement the old counter, increment the new one, and move the job's counted marker, conditional on
 * the marker still being what the caller saw. A duplicate event, a retried invocation or two racing invocations
 * can therefore move a job's count at most once per real transition: the loser's transaction is cancelled and it
 * re-reads the job to see whether anything is left to count. The transaction also bumps the job's version
 * attribute so a concurrent read-merge-put of the job (the collector's slow path) cannot overwrite the marker.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { JOB_STATUSES, type JobStatus } from "../domain/job";
import { QUEUE_STATUS_ATTRIBUTE, TTL_ATTRIBUTE, queueStatusKey } from "../domain/tables";

/** Attribute names on a Jobs item that record what the Queues counters already include. */
export const COUNTED_QUEUE_ATTRIBUTE = "countedQueue";
export const COUNTED_STATUS_ATTRIBUTE = "countedStatus";

/** A Queues item as the collector writes it. Counters are attributes named after the status. */
export interface QueueItem {
  queueName: string;
  SUBMITTED?: number;
  PROGRESSING?: number;
  COMPLETE?: number;
  ERROR?: number;
  CANCELED?: number;
  /** Epoch ms of the last counted transition. */
  lastActivityAt?: number;
  lastJobId?: string;
  lastStatus?: JobStatus;
  expiresAt?: number;
}

export interface QueuePosition {
  queueName: string;
  status: JobStatus;
}

export interface MoveJobInput {
  jobId: string;
  /** What the counters include now for this job (undefined: nothing yet). */
  from?: QueuePosition;
  to: QueuePosition;
  now: number;
  ttlSeconds: number;
}

/** "conflict": nothing was counted — the job's counted marker was not what the caller saw, or another transaction
 * touched the same items at the same moment. Re-read the job and try again. */
export type MoveResult = "moved" | "conflict";

export interface QueueCounters {
  moveJob(input: MoveJobInput): Promise<MoveResult>;
}

export interface QueueCountersOptions {
  queuesTable: string;
  jobsTable: string;
  /** Name of the job item's optimistic-locking version attribute (bumped by every move). */
  versionAttribute?: string;
}

function cancelledByCondition(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  if (e?.name !== "TransactionCanceledException") return false;
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? "None");
  // A failed condition means "the marker moved since the caller read it"; throttling inside the transaction
  // is transient and surfaces as an error (the invocation is retried).
  return codes.includes("ConditionalCheckFailed") && codes.every((c) => c === "ConditionalCheckFailed" || c === "None");
}

/** Another transaction touched the same items at the same time: nothing was written, trying again may pass. */
function cancelledByConflict(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  return e?.name === "TransactionCanceledException" && (e.CancellationReasons ?? []).some((r) => r.Code === "TransactionConflict");
}

export function dynamoQueueCounters(ddb: DynamoDBDocumentClient, opts: QueueCountersOptions): QueueCounters {
  const version = opts.versionAttribute ?? "version";
  return {
    async moveJob({ jobId, from, to, now, ttlSeconds }) {
      const expiresAt = Math.floor(now / 1000) + ttlSeconds;
      type Op = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>[number];
      const items: Op[] = [];
      const touch = {
        set: "lastActivityAt = :now, lastJobId = :job, lastStatus = :st, #ttl = :exp",
        values: { ":now": now, ":job": jobId, ":st": to.status, ":exp": expiresAt },
      };
      if (from && from.queueName === to.queueName) {
        items.push({
          Update: {
            TableName: opts.queuesTable,
            Key: { queueName: to.queueName },
            UpdateExpression: `SET ${touch.set} ADD #from :minus, #to :plus`,
            ExpressionAttributeNames: { "#from": from.status, "#to": to.status, "#ttl": TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ...touch.values, ":minus": -1, ":plus": 1 },
          },
        });
      } else {
        if (from) {
          items.push({
            Update: {
              TableName: opts.queuesTable,
              Key: { queueName: from.queueName },
              UpdateExpression: "SET #ttl = :exp ADD #from :minus",
              ExpressionAttributeNames: { "#from": from.status, "#ttl": TTL_ATTRIBUTE },
              ExpressionAttributeValues: { ":minus": -1, ":exp": expiresAt },
            },
          });
        }
        items.push({
          Update: {
            TableName: opts.queuesTable,
            Key: { queueName: to.queueName },
            UpdateExpression: `SET ${touch.set} ADD #to :plus`,
            ExpressionAttributeNames: { "#to": to.status, "#ttl": TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ...touch.values, ":plus": 1 },
          },
        });
      }
      items.push({
        Update: {
          TableName: opts.jobsTable,
          Key: { jobId },
          // queueStatus (the byQueueStatus index key) moves with the counted marker, in the same transaction.
          UpdateExpression: "SET #cq = :tq, #cs = :ts, #qs = :qs ADD #v :one",
          ConditionExpression: from
            ? "attribute_exists(jobId) AND #cq = :fq AND #cs = :fs"
            : "attribute_exists(jobId) AND attribute_not_exists(#cs)",
          ExpressionAttributeNames: {
            "#cq": COUNTED_QUEUE_ATTRIBUTE,
            "#cs": COUNTED_STATUS_ATTRIBUTE,
            "#qs": QUEUE_STATUS_ATTRIBUTE,
            "#v": version,
          },
          ExpressionAttributeValues: {
            ":tq": to.queueName,
            ":ts": to.status,
            ":qs": queueStatusKey(to.queueName, to.status),
            ":one": 1,
            ...(from ? { ":fq": from.queueName, ":fs": from.status } : {}),
          },
        },
      });
      try {
        await ddb.send(new TransactWriteCommand({ TransactItems: items }));
        return "moved";
      } catch (err) {
        if (cancelledByCondition(err) || cancelledByConflict(err)) return "conflict";
        throw err;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Keeping a job's counters in step with its item (used by the collector after every Jobs write; anyone else who
// writes a job's status — e.g. the watch folder recording SUBMITTED — should call it too)

type Item = Record<string, unknown>;

const isStatus = (s: unknown): s is JobStatus => typeof s === "string" && (JOB_STATUSES as readonly string[]).includes(s);

/** Where the counters should have this job, from its live item (undefined: no queue known yet, not counted). */
export function livePosition(item: Item): QueuePosition | undefined {
  const { queueName, status } = item;
  if (typeof queueName !== "string" || queueName === "" || !isStatus(status)) return undefined;
  return { queueName, status };
}

/** Where the counters have this job now, from the counted marker on the item. */
export function countedPosition(item: Item): QueuePosition | undefined {
  const queueName = item[COUNTED_QUEUE_ATTRIBUTE];
  const status = item[COUNTED_STATUS_ATTRIBUTE];
  if (typeof queueName !== "string" || !isStatus(status)) return undefined;
  return { queueName, status };
}

const samePosition = (a?: QueuePosition, b?: QueuePosition) => a?.queueName === b?.queueName && a?.status === b?.status;

/**
 * Moves the job's counters until they match its live (queue, status): nothing to do when the marker already says
 * so (a duplicate, a progress update); one transaction on a real transition; on a conflict, re-read the job
 * (`reread`, a consistent read) and look again. Bounded: after `maxAttempts` conflicts it throws, so the caller's
 * invocation fails and its retry checks again — nothing counted twice, nothing lost.
 */
export async function syncQueueCounters(
  queues: QueueCounters,
  reread: (jobId: string) => Promise<Item | undefined>,
  item: Item,
  opts: { now: number; ttlSeconds: number; maxAttempts?: number },
): Promise<{ item: Item; moves: number }> {
  const maxAttempts = opts.maxAttempts ?? 6;
  let current = item;
  let moves = 0;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const to = livePosition(current);
    const from = countedPosition(current);
    if (!to || samePosition(from, to)) return { item: current, moves };
    const jobId = String(current.jobId);
    const result = await queues.moveJob({ jobId, from, to, now: opts.now, ttlSeconds: opts.ttlSeconds });
    if (result === "moved") {
      moves++;
      return { item: { ...current, [COUNTED_QUEUE_ATTRIBUTE]: to.queueName, [COUNTED_STATUS_ATTRIBUTE]: to.status }, moves };
    }
    const fresh = await reread(jobId);
    if (!fresh) return { item: current, moves };
    current = fresh;
  }
  throw new Error(`queue counters of job ${String(item.jobId)} still contended after ${maxAttempts} attempts`);
}
