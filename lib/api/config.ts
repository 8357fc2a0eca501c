/**
 * The Jobs API Lambda's settings: the environment variables the JobsApi component (or the local twin) sets,
 * validated when the handler builds its dependencies. The signing key's value never appears in an error.
 */
import { z } from "zod";
import { ENV, loadEnv, type Env } from "../domain/env";

export const ApiConfigSchema = z.object({
  [ENV.jobsTable]: z.string({ error: "must name the Jobs table" }).min(1, "must name the Jobs table"),
  [ENV.eventsTable]: z.string({ error: "must name the Events table" }).min(1, "must name the Events table"),
  [ENV.queuesTable]: z.string({ error: "must name the Queues table" }).min(1, "must name the Queues table"),
  [ENV.apiTokenKey]: z
    .string({ message: "must hold the base64 nextToken signing key (the JobsApi component sets it)" })
    .refine(
      (v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, "base64").length >= 32,
      "must be base64 of at least 32 random bytes",
    ),
});

export interface ApiConfig {
  jobsTable: string;
  eventsTable: string;
  queuesTable: string;
  tokenKey: Buffer;
}

/** Reads and validates the handler's settings; throws one message naming every bad variable (never its value for the key). */
export function loadApiConfig(env: Env = process.env): ApiConfig {
  const c = loadEnv("Jobs API", ApiConfigSchema, env, { secret: [ENV.apiTokenKey] });
  return {
    jobsTable: c[ENV.jobsTable],
    eventsTable: c[ENV.eventsTable],
    queuesTable: c[ENV.queuesTable],
    tokenKey: Buffer.from(c[ENV.apiTokenKey], "base64"),
  };
}

/** The variables the settings (and the DynamoDB client) come from: when one changes, the handler rebuilds. */
export const API_SETTINGS_FROM = [ENV.jobsTable, ENV.eventsTable, ENV.queuesTable, ENV.apiTokenKey, "MCJOBS_ENDPOINT_DYNAMODB"] as const;
