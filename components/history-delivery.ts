/**
 * The history lake's Firehose side (HistoryLake calls it; its resources are the lake's children): one delivery
 * stream per dataset, converting JSON records to Parquet (SNAPPY) from the dataset's Glue table, writing under
 * `<dataset>/dt=…/` with an error prefix, server-side encrypted, logging delivery errors to a log group kept
 * `logRetentionDays` days; and the role the streams use.
 *
 * The role may exactly: write the lake bucket, read the Glue schema of the lake's tables, write its log group, and
 * use the lake's key through S3 only (kms:ViaService), for the objects it writes. It is assumable by Firehose of
 * this account only.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DATASET_NAMES, firehoseErrorPrefix, firehosePrefix, type DatasetName } from "../lib/domain/history";
import { servicePrincipal, viaServices, type AwsContext } from "./tags";

export interface DeliveryStreamRef {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
}

export interface LakeDeliveryArgs {
  /** The lake's bucket the streams write. */
  bucket: aws.s3.Bucket;
  /** The Glue database and its per-dataset tables the conversion reads its schema from. */
  database: aws.glue.CatalogDatabase;
  tables: Record<DatasetName, aws.glue.CatalogTable>;
  /** Buffering: seconds (0–900) and MiB (64–128 with Parquet conversion), checked by HistoryLake. */
  bufferIntervalSeconds: number;
  bufferSizeMiB: number;
  /** Customer-managed key for the streams, the objects and the log group; absent: AWS-managed encryption. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Days the delivery-error log group keeps its events. */
  logRetentionDays: number;
  where: AwsContext;
  tags?: Record<string, pulumi.Input<string>>;
}

/** Creates the lake's delivery streams, their role and log group as children of `parent`; returns the streams. */
export function lakeDeliveryStreams(parent: pulumi.Resource, name: string, args: LakeDeliveryArgs): Record<DatasetName, DeliveryStreamRef> {
  const child = { parent };
  const { bucket, database, tables, tags, where } = args;
  const { region, accountId: account, partition } = where;

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-firehose-logs`,
    { namePrefix: `/aws/kinesisfirehose/mcjobs-${name}-`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn, tags },
    child,
  );
  const logStreams = Object.fromEntries(
    DATASET_NAMES.map((ds) => [
      ds,
      new aws.cloudwatch.LogStream(`${name}-${ds.replace(/_/g, "-")}-log`, { logGroupName: logGroup.name, name: `${ds}-delivery` }, child),
    ]),
  ) as Record<DatasetName, aws.cloudwatch.LogStream>;

  const firehoseRole = new aws.iam.Role(
    `${name}-firehose-role`,
    {
      description: "Lets the mcjobs history delivery streams write the lake and read the Glue schema",
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: servicePrincipal("firehose", child) },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": account } },
          },
        ],
      }),
      tags,
    },
    child,
  );
  const catalogArn = pulumi.interpolate`arn:${partition}:glue:${region}:${account}:catalog`;
  const dbArn = pulumi.interpolate`arn:${partition}:glue:${region}:${account}:database/${database.name}`;
  const tableArns = DATASET_NAMES.map((ds) => pulumi.interpolate`arn:${partition}:glue:${region}:${account}:table/${database.name}/${ds}`);
  const firehoseStatements: pulumi.Input<Record<string, unknown>>[] = [
    {
      Sid: "WriteLake",
      Effect: "Allow",
      Action: [
        "s3:AbortMultipartUpload",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
        "s3:PutObject",
      ],
      Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
    },
    {
      Sid: "ReadSchema",
      Effect: "Allow",
      Action: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
      Resource: [catalogArn, dbArn, ...tableArns],
    },
    { Sid: "Logs", Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: [pulumi.interpolate`${logGroup.arn}:*`] },
  ];
  if (args.kmsKeyArn) {
    firehoseStatements.push({
      Sid: "EncryptLake",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [args.kmsKeyArn],
      Condition: { StringEquals: { "kms:ViaService": viaServices(where, ["s3"]) } },
    });
  }
  const firehosePolicy = new aws.iam.RolePolicy(
    `${name}-firehose-policy`,
    { role: firehoseRole.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: firehoseStatements }) },
    child,
  );

  const streams = {} as Record<DatasetName, DeliveryStreamRef>;
  for (const ds of DATASET_NAMES) {
    const stream = new aws.kinesis.FirehoseDeliveryStream(
      `${name}-${ds.replace(/_/g, "-")}-delivery`,
      {
        destination: "extended_s3",
        serverSideEncryption: args.kmsKeyArn
          ? { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: args.kmsKeyArn }
          : { enabled: true, keyType: "AWS_OWNED_CMK" },
        extendedS3Configuration: {
          roleArn: firehoseRole.arn,
          bucketArn: bucket.arn,
          prefix: firehosePrefix(ds),
          errorOutputPrefix: firehoseErrorPrefix(ds),
          bufferingInterval: args.bufferIntervalSeconds,
          bufferingSize: args.bufferSizeMiB,
          // Parquet compresses itself; Firehose requires UNCOMPRESSED with format conversion.
          compressionFormat: "UNCOMPRESSED",
          kmsKeyArn: args.kmsKeyArn,
          cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStreams[ds].name },
          dataFormatConversionConfiguration: {
            enabled: true,
            inputFormatConfiguration: { deserializer: { openXJsonSerDe: { caseInsensitive: true } } },
            outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
            schemaConfiguration: {
              databaseName: database.name,
              tableName: tables[ds].name,
              roleArn: firehoseRole.arn,
              region,
              versionId: "LATEST",
            },
          },
        },
        tags,
      },
      { parent, dependsOn: [firehosePolicy, tables[ds]] },
    );
    streams[ds] = { name: stream.name, arn: stream.arn };
  }
  return streams;
}
