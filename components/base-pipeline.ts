/**
 * BasePipeline: the state every other component builds on.
 *
 *  - a customer-managed KMS key (rotation on) that encrypts the tables, the stream, the buckets and the Lambdas'
 *    logs, environments and the notifications topic; its policy lets this account administer it through IAM and
 *    CloudWatch Logs of this region use it only for this account's log groups (encryption context). Roles get it
 *    through `keyUse`, which allows it only by way of the services named (kms:ViaService);
 *  - DynamoDB tables Jobs, Events, Queues and Config, laid out exactly as lib/domain/tables.ts says (keys, GSIs),
 *    on-demand billing, point-in-time recovery, KMS encryption, TTL on `expiresAt` (items written by the
 *    collector carry `now + tableTTL days`; Config items carry none, so they never expire);
 *  - the Config table's items: the pipeline's runtime settings, one item per key, written by the program;
 *  - when `useStreams`, the Kinesis stream (on-demand, KMS, retention = streamTTL hours).
 *
 * Retention: with `retainData` the tables and the key get deletion protection / `retainOnDelete`, so `pulumi destroy`
 * leaves the data; the stream is never kept (a buffer: what it carried is in the tables and the lake, and it bills
 * while it exists). Without `retainData` (dev stacks) everything goes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { TABLES, TTL_ATTRIBUTE, type TableLayout, type KeyAttr } from "../lib/domain/tables";
import { ENV } from "../lib/domain/env";
import type { PermissionStatement } from "./bundled-function";
import { awsContext, keyGrant, type KeyService } from "./tags";

export interface BasePipelineArgs {
  /** Days items live after their last write (stack `tableTTL`, 1–3650). */
  tableTTLDays: number;
  /** Kinesis retention in hours (stack `streamTTL`, 24–8760). */
  streamTTLHours: number;
  /** Deploy the Kinesis stream (stack `useStreams`). */
  useStreams: boolean;
  /** Keep tables on `pulumi destroy` and turn on deletion protection (stack `retainData`). */
  retainData: boolean;
  /**
   * Runtime settings written to the Config table, one item per key (e.g. bufferInterval, probeBudgetBytes,
   * application). Values are stored as strings or numbers.
   * @default {} (no items)
   */
  runtimeSettings?: Record<string, pulumi.Input<string | number | boolean>>;
}

export type TableKey = "jobs" | "events" | "queues" | "config";

const TABLE_KEY: Record<TableLayout["logicalName"], TableKey> = { Jobs: "jobs", Events: "events", Queues: "queues", Config: "config" };

function attributesOf(layout: TableLayout): { name: string; type: string }[] {
  const seen = new Map<string, string>();
  const add = (k?: KeyAttr) => {
    if (!k) return;
    const prev = seen.get(k.name);
    if (prev && prev !== k.type) throw new Error(`table ${layout.logicalName}: attribute ${k.name} declared as ${prev} and ${k.type}`);
    seen.set(k.name, k.type);
  };
  add(layout.partitionKey);
  add(layout.sortKey);
  for (const gsi of layout.globalSecondaryIndexes) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  return [...seen.entries()].map(([name, type]) => ({ name, type }));
}

function validate(args: BasePipelineArgs): void {
  const bad = (k: string, v: unknown, allowed: string) => new Error(`BasePipeline ${k} = ${JSON.stringify(v)} is out of range: ${allowed}`);
  if (!Number.isInteger(args.tableTTLDays) || args.tableTTLDays < 1 || args.tableTTLDays > 3650)
    throw bad("tableTTLDays", args.tableTTLDays, "1–3650 days");
  if (!Number.isInteger(args.streamTTLHours) || args.streamTTLHours < 24 || args.streamTTLHours > 8760)
    throw bad("streamTTLHours", args.streamTTLHours, "24–8760 hours");
}

