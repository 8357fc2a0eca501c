/**
 * The simulator's options checked before anything starts: each value in range (a time scale above zero, rates
 * from 0 to 1, dropEventsPercent from 0 to 100, a non-empty stateDir, …), and a refusal that says which option is
 * wrong and what it takes.
 */
import { z } from "zod";
import type { EngineOptions, SimulatorOptions } from "./types";

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", { error: `must be a function (${what})` });
const share = z.number().min(0).max(1, { error: "must be a probability from 0 to 1" });
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,40}$/;

export const SimulatorOptionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65535, { error: "must be a port number from 0 to 65535" }).optional(),
  host: z.string().min(1).optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as us-east-1" })
    .optional(),
  accountId: z
    .string()
    .regex(/^\d{12}$/, { error: "must be a 12-digit AWS account id" })
    .optional(),
  seed: z.number().int({ error: "must be a whole number" }).optional(),
  timeScale: z.number().positive({ error: "must be above 0 (simulated ms per real ms)" }).optional(),
  rates: z
    .strictObject({
      error: share.optional(),
      canceled: share.optional(),
      queueHop: share.optional(),
      warning: share.optional(),
      duplicate: share.optional(),
      late: share.optional(),
      lateInputInformation: share.optional(),
      jitterMs: z.number().min(0, { error: "must be 0 or more (simulated ms)" }).optional(),
    })
    .optional(),
  onEvent: fn("event => void | Promise<void>").optional(),
  probe: fn("inputUri => Promise<ProbeResult | undefined>").optional(),
  autoRun: z.boolean().optional(),
  statusUpdateIntervalMs: z.number().min(1000, { error: "must be at least 1000 (simulated ms)" }).optional(),
  dropEventsPercent: z.number().min(0).max(100, { error: "must be a percentage from 0 to 100" }).optional(),
  stateDir: z.string().min(1, { error: "must name a folder" }).optional(),
  queues: z.array(z.string().regex(QUEUE_NAME, { error: "must be queue names (letters, digits, - and _, up to 40)" })).optional(),
});

function parse<T>(value: T): T {
  const r = SimulatorOptionsSchema.safeParse(value ?? {});
  if (r.success) return value;
  const problems = r.error.issues.map((i) => `${i.path.join(".") || "options"} ${i.message}`);
  throw new Error(`MediaConvert simulator options: ${problems.join("; ")}.`);
}

/** The options when they are valid (the same object, functions kept); throws an Error naming each wrong one. */
export function parseSimulatorOptions(value: SimulatorOptions): SimulatorOptions {
  return parse(value);
}

export function parseEngineOptions(value: EngineOptions): EngineOptions {
  return parse(value);
}
