/**
 * HistoryLake: where job history lives and how it is queried.
 *
 *  - one S3 bucket: encrypted (SSE-KMS with the stack's key, else SSE-S3), public access blocked, bucket owner
 *    owns every object, TLS-only bucket policy, lifecycle (data expires after `retentionDays`, Athena results
 *    after 7 days, conversion errors after 30, incomplete uploads after 1);
 *  - one Firehose delivery stream per dataset (lib/domain/history.ts; made in components/history-delivery.ts):
 *    buffering from `bufferIntervalSeconds`, JSON → Parquet (SNAPPY) conversion reading the dataset's Glue table,
 *    prefix `<dataset>/dt=!{timestamp:yyyy-MM-dd}/`, error prefix `errors/<dataset>/!{firehose:error-output-type}/dt=…/`,
 *    server-side encryption, error logs kept `logRetentionDays`;
 *  - a Glue database and one table per dataset whose columns ARE lib/domain/history.ts's columns, with partition
 *    projection on `dt` (no crawler, no MSCK REPAIR);
 *  - an Athena workgroup (enforced settings, encrypted results location, bytes-scanned limit per query) and the
 *    `lib/sql/*.sql` questions as named queries.
 *
 * With the stack's `retainData`, `pulumi destroy` keeps the bucket only (components/tags.ts DATA_TYPES): the Glue
 * database and tables are metadata over it that the next `pulumi up` declares again under the same name.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { denyInsecureTransport } from "../infra/kit";
import { DATASETS, DATASET_NAMES, PARTITION_KEY, PROJECTION_START, dataPrefix, type DatasetName } from "../lib/domain/history";
import { namedQueries } from "../lib/sql/queries";
import { lakeDeliveryStreams, type DeliveryStreamRef } from "./history-delivery";
import { awsContext } from "./tags";

export interface HistoryLakeArgs {
  /** Seconds Firehose buffers before writing a file (stack `bufferInterval`), 0–900. */
  bufferIntervalSeconds: number;
  /** MiB Firehose buffers before writing a file; 64–128 with Parquet conversion. @default 64 */
  bufferSizeMiB?: number;
  /**
   * Customer-managed KMS key for the bucket, the delivery streams, their logs and the Athena results.
   * @default none: AWS-managed encryption
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Days history is kept. @default 400 */
  retentionDays?: number;
  /**
   * Athena refuses queries that would scan more than this many bytes (minimum 10 MiB).
   * @default 10737418240 (10 GiB, DEFAULT_BYTES_SCANNED_CUTOFF)
   */
  bytesScannedCutoffPerQuery?: number;
  /** Glue database name. @default "mcjobs" (DEFAULT_DATABASE_NAME) */
  databaseName?: string;
  /** Let `pulumi destroy` delete a bucket that still holds history. @default false */
  forceDestroy?: boolean;
  /** Days the delivery streams' error logs are kept (stack `logRetentionDays`). @default 30 */
  logRetentionDays?: number;
  /** Extra tags on the lake's resources (stack-wide tags come from the provider's defaultTags). @default none */
  tags?: Record<string, pulumi.Input<string>>;
}

export type { DeliveryStreamRef };

export const DEFAULT_DATABASE_NAME = "mcjobs";
export const DEFAULT_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;
export const ATHENA_RESULTS_PREFIX = "athena-results/";

