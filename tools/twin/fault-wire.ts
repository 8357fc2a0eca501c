/**
 * The wire side of the fault proxy (faults.ts): the error replies each JSON-protocol service really sends when it
 * throttles or fails, and plain forwarding of a request to the stand-in with its reply relayed unchanged.
 */
import * as http from "node:http";
import type { ProxiedService } from "./faults";

export function throttleError(service: ProxiedService, op: string): { status: number; type: string; message: string } {
  switch (service) {
    case "dynamodb":
      return op === "TransactWriteItems" || op === "TransactGetItems"
        ? {
            status: 400,
            type: "com.amazon.coral.availability#ThrottlingException",
            message: "Rate of requests exceeds the allowed throughput.",
          }
        : {
            status: 400,
            type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            message:
              "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
          };
    case "kinesis":
      return { status: 400, type: "ProvisionedThroughputExceededException", message: "Rate exceeded for shard shardId-000000000000." };
    case "firehose":
      return { status: 400, type: "ThrottlingException", message: "Rate exceeded." };
  }
}

export function serverError(service: ProxiedService, r: () => number): { status: number; type: string; message: string } {
  if (service === "dynamodb") {
    return r() < 0.5
      ? { status: 500, type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "Internal server error" }
      : { status: 503, type: "com.amazon.coral.availability#ServiceUnavailableException", message: "Service unavailable" };
  }
  return r() < 0.5
    ? { status: 500, type: "InternalFailure", message: "Internal service failure." }
    : { status: 503, type: "ServiceUnavailableException", message: "The service is unavailable. Back off and retry the operation." };
}

export function contentType(service: ProxiedService): string {
  return service === "dynamodb" ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
}

export interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function forward(target: URL, req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host, "content-length": String(body.byteLength) };
    const up = http.request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    up.on("error", reject);
    up.end(body);
  });
}

/** Writes an upstream reply back to the caller as it came (with its own length, not chunked). */
export function relay(res: http.ServerResponse, up: Upstream): void {
  const headers = { ...up.headers };
  delete headers["transfer-encoding"];
  delete headers.connection;
  headers["content-length"] = String(up.body.byteLength);
  res.writeHead(up.status, headers);
  res.end(up.body);
}
