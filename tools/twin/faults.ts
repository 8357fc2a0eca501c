/**
 * A fault-injecting HTTP proxy for the JSON-protocol stand-ins (DynamoDB Local, kinesalite, the local Firehose).
 * Put it between a client and a stand-in by pointing `MCJOBS_ENDPOINT_<SERVICE>` at `proxy.endpoint`; product code
 * cannot tell it from a bad day in AWS.
 *
 * Faults, each in the protocol's real shape so the SDK classifies them as it would in AWS:
 * - `throttle`: HTTP 400 with the service's throttling error (`ProvisionedThroughputExceededException` /
 *   `ThrottlingException`); the request is not applied.
 * - `5xx`: HTTP 500/503 with `InternalFailure` / `ServiceUnavailableException`; not applied.
 * - `timeout`: the connection hangs for `hangMs`, then is reset; not applied.
 * - `lost-reply`: the request IS applied upstream, then the connection is reset before the reply: the caller
 *   retries something that already happened (the case that double-counts when writes are not idempotent).
 * - `partial`: batch writes only (Kinesis PutRecords, Firehose PutRecordBatch, DynamoDB BatchWriteItem): a share
 *   of the entries is withheld from upstream and reported as failed in an otherwise successful reply
 *   (FailedRecordCount / FailedPutCount / UnprocessedItems). Other operations get `throttle` instead.
 * Decisions come from a seeded generator, so a failing run can be replayed with the same seed.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../../lib/domain/random";
import { contentType, forward, relay, serverError, throttleError } from "./fault-wire";

export type FaultKind = "throttle" | "5xx" | "timeout" | "lost-reply" | "partial";
export type ProxiedService = "dynamodb" | "kinesis" | "firehose";

export interface FaultProxyOptions {
  service: ProxiedService;
  /** Upstream endpoint, e.g. http://127.0.0.1:8000. */
  target: string;
  /** Share of calls that get a fault (0..1). */
  rate: number;
  /** Faults to pick from (uniformly); default all. */
  kinds?: FaultKind[];
  /** Only these operations (x-amz-target suffix, e.g. "PutRecords"); default all but the read-only describe/list calls. */
  operations?: string[];
  /** Share of entries failed in a `partial` fault (default 0.3, at least one entry). */
  partialShare?: number;
  /** How long a `timeout` / `lost-reply` connection hangs before the reset (default 300 ms). */
  hangMs?: number;
  seed?: number;
  /** Stop injecting after this many faults (default: no limit). */
  maxFaults?: number;
}

export interface FaultStats {
  calls: number;
  forwarded: number;
  injected: Record<FaultKind, number>;
  /** Batch entries reported as failed by `partial` faults. */
  entriesFailed: number;
  byOperation: Record<string, number>;
}

export interface FaultProxy {
  endpoint: string;
  stats(): FaultStats;
  /** Change the fault rate on the fly (0 turns faults off). */
  setRate(rate: number): void;
  stop(): Promise<void>;
}

export { seededRandom };

const READ_ONLY = /^(Describe|List)/;

