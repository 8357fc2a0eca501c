/**
 * A small client for the Jobs API used by `mcjobs jobs`: GET with SigV4 (service `execute-api`, signed by
 * @smithy/signature-v4 with the caller's credentials from the SDK's default chain) or unsigned for the local twin,
 * and a helper that follows nextToken. Errors from the API come back as `ApiCallError` with its code and message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ApiClientOptions {
  /** Base URL of the API, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com or http://127.0.0.1:8780 */
  endpoint: string;
  /** Sign requests (required for a deployed API; the local twin does not check). */
  sign: boolean;
  region?: string;
  credentials?: () => Promise<Credentials>;
  fetchImpl?: typeof fetch;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

/** The API's JSON as read here: any field may be missing, so callers check each one they use. */
// biome-ignore lint/suspicious/noExplicitAny: JSON from the API, checked field by field where it is read
export type ApiJson = Record<string, any>;

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiCallError";
  }
}

export function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);
}

/** The region in an execute-api host name, if any. */
export function regionOfEndpoint(endpoint: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(endpoint).hostname)?.[1];
}

/** The running local twin's API URL, from `<dir>/twin.json` (written by `mcjobs start`). */
export function twinApiUrl(dir: string): string | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(dir, "twin.json"), "utf8")) as { apiUrl?: unknown };
    return typeof state.apiUrl === "string" ? state.apiUrl : undefined;
  } catch {
    return undefined;
  }
}

/** A SigV4 signer for the Jobs API (service `execute-api`). */
export function apiSigner(region: string, credentials: Credentials | (() => Promise<Credentials>)): SignatureV4 {
  return new SignatureV4({
    service: "execute-api",
    region,
    credentials: typeof credentials === "function" ? credentials : async () => credentials,
    sha256: Sha256,
  });
}

/**
 * The URL and headers of `GET <base path><route>?<query>`, signed when a signer is given. The `host` header is
 * signed but left out of the returned headers (fetch sets it from the URL).
 */
export async function apiGetRequest(
  base: URL,
  route: string,
  query: Record<string, string>,
  signer?: SignatureV4,
): Promise<{ url: URL; headers: Record<string, string> }> {
  const pathname = `${base.pathname.replace(/\/$/, "")}${route}`;
  let headers: Record<string, string> = { host: base.host, accept: "application/json" };
  if (signer) {
    const signed = await signer.sign({
      method: "GET",
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path: pathname,
      query,
      headers,
    });
    headers = signed.headers as Record<string, string>;
  }
  const url = new URL(pathname, base);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const { host: _host, ...rest } = headers;
  return { url, headers: rest };
}

export function apiClient(opts: ApiClientOptions) {
  const base = new URL(opts.endpoint);
  const doFetch = opts.fetchImpl ?? fetch;
  let signer: SignatureV4 | undefined;
  if (opts.sign) {
    if (!opts.region) throw new Error("cannot sign without a region: pass --region (or use an execute-api URL, which names it)");
    if (!opts.credentials) throw new Error("cannot sign without credentials");
    signer = apiSigner(opts.region, opts.credentials);
  }

  async function get(route: string, query: Record<string, string | undefined> = {}): Promise<ApiJson> {
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q[k] = v;
    const { url, headers: sendHeaders } = await apiGetRequest(base, route, q, signer);
    let res: Response;
    try {
      res = await doFetch(url, { headers: sendHeaders, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
    } catch (err) {
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a timeout…).
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message;
      throw new Error(`cannot reach the Jobs API at ${base.origin}: ${(err as Error).message}${why ? ` (${why})` : ""}`);
    }
    const text = await res.text();
    let body: ApiJson;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiCallError(res.status, "NotJson", `HTTP ${res.status} from ${base.origin}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      // Our API: { error: { code, message } }; API Gateway itself (403 on a bad signature): { message }.
      const code = body?.error?.code ?? (res.status === 403 ? "Forbidden" : `HTTP${res.status}`);
      const message = body?.error?.message ?? body?.message ?? text.slice(0, 200);
      throw new ApiCallError(res.status, code, message);
    }
    return body;
  }

  return {
    get,
    /** Every page of a listing (follows nextToken), or just the first. */
    async listJobs(
      status: string,
      query: Record<string, string | undefined>,
      all: boolean,
    ): Promise<{ pages: ApiJson[]; jobs: ApiJson[] }> {
      const pages: ApiJson[] = [];
      let token: string | undefined;
      do {
        const page = await get(`/jobs/${encodeURIComponent(status)}`, { ...query, nextToken: token });
        pages.push(page);
        token = all ? page.nextToken : undefined;
      } while (token);
      return { pages, jobs: pages.flatMap((p) => p.jobs ?? []) };
    },
  };
}
