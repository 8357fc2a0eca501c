/**
 * Every stack setting changes what is deployed: one program run with defaults, one with every setting moved off its
 * default (and one without streams), and for each key of CONFIG_KEYS a check that finds its value where it takes
 * effect and that the default run differs there. A new key without a check fails the first test.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { CONFIG_KEYS, type StackConfigInput } from "../../infra/stack-config";
import { runModule, type MockRun } from "../support/pulumi-harness";

const INDEX = path.join(__dirname, "..", "..", "index.ts");
type Run = MockRun<Record<string, unknown>>;

/** Every setting off its default (useStreams is checked on a run of its own: without it there is no lake to check). */
const CHANGED: Record<string, string> = {
  application: "every-app",
  tableTTL: "12",
  streamTTL: "48",
  bufferInterval: "180",
  collectOnlyApplication: "false",
  notificationEmails: "media@corp.test",
  notificationSubscribers: "https://hooks.corp.test/mc",
  alarmSubscribers: "oncall@corp.test",
  queueArn: "arn:aws:mediaconvert:eu-west-1:123456789012:queues/Priority",
  probeBudgetBytes: "1048576",
  probeMaxRequests: "5",
  mediaExpirationDays: "11",
  corsOrigins: "https://player.corp.test",
  apiBurstLimit: "77",
  apiRateLimit: "88",
  athenaBytesScannedLimit: "20971520",
  logRetentionDays: "14",
  retainData: "false",
  reconcileMinutes: "13",
  inputBucketArns: "arn:aws:s3:::ingest-corp",
  logLevel: "WARN",
};

const fn = (run: Run, name: string) => run.one("aws:lambda/function:Function", name).inputs.environment.variables as Record<string, string>;
const json = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const collectorPattern = (run: Run) => JSON.parse(run.one("aws:cloudwatch/eventRule:EventRule", "collector-rule").inputs.eventPattern);
const subscriptions = (run: Run, prefix: string) =>
  run
    .all("aws:sns/topicSubscription:TopicSubscription")
    .filter((s) => s.name.startsWith(prefix))
    .map((s) => s.inputs.endpoint);

