/**
 * Local Firehose endpoint: the smallest faithful stand-in for Amazon Data Firehose's JSON protocol
 * (`Firehose_20150804.PutRecordBatch`, `PutRecord`, `DescribeDeliveryStream`, `ListDeliveryStreams`) for delivery
 * streams that convert JSON to Parquet, as the HistoryLake component configures them in AWS.
 *
 * - Records are buffered per stream and flushed when the buffer reaches `bufferBytes`, every `bufferIntervalMs`,
 *   or on `flush()` / `stop()`.
 * - Each flush writes one Parquet file (via DuckDB `COPY … (FORMAT parquet)`) with exactly the dataset's columns
 *   and types from lib/domain/history.ts, under `<dataset>/dt=YYYY-MM-DD/` of the lake dir — the same prefix the
 *   real stream expands from `!{timestamp:yyyy-MM-dd}` (arrival day, UTC).
 * - A record that is not JSON or does not fit the schema goes, like in AWS, to the error prefix
 *   `errors/<dataset>/format-conversion-failed/dt=…/` as a JSON line with the base64 raw data and the reason.
 *   (Stricter than AWS on one point, on purpose: an unknown key is an error here, so schema drift shows in tests.)
 * - Requests are checked as Firehose checks them (requests.ts): ≤ 500 records and ≤ 4 MiB per batch, ≤ 1,000 KiB
 *   per record, a valid stream name, answered with Firehose's exception names.
 * - `faults.recordFailureRate` (or `faults.rejectRecord`) makes records fail inside an otherwise successful
 *   PutRecordBatch (FailedPutCount > 0), to exercise the callers' per-record retry.
 *
 * Local twin and tests only; product code reaches it solely through `MCJOBS_ENDPOINT_FIREHOSE`.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { DATASETS, DUCKDB_TYPES, rowSchema, schemaFingerprint, utcDay, type DatasetName } from "../../../lib/domain/history";
import { describeRequest, FirehoseError, listRequest, putRecordBatchRequest, putRecordRequest } from "./requests";

export interface LocalFirehoseOptions {
  /** Root of the local lake (created if missing). */
  lakeDir: string;
  /** Delivery stream name → dataset it feeds. */
  streams: Record<string, DatasetName>;
  /** Flush a stream's buffer at least this often (default 60 s, like the service's minimum; tests call flush()). */
  bufferIntervalMs?: number;
  /** Flush when a stream's buffer holds this many bytes (default 5 MiB). */
  bufferBytes?: number;
  port?: number;
  region?: string;
  /** Arrival clock (epoch ms), for the dt partition. */
  now?: () => number;
  faults?: {
    recordFailureRate?: number;
    random?: () => number;
    /** Reject exactly the records this returns true for (per attempt), e.g. by content. */
    rejectRecord?: (stream: string, data: Buffer) => boolean;
  };
}

export interface LocalFirehoseStats {
  calls: number;
  recordsIn: number;
  recordsRejected: number;
  filesWritten: number;
  rowsWritten: number;
  errorRows: number;
}

