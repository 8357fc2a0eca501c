/**
 * The simulator's HTTP layer: reads each request, finds its operation (operations.ts), counts it, applies injected
 * faults and the configured latency, and writes the answer the way MediaConvert does — JSON bodies, errors as
 * `{ message }` with the error shape in `x-amzn-ErrorType`. Everything about jobs is the engine's.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Engine } from "./engine";
import { badRequest, notFound, ServiceError, statusOf } from "./errors";
import { findOperation } from "./operations";
import { OPERATION_NAMES, type Operation } from "./types";

export interface HttpLayer {
  endpoint: string;
  /** Requests served per operation (including failed ones). */
  calls: Record<Operation, number>;
  /** Requests served per job id, including failed ones. */
  callsFor(jobId: string): number;
  /** Delay before every answer (ms). */
  latencyMs: number;
  close(): Promise<void>;
}

function parseBody(raw: string): unknown {
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
}

export async function serveHttp(engine: Engine, opts: { port?: number; host?: string }): Promise<HttpLayer> {
  const host = opts.host ?? "127.0.0.1";
  const calls = Object.fromEntries(OPERATION_NAMES.map((name) => [name, 0])) as Record<Operation, number>;
  const jobCalls = new Map<string, number>();
  const state = { latencyMs: 0 };
  let endpoint = "";

  /** The response body of one request; throws a ServiceError (or anything else, answered as a 500). */
  const answer = async (req: http.IncomingMessage, raw: string): Promise<{ status: number; body: unknown }> => {
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    const body = parseBody(raw);
    const found = findOperation(req.method, path);
    if (!found) throw notFound(`The MediaConvert simulator does not serve ${req.method} ${path}; it serves ${OPERATION_NAMES.join(", ")}.`);
    const { op, rawParam } = found;
    const pathParam = rawParam === undefined ? undefined : decodeURIComponent(rawParam);
    const jobId = op.jobPath ? pathParam : undefined;
    calls[op.name]++;
    if (jobId !== undefined) jobCalls.set(jobId, (jobCalls.get(jobId) ?? 0) + 1);
    engine.takeFault(op.name, jobId);
    return { status: op.status, body: await op.handle(engine, { body, query: url.searchParams, pathParam, endpoint }) };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
        res.end(text);
      };
      void (async () => {
        try {
          const { status, body } = await answer(req, Buffer.concat(chunks).toString("utf8"));
          return send(status, body);
        } catch (err) {
          if (err instanceof ServiceError) return send(statusOf(err), { message: err.message }, { "x-amzn-ErrorType": err.type });
          return send(
            500,
            { message: err instanceof Error ? err.message : String(err) },
            { "x-amzn-ErrorType": "InternalServerErrorException" },
          );
        }
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`Port ${opts.port} (for the MediaConvert simulator) is already in use. Stop whatever uses it or choose another port.`)
          : err,
      ),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    calls,
    callsFor: (jobId) => jobCalls.get(jobId) ?? 0,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await closed;
    },
  };
}
