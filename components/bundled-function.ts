/**
 * BundledFunction: the one way this program makes a Lambda function.
 *
 * What you get, always:
 *  - a Lambda on `nodejs22.x`, `arm64`, code = the esbuild bundle in `dist/<bundle>/`, which the program builds
 *    itself the first time a function asks for it in a run (infra/lambda-code.ts), before the code archive
 *    registers: preview and up need no manual build, and never deploy a stale bundle; handler `index.handler`,
 *    X-Ray tracing active, JSON logs;
 *  - its own IAM role that Lambda alone may assume, with exactly the statements you pass (a wildcard action, or
 *    `"*"` as resource for an action that can be scoped, is refused when the program runs) plus what the function
 *    itself needs: write its own log group, send traces, decrypt its environment with your KMS key, send failed
 *    async invocations to your destination;
 *  - its own log group with a retention period, encrypted with your KMS key when given;
 *  - optionally an async-invoke configuration (retries, maximum event age, on-failure destination).
 *
 * Keep this API stable: every component builds its Lambdas with it.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { statementProblems } from "../infra/policy/iam";
import { lambdaCode, lambdaCodeSources } from "../infra/lambda-code";
import { awsContext, keyGrant, servicePrincipal } from "./tags";

/** Repository root (this file lives in components/). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Where the program builds the bundle of a handler. */
export function bundleDir(bundle: string): string {
  return path.join(lambdaCodeSources().outDir, bundle);
}

/** One IAM statement the function's role gets. Actions are exact (no `*`); resources are ARNs. */
export interface PermissionStatement {
  /** Optional statement id, letters and digits only. */
  sid?: string;
  /** Exact actions, e.g. ["dynamodb:UpdateItem", "dynamodb:GetItem"]. A `*` anywhere is refused. */
  actions: string[];
  /**
   * ARNs the actions apply to (Outputs welcome). `"*"` is accepted only when every action is one AWS cannot
   * scope (infra/policy/iam.ts UNSCOPABLE_ACTIONS).
   */
  resources: pulumi.Input<pulumi.Input<string>[]>;
  /** Optional IAM condition block, e.g. { StringEquals: { "s3:prefix": ["inputs/"] } }. */
  condition?: pulumi.Input<Record<string, Record<string, unknown>>>;
}

export interface AsyncInvokeArgs {
  /** ARN of an SQS queue or SNS topic that receives invocations that failed every attempt. */
  onFailureArn: pulumi.Input<string>;
  /** Retries after the first failed attempt, 0–2. @default 2 */
  maximumRetryAttempts?: number;
  /** Seconds an event may wait for processing, 60–21600. @default 3600 */
  maximumEventAgeSeconds?: number;
}

export interface BundledFunctionArgs {
  /** Bundle name: a key of LAMBDA_ENTRIES (infra/lambda-bundle.ts), built into dist/<bundle>/. */
  bundle: string;
  /** Exported handler inside the bundle. @default "index.handler" */
  handler?: string;
  /** A code folder to deploy as it is, instead of building the bundle. @default dist/<bundle>, built by the program */
  codePath?: string;
  /** The function's description in the Lambda console. @default none */
  description?: pulumi.Input<string>;
  /**
   * Environment variables; use the names from lib/domain/env.ts. The Powertools and source-map variables are
   * always set.
   * @default {}
   */
  environment?: Record<string, pulumi.Input<string>>;
  /** Seconds, 1–900. @default 30 */
  timeoutSeconds?: number;
  /**
   * Name prefix of the function's log group. A log group cannot be renamed: a function whose Pulumi name changes
   * (with an alias) passes its old prefix here so its log group, and the logs in it, are kept.
   * @default "/aws/lambda/mcjobs-<name>-"
   */
  logGroupNamePrefix?: string;
  /** MB, 128–10240. @default 256 */
  memoryMb?: number;
  /** Reserved concurrency. @default unreserved */
  reservedConcurrency?: number;
  /** The role's permissions beyond the function's own needs. @default [] (only the function's own needs) */
  statements?: PermissionStatement[];
  /** Days to keep logs (CloudWatch allowed values, e.g. 1, 3, 5, 7, 14, 30, 60, 90, 180, 365...). @default 30 */
  logRetentionDays?: pulumi.Input<number>;
  /**
   * Customer-managed KMS key ARN: encrypts the environment variables and the log group. The key policy must let
   * CloudWatch Logs in this region use it (BasePipeline's key does).
   * @default none: AWS-managed encryption
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Powertools log level. @default "INFO" */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /**
   * Retries and on-failure destination for asynchronous invocations (EventBridge, S3 notifications).
   * @default none: Lambda's own async settings, no destination
   */
  asyncInvoke?: AsyncInvokeArgs;
  /** X-Ray active tracing. @default true */
  tracing?: boolean;
  /** Extra tags (stack-wide tags come from the provider's defaultTags). @default none */
  tags?: Record<string, pulumi.Input<string>>;
}

