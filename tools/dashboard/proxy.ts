/**
 * The dashboard against a deployed Jobs API. The API uses IAM auth, which a browser cannot sign for, so this
 * small loopback server serves the dashboard page and forwards its read-only API calls (GET /jobs/…, /queues…) to the
 * deployed endpoint, signed with SigV4 (service `execute-api`) using the caller's AWS credentials (the SDK's
 * default chain: env, profile, SSO…). Nothing else is forwarded; the credentials never reach the browser.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { z } from "zod";
import { apiGetRequest, apiSigner, type Credentials } from "../cli/api-client";
import { codesJson } from "../twin/server";

export { regionOfEndpoint, type Credentials } from "../cli/api-client";

export interface DashboardProxyOptions {
  /** Base URL of the deployed Jobs API, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com */
  endpoint: string;
  region: string;
  credentials: Credentials | (() => Promise<Credentials>);
  port?: number;
  /** Injected for tests; default global fetch. */
  fetchImpl?: typeof fetch;
}

const ENDPOINT_HINT = "--endpoint must be the Jobs API URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com";
export const EndpointSchema = z.string().refine((u) => {
  try {
    return /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
}, ENDPOINT_HINT);

const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/index.html": ["index.html", "text/html; charset=utf-8"],
  "/dashboard/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/dashboard/style.css": ["style.css", "text/css; charset=utf-8"],
};
/** Only the API's read paths are forwarded. */
const FORWARDED = /^\/(jobs\/[^/]+|queues(\/[^/]+)?)$/;

export async function startDashboardProxy(opts: DashboardProxyOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const base = new URL(EndpointSchema.parse(opts.endpoint));
  const signer = apiSigner(opts.region, opts.credentials);
  const doFetch = opts.fetchImpl ?? fetch;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://proxy.local");
      const send = (status: number, type: string, body: Buffer | string) => {
        res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
        res.end(body);
      };
      try {
        if (req.method === "GET" && url.pathname === "/dashboard/codes.json") return send(200, "application/json", codesJson());
        const file = STATIC[url.pathname];
        if (req.method === "GET" && file) return send(200, file[1], fs.readFileSync(path.join(__dirname, file[0])));
        if (req.method !== "GET" || !FORWARDED.test(url.pathname)) {
          return send(404, "application/json", JSON.stringify({ message: `Not forwarded: ${req.method} ${url.pathname}` }));
        }
        const query: Record<string, string> = {};
        for (const [k, v] of url.searchParams) query[k] = v;
        const target = await apiGetRequest(base, url.pathname, query, signer);
        const upstream = await doFetch(target.url, { method: "GET", headers: target.headers });
        send(upstream.status, upstream.headers.get("content-type") ?? "application/json", Buffer.from(await upstream.arrayBuffer()));
      } catch (err) {
        send(502, "application/json", JSON.stringify({ message: `Could not reach the Jobs API: ${(err as Error).message}` }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === "EADDRINUSE" ? `Port ${opts.port} is already in use; pick another with --port.` : err.message)),
    );
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
