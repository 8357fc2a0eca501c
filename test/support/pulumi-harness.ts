/**
 * Pulumi mocks harness for mocha tests.
 *
 * Pulumi's runtime is one global per process, so every program run goes through `runProgram`, which takes a
 * process-wide lock, installs fresh mocks (`pulumi.runtime.setMocks`) and config for that run, executes the program
 * code, waits until every resource registration has been answered, and hands back a `MockRun` holding what was
 * registered: type, logical name, the inputs exactly as the program passed them (Outputs resolved), and the state
 * the mock answered with, and what `Mocks.newResource` is not told: the parent's URN and the aliases. Several test
 * files in one mocha process may use it; runs never interleave.
 *
 * Usage:
 *   const run = await runProgram(() => new BasePipeline("p", args), { stack: "dev", region: "eu-west-1", config: {...} });
 *   const table = run.one("aws:dynamodb/table:Table", /Jobs/);
 *   assert.equal(table.inputs.ttl.attributeName, "expiresAt");
 *   const arn = await outputOf(run.result.jobsTable.arn);
 *
 * The mocks emulate what a provider would fill in: `id`, `arn`, autonamed `name`/`bucket` (logical name + a short
 * suffix derived from stack, deployment and URN, so two stacks, or two deployments of one stack, never produce the
 * same autoname, like Pulumi's random suffix), SQS `url`, Lambda `invokeArn`, API `apiEndpoint`/`executionArn`, KMS
 * `keyId`, ... ARNs and service hosts use the run's partition (`aws` unless `partition` says otherwise). Provider
 * functions (`aws.getRegion`, `aws.getCallerIdentity`, `aws.getPartition`, `aws.getServicePrincipal`,
 * `aws.iam.getPolicyDocument`) answer from the run's region, partition and account; unknown ones answer `{}` and
 * are listed in `run.unknownCalls` (pass `calls` to answer them).
 *
 * File assets and archives are checked as the engine would at registration, preview included: the path must exist
 * (a folder archive must hold `index.js`), and its content hash is recorded beside the path (`inputs.code.hash`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { archiveHash } from "../../infra/archive-hash";

export const MOCK_ACCOUNT = "123456789012";

export interface RecordedResource {
  /** Type token, e.g. "aws:dynamodb/table:Table" or a component's "mcjobs:index:BasePipeline". */
  type: string;
  /** Logical name passed to the constructor. */
  name: string;
  urn: string;
  /** Custom (provider) resource, as opposed to a ComponentResource. */
  custom: boolean;
  /** Provider reference ("<provider urn>::<id>") when the resource was given an explicit provider. */
  provider?: string;
  /** Inputs as the program passed them, with Outputs resolved to plain values. */
  inputs: Record<string, any>;
  /** What the mock answered (inputs plus emulated provider-computed properties). */
  state: Record<string, any>;
  id: string;
  /** URN of the parent as the engine knows it (`urn:pulumi:<stack>::<project>::<parent types>::<name>`). */
  parent?: string;
  /** Aliases as the SDK sent them to the engine (`aliases` resource option). */
  aliases: RecordedAlias[];
  /** Whether the SDK asked the engine to leave the resource in place on delete (`retainOnDelete`). */
  retainOnDelete: boolean;
}

/**
 * One alias: a full URN, or a spec whose absent fields mean "as the resource is now" (an absent `parentUrn` with
 * `noParent` unset means the resource's own parent).
 */
export interface RecordedAlias {
  urn?: string;
  name?: string;
  type?: string;
  stack?: string;
  project?: string;
  parentUrn?: string;
  noParent?: boolean;
}

export interface RecordedCall {
  token: string;
  inputs: Record<string, any>;
}

