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

/** Resource types that hold data a user would not want `pulumi destroy` to delete. */
export const DATA_TYPES = [
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:dynamodb/table:Table",
  "aws:kms/key:Key",
  "aws:glue/catalogDatabase:CatalogDatabase",
  "aws:glue/catalogTable:CatalogTable",
];

/**
 * A transformation for a component's options that sets `retainOnDelete` on the data-holding resources inside it
 * (Pulumi does not pass `retainOnDelete` from a component down to its children; transformations are inherited).
 */
export function retainData(types: readonly string[] = DATA_TYPES): pulumi.ResourceTransformation {
  return (args) =>
    types.includes(args.type) ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true }) } : undefined;
}
