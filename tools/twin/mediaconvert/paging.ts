/**
 * Paging of the List* operations as MediaConvert documents it: `maxResults` from 1 to 20 (20 when absent), `order`
 * ASCENDING or DESCENDING, and a `nextToken` that only the listing it came from accepts. The token is opaque to
 * callers: the offset of the next page bound to a digest of the listing's filters, so a made-up token or one from
 * another listing is a BadRequestException rather than a silent first page.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { LIST_JOBS_MAX_RESULTS } from "./constants";
import { badRequest } from "./errors";

export type Order = "ASCENDING" | "DESCENDING";

export interface PageRequest {
  maxResults?: string | number;
  order?: string;
  nextToken?: string;
}

const TokenSchema = z.object({ l: z.string(), o: z.number().int().nonnegative() });

const digest = (listing: unknown) => createHash("sha256").update(JSON.stringify(listing)).digest("base64url").slice(0, 16);

/**
 * A query member checked by `schema`: absent (or empty) gives `fallback`, a value the schema refuses a
 * BadRequestException naming the member, the value and what it takes.
 */
export function queryMember<T>(member: string, value: string | number | undefined, schema: z.ZodType<T>, fallback: T): T {
  if (value === undefined || value === "") return fallback;
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`${member} ${String(value)} ${r.error.issues[0]?.message ?? "is not accepted"}.`);
  return r.data;
}

const MaxResultsSchema = z.coerce.number().refine((n) => Number.isInteger(n) && n >= 1 && n <= LIST_JOBS_MAX_RESULTS, {
  error: `is not a whole number from 1 to ${LIST_JOBS_MAX_RESULTS}`,
});
const OrderSchema = z.enum(["ASCENDING", "DESCENDING"], { error: "is not one of ASCENDING, DESCENDING" });

/** `maxResults` as a number from 1 to 20 (20 when absent). */
export const maxResultsOf = (value: string | number | undefined): number =>
  queryMember("maxResults", value, MaxResultsSchema, LIST_JOBS_MAX_RESULTS);

/** `order` when it is ASCENDING or DESCENDING, `fallback` when absent. */
export const orderOf = (value: string | undefined, fallback: Order): Order => queryMember("order", value, OrderSchema, fallback);

/** Where the page starts: 0 without a token, else the token's offset when the token belongs to this listing. */
function startOf(token: string | undefined, listing: string): number {
  if (token === undefined || token === "") return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const r = TokenSchema.safeParse(parsed);
  if (!r.success || r.data.l !== listing)
    throw badRequest(`nextToken ${token.slice(0, 40)} is not a token from a previous page of this listing; start again without it.`);
  return r.data.o;
}

/**
 * One page of `items` (already filtered and sorted as asked). `listing` names the filters and order the token is
 * bound to; `page` is the request's paging members.
 */
export function pageOf<T>(items: T[], listing: unknown, page: PageRequest): { items: T[]; nextToken?: string } {
  const max = maxResultsOf(page.maxResults);
  const key = digest(listing);
  const start = startOf(page.nextToken, key);
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(JSON.stringify({ l: key, o: start + max })).toString("base64url") : undefined;
  return { items: slice, ...(next ? { nextToken: next } : {}) };
}
