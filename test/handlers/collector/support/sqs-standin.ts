/**
 * A minimal SQS endpoint for tests: speaks the AWS JSON 1.0 protocol the SQS client uses, answers SendMessage
 * (and SendMessageBatch) by keeping the messages in memory, and can be told to fail the next N calls with a 5xx.
 * No SQS emulator without install scripts is available, so this stands in for the service boundary only:
 * the collector's real SQS adapter and the real SDK client talk to it over HTTP.
 */
import { createHash, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface StoredMessage {
  queueUrl: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
}

export interface SqsStandIn {
  endpoint: string;
  messages: StoredMessage[];
  /** The next `n` requests fail with HTTP 500 (the SDK retries them). */
  failNext(n: number): void;
  requests: number;
  stop(): Promise<void>;
}

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

export async function startSqsStandIn(): Promise<SqsStandIn> {
  const messages: StoredMessage[] = [];
  let failures = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests++;
      const target = String(req.headers["x-amz-target"] ?? "");
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() });
        res.end(JSON.stringify(body));
      };
      if (failures > 0) {
        failures--;
        return reply(500, { __type: "com.amazonaws.sqs#InternalError", message: "injected failure" });
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(400, { __type: "com.amazonaws.sqs#InvalidRequest", message: "body is not JSON" });
      }
      const keep = (m: Record<string, unknown>) => {
        const body = String(m.MessageBody ?? "");
        messages.push({
          queueUrl: String(input.QueueUrl),
          body,
          attributes: (m.MessageAttributes ?? {}) as StoredMessage["attributes"],
        });
        return { MessageId: randomUUID(), MD5OfMessageBody: md5(body) };
      };
      if (target === "AmazonSQS.SendMessage") return reply(200, keep(input));
      if (target === "AmazonSQS.SendMessageBatch") {
        const entries = (input.Entries ?? []) as Array<Record<string, unknown>>;
        return reply(200, { Successful: entries.map((e) => ({ Id: e.Id, ...keep(e) })), Failed: [] });
      }
      return reply(400, { __type: "com.amazonaws.sqs#UnsupportedOperation", message: `${target} is not supported here` });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    messages,
    failNext(n) {
      failures = n;
    },
    get requests() {
      return requests;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
