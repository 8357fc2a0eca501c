/**
 * JobsApi: the read-only HTTP API over the live tables (handlers/api.ts, routes in api/router.ts).
 *
 *   caller ──SigV4 (AWS_IAM on every route)──▶ HTTP API $default stage ──payload 2.0──▶ api Lambda ──▶ DynamoDB
 *                                              (throttling, JSON access logs in a KMS-encrypted log group)
 *
 * Routes: GET /jobs/{id} (a status or a job id; API Gateway has one path variable for both), GET /queues,
 * GET /queues/{name}. Anything else API Gateway answers 404 itself. CORS is off unless origins are given; it then
 * allows GET and the SigV4 headers from those origins only.
 *
 * The function's role may do exactly: Query the Jobs table's byStatus and byQueueStatus indexes, GetItem a job,
 * Query the Events table, GetItem and Scan the Queues table (one small item per MediaConvert queue), and decrypt
 * with the stack key. API Gateway may invoke it only for the three GET routes of this API.
 *
 * The nextToken signing key (API_TOKEN_KEY) is 32 random bytes made once per stack by a small dynamic resource and
 * kept as a Pulumi secret (or given through `tokenKey`); it travels in the function's environment, which the stack
 * key encrypts. Replacing it (`pulumi up --replace` on the key resource) only invalidates page tokens in flight.
 *
 * Callers need `execute-api:Invoke` on `invokeArn` (see `invokePolicyStatement()`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ENV } from "../domain/env";
import { JOBS_INDEX } from "../domain/tables";
import type { BasePipeline } from "./base-pipeline";
import { BundledFunction, type PermissionStatement } from "./bundled-function";

export interface JobsApiArgs {
  /** The tables and key the API reads. */
  pipeline: BasePipeline;
  /**
   * Browser origins allowed to call the API (stack `corsOrigins`), e.g. ["https://ops.example.com"]. Empty or
   * absent: no CORS configuration (scripts and the CLI do not need it).
   */
  corsOrigins?: string[];
  /** Stage throttling: steady requests per second (stack `apiRateLimit`, default 100). */
  rateLimit?: number;
  /** Stage throttling: burst (stack `apiBurstLimit`, default 50). */
  burstLimit?: number;
  /** Days to keep the access logs and the function's logs (stack `logRetentionDays`, default 30). */
  logRetentionDays?: number;
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Base64 of ≥ 32 random bytes to sign nextToken with; default: generated once per stack and kept secret. */
  tokenKey?: pulumi.Input<string>;
  /** Function memory in MB (default 512). */
  memoryMb?: number;
  /** Function timeout in seconds, 1–29 (default 10; API Gateway gives up at 30). */
  timeoutSeconds?: number;
}

/** The API's routes (one integration behind all of them). */
export const JOBS_API_ROUTES = ["GET /jobs/{id}", "GET /queues", "GET /queues/{name}"] as const;

/** Headers a browser sends with a SigV4-signed request, allowed by CORS when origins are given. */
const SIGV4_HEADERS = ["authorization", "content-type", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"];

/** Makes 32 random bytes once, when the resource is created, and keeps them in the stack state (secret). */
const tokenKeyProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    return { id: crypto.randomUUID(), outs: { key: crypto.randomBytes(32).toString("base64") } };
  },
};

class ApiTokenKey extends pulumi.dynamic.Resource {
  declare readonly key: pulumi.Output<string>;
  constructor(name: string, opts?: pulumi.CustomResourceOptions) {
    super(tokenKeyProvider, name, { key: undefined }, { ...opts, additionalSecretOutputs: ["key"] });
  }
}

function validate(args: JobsApiArgs): void {
  const range = (what: string, v: number | undefined, min: number, max: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) throw new Error(`JobsApi ${what} = ${v} is out of range: ${min}–${max}`);
  };
  range("rateLimit", args.rateLimit, 1, 10_000);
  range("burstLimit", args.burstLimit, 1, 5_000);
  range("timeoutSeconds", args.timeoutSeconds, 1, 29);
  for (const o of args.corsOrigins ?? []) {
    if (!/^(https:\/\/[a-z0-9.-]+(:\d+)?|http:\/\/localhost(:\d+)?)$/i.test(o)) {
      throw new Error(`JobsApi corsOrigins: ${JSON.stringify(o)} is not an origin (https://host[:port] or http://localhost[:port])`);
    }
  }
}

