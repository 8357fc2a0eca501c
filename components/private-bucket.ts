/**
 * A bucket nobody outside the account can read, as the watch folder makes its two: public access blocked (all four
 * switches), bucket owner owns every object (no ACLs), SSE-KMS with the given key and bucket keys on, and a bucket
 * policy refusing any request not sent over TLS. Its resources are children of `parent`, named `<name>-…`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { denyInsecureTransport } from "../infra/kit";

export function privateBucket(parent: pulumi.Resource, name: string, keyArn: pulumi.Input<string>, forceDestroy: boolean): aws.s3.Bucket {
  const child = { parent };
  const bucket = new aws.s3.Bucket(name, { forceDestroy }, child);
  const pab = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    child,
  );
  new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-sse`,
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
    },
    child,
  );
  new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [denyInsecureTransport("DenyInsecureTransport", "s3:*", [bucket.arn, pulumi.interpolate`${bucket.arn}/*`])],
      }),
    },
    { parent, dependsOn: [pab] },
  );
  return bucket;
}