export class HistoryLake extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly database: aws.glue.CatalogDatabase;
  readonly databaseName: pulumi.Output<string>;
  readonly tables: Record<DatasetName, aws.glue.CatalogTable>;
  readonly deliveryStreams: Record<DatasetName, DeliveryStreamRef>;
  readonly workgroup: aws.athena.Workgroup;
  readonly workgroupName: pulumi.Output<string>;
  readonly namedQueries: aws.athena.NamedQuery[];

  constructor(name: string, args: HistoryLakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:HistoryLake", name, {}, opts);
    const interval = args.bufferIntervalSeconds;
    if (!Number.isInteger(interval) || interval < 0 || interval > 900) {
      throw new Error(`HistoryLake bufferIntervalSeconds must be a whole number of seconds from 0 to 900; got ${interval}`);
    }
    const sizeMiB = args.bufferSizeMiB ?? 64;
    if (!Number.isInteger(sizeMiB) || sizeMiB < 64 || sizeMiB > 128) {
      throw new Error(`HistoryLake bufferSizeMiB must be 64–128 (Firehose's range with Parquet conversion); got ${sizeMiB}`);
    }
    const cutoff = args.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF;
    if (!Number.isInteger(cutoff) || cutoff < 10 * 1024 ** 2) {
      throw new Error(`HistoryLake bytesScannedCutoffPerQuery must be at least 10485760 bytes (10 MiB); got ${cutoff}`);
    }
    const retentionDays = args.retentionDays ?? 400;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new Error(`HistoryLake retentionDays must be a whole number of days ≥ 1; got ${retentionDays}`);
    }
    const dbName = args.databaseName ?? DEFAULT_DATABASE_NAME;
    if (!/^[a-z0-9_]{1,255}$/.test(dbName)) {
      throw new Error(`HistoryLake databaseName must be lower-case letters, digits and _; got "${dbName}"`);
    }
    const child = { parent: this };
    const tags = args.tags;
    const where = awsContext(child);
    const logRetentionDays = args.logRetentionDays ?? 30;
    if (!Number.isInteger(logRetentionDays) || logRetentionDays < 1) {
      throw new Error(
        `HistoryLake logRetentionDays must be a whole number of days ≥ 1 (a CloudWatch Logs retention period); got ${logRetentionDays}`,
      );
    }

    // ---- Bucket ----------------------------------------------------------------------------------------------
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: args.forceDestroy ?? false, tags }, child);
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    const pab = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: args.kmsKeyArn
              ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }
              : { sseAlgorithm: "AES256" },
            bucketKeyEnabled: args.kmsKeyArn ? true : undefined,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: this.bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [denyInsecureTransport("DenyInsecureTransport", "s3:*", [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`])],
        }),
      },
      { parent: this, dependsOn: [pab] },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: this.bucket.id,
        rules: [
          ...DATASET_NAMES.map((ds) => ({
            id: `expire-${ds}`,
            status: "Enabled",
            filter: { prefix: dataPrefix(ds) },
            expiration: { days: retentionDays },
          })),
          { id: "expire-athena-results", status: "Enabled", filter: { prefix: ATHENA_RESULTS_PREFIX }, expiration: { days: 7 } },
          { id: "expire-errors", status: "Enabled", filter: { prefix: "errors/" }, expiration: { days: 30 } },
          {
            id: "abort-incomplete-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      child,
    );

    // ---- Glue ------------------------------------------------------------------------------------------------
    this.database = new aws.glue.CatalogDatabase(
      `${name}-db`,
      { name: dbName, description: "mcjobs: MediaConvert job history (Parquet, written by Firehose)" },
      child,
    );
    this.databaseName = this.database.name;
    const tables = {} as Record<DatasetName, aws.glue.CatalogTable>;
    for (const ds of DATASET_NAMES) {
      const def = DATASETS[ds];
      const location = pulumi.interpolate`s3://${this.bucket.bucket}/${dataPrefix(ds)}`;
      tables[ds] = new aws.glue.CatalogTable(
        `${name}-${ds.replace(/_/g, "-")}`,
        {
          name: ds,
          databaseName: this.database.name,
          description: def.description,
          tableType: "EXTERNAL_TABLE",
          parameters: {
            EXTERNAL: "TRUE",
            classification: "parquet",
            "parquet.compression": "SNAPPY",
            "projection.enabled": "true",
            [`projection.${PARTITION_KEY.name}.type`]: "date",
            [`projection.${PARTITION_KEY.name}.format`]: "yyyy-MM-dd",
            [`projection.${PARTITION_KEY.name}.range`]: `${PROJECTION_START},NOW`,
            [`projection.${PARTITION_KEY.name}.interval`]: "1",
            [`projection.${PARTITION_KEY.name}.interval.unit`]: "DAYS",
            "storage.location.template": pulumi.interpolate`${location}${PARTITION_KEY.name}=\${${PARTITION_KEY.name}}/`,
          },
          partitionKeys: [{ name: PARTITION_KEY.name, type: PARTITION_KEY.type, comment: PARTITION_KEY.comment }],
          storageDescriptor: {
            location,
            inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            serDeInfo: {
              name: "parquet",
              serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
              parameters: { "serialization.format": "1" },
            },
            columns: def.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
          },
        },
        child,
      );
    }
    this.tables = tables;

    // ---- Firehose (components/history-delivery.ts) -----------------------------------------------------------
    this.deliveryStreams = lakeDeliveryStreams(this, name, {
      bucket: this.bucket,
      database: this.database,
      tables,
      bufferIntervalSeconds: interval,
      bufferSizeMiB: sizeMiB,
      kmsKeyArn: args.kmsKeyArn,
      logRetentionDays,
      where,
      tags,
    });

    // ---- Athena ----------------------------------------------------------------------------------------------
    this.workgroup = new aws.athena.Workgroup(
      `${name}-workgroup`,
      {
        description: "mcjobs history queries",
        forceDestroy: true,
        configuration: {
          enforceWorkgroupConfiguration: true,
          publishCloudwatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: cutoff,
          resultConfiguration: {
            outputLocation: pulumi.interpolate`s3://${this.bucket.bucket}/${ATHENA_RESULTS_PREFIX}`,
            encryptionConfiguration: args.kmsKeyArn
              ? { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn }
              : { encryptionOption: "SSE_S3" },
            aclConfiguration: { s3AclOption: "BUCKET_OWNER_FULL_CONTROL" },
          },
        },
        tags,
      },
      child,
    );
    this.workgroupName = this.workgroup.name;
    this.namedQueries = namedQueries().map(
      (q) =>
        new aws.athena.NamedQuery(
          `${name}-q-${q.name.replace(/_/g, "-")}`,
          {
            name: q.name,
            description: q.description.slice(0, 1024),
            database: this.database.name,
            workgroup: this.workgroup.name,
            query: q.sql,
          },
          child,
        ),
    );

    this.registerOutputs({
      bucketName: this.bucketName,
      databaseName: this.databaseName,
      workgroupName: this.workgroupName,
      deliveryStreams: Object.fromEntries(DATASET_NAMES.map((ds) => [ds, this.deliveryStreams[ds].name])),
    });
  }
}