function assertRange(what: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`BundledFunction ${what} must be an integer from ${min} to ${max}; got ${value}`);
  }
}

/** Turn PermissionStatements into a JSON policy document (as an Output). Throws on wildcard actions. */
export function policyDocument(owner: string, statements: PermissionStatement[]): pulumi.Output<string> {
  for (const st of statements) {
    if (st.actions.length === 0) throw new Error(`${owner}: an IAM statement has no actions`);
    // Check now when the resources are plain strings; Outputs are checked once they resolve.
    const plain = Array.isArray(st.resources) && st.resources.every((r) => typeof r === "string") ? (st.resources as string[]) : [];
    const problems = statementProblems({ Effect: "Allow", Action: st.actions, Resource: plain });
    if (problems.length) throw new Error(`${owner}: ${problems.join("; ")}`);
  }
  return pulumi.all(statements.map((st) => pulumi.all([pulumi.output(st.resources), pulumi.output(st.condition)]))).apply((resolved) => {
    const doc = {
      Version: "2012-10-17",
      Statement: statements.map((st, i) => {
        const [resources, condition] = resolved[i];
        const out: Record<string, unknown> = { Effect: "Allow", Action: [...st.actions], Resource: [...resources] };
        if (st.sid) out.Sid = st.sid;
        if (condition) out.Condition = condition;
        const problems = statementProblems(out);
        if (problems.length) throw new Error(`${owner}: ${problems.join("; ")}`);
        if ((resources as string[]).length === 0) throw new Error(`${owner}: statement for ${st.actions.join(", ")} has no resources`);
        return out;
      }),
    };
    return JSON.stringify(doc);
  });
}