export interface RunOptions {
  /** Stack name (default "test"). */
  stack?: string;
  /** Project name (default "mcjobs"). */
  project?: string;
  /** AWS region for `aws:region` config and mocked ARNs (default "us-east-1"). */
  region?: string;
  /** AWS partition the mocks answer with and build ARNs and hosts in: "aws" (default), "aws-cn" or "aws-us-gov". */
  partition?: Partition;
  /**
   * Which deployment of the stack this is (default "1"). Autonamed physical names and KMS key ids depend on it, as
   * Pulumi's random suffixes differ between a stack's deployment and a re-creation after `pulumi destroy`.
   */
  deployment?: string;
  /**
   * Stack config. Keys without a namespace get the project's (`tableTTL` -> `mcjobs:tableTTL`). Values are
   * strings as in Pulumi.<stack>.yaml; objects/arrays/numbers/booleans are JSON-encoded like the CLI does.
   */
  config?: Record<string, unknown>;
  /** Extra answers for provider functions, by token (e.g. "aws:s3/getBucket:getBucket"). */
  calls?: Record<string, (inputs: Record<string, any>) => Record<string, any>>;
  /** Extra state for resources, merged over the emulated state. */
  newResource?: (r: { type: string; name: string; inputs: Record<string, any> }) => Record<string, any> | undefined;
  /** Run as a preview (unknown values stay unknown). Default false. */
  preview?: boolean;
  /** Milliseconds to wait for outstanding registrations (default 20000). */
  settleTimeoutMs?: number;
}

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

/** What `aws.getPartition` answers for each partition. */
export const PARTITIONS: Record<Partition, { dnsSuffix: string; reverseDnsPrefix: string }> = {
  aws: { dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" },
  "aws-cn": { dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" },
  "aws-us-gov": { dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" },
};

export class MockRun<T = unknown> {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];
  readonly unknownCalls: RecordedCall[] = [];
  result!: T;
  constructor(
    readonly stack: string,
    readonly project: string,
    readonly region: string,
    readonly partition: Partition = "aws",
    readonly deployment: string = "1",
  ) {}

  /** All resources of a type (exact token) whose logical name matches (string = exact, RegExp = test). */
  all(type: string, name?: string | RegExp): RecordedResource[] {
    return this.resources.filter((r) => r.type === type && matchName(r.name, name));
  }

  /** Exactly one resource of that type/name; throws with the candidates listed otherwise. */
  one(type: string, name?: string | RegExp): RecordedResource {
    const found = this.all(type, name);
    if (found.length !== 1) {
      const names = this.resources.filter((r) => r.type === type).map((r) => r.name);
      throw new Error(
        `expected exactly one ${type}${name ? ` named ${String(name)}` : ""}, found ${found.length}; ${type} names: [${names.join(", ")}]`,
      );
    }
    return found[0];
  }

  /** Resources whose type starts with a prefix, e.g. "aws:s3/". */
  byTypePrefix(prefix: string): RecordedResource[] {
    return this.resources.filter((r) => r.type.startsWith(prefix));
  }

  /** The recorded resource whose URN or id is given (e.g. the value of a `role` input is an ARN; use byArn). */
  byUrn(urn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  /** The resource whose emulated `arn` equals the given ARN. */
  byArn(arn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.state.arn === arn);
  }

  /** The resource whose mocked `id` equals the value. */
  byId(id: string): RecordedResource | undefined {
    return this.resources.find((r) => r.id === id);
  }

  /** Resources registered with `parent` as their parent (its type and name end their parent URN). */
  childrenOf(parent: RecordedResource): RecordedResource[] {
    return this.resources.filter((r) => {
      const parts = r.parent?.split("::");
      return (
        parts !== undefined && parts.length >= 4 && parts.slice(3).join("::") === parent.name && parts[2].split("$").pop() === parent.type
      );
    });
  }
}

function matchName(actual: string, want?: string | RegExp): boolean {
  if (want === undefined) return true;
  return typeof want === "string" ? actual === want : want.test(actual);
}

/** Resolve any Input/Output to its value (in a non-preview mock run every value is known). */
export function outputOf<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve, reject) => {
    const out = pulumi.output(value) as pulumi.Output<pulumi.Unwrap<T>>;
    // An apply callback never runs for an unknown value (preview); fail fast instead of hanging.
    const timer = setTimeout(() => reject(new Error("outputOf: the value never became known (preview run or unresolved Output)")), 10_000);
    out.apply((v) => {
      clearTimeout(timer);
      resolve(v);
      return v;
    });
  });
}

