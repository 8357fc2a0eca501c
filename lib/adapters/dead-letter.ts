/**
 * Where the collector parks events it cannot use (malformed JSON shapes, unknown statuses, detail-types it does
 * not handle): an SQS queue, one message per event, the original event as the body and the reason as message
 * attributes so a person can triage from the console without opening every body.
 *
 * The collector depends on the `DeadLetterSink` interface only; `sqsDeadLetter` is the AWS implementation.
 * A send that fails (after the SDK's retries) throws: the collector then fails the invocation and Lambda's
 * asynchronous retry (and the rule's own DLQ) keep the event, so a poison event is never dropped silently.
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** Why an event was rejected: the kinds of the domain's parseEvent. */
export type DeadLetterKind = "malformed" | "unknown-status" | "other-detail-type";

export interface DeadLetter {
  kind: DeadLetterKind;
  /** Why the event was rejected, in words a person can act on. */
  reason: string;
  /** The event exactly as received. */
  raw: unknown;
  /** Epoch ms when the collector rejected it. */
  rejectedAt: number;
  /** Best-effort identifiers pulled from the raw event, for triage. */
  eventId?: string;
  jobId?: string;
}

export interface DeadLetterSink {
  send(letter: DeadLetter): Promise<void>;
}

/** SQS limits a message (body + attributes) to 256 KiB; an EventBridge event is at most 256 KiB too. */
export const MAX_BODY_BYTES = 240 * 1024;
const MAX_ATTRIBUTE_CHARS = 1024;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The SQS message for a dead letter: body = the raw event (clipped if it would not fit), reason in attributes. */
export function toSqsMessage(queueUrl: string, letter: DeadLetter) {
  let body: string;
  try {
    body = typeof letter.raw === "string" ? letter.raw : (JSON.stringify(letter.raw) ?? String(letter.raw));
  } catch {
    body = String(letter.raw);
  }
  let truncated = false;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    body = Buffer.from(body).subarray(0, MAX_BODY_BYTES).toString("utf8");
    truncated = true;
  }
  if (body.length === 0) body = "(empty event)";
  const attr = (v: string) => ({ DataType: "String", StringValue: clip(v, MAX_ATTRIBUTE_CHARS) });
  return new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: body,
    MessageAttributes: {
      reason: attr(letter.reason || "(no reason given)"),
      kind: attr(letter.kind),
      rejectedAt: { DataType: "Number", StringValue: String(letter.rejectedAt) },
      ...(letter.eventId ? { eventId: attr(letter.eventId) } : {}),
      ...(letter.jobId ? { jobId: attr(letter.jobId) } : {}),
      ...(truncated ? { truncated: attr("true") } : {}),
    },
  });
}

export function sqsDeadLetter(client: SQSClient, queueUrl: string): DeadLetterSink {
  return {
    async send(letter) {
      await client.send(toSqsMessage(queueUrl, letter));
    },
  };
}

/**
 * Used only when no queue is configured (the local twin without an SQS stand-in): keeps the letters in memory and
 * hands each to `onLetter`. Never in AWS: inside a Lambda runtime the collector refuses to start without a queue URL.
 */
export function memoryDeadLetter(onLetter?: (l: DeadLetter) => void): DeadLetterSink & { letters: DeadLetter[] } {
  const letters: DeadLetter[] = [];
  return {
    letters,
    async send(letter) {
      letters.push(letter);
      onLetter?.(letter);
    },
  };
}
