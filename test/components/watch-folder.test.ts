/**
 * WatchFolder and Notifications under Pulumi mocks: what their key inputs turn into.
 */
import { strict as assert } from "node:assert";
import { BasePipeline } from "../../components/base-pipeline";
import { WatchFolder, type WatchFolderArgs } from "../../components/watch-folder";
import { Notifications, type NotificationsArgs } from "../../components/notifications";
import { ENV } from "../../lib/domain/env";
import { notifyOnAlarms } from "../../components/operations";
import { bucketViolations, checkPosture, formatViolations } from "../../infra/policy/rules";
import { splitOwned, toPosture } from "./posture-support";
import { runProgram, policyStatements, asList, outputOf, MOCK_ACCOUNT, type MockRun } from "../support/pulumi-harness";

const OPS_TOPIC = `arn:aws:sns:eu-west-1:${MOCK_ACCOUNT}:ops`;

function deployWatch(args: Partial<WatchFolderArgs> = {}, region = "eu-west-1") {
  return runProgram(
    () => {
      const pipeline = new BasePipeline("p", { tableTTLDays: 30, streamTTLHours: 24, useStreams: false, retainData: false });
      // As index.ts composes it: every alarm gets the operations topic as its action.
      return new WatchFolder(
        "w",
        { pipeline, application: "studio", mediaExpirationDays: 14, ...args },
        { transformations: [notifyOnAlarms(OPS_TOPIC)] },
      );
    },
    { region },
  );
}

function statements(run: MockRun, name: string) {
  return policyStatements(run.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy);
}
function grant(run: MockRun, policy: string, action: string) {
  return statements(run, policy).filter((s) => asList(s.Action).includes(action));
}

