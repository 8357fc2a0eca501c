/**
 * Security posture rules, written once, used twice: by the mocha posture suite (test/components/posture.test.ts, over
 * what the mocks recorded) and by the Pulumi policy pack (infra/policy/index.ts, over what the engine is about to
 * deploy). Pure functions over a small resource model; no Pulumi or AWS imports.
 *
 * The rules:
 *  - iam-least-privilege: no identity policy allows a `*` action (or NotAction/NotResource), or `"*"` as resource
 *    for an action that can be scoped; no AWS-managed policy attached to a role; no resource policy allows a
 *    wildcard action (except the key policy's account-root statement) or anyone (`Principal: "*"`) without a
 *    condition; a resource policy that lets an AWS service in is scoped by aws:SourceArn or aws:SourceAccount
 *    (the confused deputy).
 *  - kms-least-privilege (infra/policy/kms.ts): every KMS grant in a role carries kms:ViaService; every service a
 *    key policy trusts is scoped (logs by encryption context, others by source ARN/account).
 *  - encryption-at-rest: every DynamoDB table, Kinesis stream, SNS topic, SQS queue, Firehose delivery stream and
 *    Athena workgroup declares encryption.
 *  - bucket-posture: every S3 bucket has a public access block with all four switches on, a bucket policy that
 *    denies requests without TLS, server-side encryption, and no public ACL.
 *  - api-authorization: every API Gateway route/method and Lambda function URL requires authorization.
 *  - failure-visibility (infra/policy/failures.ts): EventBridge targets have a retry policy and a dead-letter
 *    queue, every failure queue has an alarm, every alarm has an action.
 */
import { statementProblems } from "./iam";
import { failureViolations } from "./failures";
import { kmsViolations } from "./kms";
import { conditionKeys, list, parseDoc, refersTo, servicePrincipals, type PostureResource, type RuleName, type Violation } from "./model";

export type { PostureResource, RuleName, Violation } from "./model";

export const RULE_DESCRIPTIONS: Record<RuleName, string> = {
  "iam-least-privilege":
    "IAM policies name exact actions and scoped resources; resource policies never open to anyone, services in them scoped to this account's sources",
  "kms-least-privilege":
    "Roles use KMS keys only through the services named in kms:ViaService; key policies scope every service they trust",
  "encryption-at-rest": "Tables, streams, topics, queues, delivery streams and Athena results are encrypted",
  "bucket-posture": "Buckets block public access, deny non-TLS requests, encrypt objects, carry no public ACL",
  "api-authorization": "Every API route, method and function URL requires authorization",
  "failure-visibility": "EventBridge targets retry and dead-letter; every failure queue has an alarm; every alarm has an action",
};

// ----------------------------------------------------------------------------------------------------------------
// IAM

const IDENTITY_POLICY_PROPS: Record<string, string[]> = {
  "aws:iam/rolePolicy:RolePolicy": ["policy"],
  "aws:iam/policy:Policy": ["policy"],
  "aws:iam/userPolicy:UserPolicy": ["policy"],
  "aws:iam/groupPolicy:GroupPolicy": ["policy"],
};

const RESOURCE_POLICY_PROPS: Record<string, string[]> = {
  "aws:s3/bucketPolicy:BucketPolicy": ["policy"],
  "aws:sqs/queuePolicy:QueuePolicy": ["policy"],
  "aws:sns/topicPolicy:TopicPolicy": ["policy"],
  "aws:kms/key:Key": ["policy"],
  "aws:sqs/queue:Queue": ["policy"],
  "aws:sns/topic:Topic": ["policy"],
};

const ATTACHMENT_TYPES = new Set([
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
]);

function isAccountRoot(principal: unknown): boolean {
  if (!principal || typeof principal !== "object") return false;
  const aws = list((principal as { AWS?: string | string[] }).AWS);
  return aws.length > 0 && aws.every((p) => /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(p) || /^\d{12}$/.test(p));
}

function isAnyone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (principal && typeof principal === "object") return list((principal as { AWS?: string | string[] }).AWS).includes("*");
  return false;
}

