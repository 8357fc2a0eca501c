/**
 * The twin's SNS, for the notifications topic: answers Publish in the AWS Query protocol the SDK v3 SNS client
 * speaks (a form-encoded POST, an XML answer), with SNS's checks and answers:
 *
 *   - TopicArn: an SNS topic ARN (else InvalidParameter, 400) of a topic this stand-in has (else NotFound, 404);
 *   - Message: required (else ValidationError, 400), not empty, at most 256 KB of UTF-8 (else InvalidParameter);
 *   - Subject: optional; printable ASCII starting with a letter, digit or punctuation mark, no line breaks or
 *     control characters, fewer than 100 characters (as the SNS API reference puts it; else InvalidParameter);
 *   - any other Action: InvalidAction, 400.
 *
 * Every accepted message is kept in memory (the latest 1000) and appended as one JSON line to `file`, which is
 * what the twin's `/twin/notifications` shows. `failNext` makes the next requests fail with a 500 InternalError
 * (the SDK retries those), for tests that need a publish to fail.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { isSnsTopicArn, partitionOfRegion } from "../../lib/domain/arns";
import { HOST } from "./ports";

/** One message SNS accepted. */
export interface PublishedMessage {
  at: number;
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
}

export interface LocalSns {
  endpoint: string;
  /** The ARN of topic `name` on this stand-in (it exists once `createTopic` made it). */
  topicArn(name: string): string;
  createTopic(name: string): string;
  /** Accepted messages, oldest first (the latest 1000). */
  messages: PublishedMessage[];
  /** The next `n` requests fail with HTTP 500 InternalError. */
  failNext(n: number): void;
  /** Publish requests received, accepted or not. */
  requests(): number;
  stop(): Promise<void>;
}

const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";
const KEPT = 1000;
export const MAX_MESSAGE_BYTES = 262_144;

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c);
}

class SnsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
  }
}

/** What is wrong with a Subject, in SNS's words; undefined when it is accepted. */
export function subjectProblem(subject: string): string | undefined {
  if (subject.length === 0) return "Invalid parameter: Subject";
  if (subject.length >= 100) return "Invalid parameter: Subject";
  if (!/^[\x20-\x7e]*$/.test(subject)) return "Invalid parameter: Subject";
  if (!/^[A-Za-z0-9\p{P}\p{S}]/u.test(subject)) return "Invalid parameter: Subject";
  return undefined;
}

export async function startLocalSns(opts: { region: string; accountId?: string; file: string; port?: number }): Promise<LocalSns> {
  const account = opts.accountId ?? "000000000000";
  const partition = partitionOfRegion(opts.region);
  const topics = new Set<string>();
  const messages: PublishedMessage[] = [];
  let failures = 0;
  let requests = 0;
  const topicArn = (name: string) => `arn:${partition}:sns:${opts.region}:${account}:${name}`;

  const publish = (form: URLSearchParams): PublishedMessage => {
    const arn = form.get("TopicArn") ?? form.get("TargetArn");
    if (arn === null)
      throw new SnsError(400, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
    if (!isSnsTopicArn(arn)) throw new SnsError(400, "InvalidParameter", "Invalid parameter: TopicArn");
    if (!topics.has(arn)) throw new SnsError(404, "NotFound", "Topic does not exist");
    const message = form.get("Message");
    if (message === null) {
      throw new SnsError(
        400,
        "ValidationError",
        "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
      );
    }
    if (message.length === 0) throw new SnsError(400, "InvalidParameter", "Invalid parameter: Empty message");
    if (Buffer.byteLength(message, "utf8") > MAX_MESSAGE_BYTES)
      throw new SnsError(400, "InvalidParameter", "Invalid parameter: Message too long");
    const subject = form.get("Subject") ?? undefined;
    if (subject !== undefined) {
      const problem = subjectProblem(subject);
      if (problem) throw new SnsError(400, "InvalidParameter", problem);
    }
    const kept: PublishedMessage = {
      at: Date.now(),
      messageId: randomUUID(),
      topicArn: arn,
      ...(subject !== undefined ? { subject } : {}),
      message,
    };
    messages.push(kept);
    if (messages.length > KEPT) messages.splice(0, messages.length - KEPT);
    fs.appendFileSync(opts.file, `${JSON.stringify(kept)}\n`);
    return kept;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const requestId = randomUUID();
      const send = (status: number, body: string) => {
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": requestId });
        res.end(body);
      };
      const fail = (e: SnsError) =>
        send(
          e.status,
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${e.type}</Type><Code>${e.code}</Code>` +
            `<Message>${xmlEscape(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const action = form.get("Action") ?? "";
      if (action === "Publish") requests++;
      if (failures > 0) {
        failures--;
        return fail(new SnsError(500, "InternalError", "Internal failure (injected by the twin)", "Receiver"));
      }
      if (req.method !== "POST" || action !== "Publish") {
        return fail(new SnsError(400, "InvalidAction", `The action ${action || "(none)"} is not valid for this endpoint.`));
      }
      try {
        const kept = publish(form);
        send(
          200,
          `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${kept.messageId}</MessageId></PublishResult>` +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
        );
      } catch (err) {
        if (err instanceof SnsError) return fail(err);
        fail(new SnsError(500, "InternalError", (err as Error).message, "Receiver"));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, HOST, () => resolve());
  });
  return {
    endpoint: `http://${HOST}:${(server.address() as AddressInfo).port}`,
    topicArn,
    createTopic(name) {
      const arn = topicArn(name);
      topics.add(arn);
      return arn;
    },
    messages,
    failNext(n) {
      failures = n;
    },
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