describe("infra: WatchFolder", () => {
  it("two private buckets (public access block, TLS-only, SSE-KMS with the stack key, no ACLs); the watch bucket is versioned", async () => {
    const run = await deployWatch();
    const buckets = run.all("aws:s3/bucket:Bucket");
    assert.deepEqual(buckets.map((b) => b.name).sort(), ["w-media", "w-watch"]);
    const posture = run.resources.map(toPosture);
    assert.deepEqual(bucketViolations(posture), []);
    const { ours } = splitOwned(checkPosture(posture));
    assert.deepEqual(ours, [], formatViolations(ours));
    const key = run.one("aws:kms/key:Key");
    for (const sse of run.all("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")) {
      assert.deepEqual(sse.inputs.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.state.arn });
    }
    assert.equal(run.all("aws:s3/bucketOwnershipControls:BucketOwnershipControls").length, 2);
    const versioning = run.one("aws:s3/bucketVersioning:BucketVersioning");
    assert.equal(versioning.inputs.bucket, run.one("aws:s3/bucket:Bucket", "w-watch").id);
    assert.equal(versioning.inputs.versioningConfiguration.status, "Enabled");
    // Nothing grants public read: no bucket policy allows anyone, no ACL resource exists.
    for (const bp of run.all("aws:s3/bucketPolicy:BucketPolicy")) {
      assert.ok(policyStatements(bp.inputs.policy).every((s) => s.Effect === "Deny"));
    }
    assert.equal(run.byTypePrefix("aws:s3/bucketAcl").length, 0);
  });

  it("uploads under inputs/ notify the watch-folder Lambda, which S3 of this account may invoke for this bucket only", async () => {
    const run = await deployWatch();
    const watch = run.one("aws:s3/bucket:Bucket", "w-watch");
    const fn = run.one("aws:lambda/function:Function");
    const n = run.one("aws:s3/bucketNotification:BucketNotification");
    assert.equal(n.inputs.bucket, watch.id);
    assert.deepEqual(n.inputs.lambdaFunctions, [
      { lambdaFunctionArn: fn.state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "inputs/" },
    ]);
    const perm = run.one("aws:lambda/permission:Permission");
    assert.deepEqual(
      [perm.inputs.principal, perm.inputs.sourceArn, perm.inputs.sourceAccount],
      ["s3.amazonaws.com", watch.state.arn, MOCK_ACCOUNT],
    );
    const dlq = run.one("aws:sqs/queue:Queue");
    const invoke = run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    assert.equal(invoke.inputs.destinationConfig.onFailure.destination, dlq.state.arn);
    assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
  });

  it("expiry from mediaExpirationDays on inputs/ and outputs/ only (settings files stay); CORS only for the given origins", async () => {
    const run = await deployWatch({ mediaExpirationDays: 9, corsOrigins: ["https://player.example.com"] });
    const rules = (name: string) => run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name).inputs.rules as any[];
    const expiring = (name: string) =>
      rules(name)
        .filter((r) => r.expiration?.days)
        .map((r) => [r.filter.prefix, r.expiration.days]);
    assert.deepEqual(expiring("w-watch-lifecycle"), [["inputs/", 9]]);
    assert.deepEqual(expiring("w-media-lifecycle"), [["outputs/", 9]]);
    const cors = run.one("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration");
    assert.equal(cors.inputs.bucket, run.one("aws:s3/bucket:Bucket", "w-media").id);
    assert.deepEqual(cors.inputs.corsRules[0].allowedOrigins, ["https://player.example.com"]);
    assert.deepEqual(cors.inputs.corsRules[0].allowedMethods, ["GET", "HEAD"]);
    const none = await deployWatch();
    assert.equal(none.all("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration").length, 0);
  });

  it("MediaConvert's role: assumable by MediaConvert of this account, reads inputs/ of the watch bucket, writes the media bucket, nothing else", async () => {
    const run = await deployWatch();
    const role = run.one("aws:iam/role:Role", "w-mediaconvert-role");
    const trust = policyStatements(role.inputs.assumeRolePolicy);
    assert.deepEqual(
      trust.map((s) => [s.Principal, s.Condition]),
      [[{ Service: "mediaconvert.amazonaws.com" }, { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } }]],
    );
    const watch = run.one("aws:s3/bucket:Bucket", "w-watch").state.arn;
    const media = run.one("aws:s3/bucket:Bucket", "w-media").state.arn;
    const st = statements(run, "w-mediaconvert-policy");
    const all = st.flatMap((s) => asList(s.Action).map((a) => `${a} ${asList(s.Resource).join(",")}`)).sort();
    const key = run.one("aws:kms/key:Key").state.arn;
    assert.deepEqual(all, [
      `kms:Decrypt ${key}`,
      `kms:GenerateDataKey ${key}`,
      `s3:GetObject ${watch}/inputs/*`,
      `s3:GetObjectVersion ${watch}/inputs/*`,
      `s3:PutObject ${media}/outputs/*`,
    ]);
  });

  it("watch-folder Lambda: CreateJob in the configured queue, PassRole of exactly the MediaConvert role, settings files read-only, env wired", async () => {
    const queue = `arn:aws:mediaconvert:eu-west-1:${MOCK_ACCOUNT}:queues/Studio`;
    const run = await deployWatch({ queueArn: queue });
    const policy = "w-handler-policy";
    const role = run.one("aws:iam/role:Role", "w-mediaconvert-role").state.arn;
    const watch = run.one("aws:s3/bucket:Bucket", "w-watch");
    const media = run.one("aws:s3/bucket:Bucket", "w-media");
    assert.deepEqual(asList(grant(run, policy, "mediaconvert:CreateJob")[0].Resource), [
      `arn:aws:mediaconvert:eu-west-1:${MOCK_ACCOUNT}:jobs/*`,
      queue,
    ]);
    const pass = grant(run, policy, "iam:PassRole");
    assert.deepEqual(
      pass.map((s) => [asList(s.Resource), s.Condition]),
      [[[role], { StringEquals: { "iam:PassedToService": "mediaconvert.amazonaws.com" } }]],
    );
    assert.deepEqual(asList(grant(run, policy, "s3:GetObject")[0].Resource), [`${watch.state.arn}/jobs/*`]);
    assert.deepEqual(grant(run, policy, "s3:ListBucket")[0].Condition, { StringLike: { "s3:prefix": ["jobs/*"] } });
    assert.equal(grant(run, policy, "s3:PutObject").length, 0, "the Lambda never writes media itself");
    const ddb = grant(run, policy, "dynamodb:UpdateItem").flatMap((s) => asList(s.Resource));
    const tables = run.all("aws:dynamodb/table:Table");
    const arn = (k: string) => tables.find((t) => t.name === `p-${k}`)!.state.arn;
    assert.deepEqual(ddb.sort(), [arn("jobs"), arn("queues")].sort(), "Jobs and Queues only");
    for (const st of statements(run, policy))
      assert.ok(
        asList(st.Action).every((a) => !a.includes("*")),
        JSON.stringify(st),
      );

    const env = run.one("aws:lambda/function:Function").inputs.environment.variables;
    assert.equal(env[ENV.mediaConvertRoleArn], role);
    assert.equal(env[ENV.mediaConvertQueueArn], queue);
    assert.equal(env[ENV.watchBucket], watch.state.bucket);
    assert.equal(env[ENV.outputBucket], media.state.bucket);
    assert.equal(env[ENV.application], "studio");
    assert.equal(env[ENV.jobsTable], tables.find((t) => t.name === "p-jobs")!.state.name);
  });

  it("no queue configured: CreateJob on the region's Default queue and no queue in the environment", async () => {
    const run = await deployWatch({}, "ap-southeast-2");
    const createJob = grant(run, "w-handler-policy", "mediaconvert:CreateJob")[0];
    assert.ok(asList(createJob.Resource).includes(`arn:aws:mediaconvert:ap-southeast-2:${MOCK_ACCOUNT}:queues/Default`));
    assert.equal(run.one("aws:lambda/function:Function").inputs.environment.variables[ENV.mediaConvertQueueArn], undefined);
  });

  it("the watch-folder function, once deployed as `<name>-convert`, is aliased so the stack keeps it and its children", async () => {
    const run = await deployWatch();
    const watch = run.one("mcjobs:components:WatchFolder", "w");
    const handler = run.one("mcjobs:components:BundledFunction", "w-handler");
    assert.ok(run.childrenOf(watch).includes(handler));
    // Same type, same parent, the old name: the URN the function component was deployed under.
    assert.deepEqual(handler.aliases, [{ name: "w-convert", parentUrn: handler.parent }]);
    assert.equal(handler.parent, "urn:pulumi:test::mcjobs::mcjobs:components:WatchFolder::w");
    // The engine gives each child of an aliased parent an alias with the parent's name prefix swapped, so every
    // child must carry the `w-handler-` prefix for its old `w-convert-…` resource to be found.
    const children = run.childrenOf(handler);
    assert.deepEqual(
      children.filter((c) => !c.name.startsWith("w-handler-")),
      [],
    );
    const before = children.map((c) => [c.type, c.name.replace(/^w-handler-/, "w-convert-")]);
    for (const kept of [
      ["aws:lambda/function:Function", "w-convert-fn"],
      ["aws:cloudwatch/logGroup:LogGroup", "w-convert-logs"],
      ["aws:iam/role:Role", "w-convert-role"],
    ]) {
      assert.ok(
        before.some(([type, name]) => type === kept[0] && name === kept[1]),
        `${kept[1]} has no successor`,
      );
    }
    // A log group cannot be renamed: its name prefix must stay the one it was created with, or it is replaced.
    const logs = run.one("aws:cloudwatch/logGroup:LogGroup", "w-handler-logs");
    assert.equal(logs.inputs.namePrefix, "/aws/lambda/mcjobs-w-convert-");
  });

  it("refuses out-of-range arguments with the argument named", async () => {
    await assert.rejects(deployWatch({ mediaExpirationDays: 0 }), /mediaExpirationDays = 0 is out of range/);
    await assert.rejects(deployWatch({ queueArn: "Default" }), /queueArn = "Default" is not a MediaConvert queue ARN/);
    await assert.rejects(deployWatch({ corsOrigins: ["*"] }), /no "\*"/);
  });
});

