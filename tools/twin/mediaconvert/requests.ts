/**
 * Reading a CreateJob request (camelCase JSON): the checks it must pass — MediaConvert's request rules from the
 * SDK's model (lib/watch-folder/job-rules.ts, run on the request in the SDK's member names) — each failure a
 * BadRequestException naming the member, its value and what it accepts, and the members the engine takes from it.
 */
import { createJobProblems } from "../../../lib/watch-folder/job-rules";
import { badRequest } from "./errors";
import { SCHEMAS, toSdk } from "./shapes";
import type { HopDestination } from "./timeline";
import { isObj } from "./wire";

/** Problems named in one answer; the rest are counted. */
const MAX_PROBLEMS_SHOWN = 5;

/** The request when it is one MediaConvert would accept (as far as the rules go); throws otherwise. */
export function validateCreateJob(body: unknown): Record<string, unknown> {
  if (!isObj(body)) throw badRequest("The request body must be a JSON object.");
  const problems = createJobProblems(toSdk(body, SCHEMAS.createJob));
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => p.message);
    const more = problems.length > MAX_PROBLEMS_SHOWN ? ` (and ${problems.length - MAX_PROBLEMS_SHOWN} more)` : "";
    throw badRequest(`${shown.join("; ")}${more}`);
  }
  return body;
}

/** The idempotency token, when the request has a non-empty one. */
export function clientRequestToken(request: Record<string, unknown>): string | undefined {
  const token = request.clientRequestToken;
  return typeof token === "string" && token !== "" ? token : undefined;
}

/** The hop destinations that name a queue, with their queues as ARNs. */
export function hopDestinations(request: Record<string, unknown>, queueArn: (queue: string) => string): HopDestination[] {
  return Array.isArray(request.hopDestinations)
    ? (request.hopDestinations as unknown[])
        .filter(isObj)
        .flatMap((h) =>
          typeof h.queue === "string"
            ? [{ queue: queueArn(h.queue), priority: typeof h.priority === "number" ? h.priority : undefined }]
            : [],
        )
    : [];
}
