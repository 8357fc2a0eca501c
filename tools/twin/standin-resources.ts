/**
 * What the twin and the tests create on the stand-ins: the four tables of lib/domain/tables.ts (with their
 * indexes and TTL), Kinesis streams and S3 buckets. Each call keeps what already exists, so a restarted twin reuses
 * its state.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import * as clients from "../../lib/adapters/clients";
import { TABLES, TTL_ATTRIBUTE, type TableLayout } from "../../lib/domain/tables";

export interface TableNames {
  jobs: string;
  events: string;
  queues: string;
  config: string;
}

function createTableInput(name: string, layout: TableLayout): CreateTableCommandInput {
  const attrs = new Map<string, "S" | "N">();
  const add = (k?: { name: string; type: "S" | "N" }) => k && attrs.set(k.name, k.type);
  add(layout.partitionKey);
  add(layout.sortKey);
  for (const gsi of layout.globalSecondaryIndexes) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: "HASH" as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: "RANGE" as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(layout.partitionKey, layout.sortKey),
    ...(layout.globalSecondaryIndexes.length
      ? {
          GlobalSecondaryIndexes: layout.globalSecondaryIndexes.map((g) => ({
            IndexName: g.name,
            KeySchema: keySchema(g.partitionKey, g.sortKey),
            Projection: { ProjectionType: "ALL" as const },
          })),
        }
      : {}),
  };
}

/**
 * A table kept from an earlier start may predate an index added to lib/domain/tables.ts since: create what is missing
 * (DynamoDB Local fills a new index from the existing items, as DynamoDB does).
 */
async function addMissingIndexes(ddb: DynamoDBClient, name: string, layout: TableLayout, have: string[]): Promise<void> {
  const input = createTableInput(name, layout);
  for (const gsi of input.GlobalSecondaryIndexes ?? []) {
    if (have.includes(gsi.IndexName!)) continue;
    await ddb.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: gsi.IndexName, KeySchema: gsi.KeySchema, Projection: gsi.Projection } }],
      }),
    );
  }
}

/**
 * Creates the four tables (`<prefix>-Jobs`, …) from the layout in lib/domain/tables.ts with TTL on, as the
 * BasePipeline component does in AWS. Tables that already exist are kept (the twin reuses its state).
 */
export async function createTables(prefix: string, env: Record<string, string | undefined>): Promise<TableNames> {
  const ddb = new DynamoDBClient({
    region: env.AWS_REGION ?? "us-east-1",
    endpoint: env.MCJOBS_ENDPOINT_DYNAMODB,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const names: Record<string, string> = {};
  try {
    for (const layout of TABLES) {
      const name = `${prefix}-${layout.logicalName}`;
      names[layout.logicalName.toLowerCase()] = name;
      try {
        const existing = await ddb.send(new DescribeTableCommand({ TableName: name }));
        await addMissingIndexes(ddb, name, layout, existing.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName ?? "") ?? []);
        continue;
      } catch (err) {
        if ((err as { name?: string }).name !== "ResourceNotFoundException") throw err;
      }
      await ddb.send(new CreateTableCommand(createTableInput(name, layout)));
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    }
  } finally {
    ddb.destroy();
  }
  return names as unknown as TableNames;
}

/** Creates a Kinesis stream on kinesalite (if missing) and waits until it is ACTIVE. */
export async function createStream(name: string, env: Record<string, string | undefined>, shards = 1): Promise<string> {
  const kinesis = clients.kinesis(env as NodeJS.ProcessEnv);
  try {
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    } catch (err) {
      if ((err as { name?: string }).name !== "ResourceInUseException") throw err;
    }
    for (let i = 0; i < 200; i++) {
      const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return name;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Kinesis stream ${name} did not become ACTIVE on kinesalite`);
  } finally {
    kinesis.destroy();
  }
}

/** Creates an S3 bucket on s3rver (if missing). */
export async function createBucket(name: string, env: Record<string, string | undefined>): Promise<string> {
  const s3 = clients.s3(env as NodeJS.ProcessEnv);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    const code = (err as { name?: string }).name;
    if (code !== "BucketAlreadyOwnedByYou" && code !== "BucketAlreadyExists") throw err;
  } finally {
    s3.destroy();
  }
  return name;
}

/** The twin's tables, jobs stream and buckets on the stand-ins, named `<prefix>-…`. */
export async function createTwinResources(
  prefix: string,
  env: Record<string, string | undefined>,
): Promise<{ tables: TableNames; streamName: string; buckets: { watch: string; output: string } }> {
  const tables = await createTables(prefix, env);
  const streamName = await createStream(`${prefix}-jobs`, env);
  const buckets = { watch: await createBucket(`${prefix}-watch`, env), output: await createBucket(`${prefix}-output`, env) };
  return { tables, streamName, buckets };
}
