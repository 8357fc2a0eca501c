/**
 * The watch folder's request ledger: which (object version, settings file) pairs already became a job.
 *
 * Why it exists: MediaConvert honours a CreateJob `clientRequestToken` for one minute only. That covers an S3
 * notification delivered twice within seconds, but not Lambda's own retries of a failed invocation (about one and
 * three minutes later) — and an invocation fails as a whole when any of its jobs fails, so without a ledger the
 * retry would create again the jobs that had succeeded. The ledger keeps, per request token:
 *
 *   claimAt       when the first attempt was about to call CreateJob
 *   createdJobId  the job CreateJob answered with
 *   recordedAt    when the job's SUBMITTED record was written to the Jobs table
 *
 * Items live in the Jobs table under `jobId = "watch-request#<token>"`. They carry none of the attributes the
 * table's indexes are keyed on (status, createdAt, queueName), so no job listing sees them, and they expire with
 * the table's TTL like jobs do.
 *
 * Remaining gap, stated: if an attempt dies after CreateJob succeeded but before `createdJobId` was written, and
 * the retry comes more than a minute later, the token no longer protects and a second job is created. The
 * handler logs a warning when it proceeds on such a stale claim.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TTL_ATTRIBUTE } from "../domain/tables";

export const WATCH_REQUEST_PREFIX = "watch-request#";

export interface WatchRequest {
  token: string;
  claimAt?: number;
  createdJobId?: string;
  recordedAt?: number;
  input?: string;
  settings?: string;
}

export interface WatchRequests {
  get(token: string): Promise<WatchRequest | undefined>;
  /** Records the first attempt's time (kept if already there); returns the ledger entry after the write. */
  claim(token: string, info: { input: string; settings: string; now: number; ttlSeconds: number }): Promise<WatchRequest>;
  created(token: string, jobId: string, now: number): Promise<void>;
  recorded(token: string, now: number): Promise<void>;
}

function toRequest(token: string, item: Record<string, unknown> | undefined): WatchRequest | undefined {
  if (!item) return undefined;
  return {
    token,
    claimAt: typeof item.claimAt === "number" ? item.claimAt : undefined,
    createdJobId: typeof item.createdJobId === "string" ? item.createdJobId : undefined,
    recordedAt: typeof item.recordedAt === "number" ? item.recordedAt : undefined,
    input: typeof item.input === "string" ? item.input : undefined,
    settings: typeof item.settings === "string" ? item.settings : undefined,
  };
}

export function dynamoWatchRequests(ddb: DynamoDBDocumentClient, jobsTable: string): WatchRequests {
  const key = (token: string) => ({ jobId: `${WATCH_REQUEST_PREFIX}${token}` });
  return {
    async get(token) {
      const res = await ddb.send(new GetCommand({ TableName: jobsTable, Key: key(token), ConsistentRead: true }));
      return toRequest(token, res.Item);
    },
    async claim(token, { input, settings, now, ttlSeconds }) {
      const res = await ddb.send(
        new UpdateCommand({
          TableName: jobsTable,
          Key: key(token),
          UpdateExpression:
            "SET claimAt = if_not_exists(claimAt, :now), kind = :kind, #input = :input, settings = :settings, #ttl = :ttl ADD attempts :one",
          ExpressionAttributeNames: { "#input": "input", "#ttl": TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ":now": now,
            ":kind": "watch-request",
            ":input": input,
            ":settings": settings,
            ":ttl": Math.floor(now / 1000) + ttlSeconds,
            ":one": 1,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      const request = toRequest(token, res.Attributes);
      // ReturnValues ALL_NEW always returns the item just written; its absence means DynamoDB answered out of contract.
      if (!request) throw new Error(`watch request ${token}: UpdateItem returned no attributes`);
      return request;
    },
    async created(token, jobId, now) {
      await ddb.send(
        new UpdateCommand({
          TableName: jobsTable,
          Key: key(token),
          UpdateExpression: "SET createdJobId = :job, jobCreatedAt = :now",
          ExpressionAttributeValues: { ":job": jobId, ":now": now },
        }),
      );
    },
    async recorded(token, now) {
      await ddb.send(
        new UpdateCommand({
          TableName: jobsTable,
          Key: key(token),
          UpdateExpression: "SET recordedAt = :now",
          ConditionExpression: "attribute_exists(jobId)",
          ExpressionAttributeValues: { ":now": now },
        }),
      );
    },
  };
}
