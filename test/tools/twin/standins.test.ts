import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import * as clients from "../../../lib/adapters/clients";
import { JOBS_TABLE, TTL_ATTRIBUTE } from "../../../lib/domain/tables";
import {
  assertJava,
  createBucket,
  createStream,
  createTables,
  signingAccessKey,
  startStandIns,
  type StandIns,
} from "../../../tools/twin/standins";

function portOpen(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname);
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

describe("local stand-ins", () => {
  let standIns: StandIns;
  before(async () => {
    standIns = await startStandIns();
  });
  after(async () => {
    await standIns?.stop();
  });

  it("creates the tables of lib/domain/tables.ts with their indexes and TTL, and stores items", async () => {
    const names = await createTables("t1", standIns.env);
    assert.equal(names.jobs, "t1-Jobs");
    const raw = new DynamoDBClient({
      region: "us-east-1",
      endpoint: standIns.endpoints.dynamodb,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const desc = await raw.send(new DescribeTableCommand({ TableName: names.jobs }));
    assert.deepEqual(
      desc.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort(),
      JOBS_TABLE.globalSecondaryIndexes.map((g) => g.name).sort(),
    );
    const ttl = await raw.send(new DescribeTimeToLiveCommand({ TableName: names.events }));
    assert.equal(ttl.TimeToLiveDescription?.AttributeName, TTL_ATTRIBUTE);
    raw.destroy();
    // Creating again keeps what is there.
    const doc = clients.dynamoDb(standIns.env);
    const future = Math.floor(Date.now() / 1000) + 3600;
    await doc.send(
      new PutCommand({ TableName: names.jobs, Item: { jobId: "j1", status: "COMPLETE", createdAt: 1, [TTL_ATTRIBUTE]: future } }),
    );
    await createTables("t1", standIns.env);
    const got = await doc.send(new GetCommand({ TableName: names.jobs, Key: { jobId: "j1" } }));
    assert.equal(got.Item?.status, "COMPLETE");
    doc.destroy();
  });

  it("serves a Kinesis stream through the HTTP/1.1 client", async () => {
    await createStream("s1", standIns.env);
    const kinesis = clients.kinesis(standIns.env);
    await kinesis.send(new PutRecordCommand({ StreamName: "s1", PartitionKey: "job", Data: Buffer.from("hello") }));
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: "s1" }));
    const it = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: "s1", ShardId: shards.Shards![0].ShardId!, ShardIteratorType: "TRIM_HORIZON" }),
    );
    const recs = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
    assert.deepEqual(
      recs.Records?.map((r) => Buffer.from(r.Data!).toString()),
      ["hello"],
    );
    kinesis.destroy();
  });

  it("stores S3 objects byte for byte and serves explicit ranges", async () => {
    await createBucket("bucket-one", standIns.env);
    const s3 = clients.s3(standIns.env);
    const body = Buffer.from("0123456789abcdef");
    await s3.send(new PutObjectCommand({ Bucket: "bucket-one", Key: "dir/a file.bin", Body: body }));
    const whole = await s3.send(new GetObjectCommand({ Bucket: "bucket-one", Key: "dir/a file.bin" }));
    assert.equal(Buffer.from(await whole.Body!.transformToByteArray()).toString(), body.toString());
    const part = await s3.send(new GetObjectCommand({ Bucket: "bucket-one", Key: "dir/a file.bin", Range: "bytes=4-7" }));
    assert.equal(Buffer.from(await part.Body!.transformToByteArray()).toString(), "4567");
    s3.destroy();
  });

  it("takes any credentials, as AWS-compatible local endpoints do: S3 list, put, get and range with keys it never saw", async () => {
    await createBucket("bucket-any-key", standIns.env);
    const accessKeyId = `AKIA${Math.random().toString(36).slice(2, 14).toUpperCase()}`;
    const credentials = { accessKeyId, secretAccessKey: `secret-${Math.random()}` };
    const s3 = new S3Client({
      region: "eu-west-1",
      endpoint: standIns.endpoints.s3,
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    try {
      const buckets = await s3.send(new ListBucketsCommand({}));
      assert.ok(
        buckets.Buckets?.some((b) => b.Name === "bucket-any-key"),
        JSON.stringify(buckets.Buckets),
      );
      await s3.send(new PutObjectCommand({ Bucket: "bucket-any-key", Key: "k.txt", Body: "abcdefghij" }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "bucket-any-key" }));
      assert.deepEqual(
        listed.Contents?.map((o) => [o.Key, o.Size]),
        [["k.txt", 10]],
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: "bucket-any-key", Key: "k.txt" }));
      assert.equal(await got.Body!.transformToString(), "abcdefghij");
      const range = await s3.send(new GetObjectCommand({ Bucket: "bucket-any-key", Key: "k.txt", Range: "bytes=2-5" }));
      assert.equal(await range.Body!.transformToString(), "cdef");
      assert.equal(range.ContentRange, "bytes 2-5/10");
    } finally {
      s3.destroy();
    }
    // DynamoDB Local takes any access key made of letters and digits (the form of every key AWS issues).
    const other = { accessKeyId: "AnotherKey42", secretAccessKey: "another-secret" };
    const ddb = new DynamoDBClient({ region: "ap-south-1", endpoint: standIns.endpoints.dynamodb, credentials: other });
    const kinesis = new KinesisClient({
      region: "ap-south-1",
      endpoint: standIns.endpoints.kinesis,
      credentials: other,
      requestHandler: new NodeHttpHandler(),
    });
    try {
      // DynamoDB Local runs with sharedDb: the same tables whatever the key and region.
      const usual = new DynamoDBClient({
        region: "us-east-1",
        endpoint: standIns.endpoints.dynamodb,
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      });
      const expected = (await usual.send(new ListTablesCommand({}))).TableNames;
      usual.destroy();
      assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, expected);
      assert.ok(Array.isArray((await kinesis.send(new ListStreamsCommand({}))).StreamNames));
    } finally {
      ddb.destroy();
      kinesis.destroy();
    }
  });

  it("reads the access key of a SigV4 or V2 signature, in the header or the query", () => {
    const v4 = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc";
    assert.equal(signingAccessKey(v4, {}), "AKIDEXAMPLE");
    assert.equal(signingAccessKey("AWS v2key:c2ln", {}), "v2key");
    assert.equal(signingAccessKey(undefined, { "X-Amz-Credential": "presigned/20260101/us-east-1/s3/aws4_request" }), "presigned");
    assert.equal(signingAccessKey(undefined, { AWSAccessKeyId: "oldstyle" }), "oldstyle");
    assert.equal(signingAccessKey(undefined, {}), undefined);
    assert.equal(signingAccessKey("Bearer token", {}), undefined);
  });

  it("refuses a port that is taken, naming it", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    await assert.rejects(startStandIns({ services: ["s3"], ports: { s3: port } }), new RegExp(`Port ${port}.*in use`));
    blocker.close();
  });

  it("stops every stand-in, DynamoDB Local's Java process included", async () => {
    const extra = await startStandIns();
    const eps = Object.values(extra.endpoints);
    for (const ep of eps) assert.equal(await portOpen(ep!), true);
    await extra.stop();
    for (const ep of eps) assert.equal(await portOpen(ep!), false, `${ep} still open after stop()`);
  });

  it("keeps DynamoDB tables in the state folder across restarts, or only in memory when asked", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-standins-"));
    try {
      const tablesAfterRestart = async (dynamoDbInMemory: boolean): Promise<string[]> => {
        const first = await startStandIns({ dir, services: ["dynamodb"], dynamoDbInMemory });
        await createTables(dynamoDbInMemory ? "mem" : "disk", first.env);
        await first.stop();
        const second = await startStandIns({ dir, services: ["dynamodb"], dynamoDbInMemory });
        const raw = new DynamoDBClient({
          region: "us-east-1",
          endpoint: second.endpoints.dynamodb,
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
        });
        try {
          return (await raw.send(new ListTablesCommand({}))).TableNames ?? [];
        } finally {
          raw.destroy();
          await second.stop();
        }
      };
      const onDisk = await tablesAfterRestart(false);
      assert.ok(onDisk.includes("disk-Jobs"), `tables after a restart: ${onDisk.join(", ")}`);
      const filesBefore = fs.readdirSync(path.join(dir, "dynamodb")).sort();
      const inMemory = await tablesAfterRestart(true);
      assert.deepEqual(
        inMemory.filter((t) => t.startsWith("mem-")),
        [],
        "in-memory tables outlived their process",
      );
      assert.deepEqual(fs.readdirSync(path.join(dir, "dynamodb")).sort(), filesBefore, "in-memory mode wrote to the state folder");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("local stand-ins: the Java check", () => {
  let bin: string;
  before(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-java-"));
  });
  after(() => fs.rmSync(bin, { recursive: true, force: true }));

  /** A PATH whose only `java` is the given shell script. */
  function fakeJava(name: string, script: string): NodeJS.ProcessEnv {
    const dir = path.join(bin, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "java"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return { ...process.env, PATH: `${dir}:/usr/bin:/bin` };
  }

  it("passes when java runs", () => {
    assert.doesNotThrow(() => assertJava(fakeJava("ok", "echo 'openjdk version \"17\"' >&2")));
  });

  it("says how to install Java when none is on PATH", () => {
    const empty = path.join(bin, "empty");
    fs.mkdirSync(empty);
    assert.throws(
      () => assertJava({ ...process.env, PATH: empty }),
      /`java` was not found on PATH.*apt-get install openjdk-17-jre-headless/s,
    );
  });

  it("a java that fails is reported with its exit code and what it said, not as missing", () => {
    const env = fakeJava("broken", "echo 'Error: could not find libjava.so' >&2; exit 3");
    assert.throws(
      () => assertJava(env),
      (err: Error) =>
        /exited with code 3/.test(err.message) && /could not find libjava\.so/.test(err.message) && !/not found on PATH/.test(err.message),
    );
  });

  it("a probe stopped by a signal (a Ctrl-C during start-up) is not mistaken for a missing java", () => {
    // The terminal's Ctrl-C reaches every process in its group, the probe included; the twin handles the
    // signal itself (it stops once up), so the check must not fail start-up with a wrong diagnosis.
    assert.doesNotThrow(() => assertJava(fakeJava("interrupted", "kill -INT $$")));
  });
});
