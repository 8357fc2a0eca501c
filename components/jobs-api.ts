/**
 * JobsApi: the read-only HTTP API over the live tables (handlers/api.ts, routes in lib/api/router.ts).
 *
 *   caller ──SigV4 (AWS_IAM on every route)──▶ HTTP API $default stage ──payload 2.0──▶ api Lambda ──▶ DynamoDB
 *                                              (throttling, JSON access logs in a KMS-encrypted log group)
 *
 * Routes: GET /jobs (with ?input=), GET /jobs/{id} (a status or a job id; API Gateway has one path variable for both), GET /queues,
 * GET /queues/{name}. Anything else API Gateway answers 404 itself. CORS is off unless origins are given; it then
 * allows GET and the SigV4 headers from those origins only.
 *
 * The function's role may do exactly: Query the Jobs table's byStatus and byQueueStatus indexes, GetItem a job,
 * Query the Events table, GetItem and Scan the Queues table (one small item per MediaConvert queue), and decrypt
 * with the stack key. API Gateway may invoke it only for the three GET routes of this API.
 *
 * The nextToken signing key (API_TOKEN_KEY) is 32 random bytes made once per stack by a small dynamic resource and
 * kept as a Pulumi secret (or given through `tokenKey`); it travels in the function's environment, which the stack
 * key encrypts. Later updates keep it, also when the dynamic provider's own code changes (see `tokenKeyProvider`).
 * Replacing it (`pulumi up --replace` on the key resource) only invalidates page tokens in flight.
 *
 * Callers need `execute-api:Invoke` on `invokeArn` (see `invokePolicyStatement()`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ENV } from "../lib/domain/env";
import { JOBS_INDEX } from "../lib/domain/tables";
import type { BasePipeline } from "./base-pipeline";
import { BundledFunction, type PermissionStatement } from "./bundled-function";
import { keyGrant, servicePrincipal } from "./tags";

export interface JobsApiArgs {
  /** The tables and key the API reads. */
  pipeline: BasePipeline;
  /**
   * Browser origins allowed to call the API (stack `corsOrigins`), e.g. ["https://ops.example.com"]. Empty:
   * no CORS configuration (scripts and the CLI do not need it).
   * @default []
   */
  corsOrigins?: string[];
  /** Stage throttling: steady requests per second (stack `apiRateLimit`). @default 100 */
  rateLimit?: number;
  /** Stage throttling: burst (stack `apiBurstLimit`). @default 50 */
  burstLimit?: number;
  /** Days to keep the access logs and the function's logs (stack `logRetentionDays`). @default 30 */
  logRetentionDays?: number;
  /** The API function's log level (stack `logLevel`). @default "INFO" */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Base64 of ≥ 32 random bytes to sign nextToken with. @default generated once per stack and kept secret */
  tokenKey?: pulumi.Input<string>;
  /** Function memory in MB. @default 512 */
  memoryMb?: number;
  /** Function timeout in seconds, 1–29 (API Gateway gives up at 30). @default 10 */
  timeoutSeconds?: number;
}

/** The API's routes (one integration behind all of them). */
export const JOBS_API_ROUTES = ["GET /jobs", "GET /jobs/{id}", "GET /queues", "GET /queues/{name}"] as const;

/** Headers a browser sends with a SigV4-signed request, allowed by CORS when origins are given. */
const SIGV4_HEADERS = ["authorization", "content-type", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"];

/**
 * The key the dynamic provider keeps: the old outputs' `key` when it is a non-empty string (unwrapped, should the
 * engine ever pass it as a secret value), else undefined.
 */
function keptTokenKey(olds: Record<string, unknown>): string | undefined {
  const raw = olds.key;
  const value = raw !== null && typeof raw === "object" && "value" in raw ? (raw as { value: unknown }).value : raw;
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * Makes 32 random bytes once, when the resource is created, and from then on only carries them over.
 *
 * Pulumi stores this provider's serialized code in the stack state. When that text changes (an SDK upgrade, an edit
 * of this object), the engine asks for a diff; a provider with no `diff` leaves the engine to compare inputs, it sees
 * the provider text changed and calls `update`, and one with no `update` ends up with no outputs: the key would be
 * gone from the state and from the function's environment. So: `diff` reports no change while the old outputs hold a
 * key (the key depends on no input), and replaces the resource, making a new key, only when they do not; `update`
 * and `read` (refresh) return the key they were given. Nothing here logs; the key stays a secret output.
 */
export const tokenKeyProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    const crypto = require("node:crypto") as typeof import("node:crypto");
    return { id: crypto.randomUUID(), outs: { key: crypto.randomBytes(32).toString("base64") } };
  },
  async diff(_id, olds) {
    return keptTokenKey(olds) ? { changes: false } : { changes: true, replaces: ["key"], deleteBeforeReplace: false };
  },
  async update(_id, olds) {
    const key = keptTokenKey(olds);
    if (key) return { outs: { key } };
    const crypto = require("node:crypto") as typeof import("node:crypto");
    return { outs: { key: crypto.randomBytes(32).toString("base64") } };
  },
  async read(id, props) {
    return { id, props };
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
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw new Error(`JobsApi ${what} = ${v} is out of range: ${min}–${max}`);
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
  /** Base URL of the stage (`https://<api id>.execute-api.<region>.<dns suffix>`). */
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
        resources: [
          pulumi.interpolate`${jobs}/index/${JOBS_INDEX.byStatus}`,
          pulumi.interpolate`${jobs}/index/${JOBS_INDEX.byQueueStatus}`,
          pulumi.interpolate`${jobs}/index/${JOBS_INDEX.byInputName}`,
        ],
      },
      { sid: "OneJob", actions: ["dynamodb:GetItem"], resources: [jobs] },
      { sid: "JobEvents", actions: ["dynamodb:Query"], resources: [p.tableArns.events] },
      { sid: "QueueCounters", actions: ["dynamodb:GetItem", "dynamodb:Scan"], resources: [p.tableArns.queues] },
      // Read-only: decrypt what DynamoDB serves, never create data keys.
      keyGrant("StackKeyDecrypt", p.keyArn, { region: p.region, dnsSuffix: p.dnsSuffix }, ["dynamodb"], ["kms:Decrypt"]),
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
          ? {
              corsConfiguration: {
                allowOrigins: origins,
                allowMethods: ["GET"],
                allowHeaders: SIGV4_HEADERS,
                maxAge: 600,
                allowCredentials: false,
              },
            }
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
          `${name}-route-${routeKey
            .replace(/[^a-z]+/gi, "-")
            .replace(/-+$/, "")
            .toLowerCase()}`,
          { apiId: this.api.id, routeKey, authorizationType: "AWS_IAM", target: pulumi.interpolate`integrations/${integration.id}` },
          child,
        ),
    );

    // API Gateway may invoke the function for these GET routes of this API only.
    const invokePaths = { search: "GET/jobs", jobs: "GET/jobs/*", queues: "GET/queues", queue: "GET/queues/*" };
    for (const [key, path] of Object.entries(invokePaths)) {
      new aws.lambda.Permission(
        `${name}-invoke-${key}`,
        {
          action: "lambda:InvokeFunction",
          function: this.fn.name,
          principal: servicePrincipal("apigateway", child),
          sourceArn: pulumi.interpolate`${this.api.executionArn}/*/${path}`,
        },
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
