/**
 * The twin's EventBridge rule on the router (router.ts): the collector rule (the pattern of lib/domain/patterns.ts,
 * narrowed to this application's jobs when the stack collects only those), as the stack deploys it; notifications
 * come from the collector itself. An event whose every attempt failed is a dead letter: kept in memory for a
 * redrive and appended to `<twinDir>/dead-letters.jsonl`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { collectorPattern, type EventPattern } from "../../lib/domain/patterns";
import { invoke, type LambdaHandler } from "./lambda";
import { createRouter, type DeadLetter, type RouteTarget, type Router } from "./router";

export interface RulesOptions {
  collector: LambdaHandler<unknown, unknown>;
  prefix: string;
  application: string;
  /** Stack `collectOnlyApplication`. */
  collectOnlyApplication?: boolean;
  /** The simulator's speed: retries come as much sooner as simulated time runs faster. */
  speed: number;
  concurrency: number;
  twinDir: string;
  log: (line: string) => void;
}

export interface Rules {
  router: Router;
  deadLetters: DeadLetter[];
  /** Replays every dead letter to its rule (what an operator does with the DLQ); returns how many. */
  redrive(): number;
  stop(): Promise<void>;
}

export function startRules(o: RulesOptions): Rules {
  const deadLetterFile = path.join(o.twinDir, "dead-letters.jsonl");
  const collector: RouteTarget = {
    name: "collector",
    pattern: collectorPattern(o.collectOnlyApplication ? o.application : undefined) as EventPattern,
    deliver: async (event: unknown) => {
      // 20 s (the deployed function has 60 s): an event claim lasts as long as its invocation, so an attempt
      // that fails without giving its claim back holds the event for that long before a retry can take it.
      await invoke(o.collector, event, { functionName: `${o.prefix}-collector`, timeoutMs: 20_000 });
    },
    retryDelaysMs: [Math.max(50, 60_000 / o.speed / 10), Math.max(100, 120_000 / o.speed / 10)],
  };
  const deadLetters: DeadLetter[] = [];
  const router = createRouter({
    routes: [collector],
    concurrency: o.concurrency,
    onDeadLetter: (letter) => {
      deadLetters.push(letter);
      fs.appendFileSync(deadLetterFile, `${JSON.stringify(letter)}\n`);
      o.log(`dead letter (${letter.rule}): ${letter.error}`);
    },
    onError: (rule, err, attempt) => o.log(`${rule} attempt ${attempt + 1} failed: ${(err as Error).message}`),
  });
  return {
    router,
    deadLetters,
    redrive() {
      const letters = deadLetters.splice(0);
      for (const l of letters) router.redeliver(l.rule, l.event);
      fs.appendFileSync(deadLetterFile, `${JSON.stringify({ redriven: letters.length, at: Date.now() })}\n`);
      return letters.length;
    },
    stop: () => router.stop(),
  };
}