function deployNotify(args: Partial<NotificationsArgs> = {}, region = "us-west-2") {
  return runProgram(() => new Notifications("n", { application: "studio", ...args }), { region });
}

describe("infra: Notifications", () => {
  it("a topic with its subscriptions and no EventBridge rule: the collector publishes, once per job outcome", async () => {
    const run = await deployNotify({ emails: ["ops@example.com"] });
    assert.deepEqual(run.all("aws:cloudwatch/eventRule:EventRule"), []);
    assert.deepEqual(run.all("aws:cloudwatch/eventTarget:EventTarget"), []);
    const topic = run.one("aws:sns/topic:Topic");
    assert.equal(topic.inputs.displayName, "MediaConvert jobs (studio)");
    const sub = run.one("aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual([sub.inputs.protocol, sub.inputs.endpoint, sub.inputs.topic], ["email", "ops@example.com", topic.state.arn]);
    assert.equal(run.result.application, "studio");
  });

  it("the topic is encrypted with a key only this account administers (through IAM), and takes requests over TLS only", async () => {
    const run = await deployNotify();
    const key = run.one("aws:kms/key:Key");
    const topic = run.one("aws:sns/topic:Topic");
    assert.equal(topic.inputs.kmsMasterKeyId, key.state.arn);
    const kp = policyStatements(key.inputs.policy);
    assert.deepEqual(
      kp.map((s) => [s.Sid, s.Principal]),
      [["AccountAdministersKeyThroughIam", { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` }]],
      "no service principal may use the key: the publisher's role uses it through SNS",
    );
    const tp = policyStatements(run.one("aws:sns/topicPolicy:TopicPolicy").inputs.policy);
    assert.deepEqual(
      tp.map((s) => s.Effect),
      ["Deny"],
      "no Allow in the topic policy: only this account's roles that IAM lets publish",
    );
    assert.deepEqual(tp[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    assert.deepEqual(splitOwned(checkPosture(run.resources.map(toPosture))).ours, []);

    // Given the stack key, no key of its own.
    const withKey = await deployNotify({ kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/abc" });
    assert.equal(withKey.all("aws:kms/key:Key").length, 0);
    assert.equal(withKey.one("aws:sns/topic:Topic").inputs.kmsMasterKeyId, "arn:aws:kms:us-west-2:123456789012:key/abc");
  });

  it("publishStatements: sns:Publish on this topic only, and its key only through SNS in this region", async () => {
    const run = await deployNotify({ kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/abc" });
    const statements = await Promise.all(
      run.result.publishStatements().map(async (st) => ({
        ...st,
        resources: await outputOf(st.resources),
        ...(st.condition ? { condition: await outputOf(st.condition) } : {}),
      })),
    );
    const topic = run.one("aws:sns/topic:Topic");
    assert.deepEqual(statements, [
      { sid: "PublishNotifications", actions: ["sns:Publish"], resources: [topic.state.arn] },
      {
        sid: "NotificationsKey",
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["arn:aws:kms:us-west-2:123456789012:key/abc"],
        condition: { StringEquals: { "kms:ViaService": ["sns.us-west-2.amazonaws.com"] } },
      },
    ]);
  });

  it("extra subscribers: https, SQS and Lambda (with its invoke permission); anything else is refused", async () => {
    const fn = "arn:aws:lambda:us-west-2:123456789012:function:pager";
    const run = await deployNotify({ subscribers: ["https://hooks.example.com/mc", "arn:aws:sqs:us-west-2:123456789012:inbox", fn] });
    const subs = run.all("aws:sns/topicSubscription:TopicSubscription").map((s) => `${s.inputs.protocol} ${s.inputs.endpoint}`);
    assert.deepEqual(subs.sort(), [`https https://hooks.example.com/mc`, `lambda ${fn}`, `sqs arn:aws:sqs:us-west-2:123456789012:inbox`]);
    const perm = run.one("aws:lambda/permission:Permission");
    assert.deepEqual(
      [perm.inputs.function, perm.inputs.principal, perm.inputs.sourceArn],
      [fn, "sns.amazonaws.com", run.one("aws:sns/topic:Topic").state.arn],
    );
    await assert.rejects(deployNotify({ subscribers: ["mailto:x@example.com"] }), /"mailto:x@example.com" is not an https:\/\/ URL/);
  });
});