/** Resolve every value of an object of Outputs (e.g. a program's exports). */
export async function outputsOf(obj: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "function") continue;
    out[k] = pulumi.Output.isInstance(v) || v instanceof Promise ? await outputOf(v as pulumi.Input<unknown>) : v;
  }
  return out;
}

/** Parse a JSON policy document given as a string or object; returns its statements as an array. */
export function policyStatements(doc: unknown): PolicyStatement[] {
  if (doc === undefined || doc === null || doc === "") return [];
  const parsed = typeof doc === "string" ? JSON.parse(doc) : doc;
  const st = (parsed as { Statement?: unknown }).Statement;
  if (st === undefined) return [];
  return (Array.isArray(st) ? st : [st]) as PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

// ---------------------------------------------------------------------------------------------------------------
// Emulated provider behaviour

function shortHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 7);
}

/** Property carrying the physical name for a type, when not `name`. */
const NAME_PROPERTY: Record<string, string> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
};

/** Types whose physical name Pulumi autonames from `name` when it is not given. */
function autonameProperty(type: string): string | undefined {
  if (NAME_PROPERTY[type]) return NAME_PROPERTY[type];
  const autonamed = [
    "aws:dynamodb/table:Table",
    "aws:kinesis/stream:Stream",
    "aws:lambda/function:Function",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:sqs/queue:Queue",
    "aws:sns/topic:Topic",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/stage:Stage",
    "aws:athena/workgroup:Workgroup",
    "aws:athena/namedQuery:NamedQuery",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:glue/catalogTable:CatalogTable",
    "aws:kms/alias:Alias",
    "aws:mediaconvert/queue:Queue",
  ];
  return autonamed.includes(type) ? "name" : undefined;
}

