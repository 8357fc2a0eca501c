/**
 * The twin's HTTP front door, on loopback:
 *   /                         the dashboard (static files from tools/dashboard/)
 *   /twin/status, /twin/queues, /twin/notifications   local-only views (pipeline counters, Queues table, notifications topic)
 *   POST /twin/events         the event intake: a JSON array of EventBridge events for the twin's rules (checked
 *                             and published by `local.events`, front-door.ts), from loopback callers only
 *   anything else             the Jobs API handler, called with the API Gateway HTTP API (payload 2.0) event
 *                             that API Gateway would send with IAM auth, and its result written back.
 *
 * Requests over API Gateway's HTTP API limits get the API's error shape `{"error":{"code","message"}}` with 414,
 * 431 or 413. Node's parser may read far more than its 16 KiB default, so such a request is read and answered;
 * one past even that is answered in the same shape by the `clientError` hook, not with Node's bodiless 431.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ERROR_CODES, WARNING_CODES } from "../../lib/domain/error-codes";

/** The error and warning code meanings (lib/domain/error-codes.ts) for the dashboard, when a record lacks them. */
export function codesJson(): string {
  const pick = (m: ReadonlyMap<number, { category: string; meaning: string }>) =>
    Object.fromEntries([...m].map(([code, i]) => [code, { category: i.category, meaning: i.meaning }]));
  return JSON.stringify({ errors: pick(ERROR_CODES), warnings: pick(WARNING_CODES) });
}

export interface TwinServerOptions {
  port?: number;
  host?: string;
  api?: (event: APIGatewayProxyEventV2WithIAMAuthorizer) => Promise<unknown>;
  dashboardDir: string;
  local: {
    queues(): Promise<unknown[]>;
    status(): unknown;
    notifications(): unknown[];
    /** Takes the events of a POST /twin/events; without it the intake answers 503. */
    events?(events: unknown[]): { status: number; body: unknown };
  };
  accountId?: string;
}

export interface TwinServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
};

/** Builds the HTTP API payload-2.0 event for a request (what API Gateway sends the Lambda). */
export function toApiGatewayEvent(
  req: { method?: string; url?: string; headers: http.IncomingHttpHeaders },
  body: Buffer,
  accountId = "000000000000",
): APIGatewayProxyEventV2WithIAMAuthorizer {
  const url = new URL(req.url ?? "/", "http://twin.local");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const method = (req.method ?? "GET").toUpperCase();
  const now = new Date();
  const isText = body.length === 0 || /json|text|xml|urlencoded/.test(headers["content-type"] ?? "");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ""),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId,
      apiId: "local",
      authorizer: {
        iam: {
          accessKey: "LOCALACCESSKEY",
          accountId,
          callerId: "LOCALCALLER",
          cognitoIdentity: null as never,
          principalOrgId: "",
          userArn: `arn:aws:iam::${accountId}:user/local-twin`,
          userId: "LOCALUSER",
        },
      },
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** Writes a Lambda result as API Gateway would (payload 2.0: a bare value is 200 JSON). */
export function writeApiResult(res: http.ServerResponse, result: unknown): void {
  const structured =
    result !== null && typeof result === "object" && "statusCode" in (result as object)
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(result ?? null) };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const body =
    structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? "base64" : "utf8");
  headers["content-length"] = String(body.byteLength);
  headers["content-type"] ??= "application/json";
  const out: http.OutgoingHttpHeaders = { ...headers };
  if (structured.cookies?.length) out["set-cookie"] = structured.cookies;
  res.writeHead(structured.statusCode ?? 200, out);
  res.end(body);
}

function json(res: http.ServerResponse, status: number, payload: unknown, extra: http.OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(JSON.stringify(payload));
  res.writeHead(status, { "content-type": "application/json", "content-length": body.byteLength, "cache-control": "no-store", ...extra });
  res.end(body);
}

/** The Jobs API's error shape, `{"error":{"code","message"}}`, for what the front door itself refuses. */
export function errorPayload(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** API Gateway HTTP API quotas (request line and header values together; payload), applied before any route. */
export const REQUEST_LIMITS = { headerBytes: 10_240, bodyBytes: 10 * 1024 * 1024 };
/** How much of a request's head Node's parser reads before giving up (its default is 16 KiB). */
const PARSER_HEAD_BYTES = 1024 * 1024;
/** A body this far past the limit is not read to its end: the connection is dropped. */
const DRAIN_BYTES = 8 * REQUEST_LIMITS.bodyBytes;

/** 414 or 431 when the request line and headers are over the limit (414 when the URL is most of it). */
function headProblem(req: http.IncomingMessage): { status: number; code: string; message: string } | undefined {
  const urlBytes = Buffer.byteLength(req.url ?? "");
  const lineBytes = Buffer.byteLength(`${req.method} `) + urlBytes + " HTTP/1.1".length;
  let headerBytes = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headerBytes += Buffer.byteLength(req.rawHeaders[i]) + Buffer.byteLength(req.rawHeaders[i + 1]);
  const total = lineBytes + headerBytes;
  if (total <= REQUEST_LIMITS.headerBytes) return undefined;
  const sizes = `the request line and headers are ${total} bytes (the URL ${urlBytes}, the headers ${headerBytes}); at most ${REQUEST_LIMITS.headerBytes} are accepted together`;
  return urlBytes > headerBytes
    ? { status: 414, code: "UriTooLong", message: `URI too long: ${sizes}. Shorten the query string.` }
    : { status: 431, code: "RequestHeaderFieldsTooLarge", message: `Headers too large: ${sizes}.` };
}

/** Reads the body; "too-large" once it passes the limit (the rest is read and dropped, up to DRAIN_BYTES). */
function readBody(req: http.IncomingMessage): Promise<Buffer | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (c: Buffer) => {
      bytes += c.byteLength;
      if (bytes <= REQUEST_LIMITS.bodyBytes) chunks.push(c);
      else if (bytes > DRAIN_BYTES) req.destroy();
    });
    req.on("end", () => resolve(bytes > REQUEST_LIMITS.bodyBytes ? "too-large" : Buffer.concat(chunks)));
    req.on("error", () => resolve("aborted"));
    req.on("close", () => resolve("aborted"));
  });
}