/** Where each setting shows: the value in the changed run, and the default run's value (which must differ). */
const CHECKS: Record<keyof StackConfigInput, (run: Run) => unknown> = {
  application: (run) => [
    JSON.parse(json(run.one("pulumi:providers:aws").inputs.defaultTags)).tags["mcjobs:application"],
    fn(run, "watch-handler-fn").APPLICATION,
  ],
  tableTTL: (run) => [
    fn(run, "collector-fn-fn").TABLE_TTL_DAYS,
    JSON.parse(run.one("aws:dynamodb/tableItem:TableItem", "mcjobs-config-tableTTL").inputs.item).value,
  ],
  streamTTL: (run) => run.one("aws:kinesis/stream:Stream").inputs.retentionPeriod,
  bufferInterval: (run) => [
    ...run.all("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").map((d) => d.inputs.extendedS3Configuration.bufferingInterval),
    ...run.all("aws:lambda/eventSourceMapping:EventSourceMapping").map((m) => m.inputs.maximumBatchingWindowInSeconds),
  ],
  useStreams: (run) => run.all("aws:kinesis/stream:Stream").length,
  collectOnlyApplication: (run) => collectorPattern(run).detail ?? "every job",
  notificationEmails: (run) => subscriptions(run, "notify-email"),
  notificationSubscribers: (run) => subscriptions(run, "notify-subscriber"),
  alarmSubscribers: (run) => subscriptions(run, "ops-subscriber"),
  queueArn: (run) => fn(run, "watch-handler-fn").MEDIACONVERT_QUEUE_ARN ?? "the Default queue",
  probeBudgetBytes: (run) => fn(run, "collector-fn-fn").PROBE_BUDGET_BYTES,
  probeMaxRequests: (run) => fn(run, "collector-fn-fn").PROBE_MAX_REQUESTS,
  mediaExpirationDays: (run) =>
    ["watch-media-lifecycle", "watch-watch-lifecycle"].map(
      (n) => run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", n).inputs.rules[0].expiration.days,
    ),
  corsOrigins: (run) => [
    run.one("aws:apigatewayv2/api:Api").inputs.corsConfiguration?.allowOrigins ?? [],
    run.all("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration").map((c) => c.inputs.corsRules[0].allowedOrigins),
  ],
  apiBurstLimit: (run) => run.one("aws:apigatewayv2/stage:Stage").inputs.defaultRouteSettings.throttlingBurstLimit,
  apiRateLimit: (run) => run.one("aws:apigatewayv2/stage:Stage").inputs.defaultRouteSettings.throttlingRateLimit,
  athenaBytesScannedLimit: (run) => run.one("aws:athena/workgroup:Workgroup").inputs.configuration.bytesScannedCutoffPerQuery,
  logRetentionDays: (run) => [...new Set(run.all("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays))],
  retainData: (run) => run.all("aws:dynamodb/table:Table").map((t) => [t.inputs.deletionProtectionEnabled, t.retainOnDelete]),
  reconcileMinutes: (run) => run.one("aws:scheduler/schedule:Schedule").inputs.scheduleExpression,
  inputBucketArns: (run) =>
    json(run.one("aws:iam/rolePolicy:RolePolicy", "collector-fn-policy").inputs.policy).includes("arn:aws:s3:::ingest-corp/*"),
  logLevel: (run) => [...new Set(run.all("aws:lambda/function:Function").map((f) => f.inputs.environment.variables.POWERTOOLS_LOG_LEVEL))],
};

/** What each check must find in the changed run. */
const EXPECTED: Record<keyof StackConfigInput, unknown> = {
  application: ["every-app", "every-app"],
  tableTTL: ["12", { N: "12" }],
  streamTTL: 48,
  bufferInterval: [180, 180, 180, 180, 180],
  useStreams: 0,
  collectOnlyApplication: "every job",
  notificationEmails: ["media@corp.test"],
  notificationSubscribers: ["https://hooks.corp.test/mc"],
  alarmSubscribers: ["oncall@corp.test"],
  queueArn: CHANGED.queueArn,
  probeBudgetBytes: "1048576",
  probeMaxRequests: "5",
  mediaExpirationDays: [11, 11],
  corsOrigins: [["https://player.corp.test"], [["https://player.corp.test"]]],
  apiBurstLimit: 77,
  apiRateLimit: 88,
  athenaBytesScannedLimit: 20971520,
  logRetentionDays: [14],
  retainData: [
    [false, false],
    [false, false],
    [false, false],
    [false, false],
  ],
  reconcileMinutes: "rate(13 minutes)",
  inputBucketArns: true,
  logLevel: ["WARN"],
};

describe("infra: every stack setting changes what is deployed", () => {
  const runs: Record<"base" | "changed" | "noStreams", Run> = {} as never;
  before(async () => {
    runs.base = await runModule(INDEX, { stack: "base", region: "eu-west-1", config: {} });
    runs.changed = await runModule(INDEX, { stack: "changed", region: "eu-west-1", config: CHANGED });
    runs.noStreams = await runModule(INDEX, { stack: "lean", region: "eu-west-1", config: { useStreams: "false" } });
  });

  it("has a check for every key of the schema", () => {
    assert.deepEqual(Object.keys(CHECKS).sort(), [...CONFIG_KEYS].sort());
    assert.deepEqual(Object.keys(EXPECTED).sort(), [...CONFIG_KEYS].sort());
    assert.deepEqual(Object.keys(CHANGED).sort(), CONFIG_KEYS.filter((k) => k !== "useStreams").sort());
  });

  for (const key of CONFIG_KEYS) {
    it(`${key}: its value shows where it takes effect, and the default differs`, () => {
      const changed = key === "useStreams" ? runs.noStreams : runs.changed;
      const check = CHECKS[key];
      assert.deepEqual(check(changed), EXPECTED[key]);
      assert.notDeepEqual(check(runs.base), EXPECTED[key], "the default run already had this value");
    });
  }
});