function emulateState(
  run: MockRun,
  args: { type: string; name: string; inputs: Record<string, any> },
): { id: string; state: Record<string, any> } {
  const { type, name, inputs } = args;
  const region = run.region;
  const acct = MOCK_ACCOUNT;
  const part = run.partition;
  const dns = PARTITIONS[part].dnsSuffix;
  const suffix = shortHash(run.project, run.stack, run.deployment, region, type, name);
  const state: Record<string, any> = { ...inputs };
  const nameProp = autonameProperty(type);
  if (nameProp && (state[nameProp] === undefined || state[nameProp] === "")) {
    const prefix = state[`${nameProp}Prefix`];
    state[nameProp] = prefix ? `${prefix}${suffix}` : `${name}-${suffix}`;
    if (type === "aws:sqs/queue:Queue" && state.fifoQueue) state[nameProp] += ".fifo";
  }
  const physical: string = (nameProp && state[nameProp]) || `${name}-${suffix}`;
  let id = physical;
  const mod = type.split(":")[1]?.split("/")[0] ?? "";
  const set = (k: string, v: unknown) => {
    if (state[k] === undefined) state[k] = v;
  };
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      set("arn", `arn:${part}:s3:::${physical}`);
      set("bucketDomainName", `${physical}.s3.${dns}`);
      set("bucketRegionalDomainName", `${physical}.s3.${region}.${dns}`);
      set("region", region);
      break;
    case "aws:iam/role:Role":
      set("arn", `arn:${part}:iam::${acct}:role/${physical}`);
      set("uniqueId", `AROA${suffix.toUpperCase()}`);
      break;
    case "aws:iam/policy:Policy":
      set("arn", `arn:${part}:iam::${acct}:policy/${physical}`);
      break;
    case "aws:iam/rolePolicy:RolePolicy":
      id = `${state.role}:${physical}`;
      break;
    case "aws:dynamodb/table:Table":
      set("arn", `arn:${part}:dynamodb:${region}:${acct}:table/${physical}`);
      if (state.streamEnabled) set("streamArn", `arn:${part}:dynamodb:${region}:${acct}:table/${physical}/stream/2026-01-01T00:00:00.000`);
      break;
    case "aws:kinesis/stream:Stream":
      set("arn", `arn:${part}:kinesis:${region}:${acct}:stream/${physical}`);
      id = state.arn;
      break;
    case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
      set("arn", `arn:${part}:firehose:${region}:${acct}:deliverystream/${physical}`);
      id = state.arn;
      break;
    case "aws:sqs/queue:Queue":
      set("arn", `arn:${part}:sqs:${region}:${acct}:${physical}`);
      set("url", `https://sqs.${region}.${dns}/${acct}/${physical}`);
      id = state.url;
      break;
    case "aws:sns/topic:Topic":
      set("arn", `arn:${part}:sns:${region}:${acct}:${physical}`);
      id = state.arn;
      break;
    case "aws:lambda/function:Function":
      set("arn", `arn:${part}:lambda:${region}:${acct}:function:${physical}`);
      set("invokeArn", `arn:${part}:apigateway:${region}:lambda:path/2015-03-31/functions/${state.arn}/invocations`);
      set("qualifiedArn", `${state.arn}:$LATEST`);
      set("version", "$LATEST");
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      set("arn", `arn:${part}:logs:${region}:${acct}:log-group:${physical}`);
      break;
    case "aws:cloudwatch/eventRule:EventRule":
      set("arn", `arn:${part}:events:${region}:${acct}:rule/${physical}`);
      break;
    case "aws:kms/key:Key": {
      const keyId = `${suffix}-0000-4000-8000-${suffix}${suffix.slice(0, 5)}`;
      set("keyId", keyId);
      set("arn", `arn:${part}:kms:${region}:${acct}:key/${keyId}`);
      id = keyId;
      break;
    }
    case "aws:kms/alias:Alias":
      set("arn", `arn:${part}:kms:${region}:${acct}:${physical}`);
      break;
    case "aws:apigatewayv2/api:Api": {
      const apiId = suffix;
      id = apiId;
      set("apiEndpoint", `https://${apiId}.execute-api.${region}.${dns}`);
      set("executionArn", `arn:${part}:execute-api:${region}:${acct}:${apiId}`);
      set("arn", `arn:${part}:apigateway:${region}::/apis/${apiId}`);
      break;
    }
    case "aws:apigatewayv2/stage:Stage":
      set("invokeUrl", `https://${state.apiId}.execute-api.${region}.${dns}/${state.name}`);
      set("arn", `arn:${part}:apigateway:${region}::/apis/${state.apiId}/stages/${state.name}`);
      break;
    case "aws:athena/workgroup:Workgroup":
      set("arn", `arn:${part}:athena:${region}:${acct}:workgroup/${physical}`);
      break;
    case "aws:glue/catalogDatabase:CatalogDatabase":
      set("arn", `arn:${part}:glue:${region}:${acct}:database/${physical}`);
      break;
    case "aws:glue/catalogTable:CatalogTable":
      set("arn", `arn:${part}:glue:${region}:${acct}:table/${state.databaseName}/${physical}`);
      break;
    case "aws:mediaconvert/queue:Queue":
      set("arn", `arn:${part}:mediaconvert:${region}:${acct}:queues/${physical}`);
      break;
    case "aws:cloudwatch/dashboard:Dashboard":
      set("dashboardArn", `arn:${part}:cloudwatch::${acct}:dashboard/${state.dashboardName ?? physical}`);
      break;
    default:
      if (type.startsWith("aws:") && state.arn === undefined) {
        set("arn", `arn:${part}:${mod}:${region}:${acct}:${type.split(":")[2]?.toLowerCase()}/${physical}`);
      }
  }
  return { id: `${id}`, state };
}