export class JobsApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly routes: aws.apigatewayv2.Route[];
  readonly fn: BundledFunction;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** Base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com */
  readonly url: pulumi.Output<string>;
  /** What callers need execute-api:Invoke on. */
  readonly invokeArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: JobsApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcjobs:components:JobsApi", name, {}, opts);
    validate(args);
    const child = { parent: this };
    const p = args.pipeline;
    const jobs = p.tableArns.jobs;

    const tokenKey = args.tokenKey ?? new ApiTokenKey(`${name}-token-key`, child).key;

    const statements: PermissionStatement[] = [
      {
        sid: "JobsByStatus",
        actions: ["dynamodb:Query"],
        resources: [pulumi.interpolate`${jobs}/index/${JOBS_INDEX.byStatus}`, pulumi.interpolate`${jobs}/index/${JOBS_INDEX.byQueueStatus}`],
      },
      { sid: "OneJob", actions: ["dynamodb:GetItem"], resources: [jobs] },
      { sid: "JobEvents", actions: ["dynamodb:Query"], resources: [p.tableArns.events] },
      { sid: "QueueCounters", actions: ["dynamodb:GetItem", "dynamodb:Scan"], resources: [p.tableArns.queues] },
      { sid: "StackKeyDecrypt", actions: ["kms:Decrypt"], resources: [p.keyArn] },
    ];

    this.fn = new BundledFunction(
      `${name}-fn`,
      {
        bundle: "api",
        description: "mcjobs Jobs API: live jobs and queue counters, read-only",
        timeoutSeconds: args.timeoutSeconds ?? 10,
        memoryMb: args.memoryMb ?? 512,
        logRetentionDays: args.logRetentionDays,
        logLevel: args.logLevel,
        kmsKeyArn: p.keyArn,
        environment: {
          [ENV.jobsTable]: p.tableNames.jobs,
          [ENV.eventsTable]: p.tableNames.events,
          [ENV.queuesTable]: p.tableNames.queues,
          [ENV.apiTokenKey]: tokenKey,
        },
        statements,
      },
      child,
    );

    const origins = args.corsOrigins ?? [];
    this.api = new aws.apigatewayv2.Api(
      `${name}-http`,
      {
        protocolType: "HTTP",
        description: "mcjobs Jobs API (IAM-authorized, read-only)",
        ...(origins.length
          ? { corsConfiguration: { allowOrigins: origins, allowMethods: ["GET"], allowHeaders: SIGV4_HEADERS, maxAge: 600, allowCredentials: false } }
          : {}),
      },
      child,
    );

    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: this.api.id,
        integrationType: "AWS_PROXY",
        integrationMethod: "POST",
        integrationUri: this.fn.invokeArn,
        payloadFormatVersion: "2.0",
        timeoutMilliseconds: 29_000,
      },
      child,
    );

    this.routes = JOBS_API_ROUTES.map(
      (routeKey) =>
        new aws.apigatewayv2.Route(
          `${name}-route-${routeKey.replace(/[^a-z]+/gi, "-").replace(/-+$/, "").toLowerCase()}`,
          { apiId: this.api.id, routeKey, authorizationType: "AWS_IAM", target: pulumi.interpolate`integrations/${integration.id}` },
          child,
        ),
    );

    // API Gateway may invoke the function for these GET routes of this API only.
    const invokePaths = { jobs: "GET/jobs/*", queues: "GET/queues", queue: "GET/queues/*" };
    for (const [key, path] of Object.entries(invokePaths)) {
      new aws.lambda.Permission(
        `${name}-invoke-${key}`,
        { action: "lambda:InvokeFunction", function: this.fn.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${this.api.executionArn}/*/${path}` },
        child,
      );
    }

    this.accessLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      { namePrefix: `/aws/apigateway/mcjobs-${name}-`, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: p.keyArn },
      child,
    );

    this.stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: this.api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: args.rateLimit ?? 100,
          throttlingBurstLimit: args.burstLimit ?? 50,
          detailedMetricsEnabled: true,
        },
        accessLogSettings: {
          destinationArn: this.accessLogGroup.arn,
          format: JSON.stringify({
            requestId: "$context.requestId",
            time: "$context.requestTimeEpoch",
            caller: "$context.identity.userArn",
            sourceIp: "$context.identity.sourceIp",
            method: "$context.httpMethod",
            path: "$context.path",
            route: "$context.routeKey",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            bytes: "$context.responseLength",
            error: "$context.error.message",
            integrationError: "$context.integrationErrorMessage",
          }),
        },
      },
      { parent: this, dependsOn: this.routes },
    );

    this.url = this.api.apiEndpoint;
    this.invokeArn = pulumi.interpolate`${this.api.executionArn}/$default/GET/*`;
    this.functionName = this.fn.name;
    this.registerOutputs({ url: this.url, invokeArn: this.invokeArn, functionName: this.functionName });
  }

  /** The IAM statement a caller (user, role, CI) needs to use the API. */
  invokePolicyStatement(): pulumi.Output<{ Effect: "Allow"; Action: string; Resource: string }> {
    return this.invokeArn.apply((Resource) => ({ Effect: "Allow" as const, Action: "execute-api:Invoke", Resource }));
  }
}
