/**
 * The twin's EventBridge: every event published to it is matched against each rule's pattern (the same
 * patterns the Pulumi program deploys, from lib/domain/patterns.ts) and delivered to the rule's target with the
 * semantics of an asynchronous Lambda invocation: concurrent, in no particular order, retried twice on error with
 * growing delays, then handed to the dead-letter callback (the on-failure destination). Nothing is dropped
 * silently: an event either reaches its target or the dead-letter callback.
 */
import { matchesPattern, type EventPattern } from "../../lib/domain/patterns";

export interface RouteTarget {
  /** Rule name, for logs and stats. */
  name: string;
  pattern: EventPattern;
  /** Delivers one event; a rejection counts as a function error and is retried. */
  deliver(event: unknown): Promise<void>;
  /** Retries after the first attempt (Lambda async default: 2). */
  retryAttempts?: number;
  /** Delay before retry n (Lambda waits about 1 and 2 minutes; locally much less). */
  retryDelaysMs?: number[];
}

export interface DeadLetter {
  rule: string;
  event: unknown;
  error: string;
  attempts: number;
  at: number;
}

export interface RouterOptions {
  routes: RouteTarget[];
  /** Called with an event whose every attempt failed. */
  onDeadLetter?: (letter: DeadLetter) => void;
  /** Most deliveries running at once, over all rules. */
  concurrency?: number;
  onError?: (rule: string, err: unknown, attempt: number) => void;
}

export interface RouterStats {
  published: number;
  unmatched: number;
  matched: Record<string, number>;
  delivered: Record<string, number>;
  failedAttempts: Record<string, number>;
  deadLettered: Record<string, number>;
}

export interface Router {
  /** Accepts one EventBridge event (PutEvents). Returns the names of the rules it matched. */
  publish(event: unknown): string[];
  /** Delivers an event to one rule's target again (a redrive from the dead-letter queue), with fresh retries. */
  redeliver(rule: string, event: unknown): void;
  /** Resolves once nothing is queued, running or waiting for a retry. */
  idle(): Promise<void>;
  /** Work not finished yet (queued + running + waiting to retry). */
  pending(): number;
  stats(): RouterStats;
  /** Stops taking events; waits for running deliveries. Queued and retrying ones go to the dead-letter callback. */
  stop(): Promise<void>;
}

interface Work {
  route: RouteTarget;
  event: unknown;
  attempt: number;
}

export function createRouter(opts: RouterOptions): Router {
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const queue: Work[] = [];
  const waiting = new Set<NodeJS.Timeout>();
  const waitingWork = new Map<NodeJS.Timeout, Work>();
  let running = 0;
  let stopped = false;
  let idleWaiters: Array<() => void> = [];
  const stats: RouterStats = { published: 0, unmatched: 0, matched: {}, delivered: {}, failedAttempts: {}, deadLettered: {} };
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

  const pending = () => queue.length + running + waiting.size;
  const checkIdle = () => {
    if (pending() === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  };

  const deadLetter = (work: Work, error: unknown) => {
    bump(stats.deadLettered, work.route.name);
    opts.onDeadLetter?.({
      rule: work.route.name,
      event: work.event,
      error: error instanceof Error ? error.message : String(error),
      attempts: work.attempt + 1,
      at: Date.now(),
    });
  };

  const pump = () => {
    while (!stopped && running < concurrency && queue.length > 0) {
      const work = queue.shift()!;
      running++;
      void run(work);
    }
    checkIdle();
  };

  const run = async (work: Work) => {
    try {
      await work.route.deliver(work.event);
      bump(stats.delivered, work.route.name);
    } catch (err) {
      bump(stats.failedAttempts, work.route.name);
      opts.onError?.(work.route.name, err, work.attempt);
      const maxRetries = work.route.retryAttempts ?? 2;
      if (work.attempt < maxRetries && !stopped) {
        const delays = work.route.retryDelaysMs ?? [200, 500];
        const delay = delays[Math.min(work.attempt, delays.length - 1)] ?? 0;
        const next: Work = { ...work, attempt: work.attempt + 1 };
        const timer = setTimeout(() => {
          waiting.delete(timer);
          waitingWork.delete(timer);
          queue.push(next);
          pump();
        }, delay);
        waiting.add(timer);
        waitingWork.set(timer, next);
      } else {
        deadLetter(work, err);
      }
    } finally {
      running--;
      pump();
    }
  };

  return {
    publish(event) {
      if (stopped) throw new Error("The event router is stopped.");
      stats.published++;
      const hit = opts.routes.filter((r) => matchesPattern(r.pattern, event));
      if (hit.length === 0) stats.unmatched++;
      for (const route of hit) {
        bump(stats.matched, route.name);
        queue.push({ route, event, attempt: 0 });
      }
      pump();
      return hit.map((r) => r.name);
    },
    redeliver(rule, event) {
      if (stopped) throw new Error("The event router is stopped.");
      const route = opts.routes.find((r) => r.name === rule);
      if (!route) throw new Error(`No rule named ${rule}; rules: ${opts.routes.map((r) => r.name).join(", ")}.`);
      queue.push({ route, event, attempt: 0 });
      pump();
    },
    idle() {
      if (pending() === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    pending,
    stats: () => JSON.parse(JSON.stringify(stats)) as RouterStats,
    async stop() {
      stopped = true;
      for (const [timer, work] of waitingWork) {
        clearTimeout(timer);
        deadLetter(work, new Error("twin stopped before this retry"));
      }
      waiting.clear();
      waitingWork.clear();
      for (const work of queue.splice(0)) deadLetter(work, new Error("twin stopped before delivery"));
      while (running > 0) await new Promise((r) => setTimeout(r, 10));
      checkIdle();
    },
  };
}
