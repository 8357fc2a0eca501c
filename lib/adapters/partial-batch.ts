/**
 * Sending a batch to an AWS API that can accept part of a call (Kinesis PutRecords, Firehose PutRecordBatch):
 * the entries are packed into calls within the service's limits, each call answers per entry, and only the
 * rejected entries are sent again, after a backoff with full jitter (a random wait between 0 and a ceiling that
 * doubles per attempt up to a cap), for a bounded number of attempts per entry. A call that fails as a whole
 * (throttling, 5xx, a timeout after the SDK's own retries) is retried the same way, unless `isPermanent` says the
 * error will come back however often it is retried; its entries then fail at once.
 *
 * The result names every entry that never got through (by its index in the input), with the last error code and
 * message and the number of attempts it had. Nothing is dropped silently: the caller decides what a failure means.
 */

/** What one call said about one of its entries. */
export type EntryOutcome<R> = { ok: true; value: R } | { ok: false; errorCode: string; errorMessage: string };

/** Service limits of one call. */
export interface CallLimits<T> {
  /** Entries per call. */
  maxEntries: number;
  /** Sum of `sizeOf` over the entries of one call. */
  maxBytes: number;
  sizeOf: (entry: T) => number;
}

export interface RetryOptions {
  /** Attempts per entry, the first included; values below 1 count as 1. @default 5 */
  maxAttempts?: number;
  /** Backoff ceiling before the second attempt, in ms; it doubles per attempt up to `maxDelayMs`. @default 100 */
  baseDelayMs?: number;
  /** Largest backoff ceiling, in ms. @default 2000 */
  maxDelayMs?: number;
  /** Waits between attempts (tests pass one that records the delays). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
}

export interface PartialBatchSpec<T, R> extends RetryOptions {
  limits: CallLimits<T>;
  /** Makes one call; answers one outcome per entry, in the order the entries were given. */
  send: (entries: T[]) => Promise<EntryOutcome<R>[]>;
  /** A whole-call error that retrying cannot cure (missing resource, invalid request). @default () => false */
  isPermanent?: (err: unknown) => boolean;
}

export interface AcceptedEntry<T, R> {
  /** Index of the entry in the array given to `sendPartialBatch`. */
  index: number;
  entry: T;
  value: R;
}

export interface FailedEntry<T> {
  /** Index of the entry in the array given to `sendPartialBatch`. */
  index: number;
  entry: T;
  /** The last error: the entry's own error code, or the name of the error that failed its whole call. */
  errorCode: string;
  errorMessage: string;
  /** Attempts the entry had before it was given up. */
  attempts: number;
  /** True when a whole-call error `isPermanent` judged incurable ended it before the attempt bound. */
  permanent: boolean;
}

export interface PartialBatchResult<T, R> {
  /** In input order. */
  accepted: AcceptedEntry<T, R>[];
  /** In input order. */
  failed: FailedEntry<T>[];
  /** Calls made, retries included. */
  calls: number;
  /** Entries sent across all calls (more than the input when some were sent again). */
  sent: number;
  /** Entries sent again after a first attempt, summed over attempts. */
  resent: number;
}

/** Splits items into calls within `limits`, keeping their order; an item alone over `maxBytes` gets its own call. */
export function packCalls<T>(items: T[], limits: CallLimits<T>): T[][] {
  const calls: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = limits.sizeOf(item);
    if (current.length > 0 && (current.length >= limits.maxEntries || bytes + size > limits.maxBytes)) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/** Code and message of a whole-call failure: the error's name and message. */
export function describeError(err: unknown): { code: string; message: string } {
  const e = err as { name?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.name === "string" ? e.name : "Error";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return { code, message };
}

/** The wait before `attempt` (2, 3, …): uniform in [0, min(maxDelayMs, baseDelayMs · 2^(attempt − 2))). */
export function backoffMs(attempt: number, opts: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">, random: () => number): number {
  const ceiling = Math.min(opts.maxDelayMs ?? 2000, (opts.baseDelayMs ?? 100) * 2 ** (attempt - 2));
  return Math.floor(random() * ceiling);
}

interface Pending<T> {
  index: number;
  entry: T;
  last: { code: string; message: string };
}

const NO_OUTCOME = { code: "MissingOutcome", message: "the call answered no outcome for this entry" };

/** Sends `entries`, re-sending only the rejected ones, and reports what got through and what never did. */
export async function sendPartialBatch<T, R>(entries: T[], spec: PartialBatchSpec<T, R>): Promise<PartialBatchResult<T, R>> {
  const maxAttempts = Math.max(1, spec.maxAttempts ?? 5);
  const sleep = spec.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = spec.random ?? Math.random;
  const isPermanent = spec.isPermanent ?? (() => false);
  const limits: CallLimits<Pending<T>> = { ...spec.limits, sizeOf: (p) => spec.limits.sizeOf(p.entry) };
  const result: PartialBatchResult<T, R> = { accepted: [], failed: [], calls: 0, sent: 0, resent: 0 };
  const giveUp = (p: Pending<T>, attempts: number, permanent: boolean) =>
    result.failed.push({ index: p.index, entry: p.entry, errorCode: p.last.code, errorMessage: p.last.message, attempts, permanent });

  let pending: Pending<T>[] = entries.map((entry, index) => ({ index, entry, last: NO_OUTCOME }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) {
      result.resent += pending.length;
      await sleep(backoffMs(attempt, spec, random));
    }
    const rejected: Pending<T>[] = [];
    for (const call of packCalls(pending, limits)) {
      result.calls++;
      result.sent += call.length;
      let outcomes: EntryOutcome<R>[];
      try {
        outcomes = await spec.send(call.map((p) => p.entry));
      } catch (err) {
        const last = describeError(err);
        const permanent = isPermanent(err);
        for (const p of call) {
          p.last = last;
          if (permanent) giveUp(p, attempt, true);
          else rejected.push(p);
        }
        continue;
      }
      call.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) {
          result.accepted.push({ index: p.index, entry: p.entry, value: outcome.value });
        } else {
          p.last = outcome ? { code: outcome.errorCode, message: outcome.errorMessage } : NO_OUTCOME;
          rejected.push(p);
        }
      });
    }
    if (attempt >= maxAttempts) {
      for (const p of rejected) giveUp(p, attempt, false);
      break;
    }
    pending = rejected;
  }
  result.accepted.sort((a, b) => a.index - b.index);
  result.failed.sort((a, b) => a.index - b.index);
  return result;
}
