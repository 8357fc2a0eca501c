import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { KinesisStreamEvent, KinesisStreamTumblingWindowEvent } from "aws-lambda";
import * as clients from "../../../lib/adapters/clients";
import { startKinesisPoller, type ConsumerEvent } from "../../../tools/twin/kinesis-poller";
import { createStream, startStandIns, type StandIns } from "../../../tools/twin/standins";

const decode = (e: ConsumerEvent) => e.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString());

async function put(env: Record<string, string>, stream: string, values: string[]): Promise<void> {
  const k = clients.kinesis(env);
  for (let i = 0; i < values.length; i += 500) {
    const out = await k.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: values.slice(i, i + 500).map((v) => ({ PartitionKey: "p", Data: Buffer.from(v) })),
      }),
    );
    assert.equal(out.FailedRecordCount ?? 0, 0);
  }
  k.destroy();
}

describe("local Kinesis poller (event source mapping)", () => {
  let standIns: StandIns;
  let tmp: string;
  before(async () => {
    standIns = await startStandIns({ services: ["kinesis"] });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-poller-"));
  });
  after(async () => {
    await standIns?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("delivers every record in order in batches no larger than batchSize, as real KinesisStreamEvents", async () => {
    await createStream("p1", standIns.env);
    const values = Array.from({ length: 230 }, (_, i) => `r${i}`);
    await put(standIns.env, "p1", values);
    const seen: string[] = [];
    const sizes: number[] = [];
    const poller = await startKinesisPoller({
      env: standIns.env,
      streamName: "p1",
      functionName: "c1",
      batchSize: 50,
      pollIntervalMs: 20,
      invoke: async (e) => {
        const ev = e as KinesisStreamEvent;
        assert.equal(ev.Records[0].eventSource, "aws:kinesis");
        assert.match(ev.Records[0].eventSourceARN, /^arn:aws:kinesis:us-east-1:\d{12}:stream\/p1$/);
        assert.equal(ev.Records[0].eventID, `${"shardId-000000000000"}:${ev.Records[0].kinesis.sequenceNumber}`);
        sizes.push(ev.Records.length);
        seen.push(...decode(e));
      },
    });
    await poller.idle();
    await poller.stop();
    assert.deepEqual(seen, values);
    assert.ok(Math.max(...sizes) <= 50, `batch sizes ${sizes}`);
    assert.ok(sizes.length >= 5);
  });

  it("re-delivers from the lowest failed sequence number onwards and retries thrown batches", async () => {
    await createStream("p2", standIns.env);
    const values = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await put(standIns.env, "p2", values);
    const deliveries: string[][] = [];
    let failedOnce = new Set<string>();
    let threw = false;
    const poller = await startKinesisPoller({
      env: standIns.env,
      streamName: "p2",
      functionName: "c2",
      batchSize: 10,
      pollIntervalMs: 20,
      retryDelaysMs: [5],
      invoke: async (e) => {
        const got = decode(e);
        deliveries.push(got);
        if (!threw && got.includes("r25")) {
          threw = true;
          throw new Error("boom");
        }
        // r13 and r17 fail once each; report them out of order.
        const fail = e.Records.filter((_r, i) => ["r17", "r13"].includes(got[i]) && !failedOnce.has(got[i]));
        fail.forEach((r) => void failedOnce.add(Buffer.from(r.kinesis.data, "base64").toString()));
        return { batchItemFailures: fail.reverse().map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      },
    });
    await poller.idle();
    const stats = poller.stats();
    await poller.stop();
    // The batch r10..r19 failed at r13 (lowest): r13.. are delivered again, so r13 and r17 reach the consumer twice
    // in the next batch and nothing before r13 is repeated.
    const flat = deliveries.flat();
    assert.deepEqual([...new Set(flat)], values, "every record delivered, in order of first delivery");
    const count = (v: string) => flat.filter((x) => x === v).length;
    assert.equal(count("r12"), 1);
    assert.ok(count("r13") >= 2);
    assert.ok(count("r25") >= 2, "the thrown batch was retried");
    assert.ok(stats.partialFailures >= 1);
    assert.equal(stats.failedInvocations, 1);
    failedOnce = new Set();
  });

  it("resumes from its checkpoint after a restart, without re-delivering", async () => {
    await createStream("p3", standIns.env);
    const file = path.join(tmp, "cp.json");
    const seen: string[] = [];
    const start = () =>
      startKinesisPoller({
        env: standIns.env,
        streamName: "p3",
        functionName: "c3",
        checkpointFile: file,
        pollIntervalMs: 20,
        invoke: async (e) => void seen.push(...decode(e)),
      });
    let poller = await start();
    await put(standIns.env, "p3", ["a", "b", "c"]);
    await poller.idle();
    await poller.stop();
    await put(standIns.env, "p3", ["d", "e"]);
    poller = await start();
    await poller.idle();
    await poller.stop();
    assert.deepEqual(seen, ["a", "b", "c", "d", "e"]);
  });

  it("runs tumbling windows: state carried between invocations, then a final invocation with the total", async () => {
    await createStream("p4", standIns.env);
    const finals: Array<{ count: number; start: string }> = [];
    const poller = await startKinesisPoller({
      env: standIns.env,
      streamName: "p4",
      functionName: "c4",
      batchSize: 7,
      tumblingWindowSeconds: 1,
      pollIntervalMs: 20,
      invoke: async (e) => {
        const ev = e as KinesisStreamTumblingWindowEvent;
        assert.ok(ev.window && Date.parse(ev.window.end) - Date.parse(ev.window.start) === 1000);
        for (const r of ev.Records) {
          const at = r.kinesis.approximateArrivalTimestamp * 1000;
          assert.ok(at >= Date.parse(ev.window.start) && at < Date.parse(ev.window.end), "record outside its window");
        }
        const count = Number(ev.state?.count ?? 0) + ev.Records.length;
        if (ev.isFinalInvokeForWindow) finals.push({ count, start: ev.window.start });
        return { state: { count } };
      },
    });
    await put(
      standIns.env,
      "p4",
      Array.from({ length: 30 }, (_, i) => `x${i}`),
    );
    await new Promise((r) => setTimeout(r, 1100));
    await put(
      standIns.env,
      "p4",
      Array.from({ length: 12 }, (_, i) => `y${i}`),
    );
    await poller.idle({ closeWindows: true });
    await poller.stop();
    assert.equal(
      finals.reduce((a, f) => a + f.count, 0),
      42,
    );
    assert.ok(finals.length >= 2, `windows ${JSON.stringify(finals)}`);
    assert.equal(new Set(finals.map((f) => f.start)).size, finals.length, "each window closed once");
  });
});
