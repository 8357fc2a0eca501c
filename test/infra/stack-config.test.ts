import { strict as assert } from "node:assert";
import {
  checkStackConfig,
  parseStackConfig,
  loadStackConfig,
  StackConfigError,
  CONFIG_KEYS,
  KEY_DOCS,
  unreadAwsKeyNote,
} from "../../infra/stack-config";
import { runProgram } from "../support/pulumi-harness";

function problemsOf(raw: Record<string, unknown>, region = "us-east-1"): string[] {
  try {
    parseStackConfig(raw, { region });
  } catch (e) {
    assert.ok(e instanceof StackConfigError, `expected StackConfigError, got ${String(e)}`);
    return e.problems.map((p) => p.message);
  }
  assert.fail(`config ${JSON.stringify(raw)} was accepted`);
}

describe("infra: stack config", () => {
  it("applies documented defaults when nothing is set", () => {
    const cfg = parseStackConfig({}, { region: "eu-west-1", stack: "dev" });
    assert.equal(cfg.tableTTL, 90);
    assert.equal(cfg.streamTTL, 24);
    assert.equal(cfg.bufferInterval, 60);
    assert.equal(cfg.useStreams, true);
    assert.equal(cfg.probeBudgetBytes, 4 * 1024 * 1024);
    assert.equal(cfg.retainData, true);
    assert.equal(cfg.collectOnlyApplication, true, "stacks sharing a region keep to their own jobs unless told otherwise");
    assert.deepEqual(cfg.notificationEmails, []);
    assert.deepEqual(cfg.alarmSubscribers, []);
    assert.equal(cfg.region, "eu-west-1");
  });

  it("parses strings as Pulumi stores them: numbers, booleans, JSON and comma lists", () => {
    const cfg = parseStackConfig({
      tableTTL: "7",
      streamTTL: "8760",
      bufferInterval: "300",
      useStreams: "false",
      notificationEmails: "ops@example.com, oncall@example.org",
      corsOrigins: '["https://player.example.com","http://localhost:5173"]',
      inputBucketArns: "arn:aws:s3:::my-ingest",
      logLevel: "debug",
      queueArn: "arn:aws:mediaconvert:us-east-1:123456789012:queues/Default",
    });
    assert.equal(cfg.tableTTL, 7);
    assert.equal(cfg.streamTTL, 8760);
    assert.equal(cfg.bufferInterval, 300);
    assert.equal(cfg.useStreams, false);
    assert.deepEqual(cfg.notificationEmails, ["ops@example.com", "oncall@example.org"]);
    assert.deepEqual(cfg.corsOrigins, ["https://player.example.com", "http://localhost:5173"]);
    assert.deepEqual(cfg.inputBucketArns, ["arn:aws:s3:::my-ingest"]);
    assert.equal(cfg.logLevel, "DEBUG");
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      "streamTTL below 24 h",
      { streamTTL: "23" },
      /^mcjobs:streamTTL = "23" is out of range: must be a whole number of hours from 24 to 8760$/,
    ],
    ["streamTTL above 8760 h", { streamTTL: "8761" }, /mcjobs:streamTTL = "8761" is out of range: .*24 to 8760/],
    ["streamTTL not a number", { streamTTL: "one day" }, /mcjobs:streamTTL = "one day" must be a whole number of hours from 24 to 8760/],
    ["streamTTL fractional", { streamTTL: "24.5" }, /mcjobs:streamTTL = "24.5" must be a whole number/],
    ["tableTTL zero", { tableTTL: "0" }, /mcjobs:tableTTL = "0" is out of range: must be a whole number of days from 1 to 3650/],
    [
      "bufferInterval below Firehose minimum",
      { bufferInterval: "30" },
      /mcjobs:bufferInterval = "30" is out of range: .*seconds from 60 to 300/,
    ],
    ["bufferInterval above Lambda window", { bufferInterval: "900" }, /mcjobs:bufferInterval = "900" is out of range/],
    ["useStreams not boolean", { useStreams: "yes" }, /mcjobs:useStreams = "yes" must be true or false/],
    [
      "subscriber that is neither URL nor ARN",
      { notificationSubscribers: "https://hooks.example.com/x,mailto:a@b.co" },
      /mcjobs:notificationSubscribers = .* contains "mailto:a@b.co", which is not an https:\/\/ URL, an SQS queue ARN or a Lambda function ARN/,
    ],
    [
      "alarm subscriber that is neither address, URL nor ARN",
      { alarmSubscribers: "ops@example.com,http://pager.example.com" },
      /^mcjobs:alarmSubscribers = .* contains "http:\/\/pager.example.com", which is not an e-mail address, an https:\/\/ URL, an SQS queue ARN or a Lambda function ARN/,
    ],
    [
      "too many alarm subscribers",
      { alarmSubscribers: Array.from({ length: 11 }, (_, i) => `p${i}@example.com`).join(",") },
      /mcjobs:alarmSubscribers = .* has too many entries: at most 10 alarm subscribers/,
    ],
    [
      "bad e-mail",
      { notificationEmails: "ops@example.com,not-an-address" },
      /mcjobs:notificationEmails = .* contains "not-an-address", which is not an e-mail address/,
    ],
    [
      "broken JSON list",
      { corsOrigins: '["https://a.example"' },
      /mcjobs:corsOrigins = .* must be a JSON list of origins or a comma-separated list/,
    ],
    ["wildcard origin", { corsOrigins: "*" }, /mcjobs:corsOrigins = "\*" contains "\*", which is not an origin/],
    ["origin with path", { corsOrigins: "https://a.example/app" }, /not an origin/],
    ["queue ARN malformed", { queueArn: "Default" }, /mcjobs:queueArn = "Default" must be a MediaConvert queue ARN/],
    [
      "queue ARN whose partition does not hold its region",
      { queueArn: "arn:aws-cn:mediaconvert:us-east-1:123456789012:queues/Default" },
      /mcjobs:queueArn = .* must be a MediaConvert queue ARN .*names region us-east-1 in partition aws-cn; that region is in aws$/,
    ],
    [
      "queue in another region",
      { queueArn: "arn:aws:mediaconvert:eu-west-1:123456789012:queues/Default" },
      /is in eu-west-1 but this stack deploys to us-east-1/,
    ],
    [
      "probe budget too small",
      { probeBudgetBytes: "1024" },
      /mcjobs:probeBudgetBytes = "1024" is out of range: .*bytes from 65536 to 67108864/,
    ],
    ["log retention not allowed by CloudWatch", { logRetentionDays: "31" }, /mcjobs:logRetentionDays = "31" must be one of .*30, 60/],
    ["application with spaces", { application: "my app" }, /mcjobs:application = "my app" must be 1 to 30 letters, digits or hyphens/],
    ["athena limit below 10 MiB", { athenaBytesScannedLimit: "1000" }, /mcjobs:athenaBytesScannedLimit = "1000" is out of range/],
    ["api rate zero", { apiRateLimit: "0" }, /mcjobs:apiRateLimit = "0" is out of range/],
    ["bucket ARN malformed", { inputBucketArns: "my-bucket" }, /contains "my-bucket", which is not an S3 bucket ARN/],
    ["log level unknown", { logLevel: "verbose" }, /mcjobs:logLevel = "verbose" must be one of DEBUG, INFO, WARN, ERROR/],
    ["typo in a key", { tableTtl: "30" }, /mcjobs:tableTtl is not a setting of this program \(did you mean mcjobs:tableTTL\?\)/],
  ];
  for (const [what, raw, expected] of bad) {
    it(`refuses ${what}, naming key, value and allowed range`, () => {
      const problems = problemsOf(raw);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], expected);
    });
  }

  it("reports every bad key at once", () => {
    const problems = problemsOf({ streamTTL: "1", tableTTL: "-5", useStreams: "maybe" });
    assert.deepEqual(problems.map((p) => p.split(" ")[0]).sort(), ["mcjobs:streamTTL", "mcjobs:tableTTL", "mcjobs:useStreams"]);
  });

  it("documents every key", () => {
    assert.deepEqual(KEY_DOCS.map((d) => d.key).sort(), [...CONFIG_KEYS].sort());
  });

  it("loadStackConfig reads the stack's Pulumi config and region", async () => {
    const run = await runProgram(() => loadStackConfig(), {
      stack: "prod-eu",
      region: "eu-west-1",
      config: { streamTTL: "48", useStreams: "false" },
    });
    assert.equal(run.result.streamTTL, 48);
    assert.equal(run.result.useStreams, false);
    assert.equal(run.result.region, "eu-west-1");
    assert.equal(run.result.stack, "prod-eu");
  });

  it("loadStackConfig fails the run with the key named", async () => {
    await assert.rejects(
      runProgram(() => loadStackConfig(), { config: { streamTTL: "5" } }),
      /mcjobs:streamTTL = "5" is out of range/,
    );
  });

  it("notificationSubscribers: https URLs, SQS and Lambda ARNs, as JSON or comma-separated", () => {
    const subs = [
      "https://hooks.example.com/mc",
      "arn:aws:sqs:us-east-1:123456789012:inbox",
      "arn:aws:lambda:us-east-1:123456789012:function:pager",
    ];
    assert.deepEqual(parseStackConfig({ notificationSubscribers: JSON.stringify(subs) }).notificationSubscribers, subs);
    assert.deepEqual(parseStackConfig({ notificationSubscribers: subs.join(" , ") }).notificationSubscribers, subs);
    assert.deepEqual(parseStackConfig({}).notificationSubscribers, []);
  });

  it("alarmSubscribers: e-mail addresses, https URLs, SQS and Lambda ARNs, as JSON or comma-separated", () => {
    const subs = [
      "oncall@example.com",
      "https://pager.example.com/mcjobs",
      "arn:aws:sqs:us-east-1:123456789012:ops",
      "arn:aws-cn:lambda:cn-north-1:123456789012:function:pager",
    ];
    assert.deepEqual(parseStackConfig({ alarmSubscribers: JSON.stringify(subs) }).alarmSubscribers, subs);
    assert.deepEqual(parseStackConfig({ alarmSubscribers: subs.join(", ") }).alarmSubscribers, subs);
    // A typo in the key is caught like any other.
    assert.match(
      problemsOf({ alarmSubscriber: "ops@example.com" })[0],
      /mcjobs:alarmSubscriber is not a setting of this program \(did you mean mcjobs:alarmSubscribers\?\)/,
    );
  });

  it("loadStackConfig refuses a missing or malformed aws:region", async () => {
    await assert.rejects(
      runProgram(() => loadStackConfig(), { region: "mars-1" }),
      /aws:region = "mars-1" must name the AWS region/,
    );
  });
});

