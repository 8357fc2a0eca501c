/**
 * EventBridge event patterns: defined once here, deployed by the Pulumi components as rule patterns and
 * evaluated by the local twin's router with `matchesPattern`, so what reaches a handler locally is exactly what
 * would reach it in AWS. Pure code.
 */

export const MEDIACONVERT_SOURCE = "aws.mediaconvert";
export const JOB_STATE_CHANGE = "MediaConvert Job State Change";

export type EventPattern = { [key: string]: EventPattern | readonly PatternValue[] };
export type PatternValue =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { exists: boolean }
  | { "anything-but": readonly (string | number)[] };

/** Every MediaConvert event (all detail-types), optionally only those of one application. */
export function collectorPattern(application?: string): EventPattern {
  return {
    source: [MEDIACONVERT_SOURCE],
    ...(application ? { detail: { userMetadata: { application: [application] } } } : {}),
  };
}

function matchValue(rule: PatternValue, present: boolean, value: unknown): boolean {
  if (rule !== null && typeof rule === "object") {
    if ("exists" in rule) return rule.exists === present;
    if ("prefix" in rule) return present && typeof value === "string" && value.startsWith(rule.prefix);
    if ("anything-but" in rule) return present && !rule["anything-but"].includes(value as string | number);
    return false;
  }
  return present && value === rule;
}

/**
 * EventBridge matching for the subset of pattern syntax used here: exact values (any of a list, arrays in the
 * event match when any element matches), `prefix`, `exists` and `anything-but` (a list of values), nested objects.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (event === null || typeof event !== "object") return false;
  const obj = event as Record<string, unknown>;
  return Object.entries(pattern).every(([key, rule]) => {
    const present = Object.hasOwn(obj, key) && obj[key] !== undefined;
    const value = obj[key];
    if (Array.isArray(rule)) {
      const values = Array.isArray(value) ? value : [value];
      return (rule as readonly PatternValue[]).some((r) =>
        r !== null && typeof r === "object" && "exists" in r
          ? matchValue(r, present, value)
          : values.some((v) => matchValue(r, present, v)),
      );
    }
    return present && matchesPattern(rule as EventPattern, value);
  });
}
