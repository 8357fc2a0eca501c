/**
 * Contract: kinesalite, as the twin starts it, against the real SDK v3 Kinesis client (HTTP/1.1 handler, as
 * lib/adapters/clients.ts builds it), for the operations the collector and the twin's stream pollers use, and
 * the rejections Kinesis makes. Where kinesalite does not do what Kinesis does, a passing test pins the difference.
 */
import { strict as assert } from "node:assert";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createStream, startStandIns, type StandIns } from "../../../../tools/twin/standins";
import { anyCredentials, failsAs } from "./aws-answers";

const STREAM = "contract-jobs";

describe("contract: kinesalite answers as Kinesis does", function () {
  this.timeout(60_000);
  let standIns: StandIns;
  let kinesis: KinesisClient;
  before(async () => {
    standIns = await startStandIns({ services: ["kinesis"] });
    kinesis = new KinesisClient({
      region: "eu-west-1",
      endpoint: standIns.endpoints.kinesis,
      credentials: anyCredentials(),
      requestHandler: new NodeHttpHandler(),
    });
    await createStream(STREAM, standIns.env, 2);
  });
  after(async () => {
    kinesis?.destroy();
    await standIns?.stop();
  });

  const shardIds = async () =>
    (await kinesis.send(new ListShardsCommand({ StreamName: STREAM }))).Shards?.map((s) => s.ShardId ?? "") ?? [];

  it("describes the stream and lists its shards; a stream that exists cannot be created again", async () => {
    const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
    assert.equal(d.StreamDescriptionSummary?.StreamStatus, "ACTIVE");
    assert.equal(d.StreamDescriptionSummary?.OpenShardCount, 2);
    assert.match(d.StreamDescriptionSummary?.StreamARN ?? "", /^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/contract-jobs$/);
    assert.equal((await shardIds()).length, 2);
    await failsAs(kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 })), "ResourceInUseException", 400);
  });

  it("takes a batch, answers a sequence number per record in order, and reads it back from TRIM_HORIZON and after a sequence number", async () => {
    const records: PutRecordsRequestEntry[] = Array.from({ length: 20 }, (_, i) => ({ Data: Buffer.from(`r${i}`), PartitionKey: "job-1" }));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: STREAM, Records: records }));
    assert.equal(put.FailedRecordCount, 0);
    assert.equal(put.Records?.length, 20);
    const shard = put.Records?.[0].ShardId ?? "";
    assert.ok(
      put.Records?.every((r) => r.ShardId === shard && /^\d+$/.test(r.SequenceNumber ?? "")),
      "one partition key, one shard",
    );
    const seqs = put.Records?.map((r) => BigInt(r.SequenceNumber ?? "0")) ?? [];
    assert.ok(
      seqs.every((s, i) => i === 0 || s > seqs[i - 1]),
      "sequence numbers grow in the order sent",
    );

    const read = async (it: string | undefined) => {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
      assert.ok(out.NextShardIterator, "an open shard always has a next iterator");
      assert.equal(typeof out.MillisBehindLatest, "number");
      return out.Records?.map((r) => Buffer.from(r.Data ?? []).toString()) ?? [];
    };
    const horizon = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }),
    );
    assert.deepEqual(
      await read(horizon.ShardIterator),
      records.map((r) => Buffer.from(r.Data ?? []).toString()),
    );
    const after = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: STREAM,
        ShardId: shard,
        ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
        StartingSequenceNumber: put.Records?.[17].SequenceNumber,
      }),
    );
    assert.deepEqual(await read(after.ShardIterator), ["r18", "r19"]);
    const single = await kinesis.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: "job-1", Data: Buffer.from("one") }));
    assert.ok(BigInt(single.SequenceNumber ?? "0") > seqs[19]);
  });

  it("a stream that does not exist is ResourceNotFoundException", async () => {
    await failsAs(
      kinesis.send(new PutRecordsCommand({ StreamName: "no-such-stream", Records: [{ Data: Buffer.from("x"), PartitionKey: "k" }] })),
      "ResourceNotFoundException",
      400,
    );
    await failsAs(kinesis.send(new ListShardsCommand({ StreamName: "no-such-stream" })), "ResourceNotFoundException", 400);
    await failsAs(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "no-such-stream" })), "ResourceNotFoundException", 400);
  });

  it("refuses what Kinesis refuses: over 500 records, a record over 1 MiB, a long partition key, Limit over 10000, a bad iterator", async () => {
    const many = Array.from({ length: 501 }, () => ({ Data: Buffer.from("x"), PartitionKey: "k" }));
    const tooMany = await failsAs(kinesis.send(new PutRecordsCommand({ StreamName: STREAM, Records: many })), "ValidationException", 400);
    assert.match(tooMany.message, /at 'records' failed to satisfy constraint: Member must have length less than or equal to 500/);
    const big = [{ Data: Buffer.alloc(1024 * 1024 + 1), PartitionKey: "k" }];
    assert.match(
      (await failsAs(kinesis.send(new PutRecordsCommand({ StreamName: STREAM, Records: big })), "ValidationException", 400)).message,
      /less than or equal to 1048576/,
    );
    const key = [{ Data: Buffer.from("x"), PartitionKey: "k".repeat(257) }];
    assert.match(
      (await failsAs(kinesis.send(new PutRecordsCommand({ StreamName: STREAM, Records: key })), "ValidationException", 400)).message,
      /less than or equal to 256/,
    );
    const [shard] = await shardIds();
    const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard, ShardIteratorType: "LATEST" }));
    await failsAs(kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 10_001 })), "ValidationException", 400);
    await failsAs(kinesis.send(new GetRecordsCommand({ ShardIterator: "bm90IGFuIGl0ZXJhdG9y" })), "InvalidArgumentException", 400);
    await failsAs(
      kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: "shardId-000000000099", ShardIteratorType: "LATEST" })),
      "ResourceNotFoundException",
      400,
    );
  });
});
