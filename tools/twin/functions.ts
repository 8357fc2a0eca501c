/**
 * The product's Lambda functions as the twin runs them: each entry point's `handler` export, loaded from its file
 * as a cold start (fresh module instances, after the functions' environment is in `process.env`).
 */
import type { S3Event } from "aws-lambda";
import type { ConsumerEvent, ConsumerResult } from "./kinesis-delivery";
import { forgetProductModules, loadHandler, type LambdaHandler } from "./lambda";

export interface TwinFunctions {
  collector: LambdaHandler<unknown, unknown>;
  history: LambdaHandler<ConsumerEvent, ConsumerResult>;
  analytics: LambdaHandler<ConsumerEvent, ConsumerResult>;
  watchFolder: LambdaHandler<S3Event, unknown>;
  api: LambdaHandler<unknown, unknown>;
}

function load<E, R>(file: string, what: string): LambdaHandler<E, R> {
  try {
    return loadHandler<E, R>(file);
  } catch (err) {
    throw new Error(`The twin cannot load the ${what} from ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Loads every function; a start of the twin is a cold start of each. Throws, naming the file, if one fails to load. */
export function loadFunctions(): TwinFunctions {
  forgetProductModules();
  return {
    collector: load("handlers/collector.ts", "collector"),
    history: load("consumers/history.ts", "history consumer"),
    analytics: load("consumers/analytics.ts", "analytics consumer"),
    watchFolder: load("handlers/watch-folder.ts", "watch-folder handler"),
    api: load("handlers/api.ts", "Jobs API"),
  };
}