/** Picks which entries of a batch fail: at least one, never all-but-zero when the batch has one entry. */
function pickFailed(n: number, share: number, r: () => number): Set<number> {
  const failed = new Set<number>();
  for (let i = 0; i < n; i++) if (r() < share) failed.add(i);
  if (failed.size === 0 && n > 0) failed.add(Math.floor(r() * n));
  return failed;
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const random = seededRandom(opts.seed ?? 1);
  const kinds = opts.kinds?.length ? opts.kinds : (["throttle", "5xx", "timeout", "lost-reply", "partial"] as FaultKind[]);
  const hangMs = opts.hangMs ?? 300;
  const share = opts.partialShare ?? 0.3;
  let rate = opts.rate;
  const stats: FaultStats = {
    calls: 0,
    forwarded: 0,
    injected: { throttle: 0, "5xx": 0, timeout: 0, "lost-reply": 0, partial: 0 },
    entriesFailed: 0,
    byOperation: {},
  };
  const sockets = new Set<import("node:net").Socket>();

  const sendJson = (res: http.ServerResponse, status: number, payload: unknown, extra: http.OutgoingHttpHeaders = {}) => {
    const body = Buffer.from(JSON.stringify(payload));
    res.writeHead(status, {
      "content-type": contentType(opts.service),
      "content-length": body.byteLength,
      "x-amzn-requestid": `fault-${stats.calls}`,
      ...extra,
    });
    res.end(body);
  };
  const hangThenReset = (req: http.IncomingMessage) =>
    new Promise<void>((resolve) =>
      setTimeout(() => {
        req.socket.destroy();
        resolve();
      }, hangMs),
    );

  async function partial(op: string, req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<boolean> {
    const body = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
    if (opts.service === "kinesis" && op === "PutRecords" && Array.isArray(body.Records) && body.Records.length > 0) {
      const failed = pickFailed(body.Records.length, share, random);
      const keep = body.Records.filter((_, i) => !failed.has(i));
      let upRecords: unknown[] = [];
      if (keep.length > 0) {
        const up = await forward(target, req, Buffer.from(JSON.stringify({ ...body, Records: keep })));
        if (up.status !== 200) {
          relay(res, up);
          return true;
        }
        upRecords = (JSON.parse(up.body.toString("utf8")) as { Records: unknown[] }).Records;
      }
      let k = 0;
      let failedCount = 0;
      const records = body.Records.map((_, i) => {
        if (failed.has(i)) {
          failedCount++;
          return { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000000." };
        }
        const r = upRecords[k++] as { ErrorCode?: string };
        if (r?.ErrorCode) failedCount++;
        return r;
      });
      stats.entriesFailed += failed.size;
      sendJson(res, 200, { FailedRecordCount: failedCount, Records: records });
      return true;
    }
    if (opts.service === "firehose" && op === "PutRecordBatch" && Array.isArray(body.Records) && body.Records.length > 0) {
      const failed = pickFailed(body.Records.length, share, random);
      const keep = body.Records.filter((_, i) => !failed.has(i));
      let upResponses: unknown[] = [];
      if (keep.length > 0) {
        const up = await forward(target, req, Buffer.from(JSON.stringify({ ...body, Records: keep })));
        if (up.status !== 200) {
          relay(res, up);
          return true;
        }
        upResponses = (JSON.parse(up.body.toString("utf8")) as { RequestResponses: unknown[] }).RequestResponses;
      }
      let k = 0;
      let failedCount = 0;
      const responses = body.Records.map((_, i) => {
        if (failed.has(i)) {
          failedCount++;
          return { ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down." };
        }
        const r = upResponses[k++] as { ErrorCode?: string };
        if (r?.ErrorCode) failedCount++;
        return r;
      });
      stats.entriesFailed += failed.size;
      sendJson(res, 200, { FailedPutCount: failedCount, Encrypted: true, RequestResponses: responses });
      return true;
    }
    if (opts.service === "dynamodb" && op === "BatchWriteItem" && body.RequestItems && typeof body.RequestItems === "object") {
      const all = Object.entries(body.RequestItems as Record<string, unknown[]>).flatMap(([table, reqs]) =>
        reqs.map((r) => ({ table, r })),
      );
      if (all.length === 0) return false;
      const failed = pickFailed(all.length, share, random);
      const keep: Record<string, unknown[]> = {};
      const unprocessed: Record<string, unknown[]> = {};
      for (const [i, { table, r }] of all.entries()) {
        const into = failed.has(i) ? unprocessed : keep;
        into[table] ??= [];
        into[table].push(r);
      }
      let upUnprocessed: Record<string, unknown[]> = {};
      if (Object.keys(keep).length > 0) {
        const up = await forward(target, req, Buffer.from(JSON.stringify({ ...body, RequestItems: keep })));
        if (up.status !== 200) {
          relay(res, up);
          return true;
        }
        upUnprocessed = (JSON.parse(up.body.toString("utf8")) as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems ?? {};
      }
      for (const [t, rs] of Object.entries(upUnprocessed)) {
        unprocessed[t] ??= [];
        unprocessed[t].push(...rs);
      }
      stats.entriesFailed += failed.size;
      sendJson(res, 200, { UnprocessedItems: unprocessed });
      return true;
    }
    return false;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const op = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
        stats.calls++;
        stats.byOperation[op] = (stats.byOperation[op] ?? 0) + 1;
        const eligible = opts.operations ? opts.operations.includes(op) : !READ_ONLY.test(op);
        let kind: FaultKind | undefined;
        const injectedSoFar = Object.values(stats.injected).reduce((a, b) => a + b, 0);
        const underLimit = opts.maxFaults === undefined || injectedSoFar < opts.maxFaults;
        if (eligible && underLimit && rate > 0 && random() < rate) kind = kinds[Math.floor(random() * kinds.length)];
        try {
          if (kind === "partial") {
            if (await partial(op, req, res, raw)) {
              stats.injected.partial++;
              return;
            }
            kind = "throttle";
          }
          if (kind === "throttle" || kind === "5xx") {
            stats.injected[kind]++;
            const e = kind === "throttle" ? throttleError(opts.service, op) : serverError(opts.service, random);
            sendJson(res, e.status, { __type: e.type, message: e.message });
            return;
          }
          if (kind === "timeout") {
            stats.injected.timeout++;
            await hangThenReset(req);
            return;
          }
          const up = await forward(target, req, raw);
          stats.forwarded++;
          if (kind === "lost-reply") {
            stats.injected["lost-reply"]++;
            await hangThenReset(req);
            return;
          }
          relay(res, up);
        } catch (err) {
          if (!res.headersSent)
            sendJson(res, 502, { __type: "InternalFailure", message: `fault proxy: upstream failed: ${(err as Error).message}` });
        }
      })();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => JSON.parse(JSON.stringify(stats)) as FaultStats,
    setRate(r) {
      rate = r;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
