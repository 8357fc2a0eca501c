import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";

/** Reads every record of a stream on kinesalite, all shards, from the start. */
export async function readAll(kinesis: KinesisClient, streamName: string): Promise<Array<{ partitionKey: string; data: string }>> {
  const out: Array<{ partitionKey: string; data: string }> = [];
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of shards.Shards ?? []) {
    let it = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }),
      )
    ).ShardIterator;
    for (let i = 0; it && i < 100; i++) {
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      for (const r of res.Records ?? []) out.push({ partitionKey: r.PartitionKey!, data: Buffer.from(r.Data!).toString("utf8") });
      if (!res.Records?.length) break;
      it = res.NextShardIterator;
    }
  }
  return out;
}
