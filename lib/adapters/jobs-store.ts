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
 * them untouched): once-per-job claims for the probe and the GetJob backfill, their failure reasons, and the
 * queue-counter marker (see queue-counters.ts). Every write here bumps `version`, so a concurrent slow-path put
 * that read the item before cannot overwrite them.
 */
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { McEvent } from "../domain/events";
import type { JobRecord } from "../domain/job";
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
