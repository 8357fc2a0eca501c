/**
 * The resource model the posture rules (infra/policy/rules.ts and the files it gathers) look at, and the small
 * helpers they share. Pure code, no Pulumi or AWS imports.
 */
import type { StatementLike } from "./iam";

/** A resource as the rules see it. */
export interface PostureResource {
  type: string;
  name: string;
  urn?: string;
  /** Inputs (props) as declared. Values unknown at preview are simply absent. */
  // biome-ignore lint/suspicious/noExplicitAny: inputs of every resource type, shaped by its provider; the rules read them loosely and test each value where they use it
  inputs: Record<string, any>;
  /** Values other resources may use to point at this one (id, name, arn, bucket name). */
  ids?: string[];
  /** For each input property, the URNs of resources it was computed from (policy pack: propertyDependencies). */
  refs?: Record<string, string[]>;
}

export type RuleName =
  | "iam-least-privilege"
  | "kms-least-privilege"
  | "encryption-at-rest"
  | "bucket-posture"
  | "api-authorization"
  | "failure-visibility";

export interface Violation {
  rule: RuleName;
  type: string;
  name: string;
  message: string;
}

export type PolicyStatementLike = StatementLike & { Condition?: Record<string, Record<string, unknown>> };

export const list = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

export function parseDoc(doc: unknown): { statements: PolicyStatementLike[]; error?: string } {
  if (doc === undefined || doc === null || doc === "") return { statements: [] };
  try {
    const parsed = typeof doc === "string" ? JSON.parse(doc) : doc;
    return { statements: list((parsed as { Statement?: PolicyStatementLike | PolicyStatementLike[] }).Statement) };
  } catch {
    return { statements: [], error: "policy is not valid JSON" };
  }
}

/**
 * Whether `value`, the value of `src`'s input property `prop` (or something inside it), points at `target`: it is
 * one of the target's ids, or (policy pack, values unknown at preview) the property was computed from the target.
 */
export function refersTo(src: PostureResource, prop: string, value: unknown, target: PostureResource): boolean {
  const ids = new Set([...(target.ids ?? []), target.inputs.bucket].filter((x): x is string => typeof x === "string" && x !== ""));
  if (typeof value === "string" && ids.has(value)) return true;
  return !!target.urn && (src.refs?.[prop] ?? []).includes(target.urn);
}

/** The condition keys a statement's Condition block tests, lower-cased (IAM compares them case-insensitively). */
export function conditionKeys(st: PolicyStatementLike): Map<string, { operator: string; values: unknown[] }> {
  const out = new Map<string, { operator: string; values: unknown[] }>();
  for (const [operator, block] of Object.entries(st.Condition ?? {})) {
    for (const [key, value] of Object.entries(block ?? {})) out.set(key.toLowerCase(), { operator, values: list(value as unknown) });
  }
  return out;
}

/** The service principals of a statement (`Principal: { Service: … }`). */
export function servicePrincipals(principal: unknown): string[] {
  if (!principal || typeof principal !== "object") return [];
  return list((principal as { Service?: string | string[] }).Service).filter((s): s is string => typeof s === "string");
}
