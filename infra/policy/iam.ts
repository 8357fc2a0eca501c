/**
 * IAM statement checks shared by the BundledFunction construct (which refuses bad statements when the program
 * runs), the posture rules (infra/policy/rules.ts) and the Pulumi policy pack. Pure code, no Pulumi/AWS imports.
 */

/**
 * Actions that AWS does not let you scope to a resource (the service only accepts `"Resource": "*"`). A statement
 * may use `*` as its resource only when every action in it is listed here.
 */
export const UNSCOPABLE_ACTIONS: ReadonlySet<string> = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "cloudwatch:PutMetricData",
  "mediaconvert:DescribeEndpoints",
  "athena:ListWorkGroups",
  "glue:GetDatabases",
]);

export interface StatementLike {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Problems with one Allow statement of an identity policy (empty when fine). */
export function statementProblems(st: StatementLike, opts: { resourcePolicy?: boolean } = {}): string[] {
  const problems: string[] = [];
  if ((st.Effect ?? "Allow") !== "Allow") return problems;
  if (st.NotAction !== undefined) problems.push(`Allow with NotAction (${list(st.NotAction).join(", ")}) grants everything else`);
  const actions = list(st.Action);
  for (const a of actions) {
    if (typeof a !== "string") continue;
    if (a.includes("*")) problems.push(`wildcard action "${a}": list the exact actions`);
  }
  if (!opts.resourcePolicy) {
    if (st.NotResource !== undefined) problems.push(`Allow with NotResource grants every other resource`);
    const resources = list(st.Resource);
    if (resources.includes("*")) {
      const scopable = actions.filter((a) => typeof a === "string" && !UNSCOPABLE_ACTIONS.has(a));
      if (scopable.length > 0) {
        problems.push(`resource "*" for actions that can be scoped (${scopable.join(", ")}): name the resources`);
      }
    }
  }
  return problems;
}
