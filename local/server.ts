/**
 * The twin's HTTP front door, on loopback:
 *   /                         the dashboard (static files from dashboard/)
 *   /twin/status, /twin/queues, /twin/notifications   local-only views (pipeline counters, Queues table, outbox)
 *   anything else             the Jobs API handler, called with the API Gateway HTTP API (payload 2.0) event
 *                             that API Gateway would send with IAM auth, and its result written back.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ERROR_CODES, WARNING_CODES } from "../domain/error-codes";

/** The error and warning code meanings (domain/error-codes.ts) for the dashboard, when a record lacks them. */
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
  const body = structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? "base64" : "utf8");
  headers["content-length"] = String(body.byteLength);
  headers["content-type"] ??= "application/json";
  const out: http.OutgoingHttpHeaders = { ...headers };
  if (structured.cookies?.length) out["set-cookie"] = structured.cookies;
  res.writeHead(structured.statusCode ?? 200, out);
  res.end(body);
}

function json(res: http.ServerResponse, status: number, payload: unknown): void {
  const body = Buffer.from(JSON.stringify(payload));
  res.writeHead(status, { "content-type": "application/json", "content-length": body.byteLength, "cache-control": "no-store" });
  res.end(body);
}

export async function startTwinServer(opts: TwinServerOptions): Promise<TwinServer> {
  const host = opts.host ?? "127.0.0.1";
  const dashboardDir = path.resolve(opts.dashboardDir);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
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
            res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "content-length": body.byteLength, "cache-control": "no-store" });
            return res.end(body);
          }
          if (req.method === "GET" && p === "/twin/status") return json(res, 200, opts.local.status());
          if (req.method === "GET" && p === "/twin/queues") return json(res, 200, { queues: await opts.local.queues() });
          if (req.method === "GET" && p === "/twin/notifications") return json(res, 200, { notifications: opts.local.notifications() });
          if (!opts.api) {
            return json(res, 503, { message: "The Jobs API handler (handlers/api.ts) is not part of this build yet." });
          }
          const result = await opts.api(toApiGatewayEvent(req, Buffer.concat(chunks), opts.accountId));
          writeApiResult(res, result);
        } catch (err) {
          // What API Gateway answers when the integration fails.
          if (!res.headersSent) json(res, 500, { message: "Internal Server Error", detail: (err as Error).message });
        }
      })();
    });
  });
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