export function iamViolations(r: PostureResource): Violation[] {
  const out: Violation[] = [];
  const v = (message: string) => out.push({ rule: "iam-least-privilege", type: r.type, name: r.name, message });

  const identityDocs: [string, unknown][] = (IDENTITY_POLICY_PROPS[r.type] ?? []).map((p) => [p, r.inputs[p]]);
  if (r.type === "aws:iam/role:Role") {
    for (const inline of list(r.inputs.inlinePolicies as { name?: string; policy?: string }[])) {
      identityDocs.push([`inlinePolicies.${inline?.name ?? "?"}`, inline?.policy]);
    }
    for (const arn of list(r.inputs.managedPolicyArns as string[])) {
      if (typeof arn === "string" && /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) {
        v(`attaches the AWS-managed policy ${arn}: grant exact actions on exact resources in an inline policy instead`);
      }
    }
  }
  for (const [prop, doc] of identityDocs) {
    const { statements, error } = parseDoc(doc);
    if (error) v(`${prop}: ${error}`);
    statements.forEach((st, i) => {
      for (const p of statementProblems(st)) v(`${prop} statement ${st.Sid ?? i}: ${p}`);
    });
  }

  if (ATTACHMENT_TYPES.has(r.type)) {
    const arn = r.inputs.policyArn;
    if (typeof arn === "string" && /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) {
      v(`attaches the AWS-managed policy ${arn}: grant exact actions on exact resources in an inline policy instead`);
    }
  }

  for (const prop of RESOURCE_POLICY_PROPS[r.type] ?? []) {
    const { statements, error } = parseDoc(r.inputs[prop]);
    if (error) v(`${prop}: ${error}`);
    statements.forEach((st, i) => {
      if ((st.Effect ?? "Allow") !== "Allow") return;
      const where = `${prop} statement ${(st as { Sid?: string }).Sid ?? i}`;
      const wildcard = list(st.Action).filter((a) => typeof a === "string" && a.includes("*"));
      if (wildcard.length && !isAccountRoot(st.Principal))
        v(`${where}: wildcard action ${wildcard.join(", ")} for a principal other than the account root`);
      if (st.NotAction !== undefined) v(`${where}: Allow with NotAction`);
      const cond = (st as { Condition?: Record<string, unknown> }).Condition;
      if (isAnyone(st.Principal) && (!cond || Object.keys(cond).length === 0))
        v(`${where}: allows anyone (Principal "*") with no condition`);
      // Key policies are kms-least-privilege's (a logs principal is scoped by encryption context there).
      const keys = conditionKeys(st);
      const services = servicePrincipals(st.Principal);
      if (r.type !== "aws:kms/key:Key" && services.length > 0 && !keys.has("aws:sourcearn") && !keys.has("aws:sourceaccount")) {
        v(`${where}: lets ${services.join(", ")} in without an aws:SourceArn or aws:SourceAccount condition`);
      }
    });
  }

  return out;
}

// ----------------------------------------------------------------------------------------------------------------
// Encryption at rest

export function encryptionViolations(r: PostureResource): Violation[] {
  const i = r.inputs;
  const v = (message: string): Violation[] => [{ rule: "encryption-at-rest", type: r.type, name: r.name, message }];
  switch (r.type) {
    case "aws:dynamodb/table:Table":
      return i.serverSideEncryption?.enabled === true ? [] : v("table without serverSideEncryption.enabled (KMS)");
    case "aws:kinesis/stream:Stream":
      return i.encryptionType === "KMS" ? [] : v(`stream encryptionType is ${JSON.stringify(i.encryptionType ?? "NONE")}, not KMS`);
    case "aws:sns/topic:Topic":
      return i.kmsMasterKeyId ? [] : v("topic without kmsMasterKeyId");
    case "aws:sqs/queue:Queue":
      return i.kmsMasterKeyId || i.sqsManagedSseEnabled === true ? [] : v("queue without kmsMasterKeyId or sqsManagedSseEnabled");
    case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
      // A Kinesis-sourced stream is encrypted by its source; a direct-put one must enable SSE.
      if (i.kinesisSourceConfiguration) return [];
      return i.serverSideEncryption?.enabled === true ? [] : v("delivery stream without serverSideEncryption.enabled");
    }
    case "aws:athena/workgroup:Workgroup": {
      const enc = i.configuration?.resultConfiguration?.encryptionConfiguration?.encryptionOption;
      return enc ? [] : v("workgroup results without encryptionConfiguration");
    }
    default:
      return [];
  }
}

// ----------------------------------------------------------------------------------------------------------------
// Buckets (needs the whole stack: the switches live in separate resources)

const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const SSE_TYPES = new Set([
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
]);

function pointsTo(src: PostureResource, prop: string, target: PostureResource): boolean {
  return refersTo(src, prop, src.inputs[prop], target);
}

function deniesInsecureTransport(doc: unknown): boolean {
  return parseDoc(doc).statements.some((st) => {
    if (st.Effect !== "Deny") return false;
    const cond = (st as { Condition?: Record<string, Record<string, unknown>> }).Condition ?? {};
    const bool = cond.Bool ?? cond.BoolIfExists;
    const secure = bool?.["aws:SecureTransport"];
    const actions = list(st.Action);
    return (secure === "false" || secure === false) && actions.some((a) => a === "s3:*" || a === "*");
  });
}

