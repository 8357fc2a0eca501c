/**
 * Jobs table writes for the collector, following lib/domain/job-update.ts:
 *
 * - FAST PATH: the domain's ONE conditional UpdateItem (`buildJobUpdate`), no read, `ReturnValues: ALL_NEW` so the
 *   caller sees the job after the write (status and queue for the counters, input for the probe).
 * - SLOW PATH, when that condition fails: consistent GetItem, `buildJobPut` (reducer merge), PutItem conditioned on
 *   the version read; a lost race (the version moved) reads again, with jittered backoff, a bounded number of
 *   times, then throws (the invocation fails and is retried — nothing is lost). A duplicate needs no write.
 *
 * Besides the event fold, the collector keeps a few attributes of its own on the item (the domain's merge keeps
 * them untouched): once-per-job claims for the probe and the GetJob backfill, their failure reasons, the
 * queue-counter marker (see queue-counters.ts), and one notification claim per notified status. Every write here
 * bumps `version`, so a concurrent slow-path put that read the item before cannot overwrite them.
 *
 * Notification claims (`notifiedComplete`, `notifiedError`): a map that is `{state: "claimed", until, owner,
 * token}` while one attempt holds the right to publish, and `{state: "sent", sentAt, messageId}` once SNS accepted
 * the message. The owner is the event being processed (its eventKey). A claim is taken when there is none, when
 * the last one's lease ended without a send, or when its owner is the same event: the Events table lets only one
 * attempt of an event run at a time, so a claim the event's earlier attempt left behind (it died, or could not give
 * the claim back) is taken over by its retry at once. It is given back (removed) when the publish fails. Only the
 * claim's holder (its token) marks it sent or gives it back.
 */
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { McEvent } from "../domain/events";
import type { JobRecord } from "../domain/job";
import type { NotifiedStatus } from "../domain/notifications";
import { buildJobPut, buildJobUpdate, toJobRecord, VERSION_ATTRIBUTE, type JobItem } from "../domain/job-update";

export type { JobItem } from "../domain/job-update";

export interface ApplyResult {
  /** The item after the write (or as read, for a duplicate). */
  item: JobItem;
  path: "fast" | "slow";
  /** False when the event was already folded into the job (a duplicate at the Jobs level). */
  changed: boolean;
  /** Slow-path attempts (0 on the fast path). */
  attempts: number;
}

/** The once-per-job extras the collector claims on a job item. */
export type ClaimKind = "probe" | "details";

interface ClaimAttrs {
  /** Present once the extra is done. */
  done: string;
  /** Present once the extra failed for good. */
  error: string;
  at: string;
  token: string;
  attempts: string;
  maxAttempts: number;
}

export const CLAIM_ATTRIBUTES: Record<ClaimKind, ClaimAttrs> = {
  probe: { done: "probe", error: "probeError", at: "probeClaimAt", token: "probeClaimToken", attempts: "probeAttempts", maxAttempts: 2 },
  details: {
    done: "settings",
    error: "detailsError",
    at: "detailsClaimAt",
    token: "detailsClaimToken",
    attempts: "detailsAttempts",
    maxAttempts: 3,
  },
};

/**
 * Whether `claim` could succeed, judged from an item already in hand (no call): not done, not failed for good,
 * attempts left, no fresh claim by someone else. Saves a doomed conditional write on every later event of a job.
 */
export function mayClaim(item: JobItem, kind: ClaimKind, opts: { now: number; staleMs: number }): boolean {
  const a = CLAIM_ATTRIBUTES[kind];
  if (item[a.done] !== undefined || item[a.error] !== undefined) return false;
  const attempts = typeof item[a.attempts] === "number" ? (item[a.attempts] as number) : 0;
  if (attempts >= a.maxAttempts) return false;
  const at = typeof item[a.at] === "number" ? (item[a.at] as number) : undefined;
  return at === undefined || at < opts.now - opts.staleMs;
}

/** The item attribute holding the notification claim of each notified status. */
export const NOTIFIED_ATTRIBUTES: Record<NotifiedStatus, string> = { COMPLETE: "notifiedComplete", ERROR: "notifiedError" };

/** What a notification claim attempt found. */
export type NotificationClaim =
  | { kind: "claimed" }
  /** SNS already accepted this status's message: nothing to send. */
  | { kind: "sent"; sentAt?: number }
  /** Another attempt holds the claim until `until` (epoch ms). */
  | { kind: "held"; until: number };

