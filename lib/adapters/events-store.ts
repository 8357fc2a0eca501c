/**
 * Events table: one item per distinct MediaConvert event (partition jobId, sort eventKey), written first for every
 * event the collector accepts. The item doubles as the event's processing ledger, which is what makes a retried or
 * re-delivered event safe:
 *
 * - `claim` puts the item with `attribute_not_exists(eventKey)`. Success = a new event, now claimed by this
 *   invocation until `claimUntil` (never longer than the invocation can live).
 * - On a duplicate, the failed put returns the stored item (ReturnValuesOnConditionCheckFailure, no extra read):
 *   `doneAt` set → fully processed before, skip; `claimUntil` in the future → another invocation is working on it
 *   right now (if it fails, Lambda retries *that* delivery), skip; otherwise an earlier attempt died half-way →
 *   take the claim over with a conditional update and process it again.
 * - `markDone` records that the Jobs write, the queue counters and the Kinesis record (when streams are on) are all
 *   done; `release` gives the claim back when an invocation fails, so Lambda's retry can take it at once.
 *
 * Each claim carries a random token: when a claiming write succeeded but its reply was lost and the SDK retried it,
 * the retry fails its condition and sees its own token, so it still knows the claim is its own (without the token it
 * would take the event for someone else's and skip it — losing it).
 *
 * Every item carries the TTL attribute (`expiresAt`, epoch seconds) counted from the time of the write.
 */
import { randomUUID } from "node:crypto";
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TTL_ATTRIBUTE } from "../domain/tables";

export interface EventItemInput {
  jobId: string;
  eventKey: string;
  eventId: string;
  status: string;
  /** Event time, epoch ms. */
  timestamp: number;
  /** The normalised event (as parsed by the domain). */
  event: unknown;
  /** The event exactly as received, as JSON text. */
  raw: string;
}

export type ClaimResult =
  | { kind: "new"; claimUntil: number }
  | { kind: "resumed"; claimUntil: number; attempt: number }
  | { kind: "done"; doneAt: number }
  | { kind: "in-flight"; claimUntil: number };

export interface ClaimOptions {
  now: number;
  /** How long the claim holds (ms); the collector passes the invocation's remaining time. */
  leaseMs: number;
  /** Item lifetime in seconds from now (TABLE_TTL_DAYS × 86 400). */
  ttlSeconds: number;
}

export interface EventsStore {
  claim(item: EventItemInput, opts: ClaimOptions): Promise<ClaimResult>;
  markDone(jobId: string, eventKey: string, opts: { now: number; streamed: boolean }): Promise<void>;
  release(jobId: string, eventKey: string, claimUntil: number): Promise<void>;
}

function isConditionFailure(err: unknown): err is { name: string; Item?: Record<string, { N?: string; S?: string }> } {
  return (err as { name?: string })?.name === "ConditionalCheckFailedException";
}

function str(item: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = item?.[name];
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { S?: unknown }).S === "string") return (v as { S: string }).S;
  return undefined;
}

/** Reads a number attribute from an item returned in either marshalled ({N: "1"}) or plain form. */
function num(item: Record<string, unknown> | undefined, name: string): number | undefined {
  const v = item?.[name];
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && typeof (v as { N?: unknown }).N === "string") return Number((v as { N: string }).N);
  return undefined;
}

/** Room left in a 400 KB DynamoDB item for the event bodies (keys and bookkeeping take the rest). */
const MAX_BODY_BYTES = 350 * 1024;

/**
 * The event bodies to store within DynamoDB's item limit: both forms normally; a very large event (EventBridge
 * allows 256 KB) keeps only the raw text (the normalised form can be derived from it with parseEvent); a raw text
 * that alone would not fit is cut, and marked so.
 */
