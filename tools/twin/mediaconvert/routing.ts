/** The shape of one REST operation the simulator serves, and helpers for its path pattern and query. */
import { API_VERSION_PATH } from "./constants";
import type { Engine } from "./engine";
import type { Operation } from "./types";

export interface OperationRequest {
  /** The parsed JSON body ({} when empty). */
  body: unknown;
  query: URLSearchParams;
  /** What the path names (a job id, or a queue, preset or job template name), decoded. */
  pathParam?: string;
  /** The simulator's own URL (DescribeEndpoints answers it). */
  endpoint: string;
}

export interface OperationRoute {
  name: Operation;
  method: string;
  /** Matches the request path without trailing slashes; a capture group is the path's parameter. */
  path: RegExp;
  /** Status of a successful answer. */
  status: number;
  /** The path parameter is a job id (counted per job, matched by per-job faults). */
  jobPath?: boolean;
  handle(engine: Engine, request: OperationRequest): Promise<unknown> | unknown;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** The route of `rest` under the API version prefix. */
export const route = (rest: string) => new RegExp(`^${escapeRegExp(API_VERSION_PATH)}${rest}$`);

/** A query parameter, absent when not given. */
export const param = (query: URLSearchParams, name: string) => query.get(name) ?? undefined;