export interface JobsStore {
  apply(event: McEvent, opts: { now: number; ttlSeconds: number }): Promise<ApplyResult>;
  /** Consistent read of one job item. */
  get(jobId: string): Promise<JobItem | undefined>;
  /**
   * Claims a once-per-job extra: true for exactly one caller while it is not done, not failed for good, not
   * claimed by someone else within `staleMs`, and tried fewer than its maximum number of times.
   */
  claim(jobId: string, kind: ClaimKind, opts: { now: number; staleMs: number }): Promise<boolean>;
  /** Gives a claim back after a failure: `final` records the reason so nobody asks again. */
  releaseClaim(jobId: string, kind: ClaimKind, opts: { reason: string; final: boolean; now: number }): Promise<void>;
  /** Sets `attr` once (attribute_not_exists); returns the item after the write, undefined when it was already set. */
  storeOnce(jobId: string, attr: string, value: unknown, opts: { now: number; ttlSeconds: number }): Promise<JobItem | undefined>;
  /** The public record of an item. */
  toRecord(item: JobItem): JobRecord;
  /**
   * Claims the right to publish the notification of `status` for `leaseMs` on behalf of `owner` (the event's
   * key): claimed for exactly one caller while none was sent and no claim of another owner has a lease running.
   */
  claimNotification(
    jobId: string,
    status: NotifiedStatus,
    opts: { now: number; leaseMs: number; owner: string },
  ): Promise<NotificationClaim>;
  /** Records that SNS accepted the message; false when this container no longer holds the claim. */
  markNotified(jobId: string, status: NotifiedStatus, opts: { now: number; messageId: string }): Promise<boolean>;
  /** Gives the claim back after a failed publish, so a retry can take it at once. */
  releaseNotification(jobId: string, status: NotifiedStatus): Promise<void>;
}

