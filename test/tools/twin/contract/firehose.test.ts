/**
 * Contract: our Firehose stand-in (tools/twin/firehose/) against the real SDK v3 Firehose client, for the
 * operations the history consumers and the twin use, and every rejection Firehose makes for them: exception
 * name, HTTP status and the service's wording. We own this stand-in, so it has no "differs from AWS" entries:
 * where it does not answer as Firehose does, it is fixed.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  type PutRecordBatchCommandInput,
} from "@aws-sdk/client-firehose";
import { startLocalFirehose, type LocalFirehose } from "../../../../tools/twin/firehose/server";
import { anyCredentials, failsAs } from "./aws-answers";

const row = (n: number) => new TextEncoder().encode(`${JSON.stringify({ n })}\n`);

describe("contract: the local Firehose answers as Firehose does", () => {
  let dir: string;
  let fh: LocalFirehose;
  let firehose: FirehoseClient;
  const streams = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`s${String(i).padStart(2, "0")}`, "job_events" as const]));
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-contract-firehose-"));
    fh = await startLocalFirehose({ lakeDir: dir, streams: { ...streams, events: "job_events" }, region: "eu-west-1" });
    firehose = new FirehoseClient({ region: "eu-west-1", endpoint: fh.endpoint, credentials: anyCredentials() });
  });
  after(async () => {
    firehose?.destroy();
    await fh?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const batch = (input: Partial<PutRecordBatchCommandInput>) =>
    firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "events", Records: [], ...input }));

  it("takes a batch with a record id per record, a single record, and describes the stream", async () => {
    const out = await batch({ Records: [{ Data: row(1) }, { Data: row(2) }, { Data: row(3) }] });
    assert.equal(out.FailedPutCount, 0);
    assert.equal(out.RequestResponses?.length, 3);
    assert.ok(out.RequestResponses?.every((r) => typeof r.RecordId === "string" && r.RecordId.length > 0 && r.ErrorCode === undefined));
    assert.equal(new Set(out.RequestResponses?.map((r) => r.RecordId)).size, 3);
    const one = await firehose.send(new PutRecordCommand({ DeliveryStreamName: "events", Record: { Data: row(4) } }));
    assert.ok(one.RecordId);
    const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "events" }));
    assert.equal(d.DeliveryStreamDescription?.DeliveryStreamStatus, "ACTIVE");
    assert.equal(d.DeliveryStreamDescription?.DeliveryStreamARN, "arn:aws:firehose:eu-west-1:000000000000:deliverystream/events");
  });

  it("lists delivery streams by name, 10 at a time unless asked otherwise", async () => {
    const first = await firehose.send(new ListDeliveryStreamsCommand({}));
    assert.equal(first.DeliveryStreamNames?.length, 10);
    assert.equal(first.HasMoreDeliveryStreams, true);
    const rest = await firehose.send(
      new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName: first.DeliveryStreamNames?.at(-1), Limit: 100 }),
    );
    assert.deepEqual(rest.DeliveryStreamNames, ["s09", "s10", "s11"], "after events and s00…s08");
    assert.equal(rest.HasMoreDeliveryStreams, false);
    await failsAs(firehose.send(new ListDeliveryStreamsCommand({ Limit: 0 })), "ValidationException", 400);
  });

  it("refuses a batch of more than 500 records, or more than 4 MiB, taking none of it", async () => {
    const before = fh.stats.recordsIn;
    const many = Array.from({ length: 501 }, (_, i) => ({ Data: row(i) }));
    const tooMany = await failsAs(batch({ Records: many }), "ValidationException", 400);
    assert.match(
      tooMany.message,
      /^1 validation error detected: Value .* at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/,
    );
    const heavy = Array.from({ length: 5 }, () => ({ Data: new Uint8Array(1_000_000) }));
    assert.equal((await failsAs(batch({ Records: heavy }), "InvalidArgumentException", 400)).message, "Records size exceeds 4 MB limit");
    assert.equal(fh.stats.recordsIn, before);
    const justUnder = Array.from({ length: 4 }, () => ({ Data: new Uint8Array(1_000_000) }));
    assert.equal((await batch({ Records: justUnder })).FailedPutCount, 0, "4,000,000 bytes is within the limit");
  });

  it("refuses a record over 1,000 KiB, naming its position, in a batch and alone", async () => {
    const big = await failsAs(batch({ Records: [{ Data: row(1) }, { Data: new Uint8Array(1_024_001) }] }), "ValidationException", 400);
    assert.match(
      big.message,
      /at 'records\.2\.member\.data' failed to satisfy constraint: Member must have length less than or equal to 1024000$/,
    );
    const alone = firehose.send(new PutRecordCommand({ DeliveryStreamName: "events", Record: { Data: new Uint8Array(1_024_001) } }));
    assert.match((await failsAs(alone, "ValidationException", 400)).message, /at 'record\.data'/);
    assert.equal((await batch({ Records: [{ Data: new Uint8Array(1_024_000) }] })).FailedPutCount, 0, "exactly the limit is accepted");
  });

  it("refuses an empty batch and a malformed stream name, every problem in one message", async () => {
    assert.match((await failsAs(batch({ Records: [] }), "ValidationException", 400)).message, /at 'records' .*greater than or equal to 1$/);
    const both = await failsAs(batch({ DeliveryStreamName: "bad name!", Records: [] }), "ValidationException", 400);
    assert.match(
      both.message,
      /^2 validation errors detected: .*'deliveryStreamName' .*regular expression pattern: \[a-zA-Z0-9._-\]\+; .*'records'/,
    );
    await failsAs(batch({ DeliveryStreamName: "x".repeat(65), Records: [{ Data: row(1) }] }), "ValidationException", 400);
  });

  it("a stream that does not exist is ResourceNotFoundException, naming it", async () => {
    const missing = await failsAs(batch({ DeliveryStreamName: "nope", Records: [{ Data: row(1) }] }), "ResourceNotFoundException", 400);
    assert.match(missing.message, /^Firehose nope under account \d{12} not found\.$/);
    await failsAs(
      firehose.send(new PutRecordCommand({ DeliveryStreamName: "nope", Record: { Data: row(1) } })),
      "ResourceNotFoundException",
      400,
    );
    await failsAs(firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "nope" })), "ResourceNotFoundException", 400);
  });

  it("answers a request the SDK would never send as the JSON protocol does: SerializationException, UnknownOperationException", async () => {
    const call = async (target: string, body: string) => {
      const res = await fetch(fh.endpoint, {
        method: "POST",
        headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.1" },
        body,
      });
      return { status: res.status, body: (await res.json()) as { __type: string } };
    };
    assert.deepEqual((await call("Firehose_20150804.PutRecordBatch", "{not json")).body.__type, "SerializationException");
    const wrongType = await call(
      "Firehose_20150804.PutRecordBatch",
      JSON.stringify({ DeliveryStreamName: "events", Records: "all of them" }),
    );
    assert.deepEqual([wrongType.status, wrongType.body.__type], [400, "SerializationException"]);
    const unknown = await call("Firehose_20150804.DeleteDeliveryStream", "{}");
    assert.deepEqual([unknown.status, unknown.body.__type], [400, "UnknownOperationException"]);
  });
});