describe("infra: stack config, the aws: namespace", () => {
  it("validates the aws: keys the program passes to its provider, naming each bad one", () => {
    const { problems } = checkStackConfig(
      { "aws:region": "eu-west-1", "aws:profile": "media prod", "aws:allowedAccountIds": '["12345"]' },
      { project: "mcjobs", stack: "x" },
    );
    assert.deepEqual(
      problems.map((p) => p.key),
      ["aws:profile", "aws:allowedAccountIds"],
    );
    assert.match(problems[1].message, /aws:allowedAccountIds = "\[\\"12345\\"\]" contains "12345", which is not an AWS account ID/);
    const both = checkStackConfig(
      { "aws:region": "eu-west-1", "aws:allowedAccountIds": "111122223333", "aws:forbiddenAccountIds": "444455556666" },
      { project: "mcjobs", stack: "x" },
    );
    assert.match(both.problems[0].message, /cannot be set together with aws:allowedAccountIds/);
  });

  it("leaves aws: keys it does not read to Pulumi and the provider, and lists them", () => {
    const { problems, unread, config } = checkStackConfig(
      { "aws:region": "eu-west-1", "aws:skipMetadataApiCheck": "false", "mcjobs:tableTTL": "30" },
      { project: "mcjobs", stack: "x" },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(unread, ["aws:skipMetadataApiCheck"]);
    assert.equal(config?.tableTTL, 30);
    assert.match(unreadAwsKeyNote("aws:skipMetadataApiCheck"), /not passed to this program's AWS provider/);
  });

  it("refuses a key of a namespace nothing reads (a misspelt project name)", () => {
    const { problems } = checkStackConfig({ "aws:region": "eu-west-1", "mcjob:tableTTL": "30" }, { project: "mcjobs", stack: "x" });
    assert.match(problems[0].message, /mcjob:tableTTL is read by nothing in this program/);
  });

  it("loadStackConfig returns aws:profile and aws:allowedAccountIds for the provider", async () => {
    const run = await runProgram(() => loadStackConfig(), {
      region: "eu-west-1",
      config: { "aws:profile": "media-prod", "aws:allowedAccountIds": '["111122223333"]' },
    });
    assert.equal(run.result.aws.profile, "media-prod");
    assert.deepEqual(run.result.aws.allowedAccountIds, ["111122223333"]);
  });
});
