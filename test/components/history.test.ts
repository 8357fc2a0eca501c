/**
 * HistoryLake and StreamConsumers under Pulumi mocks: Parquet conversion, partition projection, Glue columns =
 * the columns the consumers write, workgroup limit, bucket posture, event source mappings and least privilege.
 */
import { strict as assert } from "node:assert";
import { HistoryLake } from "../../components/history-lake";
import { StreamConsumers } from "../../components/stream-consumers";
import { jobEventRow, jobRow } from "../../lib/domain/history-rows";
import { windowRows, foldRecord, emptyState } from "../../lib/domain/queue-window";
import { DATASETS, DATASET_NAMES } from "../../lib/domain/history";
import { namedQueries } from "../../lib/sql/queries";
import { asList, outputOf, policyStatements, runProgram } from "../support/pulumi-harness";
import { recordsOfJob } from "../support/known-jobs";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";

describe("history: HistoryLake (Pulumi mocks)", function () {
  this.timeout(60_000);

  async function lake(args: Partial<ConstructorParameters<typeof HistoryLake>[1]> = {}) {
    return runProgram(
      () => new HistoryLake("lake", { bufferIntervalSeconds: 120, kmsKeyArn: KEY, bytesScannedCutoffPerQuery: 5 * 1024 ** 3, ...args }),
      {
        region: "eu-west-1",
      },
    );
  }

  it("converts every delivery stream to Parquet from its Glue table, time-partitioned, with an error prefix and encryption", async () => {
    const run = await lake();
    const streams = run.all("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
    assert.equal(streams.length, DATASET_NAMES.length);
    const tables = run.all("aws:glue/catalogTable:CatalogTable");
    const db = run.one("aws:glue/catalogDatabase:CatalogDatabase");
    const bucket = run.one("aws:s3/bucket:Bucket");
    for (const ds of DATASET_NAMES) {
      const s = streams.find((x) => x.inputs.extendedS3Configuration.prefix.startsWith(`${ds}/`));
      assert.ok(s, `a delivery stream for ${ds}`);
      const c = s.inputs.extendedS3Configuration;
      assert.equal(s.inputs.destination, "extended_s3");
      assert.equal(c.prefix, `${ds}/dt=!{timestamp:yyyy-MM-dd}/`);
      assert.match(c.errorOutputPrefix, new RegExp(`^errors/${ds}/!\\{firehose:error-output-type\\}/`));
      assert.equal(c.bufferingInterval, 120);
      assert.ok(c.bufferingSize >= 64, "Parquet conversion needs ≥ 64 MiB buffers");
      assert.equal(c.compressionFormat, "UNCOMPRESSED");
      assert.equal(c.bucketArn, bucket.state.arn);
      assert.equal(c.kmsKeyArn, KEY);
      const conv = c.dataFormatConversionConfiguration;
      assert.equal(conv.enabled, true);
      assert.ok(conv.inputFormatConfiguration.deserializer.openXJsonSerDe);
      assert.equal(conv.outputFormatConfiguration.serializer.parquetSerDe.compression, "SNAPPY");
      assert.equal(conv.schemaConfiguration.tableName, ds);
      assert.equal(conv.schemaConfiguration.databaseName, db.state.name);
      assert.ok(tables.some((t) => t.inputs.name === ds));
      assert.deepEqual(s.inputs.serverSideEncryption, { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY });
    }
  });

  it("Glue tables: columns are exactly what the consumers write, dt partition projection, no crawler needed", async () => {
    const run = await lake();
    const bucket = run.one("aws:s3/bucket:Bucket");
    // What the consumers really emit, from real stream records.
    const recs = recordsOfJob(0);
    const emitted: Record<string, string[]> = {
      job_events: Object.keys(jobEventRow(recs[0])),
      jobs: Object.keys(jobRow(recs.at(-1)!)!),
      queue_metrics: Object.keys(
        windowRows(
          recs.reduce((s, r) => foldRecord(s, r), emptyState()),
          { start: 0, end: 1, shardId: "s" },
          2,
        )[0],
      ),
    };
    const glueType = (v: unknown) => v;
    for (const ds of DATASET_NAMES) {
      const t = run.one("aws:glue/catalogTable:CatalogTable", `lake-${ds.replace(/_/g, "-")}`);
      const cols = t.inputs.storageDescriptor.columns as { name: string; type: string }[];
      assert.deepEqual(cols.map((c) => c.name).sort(), [...emitted[ds]].sort(), `${ds}: Glue columns = consumer output`);
      assert.deepEqual(
        cols.map((c) => [c.name, glueType(c.type)]),
        DATASETS[ds].columns.map((c) => [c.name, c.type]),
      );
      assert.deepEqual(
        t.inputs.partitionKeys.map((p: { name: string; type: string }) => [p.name, p.type]),
        [["dt", "string"]],
      );
      const p = t.inputs.parameters;
      assert.equal(p["projection.enabled"], "true");
      assert.equal(p["projection.dt.type"], "date");
      assert.equal(p["projection.dt.format"], "yyyy-MM-dd");
      assert.match(p["projection.dt.range"], /^\d{4}-\d{2}-\d{2},NOW$/);
      assert.equal(p["storage.location.template"], `s3://${bucket.state.bucket}/${ds}/dt=\${dt}/`);
      assert.equal(t.inputs.storageDescriptor.location, `s3://${bucket.state.bucket}/${ds}/`);
      assert.match(t.inputs.storageDescriptor.serDeInfo.serializationLibrary, /ParquetHiveSerDe/);
    }
    assert.equal(run.all("aws:glue/crawler:Crawler").length, 0);
  });

  it("Athena workgroup enforces a bytes-scanned limit and encrypted results; every .sql file is a named query", async () => {
    const run = await lake();
    const wg = run.one("aws:athena/workgroup:Workgroup");
    const bucket = run.one("aws:s3/bucket:Bucket");
    const cfg = wg.inputs.configuration;
    assert.equal(cfg.bytesScannedCutoffPerQuery, 5 * 1024 ** 3);
    assert.equal(cfg.enforceWorkgroupConfiguration, true);
    assert.equal(cfg.resultConfiguration.outputLocation, `s3://${bucket.state.bucket}/athena-results/`);
    assert.deepEqual(cfg.resultConfiguration.encryptionConfiguration, { encryptionOption: "SSE_KMS", kmsKeyArn: KEY });
    const nq = run.all("aws:athena/namedQuery:NamedQuery");
    assert.deepEqual(
      nq.map((q) => q.inputs.name).sort(),
      namedQueries()
        .map((q) => q.name)
        .sort(),
    );
    for (const q of nq) {
      assert.equal(q.inputs.workgroup, wg.state.name);
      assert.equal(q.inputs.query, namedQueries().find((x) => x.name === q.inputs.name)!.sql);
    }
    await assert.rejects(lake({ bytesScannedCutoffPerQuery: 1000 }), /at least 10485760 bytes/);
  });

  it("bucket posture: encrypted, public access blocked, owner-enforced, TLS only, lifecycle", async () => {
    const run = await lake();
    const sse = run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    assert.deepEqual(sse.inputs.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY });
    const pab = run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
      assert.equal(pab.inputs[k], true, k);
    assert.equal(run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule.objectOwnership, "BucketOwnerEnforced");
    const policy = policyStatements(run.one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
    const deny = policy.find((s) => s.Effect === "Deny");
    assert.ok(deny);
    assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
    const rules = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as {
      id: string;
      filter: { prefix?: string };
      expiration?: { days: number };
    }[];
    for (const ds of DATASET_NAMES)
      assert.ok(
        rules.some((r) => r.filter.prefix === `${ds}/` && r.expiration?.days === 400),
        `lifecycle for ${ds}`,
      );
    assert.ok(rules.some((r) => r.filter.prefix === "athena-results/" && r.expiration!.days <= 30));

    const noKey = await runProgram(() => new HistoryLake("lake", { bufferIntervalSeconds: 60 }));
    const sse2 = noKey.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    assert.equal(sse2.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
    for (const s of noKey.all("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"))
      assert.equal(s.inputs.serverSideEncryption.enabled, true);
  });

  it("Firehose role: writes only its bucket, reads only its Glue tables", async () => {
    const run = await lake();
    const bucket = run.one("aws:s3/bucket:Bucket");
    const role = run.one("aws:iam/role:Role", /firehose/);
    assert.deepEqual(policyStatements(role.inputs.assumeRolePolicy)[0].Principal, { Service: "firehose.amazonaws.com" });
    const sts = policyStatements(run.one("aws:iam/rolePolicy:RolePolicy", /firehose/).inputs.policy);
    for (const s of sts) {
      for (const a of asList(s.Action)) assert.ok(!a.includes("*"), `no wildcard action (${a})`);
      for (const r of asList(s.Resource)) assert.notEqual(r, "*");
    }
    const write = sts.find((s) => asList(s.Action).includes("s3:PutObject"))!;
    assert.deepEqual(asList(write.Resource).sort(), [bucket.state.arn, `${bucket.state.arn}/*`].sort());
    const glue = sts.find((s) => asList(s.Action).includes("glue:GetTable"))!;
    assert.ok(asList(glue.Resource).some((r) => r.endsWith(":table/mcjobs/jobs")));
  });

  it("keeps the delivery streams' error logs logRetentionDays days (default 30)", async () => {
    const group = (run: Awaited<ReturnType<typeof lake>>) => run.one("aws:cloudwatch/logGroup:LogGroup", "lake-firehose-logs").inputs;
    assert.equal(group(await lake()).retentionInDays, 30);
    const kept = group(await lake({ logRetentionDays: 400 }));
    assert.deepEqual([kept.retentionInDays, kept.kmsKeyId], [400, KEY]);
    await assert.rejects(lake({ logRetentionDays: 0 }), /logRetentionDays must be a whole number of days/);
  });

  it("rejects a buffer interval Firehose would refuse", async () => {
    await assert.rejects(
      runProgram(() => new HistoryLake("lake", { bufferIntervalSeconds: 901 })),
      /0 to 900; got 901/,
    );
  });
});

describe("history: StreamConsumers (Pulumi mocks)", function () {
  this.timeout(60_000);
  const STREAM = "arn:aws:kinesis:eu-west-1:123456789012:stream/jobs";
  const ds = (n: string) => ({ name: `mcjobs-${n}`, arn: `arn:aws:firehose:eu-west-1:123456789012:deliverystream/mcjobs-${n}` });

  async function consumers(bufferIntervalSeconds = 60, logLevel?: "DEBUG" | "WARN") {
    return runProgram(
      () =>
        new StreamConsumers("consumers", {
          streamArn: STREAM,
          streamKmsKeyArn: KEY,
          kmsKeyArn: KEY,
          deliveryStreams: { job_events: ds("job-events"), jobs: ds("jobs"), queue_metrics: ds("queue-metrics") },
          bufferIntervalSeconds,
          tumblingWindowSeconds: 120,
          logLevel,
        }),
      { region: "eu-west-1" },
    );
  }

  it("maps the stream to both consumers: batch window, bisect, partial failures, retries, on-failure queue, tumbling window", async () => {
    const run = await consumers(600);
    const queue = run.one("aws:sqs/queue:Queue");
    assert.equal(queue.inputs.kmsMasterKeyId, KEY);
    const maps = run.all("aws:lambda/eventSourceMapping:EventSourceMapping");
    assert.equal(maps.length, 2);
    for (const m of maps) {
      assert.equal(m.inputs.eventSourceArn, STREAM);
      assert.equal(m.inputs.maximumBatchingWindowInSeconds, 300, "capped at Lambda's maximum");
      assert.equal(m.inputs.bisectBatchOnFunctionError, true);
      assert.deepEqual(m.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
      assert.ok(m.inputs.maximumRetryAttempts >= 0 && m.inputs.maximumRetryAttempts <= 10_000);
      assert.equal(m.inputs.destinationConfig.onFailure.destinationArn, queue.state.arn);
      assert.equal(m.inputs.startingPosition, "TRIM_HORIZON");
    }
    const history = maps.find((m) => /history/.test(m.name))!;
    const analytics = maps.find((m) => /analytics/.test(m.name))!;
    assert.equal(history.inputs.tumblingWindowInSeconds, undefined);
    assert.equal(analytics.inputs.tumblingWindowInSeconds, 120);
    assert.equal(
      (await consumers(30)).all("aws:lambda/eventSourceMapping:EventSourceMapping")[0].inputs.maximumBatchingWindowInSeconds,
      30,
    );
  });

  it("least privilege: each consumer reads the stream and writes only its own delivery streams", async () => {
    const run = await consumers();
    const fns = run.all("aws:lambda/function:Function");
    const env = (re: RegExp) => fns.find((f) => re.test(f.name))!.inputs.environment.variables;
    assert.equal(env(/history/).JOB_EVENTS_DELIVERY_STREAM, "mcjobs-job-events");
    assert.equal(env(/history/).JOBS_DELIVERY_STREAM, "mcjobs-jobs");
    assert.equal(env(/analytics/).QUEUE_METRICS_DELIVERY_STREAM, "mcjobs-queue-metrics");
    const queue = run.one("aws:sqs/queue:Queue");
    assert.equal(env(/history/).DEAD_LETTER_QUEUE_URL, queue.state.url);
    assert.equal(env(/analytics/).DEAD_LETTER_QUEUE_URL, queue.state.url);
    const policyOf = (re: RegExp) => policyStatements(run.one("aws:iam/rolePolicy:RolePolicy", re).inputs.policy);
    const putTargets = (re: RegExp) =>
      policyOf(re)
        .filter((s) => asList(s.Action).includes("firehose:PutRecordBatch"))
        .flatMap((s) => asList(s.Resource))
        .sort();
    assert.deepEqual(putTargets(/history/), [ds("job-events").arn, ds("jobs").arn].sort());
    assert.deepEqual(putTargets(/analytics/), [ds("queue-metrics").arn]);
    for (const re of [/history/, /analytics/]) {
      const sts = policyOf(re);
      const read = sts.find((s) => asList(s.Action).includes("kinesis:GetRecords"))!;
      assert.deepEqual(asList(read.Resource), [STREAM]);
      assert.ok(sts.some((s) => asList(s.Action).includes("sqs:SendMessage")));
      assert.ok(sts.some((s) => asList(s.Action).includes("kms:Decrypt") && asList(s.Resource).includes(KEY)));
      for (const s of sts) for (const a of asList(s.Action)) assert.ok(!a.includes("*"), a);
    }
    assert.ok(await outputOf(run.result.failureQueueUrl));
  });

  it("the failure queue has an alarm; both consumers log at the given level and use the key only through Kinesis and SQS", async () => {
    const run = await consumers(60, "WARN");
    const queue = run.one("aws:sqs/queue:Queue");
    const alarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(
      [alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.dimensions],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queue.state.name }],
    );
    for (const f of run.all("aws:lambda/function:Function"))
      assert.equal(f.inputs.environment.variables.POWERTOOLS_LOG_LEVEL, "WARN", f.name);
    for (const re of [/history/, /analytics/]) {
      const sts = policyStatements(run.one("aws:iam/rolePolicy:RolePolicy", re).inputs.policy);
      const via = (sid: string) => sts.find((s) => s.Sid === sid)?.Condition?.StringEquals["kms:ViaService"];
      assert.deepEqual(
        [via("DecryptStream"), via("FailureQueueKey")],
        [["kinesis.eu-west-1.amazonaws.com"], ["sqs.eu-west-1.amazonaws.com"]],
      );
    }
    const byDefault = await consumers();
    for (const f of byDefault.all("aws:lambda/function:Function"))
      assert.equal(f.inputs.environment.variables.POWERTOOLS_LOG_LEVEL, "INFO");
  });
});
