/**
 * Shared helpers for components: the stack-wide tags and the component type-name prefix.
 * Tags are applied to every taggable AWS resource through the AWS provider's `defaultTags` (index.ts builds that
 * provider and hands it to every component), so no component has to remember them.
 */
import * as pulumi from "@pulumi/pulumi";

export interface TagContext {
  application: string;
  stack: string;
  region: string;
  project?: string;
}

/** Tags every resource of a stack carries. */
export function stackTags(ctx: TagContext): Record<string, string> {
  return {
    "mcjobs:application": ctx.application,
    "mcjobs:stack": ctx.stack,
    "mcjobs:region": ctx.region,
    "mcjobs:project": ctx.project ?? "mcjobs",
    "pulumi:stack": ctx.stack,
  };
}

/** The current account id and partition, resolved once per program run. */
export function accountContext(): { accountId: pulumi.Output<string>; partition: pulumi.Output<string> } {
  // Imported lazily: keeps this file usable from pure code paths that never touch AWS.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
  return {
    accountId: aws.getCallerIdentityOutput().accountId,
    partition: aws.getPartitionOutput().partition,
  };
}
