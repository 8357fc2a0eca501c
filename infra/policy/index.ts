/**
 * The mcjobs posture as a Pulumi policy pack, for users with the Pulumi CLI:
 *
 *   pulumi preview --policy-pack policy
 *   pulumi up --policy-pack policy
 *
 * The rules are infra/policy/rules.ts, the same functions the mocha posture suite (test/components/posture.test.ts) runs over
 * the program under mocks; this file only adapts the engine's view of resources to them. Every policy is
 * mandatory: a violation fails the preview/update.
 */
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { RESOURCE_RULES, RULE_DESCRIPTIONS, STACK_RULES, fromPolicyResource } from "./rules";

const resourcePolicies: ResourceValidationPolicy[] = Object.entries(RESOURCE_RULES).map(([name, rule]) => ({
  name,
  description: RULE_DESCRIPTIONS[name as keyof typeof RULE_DESCRIPTIONS],
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const violations = rule(
      fromPolicyResource({ type: args.type, name: args.name, urn: args.urn, props: args.props, propertyDependencies: {} }),
    );
    for (const v of violations) reportViolation(v.message);
  },
}));

const stackPolicies: StackValidationPolicy[] = Object.entries(STACK_RULES).map(([name, rule]) => ({
  name,
  description: RULE_DESCRIPTIONS[name as keyof typeof RULE_DESCRIPTIONS],
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) =>
      fromPolicyResource({ type: r.type, name: r.name, urn: r.urn, props: r.props, propertyDependencies: r.propertyDependencies }),
    );
    const urnOf = new Map(args.resources.map((r) => [`${r.type} ${r.name}`, r.urn]));
    for (const v of rule(resources)) reportViolation(v.message, urnOf.get(`${v.type} ${v.name}`));
  },
}));

new PolicyPack("mcjobs-posture", { policies: [...resourcePolicies, ...stackPolicies] });
