/**
 * Query parameters of GET /jobs?input=<prefix>: `input` (the start of an input file name, letter case ignored),
 * `limit` and `nextToken` (checked as for the status listings). Unknown parameters are refused; every failure is an
 * ApiError 400 whose message says what is accepted. Pure: zod and the domain only.
 */
import { z } from "zod";
import { INPUT_NAME_MAX, foldInputName } from "../domain/input-name";
import { badRequest } from "./errors";
import { parseListParams, type ListParams } from "./params";

const KEYS = ["input", "limit", "nextToken"] as const;

const WHAT =
  "input must be the start of an input file name: the part of the job's input URI after the last / " +
  `(e.g. "movie" finds s3://bucket/in/Movie.mov), 1 to ${INPUT_NAME_MAX} characters, letter case ignored`;

const inputSchema = z
  .string()
  .refine((v) => v.length > 0, `${WHAT}; it is empty`)
  .refine((v) => !/\p{Cc}/u.test(v), `${WHAT}, without control characters (tabs, line breaks, …)`)
  .refine((v) => !/\p{Cs}/u.test(v), `${WHAT}; it is not well-formed Unicode text`)
  .refine((v) => !v.includes("/"), `${WHAT}; it holds a /, so drop the folder part and keep the file name`)
  .refine((v) => Array.from(foldInputName(v)).length <= INPUT_NAME_MAX, `${WHAT}; it is longer than that`);

export interface InputListParams extends Omit<ListParams, "queueName" | "since"> {
  /** The prefix as given (the listing normalizes it). */
  input: string;
}

function show(v: string): string {
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/** Query parameters of GET /jobs?input=. */
export function parseInputListParams(query: Record<string, string | undefined>): InputListParams {
  for (const k of Object.keys(query)) {
    if (!(KEYS as readonly string[]).includes(k)) {
      throw badRequest("UnknownParameter", `GET /jobs?input= has no query parameter ${show(k)}; accepted: ${KEYS.join(", ")}.`);
    }
  }
  const r = inputSchema.safeParse(query.input ?? "");
  if (!r.success) throw badRequest("InvalidParameter", `${r.error.issues[0].message}${query.input ? `; got ${show(query.input)}` : ""}.`);
  const { limit, nextToken } = parseListParams({ limit: query.limit, nextToken: query.nextToken });
  return { input: r.data, limit, ...(nextToken !== undefined ? { nextToken } : {}) };
}