export class BasePipeline extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;
  readonly tables: Record<TableKey, aws.dynamodb.Table>;
  readonly tableNames: Record<TableKey, pulumi.Output<string>>;
  readonly tableArns: Record<TableKey, pulumi.Output<string>>;
  readonly stream?: aws.kinesis.Stream;
  readonly streamName?: pulumi.Output<string>;
  readonly streamArn?: pulumi.Output<string>;
  readonly tableTTLDays: number;
  readonly useStreams: boolean;
  /** Where this stack deploys, resolved once (other components may build ARNs from these). */
  readonly region: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  readonly partition: pulumi.Output<string>;
  /** The partition's service domain (aws.getPartition dnsSuffix), for service hosts. */
  readonly dnsSuffix: pulumi.Output<string>;

  constructor(name: string, args: BasePipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:BasePipeline", name, {}, opts);
    validate(args);
    this.tableTTLDays = args.tableTTLDays;
    this.useStreams = args.useStreams;
    const child = { parent: this };
    const data = { parent: this, retainOnDelete: args.retainData };

    const where = awsContext(child);
    this.region = where.region;
    this.accountId = where.accountId;
    this.partition = where.partition;
    this.dnsSuffix = where.dnsSuffix;

    const keyPolicy = pulumi.all([where.region, where.accountId, where.partition, where.dnsSuffix]).apply(([r, acct, part, dns]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: `arn:${part}:iam::${acct}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
            Effect: "Allow",
            Principal: { Service: `logs.${r}.${dns}` },
            Action: [
              "kms:Encrypt",
              "kms:Decrypt",
              "kms:ReEncryptFrom",
              "kms:ReEncryptTo",
              "kms:GenerateDataKey",
              "kms:GenerateDataKeyWithoutPlaintext",
              "kms:DescribeKey",
            ],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${part}:logs:${r}:${acct}:log-group:*` } },
          },
        ],
      }),
    );

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `mcjobs ${pulumi.getStack()}: encrypts tables, stream, logs and Lambda environments`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: keyPolicy,
      },
      { parent: this, retainOnDelete: args.retainData },
    );
    this.keyArn = this.key.arn;
    new aws.kms.Alias(`${name}-key-alias`, { namePrefix: `alias/mcjobs-${pulumi.getStack()}-`, targetKeyId: this.key.keyId }, child);

    const tables = {} as Record<TableKey, aws.dynamodb.Table>;
    for (const layout of TABLES) {
      const key = TABLE_KEY[layout.logicalName];
      tables[key] = new aws.dynamodb.Table(
        `${name}-${key}`,
        {
          billingMode: "PAY_PER_REQUEST",
          hashKey: layout.partitionKey.name,
          rangeKey: layout.sortKey?.name,
          attributes: attributesOf(layout),
          globalSecondaryIndexes: layout.globalSecondaryIndexes.map((gsi) => ({
            name: gsi.name,
            hashKey: gsi.partitionKey.name,
            rangeKey: gsi.sortKey?.name,
            projectionType: "ALL",
          })),
          ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: this.key.arn },
          deletionProtectionEnabled: args.retainData,
        },
        data,
      );
    }
    this.tables = tables;
    this.tableNames = mapTables(tables, (t) => t.name);
    this.tableArns = mapTables(tables, (t) => t.arn);

    const settings: Record<string, pulumi.Input<string | number | boolean>> = {
      tableTTL: args.tableTTLDays,
      streamTTL: args.streamTTLHours,
      useStreams: args.useStreams,
      ...(args.runtimeSettings ?? {}),
    };
    for (const [settingKey, value] of Object.entries(settings)) {
      new aws.dynamodb.TableItem(
        `${name}-config-${settingKey}`,
        {
          tableName: tables.config.name,
          hashKey: tables.config.hashKey,
          item: pulumi.output(value).apply((v) =>
            JSON.stringify({
              key: { S: settingKey },
              value: typeof v === "number" ? { N: String(v) } : typeof v === "boolean" ? { BOOL: v } : { S: String(v) },
              source: { S: "pulumi" },
            }),
          ),
        },
        child,
      );
    }

    if (args.useStreams) {
      this.stream = new aws.kinesis.Stream(
        `${name}-stream`,
        {
          streamModeDetails: { streamMode: "ON_DEMAND" },
          retentionPeriod: args.streamTTLHours,
          encryptionType: "KMS",
          kmsKeyId: this.key.arn,
        },
        child,
      );
      this.streamName = this.stream.name;
      this.streamArn = this.stream.arn;
    }

    this.registerOutputs({
      tableNames: this.tableNames,
      streamName: this.streamName,
      keyArn: this.keyArn,
    });
  }

  /** Handler environment for the tables and stream (names from lib/domain/env.ts). */
  environment(): Record<string, pulumi.Input<string>> {
    return {
      [ENV.jobsTable]: this.tableNames.jobs,
      [ENV.eventsTable]: this.tableNames.events,
      [ENV.queuesTable]: this.tableNames.queues,
      [ENV.configTable]: this.tableNames.config,
      [ENV.tableTtlDays]: String(this.tableTTLDays),
      [ENV.useStreams]: String(this.useStreams),
      ...(this.streamName ? { [ENV.streamName]: this.streamName } : {}),
    };
  }

  /**
   * Statement letting a role use the stack key for the data it reads and writes through `services` (the tables,
   * the stream, S3 objects, queues encrypted with it), and only through them: a role holding it cannot call
   * kms:Decrypt itself.
   */
  keyUse(services: readonly KeyService[], sid = "StackKey"): PermissionStatement {
    return keyGrant(sid, this.keyArn, { region: this.region, dnsSuffix: this.dnsSuffix }, services);
  }

  /**
   * What the collector's fold steps need (claim in Events, fold into Jobs, move the Queues counters, put the
   * enriched record on the stream when there is one); the collector and the reconciler both run them. The key
   * grant is the caller's, as each role touches a different set of encrypted services.
   */
  foldStatements(): PermissionStatement[] {
    const statements: PermissionStatement[] = [
      {
        sid: "LiveTables",
        actions: ["dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
        resources: (["jobs", "events", "queues"] as const).map((t) => this.tableArns[t]),
      },
    ];
    if (this.streamArn) {
      statements.push({ sid: "EnrichedRecords", actions: ["kinesis:PutRecord", "kinesis:PutRecords"], resources: [this.streamArn] });
    }
    return statements;
  }

  /** Read-only access to the live tables (API): GetItem and Query on the tables and their indexes. */
  readStatements(tables: TableKey[] = ["jobs", "events", "queues"]): PermissionStatement[] {
    return [
      {
        sid: "ReadTables",
        actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
        resources: tables.flatMap((t) => [this.tableArns[t], pulumi.interpolate`${this.tableArns[t]}/index/*`]),
      },
      this.keyUse(["dynamodb"]),
    ];
  }

  /** Kinesis consumer access to the stream (only when useStreams). */
  streamReadStatements(): PermissionStatement[] {
    if (!this.streamArn) return [];
    return [
      {
        sid: "ReadStream",
        actions: [
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:ListShards",
          "kinesis:SubscribeToShard",
        ],
        resources: [this.streamArn],
      },
      this.keyUse(["kinesis"]),
    ];
  }
}

function mapTables<T>(tables: Record<TableKey, aws.dynamodb.Table>, f: (t: aws.dynamodb.Table) => T): Record<TableKey, T> {
  return { jobs: f(tables.jobs), events: f(tables.events), queues: f(tables.queues), config: f(tables.config) };
}