function policyDocumentFromStatements(inputs: Record<string, any>): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const statements = (inputs.statements ?? []).map((s: any) => {
    const out: Record<string, unknown> = { Effect: cap(s.effect ?? "allow") };
    if (s.sid) out.Sid = s.sid;
    if (s.actions) out.Action = s.actions;
    if (s.notActions) out.NotAction = s.notActions;
    if (s.resources) out.Resource = s.resources;
    if (s.notResources) out.NotResource = s.notResources;
    if (s.principals) {
      const p: Record<string, string[]> = {};
      for (const pr of s.principals) p[pr.type] = [...(p[pr.type] ?? []), ...pr.identifiers];
      out.Principal = p;
    }
    if (s.conditions) {
      const c: Record<string, Record<string, string[]>> = {};
      for (const cond of s.conditions) c[cond.test] = { ...(c[cond.test] ?? {}), [cond.variable]: cond.values };
      out.Condition = c;
    }
    return out;
  });
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function answerCall(run: MockRun, token: string, inputs: Record<string, any>): Record<string, any> | undefined {
  const dns = PARTITIONS[run.partition].dnsSuffix;
  switch (token) {
    case "aws:index/getRegion:getRegion":
      return { id: run.region, name: run.region, region: run.region, description: run.region, endpoint: `ec2.${run.region}.${dns}` };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { id: MOCK_ACCOUNT, accountId: MOCK_ACCOUNT, arn: `arn:${run.partition}:iam::${MOCK_ACCOUNT}:user/test`, userId: "AIDATEST" };
    case "aws:index/getPartition:getPartition":
      return { id: run.partition, partition: run.partition, ...PARTITIONS[run.partition] };
    case "aws:index/getServicePrincipal:getServicePrincipal": {
      // Emulated as <service>.<partition's DNS suffix>; the real table has per-partition exceptions.
      const region = inputs.region ?? run.region;
      return {
        id: `${inputs.serviceName}.${region}.${dns}`,
        name: `${inputs.serviceName}.${dns}`,
        region,
        serviceName: inputs.serviceName,
        suffix: dns,
      };
    }
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return { id: "policy", json: policyDocumentFromStatements(inputs), minifiedJson: policyDocumentFromStatements(inputs) };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What the SDK tells the engine beyond `Mocks.newResource`'s arguments

/** The parts of a RegisterResourceRequest read here (the SDK's protobuf message). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getRetainondelete(): boolean | undefined;
  getAliasesList(): Array<{
    getUrn(): string;
    getSpec():
      | { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean }
      | undefined;
  }>;
}

type Registration = Pick<RecordedResource, "parent" | "aliases" | "retainOnDelete">;

function registrationKey(type: string, name: string): string {
  return `${type}::${name}`;
}

/**
 * Records the parent and aliases of every registration the SDK sends to the mock monitor installed by `setMocks`
 * (Pulumi hands only type, name, inputs, provider and id to `Mocks.newResource`). The monitor calls
 * `newResource` right away, so each entry is taken by the matching `newResource` call.
 */
function watchRegistrations(): Map<string, Registration> {
  const seen = new Map<string, Registration>();
  const monitor = pulumi.runtime.getMonitor() as unknown as
    | { registerResource(req: RegisterRequest, callback: unknown): unknown }
    | undefined;
  if (!monitor) throw new Error("pulumi-harness: no mock monitor after setMocks");
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const aliases = req.getAliasesList().map((a): RecordedAlias => {
      if (a.getUrn()) return { urn: a.getUrn() };
      const s = a.getSpec();
      const spec: RecordedAlias = {
        name: s?.getName() || undefined,
        type: s?.getType() || undefined,
        stack: s?.getStack() || undefined,
        project: s?.getProject() || undefined,
        parentUrn: s?.getParenturn() || undefined,
        noParent: s?.getNoparent() || undefined,
      };
      return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
    });
    seen.set(registrationKey(req.getType(), req.getName()), {
      parent: req.getParent() || undefined,
      aliases,
      retainOnDelete: req.getRetainondelete() === true,
    });
    return register(req, callback);
  };
  return seen;
}

// ---------------------------------------------------------------------------------------------------------------
// Running programs

let lock: Promise<unknown> = Promise.resolve();

function encodeConfig(project: string, region: string, config: Record<string, unknown> = {}): Record<string, string> {
  const out: Record<string, string> = { "aws:region": region };
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    const key = k.includes(":") ? k : `${project}:${k}`;
    out[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * Run program code under fresh mocks and config; resolves once every registration has been answered.
 * The program's return value (e.g. a component, or an object of Outputs) is on `run.result`.
 * Errors thrown by the program (synchronously or from its promise) reject the returned promise.
 */
export function runProgram<T>(program: () => T | Promise<T>, opts: RunOptions = {}): Promise<MockRun<Awaited<T>>> {
  const next = lock.then(() => runUnlocked(program, opts));
  lock = next.catch(() => undefined);
  return next;
}

async function runUnlocked<T>(program: () => T | Promise<T>, opts: RunOptions): Promise<MockRun<Awaited<T>>> {
  const stack = opts.stack ?? "test";
  const project = opts.project ?? "mcjobs";
  const region = opts.region ?? "us-east-1";
  const run = new MockRun<Awaited<T>>(stack, project, region, opts.partition ?? "aws", opts.deployment ?? "1");
  let registrations = new Map<string, Registration>();

  const mocks: pulumi.runtime.Mocks = {
    async newResource(args) {
      const key = registrationKey(args.type, args.name);
      const registered = registrations.get(key);
      registrations.delete(key);
      const inputs = (await resolveAssets(args.inputs)) as Record<string, any>;
      const { id, state } = emulateState(run, { type: args.type, name: args.name, inputs });
      const extra = opts.newResource?.({ type: args.type, name: args.name, inputs });
      const finalState = { ...state, ...(extra ?? {}) };
      run.resources.push({
        type: args.type,
        name: args.name,
        urn: "", // filled below once the URN is known
        custom: args.custom ?? true,
        provider: args.provider || undefined,
        inputs,
        state: finalState,
        id,
        parent: registered?.parent,
        aliases: registered?.aliases ?? [],
        retainOnDelete: registered?.retainOnDelete ?? false,
      });
      return { id: args.custom === false ? undefined : id, state: finalState } as pulumi.runtime.MockResourceResult;
    },
    call(args) {
      const inputs = args.inputs as Record<string, any>;
      run.calls.push({ token: args.token, inputs });
      const custom = opts.calls?.[args.token];
      if (custom) return custom(inputs);
      const answer = answerCall(run, args.token, inputs);
      if (answer) return answer;
      run.unknownCalls.push({ token: args.token, inputs });
      return {};
    },
  };

  await pulumi.runtime.setMocks(mocks, project, stack, opts.preview ?? false);
  registrations = watchRegistrations();
  pulumi.runtime.setAllConfig(encodeConfig(project, region, opts.config), []);
  const prevRegion = process.env.AWS_REGION;
  process.env.AWS_REGION = region;
  // A failed registration (e.g. an error thrown inside an `apply`) surfaces as an unhandled rejection and leaves
  // its dependents waiting forever: report the first such error as the run's error instead. Other listeners
  // (mocha's) are set aside meanwhile so the error is reported once, by this run.
  const others = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  let onRejection: (reason: unknown) => void = () => undefined;
  const failed = new Promise<void>((_, reject) => {
    onRejection = (reason) => reject(reason instanceof Error ? reason : new Error(String(reason)));
  });
  failed.catch(() => undefined);
  process.on("unhandledRejection", onRejection);
  try {
    run.result = (await Promise.race([Promise.resolve(program()), failed])) as Awaited<T>;
    await settle(opts.settleTimeoutMs ?? 20_000, failed);
  } finally {
    if (prevRegion === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = prevRegion;
    process.off("unhandledRejection", onRejection);
    for (const l of others) process.on("unhandledRejection", l as (...a: unknown[]) => void);
  }
  fillUrns(run);
  return run;
}

/** Assets/archives arrive with promise-valued fields; resolve them so tests can read `inputs.code.path`. */
async function resolveAssets(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Promise) return resolveAssets(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveAssets));
  const obj = value as Record<string, unknown>;
  if (!obj.__pulumiAsset && !obj.__pulumiArchive) {
    // Plain objects: only recurse when something below might be an asset (cheap check on own values).
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = v !== null && typeof v === "object" ? await resolveAssets(v) : v;
    return Object.assign(Object.create(Object.getPrototypeOf(obj)), out);
  }
  const out: Record<string, unknown> = { kind: obj.__pulumiArchive ? "archive" : "asset" };
  for (const k of ["path", "uri", "text", "assets"]) {
    if (k in obj) out[k] = await resolveAssets(await (obj[k] as unknown));
  }
  if (typeof out.path === "string") out.hash = checkFileAsset(out.kind as "archive" | "asset", out.path);
  return out;
}

/**
 * What the engine does with a file asset or archive when a resource registers (in preview too): read and hash it.
 * A path that does not exist fails the registration, as it would fail `pulumi preview`/`up`; a folder archive must
 * hold the `index.js` a Lambda handler loads. Returns the content hash (infra/archive-hash.ts), which tests compare
 * as `inputs.code.hash`.
 */
function checkFileAsset(kind: "archive" | "asset", p: string): string {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) throw new Error(`pulumi-harness: file ${kind} ${abs} does not exist (the engine hashes it at registration)`);
  const isDir = fs.statSync(abs).isDirectory();
  if (kind === "asset" && isDir) throw new Error(`pulumi-harness: file asset ${abs} is a folder`);
  if (kind === "archive" && isDir && !fs.existsSync(path.join(abs, "index.js"))) {
    throw new Error(`pulumi-harness: file archive ${abs} holds no index.js`);
  }
  return archiveHash(abs);
}

/** Wait until the Pulumi runtime has no outstanding RPCs (all registrations answered). */
async function settle(timeoutMs: number, failed: Promise<void>): Promise<void> {
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  // Let constructors that register from inside `apply` callbacks get going first.
  await new Promise((r) => setImmediate(r));
  if (!waitForRPCs) {
    await Promise.race([new Promise((r) => setTimeout(r, 200)), failed]);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      waitForRPCs(),
      failed,
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Pulumi registrations did not settle within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Recompute each recorded resource's URN the same way the mock monitor does (parent types are not known here,
 * so the URN holds the type and name; tests use type/name, which is what matters). */
function fillUrns(run: MockRun): void {
  for (const r of run.resources) {
    r.urn = `urn:pulumi:${run.stack}::${run.project}::${r.type}::${r.name}`;
  }
}

/**
 * Run a whole program module (e.g. the repository's index.ts) under mocks: the module is loaded fresh (its
 * require-cache entry is dropped first, so it can run once per stack/region in one process) and its exports,
 * resolved, are `run.result`.
 */
export function runModule(modulePath: string, opts: RunOptions = {}): Promise<MockRun<Record<string, unknown>>> {
  const abs = require.resolve(path.resolve(modulePath));
  return runProgram(async () => {
    delete require.cache[abs];
    const exportsObj = require(abs) as Record<string, unknown>;
    return outputsOf(exportsObj);
  }, opts);
}

/** Every IAM-like policy document found in the run's inputs, with where it came from. */
export function policyDocuments(run: MockRun): { resource: RecordedResource; property: string; statements: PolicyStatement[] }[] {
  const out: { resource: RecordedResource; property: string; statements: PolicyStatement[] }[] = [];
  for (const r of run.resources) {
    for (const prop of ["policy", "assumeRolePolicy"]) {
      const doc = r.inputs[prop];
      if (typeof doc === "string" && doc.includes("Statement"))
        out.push({ resource: r, property: prop, statements: policyStatements(doc) });
    }
    for (const inline of asList(r.inputs.inlinePolicies as { name?: string; policy?: string }[] | undefined)) {
      if (inline?.policy) out.push({ resource: r, property: `inlinePolicies.${inline.name}`, statements: policyStatements(inline.policy) });
    }
  }
  return out;
}