export interface LocalFirehose {
  endpoint: string;
  env: Record<string, string>;
  stats: LocalFirehoseStats;
  /** Write every buffered record now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

interface Buffered {
  data: Buffer;
  arrival: number;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export async function startLocalFirehose(opts: LocalFirehoseOptions): Promise<LocalFirehose> {
  const lakeDir = path.resolve(opts.lakeDir);
  fs.mkdirSync(lakeDir, { recursive: true });
  const region = opts.region ?? "us-east-1";
  const now = opts.now ?? Date.now;
  const bufferBytes = opts.bufferBytes ?? 5 * 1024 * 1024;
  const bufferIntervalMs = opts.bufferIntervalMs ?? 60_000;
  const random = opts.faults?.random ?? Math.random;
  const failureRate = opts.faults?.recordFailureRate ?? 0;
  const stats: LocalFirehoseStats = { calls: 0, recordsIn: 0, recordsRejected: 0, filesWritten: 0, rowsWritten: 0, errorRows: 0 };

  const db = await DuckDBInstance.create(":memory:");
  const conn: DuckDBConnection = await db.connect();
  const buffers = new Map<string, { items: Buffered[]; bytes: number }>();
  for (const name of Object.keys(opts.streams)) buffers.set(name, { items: [], bytes: 0 });
  const tmpDir = fs.mkdtempSync(path.join(lakeDir, ".firehose-tmp-"));
  let fileSeq = 0;
  // Flushes run one at a time (one DuckDB connection), in order.
  let chain: Promise<void> = Promise.resolve();

  const arnOf = (name: string) => `arn:aws:firehose:${region}:000000000000:deliverystream/${name}`;

  async function writeStream(name: string, items: Buffered[]): Promise<void> {
    const dataset = opts.streams[name];
    const def = DATASETS[dataset];
    const schema = rowSchema(dataset);
    const good = new Map<string, string[]>(); // dt → JSON lines
    const bad = new Map<string, string[]>();
    for (const item of items) {
      const dt = utcDay(item.arrival);
      // One record may hold several newline-separated JSON documents (as with the OpenX JSON SerDe).
      const docs = item.data
        .toString("utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
      for (const doc of docs) {
        let reason: string | undefined;
        try {
          const parsed = schema.safeParse(JSON.parse(doc));
          if (!parsed.success) reason = parsed.error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.message}`).join("; ");
        } catch (err) {
          reason = `not JSON: ${(err as Error).message}`;
        }
        if (reason === undefined) {
          (good.get(dt) ?? good.set(dt, []).get(dt)!).push(doc);
        } else {
          const line = JSON.stringify({
            attemptsMade: 1,
            arrivalTimestamp: item.arrival,
            errorCode: "DataFormatConversion.MalformedData",
            errorMessage: reason,
            rawData: Buffer.from(doc).toString("base64"),
            deliveryStreamARN: arnOf(name),
          });
          (bad.get(dt) ?? bad.set(dt, []).get(dt)!).push(line);
        }
      }
    }
    const stamp = new Date(now()).toISOString().replace(/[-:T]/g, "").slice(0, 14);
    const columns = `{${def.columns.map((c) => `${sqlString(c.name)}: ${sqlString(DUCKDB_TYPES[c.type])}`).join(", ")}}`;
    const select = def.columns.map((c) => `"${c.name}"`).join(", ");
    for (const [dt, lines] of good) {
      const dir = path.join(lakeDir, dataset, `dt=${dt}`);
      fs.mkdirSync(dir, { recursive: true });
      const base = `${name}-${stamp}-${String(++fileSeq).padStart(6, "0")}-s${schemaFingerprint(dataset)}-${crypto.randomUUID()}`;
      const tmp = path.join(tmpDir, `${base}.json`);
      fs.writeFileSync(tmp, `${lines.join("\n")}\n`);
      const partial = path.join(tmpDir, `${base}.parquet`);
      try {
        await conn.run(
          `COPY (SELECT ${select} FROM read_json(${sqlString(tmp)}, format = 'newline_delimited', columns = ${columns})) ` +
            `TO ${sqlString(partial)} (FORMAT parquet, COMPRESSION snappy)`,
        );
        // Appear atomically in the lake, as an S3 object would.
        fs.renameSync(partial, path.join(dir, `${base}.parquet`));
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      stats.filesWritten++;
      stats.rowsWritten += lines.length;
    }
    for (const [dt, lines] of bad) {
      const dir = path.join(lakeDir, "errors", dataset, "format-conversion-failed", `dt=${dt}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, `${name}-${stamp}-${String(++fileSeq).padStart(6, "0")}-${crypto.randomUUID()}`),
        `${lines.join("\n")}\n`,
      );
      stats.errorRows += lines.length;
    }
  }

  function scheduleFlush(names: string[]): Promise<void> {
    const run = async () => {
      for (const name of names) {
        const buf = buffers.get(name)!;
        if (buf.items.length === 0) continue;
        const items = buf.items;
        buf.items = [];
        buf.bytes = 0;
        await writeStream(name, items);
      }
    };
    chain = chain.then(run, run);
    return chain;
  }

  function accept(name: string, data: Buffer): void {
    const buf = buffers.get(name)!;
    buf.items.push({ data, arrival: now() });
    buf.bytes += data.byteLength;
    if (buf.bytes >= bufferBytes) void scheduleFlush([name]).catch(() => undefined);
  }

  function known(name: string): string {
    if (!buffers.has(name)) throw new FirehoseError("ResourceNotFoundException", `Firehose ${name} under account 000000000000 not found.`);
    return name;
  }

  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    PutRecordBatch(body) {
      const { stream, records } = putRecordBatchRequest(body);
      const name = known(stream);
      let failed = 0;
      const responses = records.map((d) => {
        stats.recordsIn++;
        if ((failureRate > 0 && random() < failureRate) || opts.faults?.rejectRecord?.(name, d)) {
          failed++;
          stats.recordsRejected++;
          return { ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down." };
        }
        accept(name, d);
        return { RecordId: crypto.randomBytes(28).toString("hex") };
      });
      return { FailedPutCount: failed, Encrypted: true, RequestResponses: responses };
    },
    PutRecord(body) {
      const { stream, data } = putRecordRequest(body);
      const name = known(stream);
      stats.recordsIn++;
      accept(name, data);
      return { RecordId: crypto.randomBytes(28).toString("hex"), Encrypted: true };
    },
    DescribeDeliveryStream(body) {
      const name = known(describeRequest(body).stream);
      return {
        DeliveryStreamDescription: {
          DeliveryStreamName: name,
          DeliveryStreamARN: arnOf(name),
          DeliveryStreamStatus: "ACTIVE",
          DeliveryStreamType: "DirectPut",
          VersionId: "1",
          HasMoreDestinations: false,
          Destinations: [],
        },
      };
    },
    ListDeliveryStreams(body) {
      const { limit, type, after } = listRequest(body);
      const names = type && type !== "DirectPut" ? [] : [...buffers.keys()].sort().filter((n) => after === undefined || n > after);
      return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const reply = (status: number, payload: unknown) => {
        const body = JSON.stringify(payload);
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": crypto.randomUUID() });
        res.end(body);
      };
      try {
        const target = String(req.headers["x-amz-target"] ?? "");
        const [prefix, op] = target.split(".");
        if (prefix !== "Firehose_20150804" || !op || !handlers[op]) {
          throw new FirehoseError(
            "UnknownOperationException",
            `Operation ${target || "(none)"} is not supported by the local Firehose endpoint.`,
          );
        }
        stats.calls++;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        } catch {
          throw new FirehoseError("SerializationException", "Request body is not valid JSON.");
        }
        reply(200, handlers[op](body));
      } catch (err) {
        const e = err instanceof FirehoseError ? err : new FirehoseError("InternalFailure", String(err), 500);
        reply(e.status, { __type: e.type, message: e.message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const timer = setInterval(() => void scheduleFlush([...buffers.keys()]).catch(() => undefined), bufferIntervalMs);
  timer.unref();

  return {
    endpoint,
    env: { MCJOBS_ENDPOINT_FIREHOSE: endpoint },
    stats,
    flush: () => scheduleFlush([...buffers.keys()]),
    async stop() {
      clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await scheduleFlush([...buffers.keys()]);
      conn.closeSync();
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}
