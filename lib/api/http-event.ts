/** The router's input (ApiRequest) for an API Gateway HTTP API payload-2.0 event. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { ApiRequest } from "./router";

export function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  let path = event.rawPath ?? event.requestContext?.http?.path ?? "/";
  const stage = event.requestContext?.stage;
  // With a named stage (not $default) the path starts with it.
  if (stage && stage !== "$default" && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  return {
    method: (event.requestContext?.http?.method ?? "GET").toUpperCase(),
    path,
    query: { ...(event.queryStringParameters ?? {}) },
    requestId: event.requestContext?.requestId,
  };
}
