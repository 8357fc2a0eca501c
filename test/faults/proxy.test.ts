import { strict as assert } from "node:assert";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import * as clients from "../../lib/adapters/clients";
import { startFaultProxy, type FaultProxy } from "../../tools/twin/faults";
import { createStream, createTables, startStandIns, type StandIns, type TableNames } from "../../tools/twin/standins";

describe("fault-injecting proxy", () => {
  let standIns: StandIns;
  let tables: TableNames;
  const proxies: FaultProxy[] = [];
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "kinesis"] });
    tables = await createTables("fp", standIns.env);
    await createStream("fp-stream", standIns.env);
  });
  after(async () => {
    for (const p of proxies) await p.stop();
    await standIns?.stop();
  });
  const proxy = async (o: Parameters<typeof startFaultProxy>[0]) => {
    const p = await startFaultProxy(o);
    proxies.push(p);
    return p;
  };
  const ttl = () => Math.floor(Date.now() / 1000) + 3600;

  it("answers DynamoDB calls with throttling and 5xx errors the SDK recognises as retryable", async () => {
    const p = await proxy({ service: "dynamodb", target: standIns.endpoints.dynamodb!, rate: 1, kinds: ["throttle"] });
    const q = await proxy({ service: "dynamodb", target: standIns.endpoints.dynamodb!, rate: 1, kinds: ["5xx"] });
    const raw = new DynamoDBClient({
      region: "us-east-1",
      endpoint: p.endpoint,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const doc = DynamoDBDocumentClient.from(raw);
    await assert.rejects(
      doc.send(new PutCommand({ TableName: tables.jobs, Item: { jobId: "t1", expiresAt: ttl() } })),
      (err: Error & { $retryable?: unknown }) => {
        assert.equal(err.name, "ProvisionedThroughputExceededException");
        return true;
      },
    );
    const raw5 = new DynamoDBClient({
      region: "us-east-1",
      endpoint: q.endpoint,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    await assert.rejects(
      raw5.send(new GetItemCommand({ TableName: tables.jobs, Key: { jobId: { S: "t1" } } })),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.ok([500, 503].includes(err.$metadata?.httpStatusCode ?? 0), `status ${err.$metadata?.httpStatusCode}`);
        return true;
      },
    );
    raw5.destroy();
    // With retries and a 30% fault rate, the SDK gets through.
    p.setRate(0.3);
    const retrying = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: "us-east-1",
        endpoint: p.endpoint,
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
        maxAttempts: 10,
      }),
    );
    for (let i = 0; i < 8; i++) await retrying.send(new PutCommand({ TableName: tables.jobs, Item: { jobId: `r${i}`, expiresAt: ttl() } }));
    assert.ok(p.stats().injected.throttle >= 2);
    raw.destroy();
    retrying.destroy();
  });

  it("applies a write and then loses the reply (lost-reply): so the SDK's retry applies it again", async () => {
    const p = await proxy({
      service: "dynamodb",
      target: standIns.endpoints.dynamodb!,
      rate: 0,
      kinds: ["lost-reply"],
      hangMs: 50,
      maxFaults: 2,
    });
    const doc = clients.dynamoDb({ ...standIns.env, MCJOBS_ENDPOINT_DYNAMODB: p.endpoint });
    await doc.send(new PutCommand({ TableName: tables.queues, Item: { queueName: "q", n: 0, expiresAt: ttl() } }));
    p.setRate(1);
    const add = doc.send(
      new UpdateCommand({
        TableName: tables.queues,
        Key: { queueName: "q" },
        UpdateExpression: "ADD n :one",
        ExpressionAttributeValues: { ":one": 1 },
      }),
    );
    // The SDK retried after each reset; every lost reply was an applied ADD, plus the final acknowledged one.
    await add;
    const lost = p.stats().injected["lost-reply"];
    assert.equal(lost, 2);
    const got = await doc.send(new GetCommand({ TableName: tables.queues, Key: { queueName: "q" } }));
    assert.equal(got.Item?.n, lost + 1, "lost-reply must apply upstream before dropping the reply");
    doc.destroy();
  });

  it("fails a share of Kinesis PutRecords entries with FailedRecordCount, forwarding only the others", async () => {
    const p = await proxy({
      service: "kinesis",
      target: standIns.endpoints.kinesis!,
      rate: 1,
      kinds: ["partial"],
      partialShare: 0.5,
      seed: 7,
    });
    const k = clients.kinesis({ ...standIns.env, MCJOBS_ENDPOINT_KINESIS: p.endpoint });
    const out = await k.send(
      new PutRecordsCommand({
        StreamName: "fp-stream",
        Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: "p", Data: Buffer.from(`v${i}`) })),
      }),
    );
    const failed = out.Records!.filter((r) => r.ErrorCode).length;
    assert.ok(failed > 0 && failed < 20, `failed ${failed}`);
    assert.equal(out.FailedRecordCount, failed);
    assert.equal(out.Records!.length, 20);
    assert.ok(out.Records!.every((r) => r.ErrorCode === "ProvisionedThroughputExceededException" || /^\d+$/.test(r.SequenceNumber ?? "")));
    k.destroy();
  });

  it("returns UnprocessedItems for a share of a DynamoDB BatchWriteItem and writes the rest", async () => {
    const p = await proxy({
      service: "dynamodb",
      target: standIns.endpoints.dynamodb!,
      rate: 1,
      kinds: ["partial"],
      partialShare: 0.5,
      seed: 3,
    });
    const doc = clients.dynamoDb({ ...standIns.env, MCJOBS_ENDPOINT_DYNAMODB: p.endpoint });
    const items = Array.from({ length: 10 }, (_, i) => ({ jobId: `b${i}`, expiresAt: ttl() }));
    const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tables.jobs]: items.map((Item) => ({ PutRequest: { Item } })) } }));
    const unprocessed = (out.UnprocessedItems?.[tables.jobs] ?? []).map((r) => r.PutRequest!.Item!.jobId as string);
    assert.ok(unprocessed.length > 0 && unprocessed.length < 10);
    p.setRate(0);
    for (const it of items) {
      const got = await doc.send(new GetCommand({ TableName: tables.jobs, Key: { jobId: it.jobId } }));
      assert.equal(!!got.Item, !unprocessed.includes(it.jobId), `${it.jobId} stored iff processed`);
    }
    doc.destroy();
  });
});
