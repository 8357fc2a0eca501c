import { strict as assert } from "node:assert";
import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandInput, type PutRecordsCommandOutput } from "@aws-sdk/client-kinesis";
import * as clients from "../../../lib/adapters/clients";
import { chunkForPutRecords, kinesisStreamWriter } from "../../../lib/adapters/stream";
import { createStream, startStandIns, type StandIns } from "../../../tools/twin/standins";
import { readAll } from "./support/kinesis-read";

/**
 * A client at the Kinesis boundary that rejects chosen records the way the service does under throttling
 * (per-record ErrorCode in a 200 answer), and passes the rest to the real client (kinesalite).
 */
function flakyClient(real: KinesisClient, rejectTimes: Map<string, number>, log: string[][]): KinesisClient {
  return {
    async send(cmd: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
      const input = cmd.input as PutRecordsCommandInput;
      const records = input.Records ?? [];
      log.push(records.map((r) => Buffer.from(r.Data!).toString("utf8")));
      const pass: number[] = [];
      const results: PutRecordsCommandOutput["Records"] = records.map((r, i) => {
        const key = Buffer.from(r.Data!).toString("utf8");
        const left = rejectTimes.get(key) ?? 0;
        if (left > 0) {
          rejectTimes.set(key, left - 1);
          return { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard" };
        }
        pass.push(i);
        return {};
      });
      if (pass.length) {
        const res = await real.send(new PutRecordsCommand({ StreamName: input.StreamName, Records: pass.map((i) => records[i]) }));
        for (const [j, i] of pass.entries()) results![i] = res.Records![j];
      }
      return { Records: results, FailedRecordCount: results!.filter((r) => r.ErrorCode).length, $metadata: {} };
    },
  } as unknown as KinesisClient;
}

describe("collector: Kinesis stream writer", () => {
  let standIns: StandIns;
  let kinesis: KinesisClient;
  before(async () => {
    standIns = await startStandIns({ services: ["kinesis"] });
    kinesis = clients.kinesis(standIns.env);
  });
  after(async () => {
    kinesis?.destroy();
    await standIns?.stop();
  });

  it("splits batches at 500 records and at 5 MiB, keeping order", () => {
    const small = Array.from({ length: 1201 }, (_, i) => ({ size: 100, i }));
    const chunks = chunkForPutRecords(small);
    assert.deepEqual(
      chunks.map((c) => c.length),
      [500, 500, 201],
    );
    assert.deepEqual(
      chunks.flat().map((c) => c.i),
      small.map((s) => s.i),
    );
    const big = Array.from({ length: 12 }, () => ({ size: 1000 * 1024 }));
    assert.deepEqual(
      chunkForPutRecords(big).map((c) => c.length),
      [5, 5, 2],
    );
  });

  it("puts 1,200 records on kinesalite in 3 calls, each under its partition key", async () => {
    const stream = await createStream("stream-bulk", standIns.env, 2);
    const writer = kinesisStreamWriter(kinesis, stream);
    const entries = Array.from({ length: 1200 }, (_, i) => ({ partitionKey: `job-${i % 7}`, data: `rec-${i}` }));
    const res = await writer.put(entries);
    assert.equal(res.failed.length, 0);
    assert.equal(res.accepted.length, 1200);
    assert.equal(res.calls, 3);
    const stored = await readAll(kinesis, stream);
    assert.equal(stored.length, 1200);
    for (const r of stored) assert.equal(r.partitionKey, `job-${Number(r.data.slice(4)) % 7}`);
  });

  it("re-sends only the records Kinesis rejected, until they are accepted", async () => {
    const stream = await createStream("stream-partial", standIns.env);
    const log: string[][] = [];
    const rejects = new Map([
      ["b", 1],
      ["d", 2],
    ]);
    const sleeps: number[] = [];
    const writer = kinesisStreamWriter(flakyClient(kinesis, rejects, log), stream, {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    });
    const res = await writer.put(["a", "b", "c", "d", "e"].map((d) => ({ partitionKey: "job", data: d })));
    assert.deepEqual(log, [["a", "b", "c", "d", "e"], ["b", "d"], ["d"]]);
    assert.equal(res.failed.length, 0);
    assert.deepEqual(
      res.accepted.map((a) => a.index),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(sleeps, [50, 100], "exponential backoff between attempts");
    const stored = (await readAll(kinesis, stream)).map((r) => r.data).sort();
    assert.deepEqual(stored, ["a", "b", "c", "d", "e"], "each record exactly once");
  });

  it("gives up after the attempt bound and reports the records still rejected by index", async () => {
    const stream = await createStream("stream-giveup", standIns.env);
    const log: string[][] = [];
    const writer = kinesisStreamWriter(flakyClient(kinesis, new Map([["y", 99]]), log), stream, { maxAttempts: 3, sleep: async () => {} });
    const res = await writer.put(["x", "y", "z"].map((d) => ({ partitionKey: "job", data: d })));
    assert.equal(log.length, 3);
    assert.deepEqual(
      res.failed.map((f) => [f.index, f.errorCode]),
      [[1, "ProvisionedThroughputExceededException"]],
    );
    assert.deepEqual(
      res.accepted.map((a) => a.index),
      [0, 2],
    );
  });

  it("rejects a record over 1 MiB without sending it, and a missing stream without retrying", async () => {
    const stream = await createStream("stream-limits", standIns.env);
    const writer = kinesisStreamWriter(kinesis, stream, { sleep: async () => {} });
    const res = await writer.put([
      { partitionKey: "job", data: "ok" },
      { partitionKey: "job", data: "x".repeat(1024 * 1024) },
    ]);
    assert.deepEqual(
      res.failed.map((f) => f.errorCode),
      ["RecordTooLarge"],
    );
    assert.equal(res.accepted.length, 1);

    const missing = kinesisStreamWriter(kinesis, "no-such-stream", { sleep: async () => {} });
    const res2 = await missing.put([{ partitionKey: "job", data: "lost?" }]);
    assert.equal(res2.calls, 1, "a missing stream is not retried");
    assert.equal(res2.failed[0].errorCode, "ResourceNotFoundException");
  });
});
