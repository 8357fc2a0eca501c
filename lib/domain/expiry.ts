/**
 * The one clock rule for items past their TTL. DynamoDB deletes an item whose TTL attribute (`expiresAt`, epoch
 * seconds) has passed only eventually — often within hours, sometimes days later — and until then every read still
 * returns it. Readers that must not serve expired data (the Jobs API) apply this rule to each item they read.
 * Pure, no AWS imports.
 */
import { TTL_ATTRIBUTE } from "./tables";

/**
 * Whether `item` has expired at `now` (epoch ms): its TTL is a number of epoch seconds at or before `now`. This is
 * DynamoDB's own reading of the attribute: an item without one, or with a value that is not a number, never
 * expires. (DynamoDB also never deletes items whose TTL lies more than five years back; they still count as expired
 * here, since their lifetime is over all the same.)
 */
export function isExpired(item: Record<string, unknown>, now: number): boolean {
  const ttl = item[TTL_ATTRIBUTE];
  return typeof ttl === "number" && Number.isFinite(ttl) && ttl * 1000 <= now;
}

/** The items of `items` still alive at `now`. */
export function liveItems<T extends Record<string, unknown>>(items: readonly T[], now: number): T[] {
  return items.filter((item) => !isExpired(item, now));
}
