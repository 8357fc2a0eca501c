/**
 * Contract: DynamoDB Local, as the twin starts it, against the real SDK v3 clients, for every operation the
 * product and the twin use (tables, items, conditional writes, GSI queries, transactions) and the rejections
 * DynamoDB makes. Where DynamoDB Local does not do what DynamoDB does, a passing test pins the difference.
 */
import { strict as assert } from "node:assert";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { startStandIns, type StandIns } from "../../../../tools/twin/standins";
import { anyCredentials, failsAs } from "./aws-answers";

const TABLE = "contract-Jobs";

const keys = (hash: string, range?: string) => [
  { AttributeName: hash, KeyType: "HASH" as const },
  ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : []),
];
/** A table keyed by one string attribute. */
const simpleTable = (TableName: string, key: string) =>
  new CreateTableCommand({
    TableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
    KeySchema: keys(key),
  });

describe("contract: DynamoDB Local answers as DynamoDB does", function () {
  this.timeout(120_000);
  let standIns: StandIns;
  let raw: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb"] });
    raw = new DynamoDBClient({ region: "eu-west-1", endpoint: standIns.endpoints.dynamodb, credentials: anyCredentials() });
    doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    await raw.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "jobId", AttributeType: "S" },
          { AttributeName: "status", AttributeType: "S" },
          { AttributeName: "createdAt", AttributeType: "N" },
        ],
        KeySchema: keys("jobId"),
        GlobalSecondaryIndexes: [{ IndexName: "byStatus", KeySchema: keys("status", "createdAt"), Projection: { ProjectionType: "ALL" } }],
      }),
    );
  });
  after(async () => {
    raw?.destroy();
    await standIns?.stop();
  });

  it("describes, lists and extends tables (a new index, TTL); a table that exists cannot be created again", async () => {
    const d = await raw.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.equal(d.Table?.TableName, TABLE);
    assert.equal(d.Table?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
    assert.ok((await raw.send(new ListTablesCommand({}))).TableNames?.includes(TABLE));
    await raw.send(
      new UpdateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [
          { AttributeName: "queue", AttributeType: "S" },
          { AttributeName: "createdAt", AttributeType: "N" },
        ],
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: "byQueue", KeySchema: keys("queue", "createdAt"), Projection: { ProjectionType: "ALL" } } },
        ],
      }),
    );
    const after = await raw.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.deepEqual(after.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort(), ["byQueue", "byStatus"]);
    // As in DynamoDB, an index added to a table with items is CREATING (backfilling) for a while, then ACTIVE.
    const status = async () =>
      (await raw.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === "byQueue")
        ?.IndexStatus;
    const seen = [await status()];
    while (seen.at(-1) !== "ACTIVE" && seen.length < 100) {
      await new Promise((r) => setTimeout(r, 100));
      seen.push(await status());
    }
    assert.equal(seen.at(-1), "ACTIVE", seen.join(" → "));
    assert.ok(
      seen.every((st) => st === "CREATING" || st === "ACTIVE"),
      seen.join(" → "),
    );
    const ttl = await raw.send(
      new UpdateTimeToLiveCommand({ TableName: TABLE, TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true } }),
    );
    assert.deepEqual(ttl.TimeToLiveSpecification, { AttributeName: "expiresAt", Enabled: true });
    await failsAs(raw.send(simpleTable(TABLE, "jobId")), "ResourceInUseException", 400);
  });

  it("differs from AWS: a new table is ACTIVE at once (DynamoDB answers CREATING and takes a while)", async () => {
    const created = await raw.send(simpleTable("contract-fresh", "k"));
    assert.equal(created.TableDescription?.TableStatus, "ACTIVE");
    const enable = () =>
      raw.send(
        new UpdateTimeToLiveCommand({
          TableName: "contract-fresh",
          TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        }),
      );
    await enable();
    const ttl = await raw.send(new DescribeTimeToLiveCommand({ TableName: "contract-fresh" }));
    assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, "ENABLED");
    // As DynamoDB does, enabling TTL that is already on is refused.
    assert.match((await failsAs(enable(), "ValidationException", 400)).message, /TimeToLive is already enabled/);
  });

  it("a table that does not exist is ResourceNotFoundException for every operation", async () => {
    await failsAs(raw.send(new DescribeTableCommand({ TableName: "no-such-table" })), "ResourceNotFoundException", 400);
    await failsAs(doc.send(new GetCommand({ TableName: "no-such-table", Key: { jobId: "j" } })), "ResourceNotFoundException", 400);
    await failsAs(doc.send(new PutCommand({ TableName: "no-such-table", Item: { jobId: "j" } })), "ResourceNotFoundException", 400);
    await failsAs(
      doc.send(
        new QueryCommand({ TableName: "no-such-table", KeyConditionExpression: "jobId = :j", ExpressionAttributeValues: { ":j": "j" } }),
      ),
      "ResourceNotFoundException",
      400,
    );
  });

  it("conditional writes: a failed condition is ConditionalCheckFailedException, with the item when ALL_OLD is asked", async () => {
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: { jobId: "c1", status: "SUBMITTED", createdAt: 1, version: 1 },
        ConditionExpression: "attribute_not_exists(jobId)",
      }),
    );
    const failed = await failsAs(
      doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: { jobId: "c1", status: "X", createdAt: 2 },
          ConditionExpression: "attribute_not_exists(jobId)",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      ),
      "ConditionalCheckFailedException",
      400,
    );
    assert.deepEqual((failed.Item as Record<string, { S?: string }>).status, { S: "SUBMITTED" });
    const updated = await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { jobId: "c1" },
        UpdateExpression: "SET #s = :s, version = version + :one",
        ConditionExpression: "version = :v",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "PROGRESSING", ":one": 1, ":v": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    assert.deepEqual(updated.Attributes, { jobId: "c1", status: "PROGRESSING", createdAt: 1, version: 2 });
    await failsAs(
      doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { jobId: "c1" },
          UpdateExpression: "SET version = :v",
          ConditionExpression: "version = :old",
          ExpressionAttributeValues: { ":v": 9, ":old": 1 },
        }),
      ),
      "ConditionalCheckFailedException",
      400,
    );
    assert.equal((await doc.send(new GetCommand({ TableName: TABLE, Key: { jobId: "c1" }, ConsistentRead: true }))).Item?.version, 2);
  });

  it("refuses what DynamoDB refuses: a missing key attribute, an item over 400 KB, a consistent read on a GSI", async () => {
    await failsAs(doc.send(new PutCommand({ TableName: TABLE, Item: { status: "X" } })), "ValidationException", 400);
    const big = await failsAs(
      doc.send(new PutCommand({ TableName: TABLE, Item: { jobId: "big", blob: "x".repeat(401 * 1024) } })),
      "ValidationException",
      400,
    );
    assert.match(big.message, /Item size has exceeded the maximum allowed size/);
    const gsi = doc.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: "byStatus",
        ConsistentRead: true,
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "X" },
      }),
    );
    assert.match(
      (await failsAs(gsi, "ValidationException", 400)).message,
      /Consistent reads are not supported on global secondary indexes/,
    );
  });

  it("queries an index newest first, a page at a time, and scans", async () => {
    for (let i = 1; i <= 5; i++)
      await doc.send(new PutCommand({ TableName: TABLE, Item: { jobId: `q${i}`, status: "COMPLETE", createdAt: 1000 + i } }));
    const query = (ExclusiveStartKey?: Record<string, unknown>) =>
      doc.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: "byStatus",
          KeyConditionExpression: "#s = :s AND createdAt >= :since",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":s": "COMPLETE", ":since": 1002 },
          ScanIndexForward: false,
          Limit: 2,
          ExclusiveStartKey,
        }),
      );
    const first = await query();
    assert.deepEqual(
      first.Items?.map((i) => i.jobId),
      ["q5", "q4"],
    );
    assert.ok(first.LastEvaluatedKey);
    const second = await query(first.LastEvaluatedKey);
    assert.deepEqual(
      second.Items?.map((i) => i.jobId),
      ["q3", "q2"],
    );
    const scan = await doc.send(new ScanCommand({ TableName: TABLE }));
    assert.ok((scan.Items ?? []).length >= 6);
  });

  it("transactions: a failed condition cancels all, with a reason per item; two operations on one item are refused", async () => {
    await doc.send(new PutCommand({ TableName: TABLE, Item: { jobId: "t1", status: "SUBMITTED", createdAt: 5, n: 0 } }));
    const cancel = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: TABLE,
              Key: { jobId: "t1" },
              UpdateExpression: "SET n = n + :one",
              ExpressionAttributeValues: { ":one": 1 },
            },
          },
          { Put: { TableName: TABLE, Item: { jobId: "t2" }, ConditionExpression: "attribute_exists(jobId)" } },
        ],
      }),
    );
    const failed = await failsAs(cancel, "TransactionCanceledException", 400);
    assert.deepEqual(
      (failed.CancellationReasons as Array<{ Code?: string }>).map((r) => r.Code),
      ["None", "ConditionalCheckFailed"],
    );
    assert.equal(
      (await doc.send(new GetCommand({ TableName: TABLE, Key: { jobId: "t1" }, ConsistentRead: true }))).Item?.n,
      0,
      "nothing was written",
    );
    const twice = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: TABLE, Key: { jobId: "t1" }, UpdateExpression: "SET n = :a", ExpressionAttributeValues: { ":a": 1 } } },
          { ConditionCheck: { TableName: TABLE, Key: { jobId: "t1" }, ConditionExpression: "attribute_exists(jobId)" } },
        ],
      }),
    );
    assert.match((await failsAs(twice, "ValidationException", 400)).message, /multiple operations on one item/);
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: TABLE, Key: { jobId: "t1" }, UpdateExpression: "SET n = :a", ExpressionAttributeValues: { ":a": 1 } } },
        ],
      }),
    );
    assert.equal((await doc.send(new GetCommand({ TableName: TABLE, Key: { jobId: "t1" }, ConsistentRead: true }))).Item?.n, 1);
  });
});