export function sizedBodies(input: Pick<EventItemInput, "event" | "raw">): Record<string, unknown> {
  const rawBytes = Buffer.byteLength(input.raw);
  const eventBytes = Buffer.byteLength(JSON.stringify(input.event) ?? "");
  if (rawBytes + eventBytes <= MAX_BODY_BYTES) return { event: input.event, raw: input.raw };
  if (rawBytes <= MAX_BODY_BYTES) return { raw: input.raw, eventOmitted: true };
  return { raw: Buffer.from(input.raw).subarray(0, MAX_BODY_BYTES).toString("utf8"), rawTruncated: true, eventOmitted: true };
}

export function dynamoEventsStore(ddb: DynamoDBDocumentClient, tableName: string): EventsStore {
  return {
    async claim(input, { now, leaseMs, ttlSeconds }) {
      const claimUntil = now + Math.max(1, leaseMs);
      const token = randomUUID();
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              jobId: input.jobId,
              eventKey: input.eventKey,
              eventId: input.eventId,
              status: input.status,
              timestamp: input.timestamp,
              ...sizedBodies(input),
              receivedAt: now,
              claimUntil,
              claimToken: token,
              attempts: 1,
              [TTL_ATTRIBUTE]: Math.floor(now / 1000) + ttlSeconds,
            },
            ConditionExpression: "attribute_not_exists(eventKey)",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return { kind: "new", claimUntil };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        const old = err.Item as Record<string, unknown> | undefined;
        if (str(old, "claimToken") === token) return { kind: "new", claimUntil }; // our own write, reply lost
        const doneAt = num(old, "doneAt");
        if (doneAt !== undefined) return { kind: "done", doneAt };
        const held = num(old, "claimUntil") ?? 0;
        if (held > now) return { kind: "in-flight", claimUntil: held };
        // An earlier attempt died before finishing: take the claim over, unless someone else just did.
        try {
          const res = await ddb.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { jobId: input.jobId, eventKey: input.eventKey },
              UpdateExpression: "SET claimUntil = :mine, claimToken = :token, #ttl = :ttl ADD attempts :one",
              ConditionExpression:
                "attribute_exists(eventKey) AND attribute_not_exists(doneAt) AND (attribute_not_exists(claimUntil) OR claimUntil = :held)",
              ExpressionAttributeNames: { "#ttl": TTL_ATTRIBUTE },
              ExpressionAttributeValues: {
                ":mine": claimUntil,
                ":token": token,
                ":held": held,
                ":one": 1,
                ":ttl": Math.floor(now / 1000) + ttlSeconds,
              },
              ReturnValues: "ALL_NEW",
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            }),
          );
          return { kind: "resumed", claimUntil, attempt: num(res.Attributes, "attempts") ?? 2 };
        } catch (err2) {
          if (!isConditionFailure(err2)) throw err2;
          const now2 = err2.Item as Record<string, unknown> | undefined;
          if (str(now2, "claimToken") === token && num(now2, "doneAt") === undefined) {
            return { kind: "resumed", claimUntil, attempt: num(now2, "attempts") ?? 2 };
          }
          // Lost the race: either finished meanwhile or another invocation holds it now. Both mean "not ours".
          return { kind: "in-flight", claimUntil: now };
        }
      }
    },

    async markDone(jobId, eventKey, { now, streamed }) {
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { jobId, eventKey },
          UpdateExpression: streamed
            ? "SET doneAt = :now, streamedAt = :now REMOVE claimUntil, claimToken"
            : "SET doneAt = :now REMOVE claimUntil, claimToken",
          ConditionExpression: "attribute_exists(eventKey)",
          ExpressionAttributeValues: { ":now": now },
        }),
      );
    },

    async release(jobId, eventKey, claimUntil) {
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId, eventKey },
            UpdateExpression: "SET claimUntil = :zero",
            ConditionExpression: "claimUntil = :mine AND attribute_not_exists(doneAt)",
            ExpressionAttributeValues: { ":zero": 0, ":mine": claimUntil },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },
  };
}