export interface JobsStoreOptions {
  /** Slow-path attempts before giving up (default 25: enough for dozens of racing writers of one job). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

function isConditionFailure(err: unknown): err is { name: string; Item?: Record<string, unknown> } {
  return (err as { name?: string })?.name === "ConditionalCheckFailedException";
}

function attrString(item: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = item?.[name];
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { S?: unknown }).S === "string") return (v as { S: string }).S;
  return undefined;
}

interface NotificationState {
  state?: string;
  token?: string;
  until?: number;
  sentAt?: number;
}

/** A notification claim as read back from an item (document or raw attribute-value form), when there is one. */
function notificationState(item: Record<string, unknown> | undefined, name: string): NotificationState | undefined {
  const v = item?.[name];
  if (!v || typeof v !== "object") return undefined;
  // ReturnValuesOnConditionCheckFailure items may come unmarshalled or as raw attribute values.
  const m = ((v as { M?: unknown }).M ?? v) as Record<string, unknown>;
  const str = (x: unknown) =>
    typeof x === "string" ? x : typeof (x as { S?: unknown })?.S === "string" ? (x as { S: string }).S : undefined;
  const num = (x: unknown) => {
    if (typeof x === "number") return x;
    const n = (x as { N?: unknown })?.N;
    return typeof n === "string" ? Number(n) : undefined;
  };
  return { state: str(m.state), token: str(m.token), until: num(m.until), sentAt: num(m.sentAt) };
}

export function dynamoJobsStore(ddb: DynamoDBDocumentClient, tableName: string, opts: JobsStoreOptions = {}): JobsStore {
  const maxAttempts = opts.maxAttempts ?? 25;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  /** Tokens of the claims this container holds, to release only our own. */
  const held = new Map<string, string>();

  async function get(jobId: string): Promise<JobItem | undefined> {
    const res = await ddb.send(new GetCommand({ TableName: tableName, Key: { jobId }, ConsistentRead: true }));
    return res.Item as JobItem | undefined;
  }

  return {
    get,
    toRecord: (item) => toJobRecord(item),

    async apply(event, { now, ttlSeconds }) {
      const update = buildJobUpdate(event, { ttlSeconds, now });
      try {
        const res = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId: event.jobId },
            ...update,
            ReturnValues: "ALL_NEW",
          }),
        );
        return { item: res.Attributes as JobItem, path: "fast", changed: true, attempts: 0 };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const item = await get(event.jobId);
        const put = buildJobPut(item, event, { ttlSeconds, now });
        if (put.duplicate) {
          // A duplicate is judged against the stored record, so there is one.
          if (!item) throw new Error(`job ${event.jobId}: duplicate reported with no stored record`);
          return { item, path: "slow", changed: false, attempts: attempt };
        }
        try {
          await ddb.send(
            new PutCommand({
              TableName: tableName,
              Item: put.Item,
              ConditionExpression: put.ConditionExpression,
              ExpressionAttributeNames: put.ExpressionAttributeNames,
              ...(put.ExpressionAttributeValues ? { ExpressionAttributeValues: put.ExpressionAttributeValues } : {}),
            }),
          );
          return { item: put.Item, path: "slow", changed: true, attempts: attempt };
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
          // Someone wrote the job between our read and our put: back off a little (full jitter) and merge again.
          await sleep(Math.floor(Math.random() * Math.min(1000, 10 * 2 ** attempt)));
        }
      }
      throw new Error(`job ${event.jobId}: still losing the write race after ${maxAttempts} attempts (event ${event.eventKey})`);
    },

    async claim(jobId, kind, { now, staleMs }) {
      const a = CLAIM_ATTRIBUTES[kind];
      const token = randomUUID();
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression: "SET #at = :now, #token = :token ADD #attempts :one, #v :one",
            ConditionExpression:
              "attribute_exists(jobId) AND attribute_not_exists(#done) AND attribute_not_exists(#err)" +
              " AND (attribute_not_exists(#at) OR #at < :stale) AND (attribute_not_exists(#attempts) OR #attempts < :max)",
            ExpressionAttributeNames: {
              "#at": a.at,
              "#token": a.token,
              "#attempts": a.attempts,
              "#done": a.done,
              "#err": a.error,
              "#v": VERSION_ATTRIBUTE,
            },
            ExpressionAttributeValues: { ":now": now, ":token": token, ":one": 1, ":stale": now - staleMs, ":max": a.maxAttempts },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // Our own write whose reply was lost (the SDK retried it) still counts as ours.
        if (attrString(err.Item, a.token) !== token) return false;
      }
      held.set(`${jobId}#${kind}`, token);
      return true;
    },

    async releaseClaim(jobId, kind, { reason, final, now }) {
      const a = CLAIM_ATTRIBUTES[kind];
      const token = held.get(`${jobId}#${kind}`);
      held.delete(`${jobId}#${kind}`);
      if (!token) return;
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression: final ? "SET #err = :err, #at = :zero ADD #v :one" : "SET #at = :zero, #last = :err ADD #v :one",
            ConditionExpression: "#token = :token",
            ExpressionAttributeNames: {
              "#at": a.at,
              "#token": a.token,
              "#v": VERSION_ATTRIBUTE,
              ...(final ? { "#err": a.error } : { "#last": `${a.error}Last` }),
            },
            ExpressionAttributeValues: { ":err": { reason, at: now }, ":zero": 0, ":token": token, ":one": 1 },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },

    async claimNotification(jobId, status, { now, leaseMs, owner }) {
      const token = randomUUID();
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression: "SET #n = :claim ADD #v :one",
            ConditionExpression:
              "attribute_exists(jobId) AND (attribute_not_exists(#n) OR (#n.#state = :claimed AND (#n.#until < :now OR #n.#owner = :owner)))",
            ExpressionAttributeNames: {
              "#n": NOTIFIED_ATTRIBUTES[status],
              "#state": "state",
              "#until": "until",
              "#owner": "owner",
              "#v": VERSION_ATTRIBUTE,
            },
            ExpressionAttributeValues: {
              ":claim": { state: "claimed", until: now + leaseMs, owner, token },
              ":claimed": "claimed",
              ":now": now,
              ":owner": owner,
              ":one": 1,
            },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        const old = notificationState(err.Item, NOTIFIED_ATTRIBUTES[status]);
        // Our own write whose reply was lost (the SDK retried it) still counts as ours.
        if (old?.token !== token) {
          if (!err.Item) throw new Error(`job ${jobId}: no job item to claim the ${status} notification on`);
          if (old?.state === "sent") return { kind: "sent", sentAt: old.sentAt };
          return { kind: "held", until: old?.until ?? now + leaseMs };
        }
      }
      held.set(`${jobId}#notify#${status}`, token);
      return { kind: "claimed" };
    },

    async markNotified(jobId, status, { now, messageId }) {
      const key = `${jobId}#notify#${status}`;
      const token = held.get(key);
      held.delete(key);
      if (!token) return false;
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression: "SET #n = :sent ADD #v :one",
            ConditionExpression: "#n.#token = :token",
            ExpressionAttributeNames: { "#n": NOTIFIED_ATTRIBUTES[status], "#token": "token", "#v": VERSION_ATTRIBUTE },
            ExpressionAttributeValues: { ":sent": { state: "sent", sentAt: now, messageId }, ":token": token, ":one": 1 },
          }),
        );
        return true;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        return false;
      }
    },

    async releaseNotification(jobId, status) {
      const key = `${jobId}#notify#${status}`;
      const token = held.get(key);
      held.delete(key);
      if (!token) return;
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression: "REMOVE #n ADD #v :one",
            ConditionExpression: "#n.#token = :token",
            ExpressionAttributeNames: { "#n": NOTIFIED_ATTRIBUTES[status], "#token": "token", "#v": VERSION_ATTRIBUTE },
            ExpressionAttributeValues: { ":token": token, ":one": 1 },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },

    async storeOnce(jobId, attr, value, _opts) {
      try {
        const res = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId },
            UpdateExpression: "SET #a = :value ADD #v :one",
            ConditionExpression: "attribute_exists(jobId) AND attribute_not_exists(#a)",
            ExpressionAttributeNames: { "#a": attr, "#v": VERSION_ATTRIBUTE },
            ExpressionAttributeValues: { ":value": value, ":one": 1 },
            ReturnValues: "ALL_NEW",
          }),
        );
        return res.Attributes as JobItem;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        return undefined;
      }
    },
  };
}