export function bucketViolations(resources: PostureResource[]): Violation[] {
  const out: Violation[] = [];
  for (const b of resources.filter((r) => BUCKET_TYPES.has(r.type))) {
    const v = (message: string) => out.push({ rule: "bucket-posture", type: b.type, name: b.name, message });
    const pab = resources.filter((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock" && pointsTo(r, "bucket", b));
    const full = pab.some((p) =>
      ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => p.inputs[k] === true),
    );
    if (!full) v("no public access block with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true");
    const policies = resources.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && pointsTo(r, "bucket", b));
    const inlinePolicy = b.inputs.policy;
    if (!policies.some((p) => deniesInsecureTransport(p.inputs.policy)) && !deniesInsecureTransport(inlinePolicy)) {
      v("no bucket policy denying requests without TLS (Deny s3:* when aws:SecureTransport is false)");
    }
    const sse = resources.filter((r) => SSE_TYPES.has(r.type) && pointsTo(r, "bucket", b));
    const inlineSse = b.inputs.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault?.sseAlgorithm;
    const hasSse =
      inlineSse ||
      sse.some((s) =>
        list<{ applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } } | undefined>(s.inputs.rules).some(
          (rule) => rule?.applyServerSideEncryptionByDefault?.sseAlgorithm,
        ),
      );
    if (!hasSse) v("no server-side encryption configuration");
    if (typeof b.inputs.acl === "string" && /public/.test(b.inputs.acl)) v(`public ACL ${b.inputs.acl}`);
    for (const acl of resources.filter(
      (r) => (r.type === "aws:s3/bucketAclV2:BucketAclV2" || r.type === "aws:s3/bucketAcl:BucketAcl") && pointsTo(r, "bucket", b),
    )) {
      if (typeof acl.inputs.acl === "string" && /public/.test(acl.inputs.acl)) v(`public ACL ${acl.inputs.acl}`);
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------------------------------
// API authorization

export function apiViolations(r: PostureResource): Violation[] {
  const v = (message: string): Violation[] => [{ rule: "api-authorization", type: r.type, name: r.name, message }];
  switch (r.type) {
    case "aws:apigatewayv2/route:Route": {
      const t = r.inputs.authorizationType;
      return t && t !== "NONE"
        ? []
        : v(`route ${r.inputs.routeKey ?? "?"} has authorizationType ${JSON.stringify(t ?? "NONE")}: use AWS_IAM, JWT or CUSTOM`);
    }
    case "aws:apigateway/method:Method": {
      const t = r.inputs.authorization;
      if (r.inputs.httpMethod === "OPTIONS") return [];
      return t && t !== "NONE" ? [] : v(`method ${r.inputs.httpMethod ?? "?"} has authorization ${JSON.stringify(t ?? "NONE")}`);
    }
    case "aws:lambda/functionUrl:FunctionUrl":
      return r.inputs.authorizationType === "AWS_IAM"
        ? []
        : v(`function URL with authorizationType ${JSON.stringify(r.inputs.authorizationType)}: use AWS_IAM`);
    default:
      return [];
  }
}

export { failureViolations, kmsViolations };

type StackRuleName = "bucket-posture" | "failure-visibility";

/** Rules that look at one resource at a time. */
export const RESOURCE_RULES: Record<Exclude<RuleName, StackRuleName>, (r: PostureResource) => Violation[]> = {
  "iam-least-privilege": iamViolations,
  "kms-least-privilege": kmsViolations,
  "encryption-at-rest": encryptionViolations,
  "api-authorization": apiViolations,
};

/** Rules that need the whole stack (the resources they relate are separate). */
export const STACK_RULES: Record<StackRuleName, (rs: PostureResource[]) => Violation[]> = {
  "bucket-posture": bucketViolations,
  "failure-visibility": failureViolations,
};

/** Every violation in a set of resources (a stack). */
export function checkPosture(resources: PostureResource[]): Violation[] {
  const out: Violation[] = [];
  for (const r of resources) for (const rule of Object.values(RESOURCE_RULES)) out.push(...rule(r));
  for (const rule of Object.values(STACK_RULES)) out.push(...rule(resources));
  return out;
}

export function formatViolations(vs: Violation[]): string {
  return vs.map((v) => `[${v.rule}] ${v.type} ${v.name}: ${v.message}`).join("\n");
}

/** Adapter for @pulumi/policy's PolicyResource (kept structural so this file needs no policy import). */
export function fromPolicyResource(r: {
  type: string;
  name: string;
  urn: string;
  // biome-ignore lint/suspicious/noExplicitAny: inputs of every resource type, shaped by its provider; the rules read them loosely and test each value where they use it
  props: Record<string, any>;
  propertyDependencies?: Record<string, { urn: string }[]>;
}): PostureResource {
  const ids = [r.props.id, r.props.arn, r.props.name, r.props.bucket].filter((x): x is string => typeof x === "string");
  const refs: Record<string, string[]> = {};
  for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) refs[k] = deps.map((d) => d.urn);
  return { type: r.type, name: r.name, urn: r.urn, inputs: r.props, ids, refs };
}
