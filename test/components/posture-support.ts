/**
 * What the posture suites share: `toPosture`, the rules' view of a recorded resource, and the posture findings in
 * components being rewritten by their own owners right now, named one by one so the suites can keep every other
 * finding fatal. Each entry says which file it lives in and what fixes it; the suites
 * report the entries still matched as pending, and fail on an entry that no longer matches anything (remove it then,
 * so the exemption cannot outlive the finding).
 */
import type { PostureResource, Violation } from "../../infra/policy/rules";
import type { RecordedResource } from "../support/pulumi-harness";

/** A recorded resource as the posture rules see it: its inputs, and the values others may point at it with. */
export function toPosture(r: RecordedResource): PostureResource {
  const ids = [r.id, r.state.arn, r.state.name, r.state.bucket, r.state.url].filter((x): x is string => typeof x === "string");
  return { type: r.type, name: r.name, urn: r.urn, inputs: r.inputs, ids };
}

export interface OwnedElsewhere {
  file: string;
  fix: string;
  matches(v: Violation): boolean;
}

/** None: every finding is fatal. */
export const OWNED_ELSEWHERE: OwnedElsewhere[] = [];

/** Literal partition/DNS-suffix findings of the same files (test/components/partition.test.ts). */
export const LITERALS_OWNED_ELSEWHERE = new Set(OWNED_ELSEWHERE.map((o) => o.file));

/** Splits violations into those owned here (fatal) and those of each entry above. */
export function splitOwned(violations: Violation[]): { ours: Violation[]; theirs: Map<OwnedElsewhere, Violation[]> } {
  const theirs = new Map<OwnedElsewhere, Violation[]>(OWNED_ELSEWHERE.map((o) => [o, []]));
  const ours: Violation[] = [];
  for (const v of violations) {
    const owner = OWNED_ELSEWHERE.find((o) => o.matches(v));
    if (owner) theirs.get(owner)?.push(v);
    else ours.push(v);
  }
  return { ours, theirs };
}