/** Node parser errors the front door answers as such; any other is a 400. */
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    "RequestHeaderFieldsTooLarge",
    `The request line and headers are over ${PARSER_HEAD_BYTES} bytes; at most ${REQUEST_LIMITS.headerBytes} are accepted.`,
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "RequestTimeout", "The request was not received in time."],
};

/** A request Node's parser refused (a head past PARSER_HEAD_BYTES, or not HTTP), answered in the API's shape. */
function answerClientError(err: NodeJS.ErrnoException, socket: import("node:stream").Duplex): void {
  if (!socket.writable || err.code === "ECONNRESET") return void socket.destroy();
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ""] ?? [
    400,
    "BadRequest",
    `The request is not valid HTTP/1.1 (${err.code ?? err.message}).`,
  ];
  const body = JSON.stringify(errorPayload(code, message));
  const head = `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}`;
  socket.end(`${head}\r\nconnection: close\r\n\r\n${body}`);
}

const isLoopback = (address = "") => /^127\./.test(address) || address === "::1" || /^::ffff:127\./.test(address);

/** POST /twin/events: loopback callers, a JSON array; the events themselves are `local.events`'s to judge. */
function takeEvents(req: http.IncomingMessage, body: Buffer, local: TwinServerOptions["local"]): { status: number; body: unknown } {
  const refuse = (status: number, code: string, message: string) => ({ status, body: errorPayload(code, message) });
  if (!isLoopback(req.socket.remoteAddress)) return refuse(403, "Forbidden", "The event intake takes events from this machine only.");
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    return refuse(415, "UnsupportedMediaType", "Send the events as a JSON array with content-type: application/json.");
  }
  if (!local.events) return refuse(503, "IntakeUnavailable", "This twin was started without an event intake.");
  let events: unknown;
  try {
    events = JSON.parse(body.toString("utf8"));
  } catch (err) {
    return refuse(400, "InvalidJson", `The body is not JSON: ${(err as Error).message}`);
  }
  return Array.isArray(events) ? local.events(events) : refuse(400, "InvalidBody", "The body must be a JSON array of EventBridge events.");
}

export async function startTwinServer(opts: TwinServerOptions): Promise<TwinServer> {
  const host = opts.host ?? "127.0.0.1";
  const dashboardDir = path.resolve(opts.dashboardDir);
  const server = http.createServer({ maxHeaderSize: PARSER_HEAD_BYTES }, (req, res) => {
    const head = headProblem(req);
    if (head) {
      req.resume();
      return json(res, head.status, errorPayload(head.code, head.message), { connection: "close" });
    }
    void readBody(req).then((body) => {
      if (body === "aborted") return;
      if (body === "too-large") {
        const message = `The body is over ${REQUEST_LIMITS.bodyBytes} bytes, the most API Gateway accepts.`;
        return json(res, 413, errorPayload("PayloadTooLarge", message), { connection: "close" });
      }
      void (async () => {
        const url = new URL(req.url ?? "/", "http://twin.local");
        const p = url.pathname;
        try {
          if (req.method === "GET" && p === "/dashboard/codes.json") {
            res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=3600" });
            return res.end(codesJson());
          }
          if (req.method === "GET" && (p === "/" || p === "/index.html" || p.startsWith("/dashboard/"))) {
            const rel = p === "/" || p === "/index.html" ? "index.html" : p.slice("/dashboard/".length);
            const file = path.resolve(dashboardDir, rel);
            if (!file.startsWith(dashboardDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
              return json(res, 404, { message: `No dashboard file ${rel}` });
            }
            const body = fs.readFileSync(file);
            res.writeHead(200, {
              "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
              "content-length": body.byteLength,
              "cache-control": "no-store",
            });
            return res.end(body);
          }
          if (req.method === "GET" && p === "/twin/status") return json(res, 200, opts.local.status());
          if (req.method === "GET" && p === "/twin/queues") return json(res, 200, { queues: await opts.local.queues() });
          if (req.method === "GET" && p === "/twin/notifications") return json(res, 200, { notifications: opts.local.notifications() });
          if (p === "/twin/events") {
            const answer = req.method === "POST" ? takeEvents(req, body, opts.local) : undefined;
            if (answer) return json(res, answer.status, answer.body);
            return json(res, 405, errorPayload("MethodNotAllowed", "POST the events to /twin/events."), { allow: "POST" });
          }
          if (!opts.api) {
            return json(res, 503, { message: "The Jobs API handler (handlers/api.ts) is not part of this build yet." });
          }
          const result = await opts.api(toApiGatewayEvent(req, body, opts.accountId));
          writeApiResult(res, result);
        } catch (err) {
          // What API Gateway answers when the integration fails.
          if (!res.headersSent) json(res, 500, { message: "Internal Server Error", detail: (err as Error).message });
        }
      })();
    });
  });
  server.on("clientError", answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `Port ${opts.port} is already in use on ${host}, so the Jobs API and dashboard cannot start there. Stop what uses it or pick another with --port.`
            : `Cannot listen on ${host}:${opts.port ?? 0}: ${err.message}`,
        ),
      ),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
