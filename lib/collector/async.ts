/** Small async tools of the collector: errors as log text, transient-error test, deadlines, bounded parallelism. */

/** An error as one line of log text: its name and message. */
export function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
}

class DeadlineError extends Error {
  override name = "TimeoutError";
}

/** The promise's outcome, or a TimeoutError after `ms` (the work itself is not cancelled, its result is ignored). */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Throttling, 5xx and timeouts may pass on a later try; anything else (no access, no such key, not media) will not. */
export function isTransient(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return (
    status >= 500 ||
    status === 429 ||
    e?.$retryable !== undefined ||
    ["SlowDown", "ThrottlingException", "RequestTimeout", "TimeoutError", "AbortError", "ECONNRESET"].includes(e?.name ?? "")
  );
}

/** Runs `fn` over `items` with at most `limit` calls in flight; resolves when all are done. */
export async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]);
    }
  });
  await Promise.all(workers);
}