/** `lambdaCode`, with the function named in the error for a bundle name LAMBDA_ENTRIES does not know. */
function lambdaCodeFor(name: string, bundle: string): Promise<string> {
  try {
    return lambdaCode(bundle);
  } catch (err) {
    throw new Error(`BundledFunction ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export class BundledFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly invokeConfig?: aws.lambda.FunctionEventInvokeConfig;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly invokeArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: BundledFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:BundledFunction", name, {}, opts);
    assertRange("timeoutSeconds", args.timeoutSeconds, 1, 900);
    assertRange("memoryMb", args.memoryMb, 128, 10240);
    assertRange("asyncInvoke.maximumRetryAttempts", args.asyncInvoke?.maximumRetryAttempts, 0, 2);
    assertRange("asyncInvoke.maximumEventAgeSeconds", args.asyncInvoke?.maximumEventAgeSeconds, 60, 21600);
    if (!/^[a-z0-9-]+$/.test(args.bundle)) throw new Error(`BundledFunction bundle must be a dist/ folder name; got "${args.bundle}"`);

    // The archive's path is a promise of the built folder: the function registers once the build is done.
    const codePath: string | Promise<string> = args.codePath ?? lambdaCodeFor(name, args.bundle);

    const child = { parent: this };
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        namePrefix: args.logGroupNamePrefix ?? `/aws/lambda/mcjobs-${name}-`,
        retentionInDays: args.logRetentionDays ?? 30,
        kmsKeyId: args.kmsKeyArn,
        tags: args.tags,
      },
      child,
    );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Execution role of the mcjobs ${name} Lambda`,
        assumeRolePolicy: servicePrincipal("lambda", child).apply((service) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
          }),
        ),
        tags: args.tags,
      },
      child,
    );

    const own: PermissionStatement[] = [
      {
        sid: "OwnLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [pulumi.interpolate`${this.logGroup.arn}:*`],
      },
    ];
    if (args.tracing !== false) {
      own.push({ sid: "Tracing", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] });
    }
    if (args.kmsKeyArn) {
      // Lambda decrypts the environment variables with the role's permission, by way of the Lambda service only.
      own.push(keyGrant("EnvironmentKey", args.kmsKeyArn, awsContext(child), ["lambda"], ["kms:Decrypt"]));
    }
    if (args.asyncInvoke) {
      const dest = pulumi.output(args.asyncInvoke.onFailureArn);
      own.push({
        sid: "OnFailureDestination",
        actions: [/* decided by the ARN's service below */ "sqs:SendMessage"],
        resources: [dest],
      });
    }
    const statements = [...own, ...(args.statements ?? [])];
    // An SNS destination needs sns:Publish instead of sqs:SendMessage.
    const policy = args.asyncInvoke
      ? pulumi.output(args.asyncInvoke.onFailureArn).apply((arn) => {
          const fixed = statements.map((s) =>
            s.sid === "OnFailureDestination" && arn.split(":")[2] === "sns" ? { ...s, actions: ["sns:Publish"] } : s,
          );
          return policyDocument(`BundledFunction ${name}`, fixed);
        })
      : policyDocument(`BundledFunction ${name}`, statements);

    const rolePolicy = new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.id, policy }, child);

    this.function = new aws.lambda.Function(
      `${name}-fn`,
      {
        description: args.description,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: args.handler ?? "index.handler",
        code: new pulumi.asset.FileArchive(codePath),
        role: this.role.arn,
        timeout: args.timeoutSeconds ?? 30,
        memorySize: args.memoryMb ?? 256,
        reservedConcurrentExecutions: args.reservedConcurrency,
        kmsKeyArn: args.kmsKeyArn,
        environment: {
          variables: {
            NODE_OPTIONS: "--enable-source-maps",
            POWERTOOLS_SERVICE_NAME: `mcjobs-${args.bundle}`,
            POWERTOOLS_LOG_LEVEL: args.logLevel ?? "INFO",
            POWERTOOLS_METRICS_NAMESPACE: "mcjobs",
            ...(args.environment ?? {}),
          },
        },
        tracingConfig: { mode: args.tracing === false ? "PassThrough" : "Active" },
        loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
        tags: args.tags,
      },
      // The role must hold its permissions before the function first runs.
      { parent: this, dependsOn: [rolePolicy, this.logGroup] },
    );

    if (args.asyncInvoke) {
      this.invokeConfig = new aws.lambda.FunctionEventInvokeConfig(
        `${name}-async`,
        {
          functionName: this.function.name,
          maximumRetryAttempts: args.asyncInvoke.maximumRetryAttempts ?? 2,
          maximumEventAgeInSeconds: args.asyncInvoke.maximumEventAgeSeconds ?? 3600,
          destinationConfig: { onFailure: { destination: args.asyncInvoke.onFailureArn } },
        },
        { parent: this, dependsOn: [rolePolicy] },
      );
    }

    this.arn = this.function.arn;
    this.name = this.function.name;
    this.invokeArn = this.function.invokeArn;
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.registerOutputs({ arn: this.arn, name: this.name, roleArn: this.roleArn });
  }
}
