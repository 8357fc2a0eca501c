/**
 * The Jobs API's error shape: `{ "error": { "code", "message" } }` with an HTTP status. Messages are written for
 * the caller (what was wrong, what is accepted); nothing from an exception, a stack or an AWS error reaches them.
 */

export type ErrorCode =
  | "InvalidPath"
  | "InvalidParameter"
  | "UnknownParameter"
  | "InvalidNextToken"
  | "JobNotFound"
  | "QueueNotFound"
  | "RouteNotFound"
  | "MethodNotAllowed"
  | "Throttled"
  | "InternalError";

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (code: ErrorCode, message: string) => new ApiError(400, code, message);

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(err: ApiError): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}
