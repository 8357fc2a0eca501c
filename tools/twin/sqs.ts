/**
 * The twin's SQS, for dead-letter queues only: answers SendMessage / SendMessageBatch in the AWS JSON 1.0
 * protocol the SQS client speaks, and appends every message as one JSON line to `<dir>/<queue name>.jsonl`, so
 * poison events and failed stream records the handlers park stay on disk for a person to read.
 */
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export interface LocalSqs {
  endpoint: string;
  /** Queue URL for a queue name (account 000000000000). */
  queueUrl(name: string): string;
  /** Messages received per queue name since start. */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

export async function startLocalSqs(opts: { dir: string; port?: number }): Promise<LocalSqs> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const counts: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() });
        res.end(JSON.stringify(body));
      };
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return reply(400, { __type: "com.amazonaws.sqs#InvalidRequest", message: "The request body is not JSON." });
      }
      const name =
        String(input.QueueUrl ?? "")
          .split("/")
          .pop() ?? "";
      if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
        return reply(400, { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: `No queue at ${String(input.QueueUrl)}` });
      }
      const file = path.join(opts.dir, `${name}.jsonl`);
      const keep = (m: Record<string, unknown>) => {
        const body = String(m.MessageBody ?? "");
        const id = randomUUID();
        fs.appendFileSync(file, `${JSON.stringify({ messageId: id, at: Date.now(), body, attributes: m.MessageAttributes ?? {} })}\n`);
        counts[name] = (counts[name] ?? 0) + 1;
        return { MessageId: id, MD5OfMessageBody: md5(body) };
      };
      const target = String(req.headers["x-amz-target"] ?? "");
      if (target === "AmazonSQS.SendMessage") return reply(200, keep(input));
      if (target === "AmazonSQS.SendMessageBatch") {
        const entries = (Array.isArray(input.Entries) ? input.Entries : []) as Array<Record<string, unknown>>;
        return reply(200, { Successful: entries.map((e) => ({ Id: e.Id, ...keep(e) })), Failed: [] });
      }
      return reply(400, {
        __type: "com.amazonaws.sqs#UnsupportedOperation",
        message: `${target || "(no operation)"} is not supported by the twin's SQS.`,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl: (name) => `${endpoint}/000000000000/${name}`,
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
