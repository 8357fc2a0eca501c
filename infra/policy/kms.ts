/**
 * kms-least-privilege: who may use a KMS key, and for what.
 *
 *  - A role's (or user's, group's, managed policy's) grant of any `kms:` action must carry a `kms:ViaService`
 *    condition (StringEquals, exact endpoints such as `dynamodb.eu-west-1.amazonaws.com`, no wildcard): the key
 *    is then usable only by the services that encrypt the role's data with it (tables, stream, queues, objects,
 *    Lambda environments), never by a direct kms:Decrypt of whatever ciphertext the role gets hold of. A role that
 *    really has to call KMS itself does not fit this rule; change the rule for it, saying why, rather than the
 *    condition.
 *  - A key policy statement allowing an AWS service must be scoped: CloudWatch Logs by the log groups' encryption
 *    context (`kms:EncryptionContext:aws:logs:arn`), any other service by `aws:SourceArn` or `aws:SourceAccount`,
 *    so no other account's rule, alarm or topic can use the key through that service (the confused deputy).
 */
import { conditionKeys, list, parseDoc, servicePrincipals, type PolicyStatementLike, type PostureResource, type Violation } from "./model";

const IDENTITY_POLICY_PROPS: Record<string, string> = {
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:iam/policy:Policy": "policy",
  "aws:iam/userPolicy:UserPolicy": "policy",
  "aws:iam/groupPolicy:GroupPolicy": "policy",
};

const KEY_POLICY_TYPES = new Set(["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"]);

const isKmsAction = (a: unknown) => typeof a === "string" && a.toLowerCase().startsWith("kms:");

/** Problems with one identity-policy statement's use of KMS (empty when fine or not about KMS). */
export function kmsGrantProblems(st: PolicyStatementLike): string[] {
  if ((st.Effect ?? "Allow") !== "Allow") return [];
  const kms = list(st.Action).filter(isKmsAction) as string[];
  if (kms.length === 0) return [];
  const via = conditionKeys(st).get("kms:viaservice");
  if (!via) {
    return [`grants ${kms.join(", ")} without a kms:ViaService condition: name the services that use the key on this role's behalf`];
  }
  if (via.operator !== "StringEquals")
    return [`tests kms:ViaService with ${via.operator}: use StringEquals with the services' exact endpoints`];
  const bad = via.values.filter((v) => typeof v !== "string" || v === "" || v.includes("*") || v.includes("?"));
  if (via.values.length === 0 || bad.length > 0)
    return [`kms:ViaService must list exact service endpoints; got ${JSON.stringify(via.values)}`];
  return [];
}

/** Problems with one key-policy statement that allows a service (empty when fine or not about a service). */
export function keyPolicyStatementProblems(st: PolicyStatementLike): string[] {
  if ((st.Effect ?? "Allow") !== "Allow") return [];
  const services = servicePrincipals(st.Principal);
  if (services.length === 0) return [];
  const keys = conditionKeys(st);
  const problems: string[] = [];
  const logs = services.filter((s) => s.startsWith("logs."));
  if (logs.length > 0 && !keys.has("kms:encryptioncontext:aws:logs:arn")) {
    problems.push(`lets ${logs.join(", ")} use the key without a kms:EncryptionContext:aws:logs:arn condition naming the log groups`);
  }
  const others = services.filter((s) => !s.startsWith("logs."));
  if (others.length > 0 && !keys.has("aws:sourcearn") && !keys.has("aws:sourceaccount")) {
    problems.push(`lets ${others.join(", ")} use the key without an aws:SourceArn or aws:SourceAccount condition`);
  }
  return problems;
}

export function kmsViolations(r: PostureResource): Violation[] {
  const out: Violation[] = [];
  const v = (message: string) => out.push({ rule: "kms-least-privilege", type: r.type, name: r.name, message });
  const docs: [string, unknown][] = [];
  if (IDENTITY_POLICY_PROPS[r.type]) docs.push([IDENTITY_POLICY_PROPS[r.type], r.inputs[IDENTITY_POLICY_PROPS[r.type]]]);
  if (r.type === "aws:iam/role:Role") {
    for (const inline of list(r.inputs.inlinePolicies as { name?: string; policy?: string }[]))
      docs.push([`inlinePolicies.${inline?.name ?? "?"}`, inline?.policy]);
  }
  for (const [prop, doc] of docs) {
    parseDoc(doc).statements.forEach((st, i) => {
      for (const p of kmsGrantProblems(st)) v(`${prop} statement ${st.Sid ?? i}: ${p}`);
    });
  }
  if (KEY_POLICY_TYPES.has(r.type)) {
    parseDoc(r.inputs.policy).statements.forEach((st, i) => {
      for (const p of keyPolicyStatementProblems(st)) v(`key policy statement ${st.Sid ?? i}: ${p}`);
    });
  }
  return out;
}
