/**
 * The opaque `nextToken` of GET /jobs/{status} and GET /jobs?input=: where the next page starts (DynamoDB's
 * LastEvaluatedKey), bound to the listing it came from and signed.
 *
 *   token   = base64url(payload JSON) "." base64url(HMAC-SHA256(key, context))
 *   payload = { v: 1, i: index, p: index partition value, s: since | null, k: LastEvaluatedKey, t: issued at,
 *               b: sort-key prefix (input listings only) }
 *   context = "mcjobs/nextToken/v1" NUL <table name> NUL <payload text>
 *
 * So a token cannot be made up or edited (the MAC), cannot be used against another table (the table name is in the
 * MAC), and cannot be replayed against another index, status, queue, `since` or input prefix (checked against the
 * request), and the start key it carries must have exactly the index's key attributes with the request's partition
 * value (and, for a prefix listing, a sort key within that prefix). Tokens
 * expire after a day. The key comes from API_TOKEN_KEY (see handlers/api.ts). Pure: node:crypto only.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { badRequest } from "./errors";

export const TOKEN_LIFETIME_MS = 24 * 3600 * 1000;
/** Tolerated clock difference between containers for a token "issued in the future". */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The listing a token belongs to. */
export interface TokenScope {
  table: string;
  index: string;
  /** Name of the index's partition key attribute (e.g. `status`, `queueStatus`). */
  partitionAttribute: string;
  /** Its value for this listing (e.g. `PROGRESSING`, `Default#PROGRESSING`). */
  partition: string;
  since?: number;
  /** A prefix listing: the sort key attribute and the prefix every key of the listing begins with. */
  beginsWith?: { attribute: string; prefix: string };
}

export type StartKey = Record<string, string | number>;

const PayloadSchema = z.strictObject({
  v: z.literal(1),
  i: z.string(),
  p: z.string(),
  s: z.number().nullable(),
  k: z.record(z.string(), z.union([z.string(), z.number()])),
  t: z.number().int(),
  b: z.string().optional(),
});

const NOT_OURS =
  "nextToken is not a token this API issued (or it was altered): pass back the nextToken of the previous page unchanged, or leave it out to start from the newest job.";

function mac(key: Buffer, table: string, payloadText: string): Buffer {
  return createHmac("sha256", key).update(`mcjobs/nextToken/v1\0${table}\0${payloadText}`).digest();
}

export function signToken(key: Buffer, scope: TokenScope, lastKey: StartKey, now: number): string {
  const payload = {
    v: 1,
    i: scope.index,
    p: scope.partition,
    s: scope.since ?? null,
    k: lastKey,
    t: now,
    ...(scope.beginsWith ? { b: scope.beginsWith.prefix } : {}),
  };
  const text = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${text}.${mac(key, scope.table, text).toString("base64url")}`;
}

function describeScope(p: { i: string; p: string; s: number | null; b?: string }): string {
  if (p.b !== undefined) return `GET /jobs?input=${p.b}`;
  const [queue, status] = p.p.includes("#") ? p.p.split("#") : [undefined, p.p];
  const parts = [`GET /jobs/${status}`];
  if (queue) parts.push(`queue=${queue}`);
  if (p.s !== null) parts.push(`since=${p.s}`);
  return parts.join(", ");
}

/**
 * The start key a token carries, after checking it was signed with `key` for this table and is for exactly this
 * listing. Any failure is a 400 (InvalidNextToken) that says what to do.
 */
export function openToken(key: Buffer, token: string, scope: TokenScope, keyAttributes: readonly string[], now: number): StartKey {
  const m = /^([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw badRequest("InvalidNextToken", NOT_OURS);
  const [, text, sig] = m;
  // Compare the text, not the decoded bytes: base64 ignores the spare bits of the last character, so several
  // spellings decode to the same MAC; only the one we issued is accepted.
  const expected = Buffer.from(mac(key, scope.table, text).toString("base64url"));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badRequest("InvalidNextToken", NOT_OURS);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badRequest("InvalidNextToken", NOT_OURS);
  }
  const parsed = PayloadSchema.safeParse(raw);
  if (!parsed.success) throw badRequest("InvalidNextToken", NOT_OURS);
  const p = parsed.data;
  if (p.t > now + CLOCK_SKEW_MS) throw badRequest("InvalidNextToken", NOT_OURS);
  if (now - p.t > TOKEN_LIFETIME_MS) {
    throw badRequest("InvalidNextToken", "nextToken has expired (tokens last 24 hours): leave it out to start again from the newest job.");
  }
  if (p.i !== scope.index || p.p !== scope.partition || p.s !== (scope.since ?? null) || p.b !== scope.beginsWith?.prefix) {
    throw badRequest(
      "InvalidNextToken",
      `nextToken belongs to another listing (${describeScope(p)}): repeat the same status, queue, since or input as the request that returned it, or leave nextToken out to start over.`,
    );
  }
  const names = Object.keys(p.k).sort();
  const want = [...keyAttributes].sort();
  if (names.length !== want.length || names.some((n, i) => n !== want[i]) || p.k[scope.partitionAttribute] !== scope.partition) {
    throw badRequest("InvalidNextToken", NOT_OURS);
  }
  const sortKey = scope.beginsWith ? p.k[scope.beginsWith.attribute] : undefined;
  if (scope.beginsWith && (typeof sortKey !== "string" || !sortKey.startsWith(scope.beginsWith.prefix))) {
    throw badRequest("InvalidNextToken", NOT_OURS);
  }
  return p.k;
}
