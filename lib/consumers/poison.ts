/**
 * Poison stream records: a record that is not a valid stream record (not JSON, wrong shape, a value outside its
 * column type) can never be processed, and retrying it would stall the shard. It is logged with its sequence
 * number, sent to the dead-letter queue with the reason, and skipped.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import type { DeadLetterSink } from "../adapters/dead-letter";
import type { ConsumerLogger } from "./ports";

/** Parks a record that can never be processed; false when the dead-letter send failed (retry the record). */
export async function parkPoisonRecord(
  deps: { deadLetter?: DeadLetterSink; logger: ConsumerLogger },
  rec: KinesisStreamRecord,
  reason: string,
): Promise<boolean> {
  deps.logger.error("Skipping invalid stream record", {
    sequenceNumber: rec.kinesis.sequenceNumber,
    partitionKey: rec.kinesis.partitionKey,
    eventSourceARN: rec.eventSourceARN,
    reason,
  });
  if (!deps.deadLetter) return true;
  const text = Buffer.from(rec.kinesis.data, "base64").toString("utf8");
  try {
    await deps.deadLetter.send({
      kind: "malformed",
      reason: `stream record ${rec.kinesis.sequenceNumber} (${rec.eventSourceARN}): ${reason}`,
      raw: text,
      rejectedAt: Date.now(),
      jobId: rec.kinesis.partitionKey,
    });
    return true;
  } catch (err) {
    deps.logger.warn("Could not dead-letter an invalid record; it will be retried", {
      sequenceNumber: rec.kinesis.sequenceNumber,
      reason: err instanceof Error ? err.message : String(err),
    });
    return false;
  }
}
