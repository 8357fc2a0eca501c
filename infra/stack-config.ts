/**
 * Stack configuration: the one schema for every `pulumi config set <key>` this program reads, validated with zod
 * in one place. A bad value stops `pulumi up`/`preview` before any resource is touched, with a message naming the
 * key, the value given and what is allowed. Unknown keys in the project's namespace are refused too (a typo such
 * as `tableTtl` would otherwise be ignored silently), with the closest known key suggested.
 *
 * Values arrive as the strings Pulumi stores (`pulumi config set tableTTL 30` stores "30"); lists may be given as
 * JSON (`pulumi config set --path 'corsOrigins[0]' https://a.example` or `'["https://a.example"]'`) or
 * comma-separated.
 *
 * `parseStackConfig` is pure (tests and the fuzz suite call it directly); `loadStackConfig` reads pulumi.Config.
 */
import { z } from "zod";
import { isLambdaFunctionArn, isQueueArn, isSqsQueueArn, parseQueueArn, QUEUE_ARN_FORM, queueArnProblem } from "../lib/domain/arns";
import { APPLICATION_PATTERN } from "../lib/domain/job";

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** One key's description: what it means, its unit and default; docs/deploy.md mirrors this table. */
export interface KeyDoc {
  key: keyof StackConfigInput;
  meaning: string;
  allowed: string;
  default: string;
}

// ----------------------------------------------------------------------------------------------------------------
// Field parsers over raw strings. Each message says what is allowed; the formatter adds key and value.

function int(min: number, max: number, unit: string) {
  const allowed = `a whole number of ${unit} from ${min} to ${max}`;
  return (
    z
      .string()
      .trim()
      .regex(/^[+-]?\d+$/, { error: `must be ${allowed}` })
      .transform((s) => Number(s))
      // One range check (not zod's int()/min()/max()) so huge values such as 2^53 get the same clear message.
      .refine((n) => n >= min && n <= max, { error: `is out of range: must be ${allowed}` })
  );
}

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => s === "true" || s === "false", { error: `must be true or false` })
  .transform((s) => s === "true");

/** A list given as JSON array or comma-separated text; each element checked by `item`. */
function list<T extends z.ZodType<unknown, string>>(item: T, what: string, maxItems: number) {
  return z
    .string()
    .transform((s, ctx) => {
      const t = s.trim();
      if (t === "") return [] as string[];
      if (t.startsWith("[")) {
        try {
          const parsed: unknown = JSON.parse(t);
          if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return (parsed as string[]).map((x) => x.trim());
        } catch {
          /* reported below */
        }
        ctx.addIssue({ code: "custom", message: `must be a JSON list of ${what} or a comma-separated list` });
        return z.NEVER;
      }
      return t
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "");
    })
    .pipe(z.array(item).max(maxItems, { error: `has too many entries: at most ${maxItems} ${what}` }));
}

const email = z.string().regex(/^[^\s@,;"<>]+@[^\s@,;"<>]+\.[A-Za-z]{2,}$/, {
  error: (iss) => `contains "${String(iss.input)}", which is not an e-mail address (name@example.com)`,
});

const origin = z
  .string()
  .refine((s) => /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(s) || /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/.test(s), {
    error: (iss) =>
      `contains "${String(iss.input)}", which is not an origin: use https://host[:port] (or http://localhost[:port]), no path, no "*"`,
  });

const subscriber = z.string().refine((s) => /^https:\/\/[^\s/]+\.[^\s/]+(\/\S*)?$/.test(s) || isSqsQueueArn(s) || isLambdaFunctionArn(s), {
  error: (iss) => `contains "${String(iss.input)}", which is not an https:// URL, an SQS queue ARN or a Lambda function ARN`,
});

const alarmSubscriber = z.string().refine((s) => email.safeParse(s).success || subscriber.safeParse(s).success, {
  error: (iss) =>
    `contains "${String(iss.input)}", which is not an e-mail address, an https:// URL, an SQS queue ARN or a Lambda function ARN (each entry is one person or system that hears the stack's alarms)`,
});

const bucketArn = z.string().regex(/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
  error: (iss) => `contains "${String(iss.input)}", which is not an S3 bucket ARN (arn:aws:s3:::bucket-name)`,
});

/** The raw schema: every key optional (defaults applied), every value a string as Pulumi stores it. */
export const stackConfigSchema = z.strictObject({
  application: z
    .string()
    .trim()
    .regex(APPLICATION_PATTERN, {
      error: "must be 1 to 30 letters, digits or hyphens, starting with a letter (it tags jobs and names resources)",
    })
    .default("mcjobs"),
  tableTTL: int(1, 3650, "days").default(90),
  streamTTL: int(24, 8760, "hours").default(24),
  bufferInterval: int(60, 300, "seconds").default(60),
  useStreams: bool.default(true),
  collectOnlyApplication: bool.default(true),
  notificationEmails: list(email, "e-mail addresses", 10).default([]),
  notificationSubscribers: list(subscriber, "subscribers", 10).default([]),
  alarmSubscribers: list(alarmSubscriber, "alarm subscribers", 10).default([]),
  queueArn: z
    .string()
    .trim()
    .refine(isQueueArn, {
      // A region given in another partition's ARN is named as such; anything else gets the form to use.
      error: (iss) => {
        const problem = queueArnProblem(String(iss.input));
        const partition = problem?.includes("that region is in") ? `: ${problem}` : "";
        return `must be a MediaConvert queue ARN (${QUEUE_ARN_FORM})${partition}`;
      },
    })
    .optional(),
  probeBudgetBytes: int(64 * 1024, 64 * MiB, "bytes").default(4 * MiB),
  probeMaxRequests: int(2, 64, "requests").default(16),
  mediaExpirationDays: int(1, 3650, "days").default(30),
  corsOrigins: list(origin, "origins", 20).default([]),
  apiBurstLimit: int(1, 5000, "requests").default(50),
  apiRateLimit: int(1, 10000, "requests per second").default(100),
  athenaBytesScannedLimit: int(10 * MiB, 1024 * GiB, "bytes").default(10 * GiB),
  logRetentionDays: z
    .string()
    .trim()
    .refine((s) => (LOG_RETENTION_DAYS as readonly number[]).includes(Number(s)) && /^\d+$/.test(s), {
      error: `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")} (days)`,
    })
    .transform(Number)
    .default(30),
  retainData: bool.default(true),
  reconcileMinutes: int(1, 1440, "minutes").default(5),
  inputBucketArns: list(bucketArn, "S3 bucket ARNs", 20).default([]),
  logLevel: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(["DEBUG", "INFO", "WARN", "ERROR"], { error: "must be one of DEBUG, INFO, WARN, ERROR" }))
    .default("INFO"),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;

/** The validated config plus where it is deployed. */
export interface StackConfig extends ParsedStackConfig {
  project: string;
  stack: string;
  region: string;
}

export const KEY_DOCS: KeyDoc[] = [
  {
    key: "application",
    meaning:
      "Name this stack's jobs carry in userMetadata.application (the watch folder sets it); filters notifications and, with collectOnlyApplication (the default), what the collector records. Give each stack in one account and region its own",
    allowed: "1–30 letters/digits/hyphens, starting with a letter",
    default: "mcjobs",
  },
  {
    key: "tableTTL",
    meaning: "Days a job/event/queue item lives in DynamoDB after its last write (TTL attribute expiresAt)",
    allowed: "1–3650 days",
    default: "90",
  },
  { key: "streamTTL", meaning: "Kinesis stream retention", allowed: "24–8760 hours", default: "24" },
  {
    key: "bufferInterval",
    meaning:
      "Seconds records wait to be batched: Kinesis consumers' batching window and Firehose buffering interval. 60–300 is the range both accept (Lambda windows go up to 300 s; Firehose with Parquet conversion needs at least 60 s)",
    allowed: "60–300 seconds",
    default: "60",
  },
  {
    key: "useStreams",
    meaning: "Deploy the Kinesis stream, its consumers and the history lake; false keeps only the live Jobs tables and API",
    allowed: "true or false",
    default: "true",
  },
  {
    key: "collectOnlyApplication",
    meaning:
      "true: the collector (and the reconciler's discovery) sees only jobs whose userMetadata.application is this stack's application, so several stacks in one account and region never record each other's jobs; false: every MediaConvert job of the account and region",
    allowed: "true or false",
    default: "true",
  },
  {
    key: "notificationEmails",
    meaning: "Addresses subscribed to COMPLETE/ERROR notifications of this stack's jobs (each must confirm)",
    allowed: "up to 10 e-mail addresses, JSON list or comma-separated",
    default: "none",
  },
  {
    key: "notificationSubscribers",
    meaning:
      "Other subscribers of the notifications topic: https:// endpoints, SQS queue ARNs (the queue's policy must let the topic send) or Lambda function ARNs (invoke permission created)",
    allowed: "up to 10, JSON list or comma-separated",
    default: "none",
  },
  {
    key: "alarmSubscribers",
    meaning:
      "Who hears the stack's alarms (dead letters waiting in a DLQ or failure queue; alarm and all-clear) through the operations topic (stack output alarmTopicArn): e-mail addresses (each must confirm), https:// endpoints, SQS queue ARNs (the queue's policy must let the topic send) or Lambda function ARNs (invoke permission created). With none, pulumi up warns that alarms reach nobody",
    allowed: "up to 10, JSON list or comma-separated",
    default: "none",
  },
  {
    key: "queueArn",
    meaning: "MediaConvert queue the watch folder submits jobs to (must be in the stack's region)",
    allowed: QUEUE_ARN_FORM,
    default: "the account's Default queue",
  },
  {
    key: "probeBudgetBytes",
    meaning: "Most bytes the mediainfo probe reads from an input file",
    allowed: "65536–67108864 bytes",
    default: "4194304 (4 MiB)",
  },
  {
    key: "probeMaxRequests",
    meaning: "Most S3 ranged GETs one probe makes (one is always kept for the end of the file)",
    allowed: "2–64",
    default: "16",
  },
  {
    key: "mediaExpirationDays",
    meaning: "Days before outputs in the media bucket (and uploads in the watch folder) expire",
    allowed: "1–3650 days",
    default: "30",
  },
  {
    key: "corsOrigins",
    meaning: "Origins allowed to fetch media (players) and call the API from a browser",
    allowed: "up to 20 https://host[:port] or http://localhost[:port]",
    default: "none",
  },
  { key: "apiBurstLimit", meaning: "Jobs API throttling: burst", allowed: "1–5000 requests", default: "50" },
  { key: "apiRateLimit", meaning: "Jobs API throttling: steady rate", allowed: "1–10000 requests/s", default: "100" },
  {
    key: "athenaBytesScannedLimit",
    meaning: "Athena workgroup cut-off per query",
    allowed: "10485760 (10 MiB)–1099511627776 (1 TiB) bytes",
    default: "10737418240 (10 GiB)",
  },
  {
    key: "logRetentionDays",
    meaning:
      "CloudWatch Logs retention of every log group: each Lambda's, the Jobs API access logs, the history delivery streams' error logs",
    allowed: LOG_RETENTION_DAYS.join(", "),
    default: "30",
  },
  {
    key: "retainData",
    meaning:
      "Keep what holds data when the stack is destroyed (retainOnDelete): the DynamoDB tables, the S3 buckets (history lake, watch folder, media) and the stack KMS key; turn on table deletion protection. The stream, the Glue catalog and everything else go; a later pulumi up of the same stack makes new ones",
    allowed: "true or false",
    default: "true",
  },
  {
    key: "reconcileMinutes",
    meaning:
      "Minutes between reconciler sweeps: unfinished jobs silent for three status-update intervals are asked about with GetJob, jobs never heard of are found with ListJobs",
    allowed: "1–1440 minutes",
    default: "5",
  },
  {
    key: "inputBucketArns",
    meaning: "Extra S3 buckets (besides the watch folder) whose inputs the collector may probe",
    allowed: "up to 20 bucket ARNs",
    default: "none",
  },
  {
    key: "logLevel",
    meaning: "Log level of every Lambda, the stream consumers included (Powertools)",
    allowed: "DEBUG, INFO, WARN, ERROR",
    default: "INFO",
  },
];

export const CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as (keyof StackConfigInput)[];

export class StackConfigError extends Error {
  constructor(readonly problems: { key: string; message: string }[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}

function closestKey(key: string): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of CONFIG_KEYS) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.k.length / 3)) ? best.k : undefined;
}

function show(value: unknown): string {
  const s = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Validate raw config (key without namespace → string value as Pulumi stores it). Throws StackConfigError listing
 * every problem; each message starts with `<namespace>:<key> = <value>`.
 */
export function parseStackConfig(
  raw: Record<string, unknown>,
  where: { project?: string; stack?: string; region?: string } = {},
): StackConfig {
  const ns = where.project ?? "mcjobs";
  const problems: { key: string; message: string }[] = [];
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (!(CONFIG_KEYS as string[]).includes(key)) {
      const hint = closestKey(key);
      problems.push({
        key,
        message: `${ns}:${key} is not a setting of this program${hint ? ` (did you mean ${ns}:${hint}?)` : ""}; known keys: ${CONFIG_KEYS.join(", ")}`,
      });
      continue;
    }
    // Pulumi hands over strings; structured values (config set --path) arrive JSON-encoded. Tests may pass
    // numbers/booleans/arrays: encode them the same way.
    input[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const result = stackConfigSchema.safeParse(input);
  if (!result.success) {
    const seen = new Set<string>();
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "?");
      if (seen.has(key)) continue; // one clear message per key
      seen.add(key);
      problems.push({ key, message: `${ns}:${key} = ${show(input[key])} ${issue.message}` });
    }
  }
  if (problems.length === 0 && result.success) {
    const cfg = result.data;
    if (cfg.queueArn && where.region) {
      const queueRegion = parseQueueArn(cfg.queueArn)?.region;
      if (queueRegion !== where.region) {
        problems.push({
          key: "queueArn",
          message: `${ns}:queueArn = ${show(cfg.queueArn)} is in ${queueRegion} but this stack deploys to ${where.region}: use a queue of ${where.region}`,
        });
      }
    }
    if (problems.length === 0) {
      return { ...cfg, project: ns, stack: where.stack ?? "dev", region: where.region ?? "us-east-1" };
    }
  }
  throw new StackConfigError(problems);
}

// ----------------------------------------------------------------------------------------------------------------
// The `aws:` namespace: settings of the AWS provider. Pulumi hands every `aws:` key of a stack to the provider, and
// the provider checks them; this program only validates the ones it reads itself and hands to the stack's explicit
// provider (index.ts), and leaves every other `aws:` key to Pulumi and the provider. The `pulumi:` namespace holds
// Pulumi's own settings and is left alone too.

const accountId = z.string().regex(/^\d{12}$/, {
  error: (iss) => `contains "${String(iss.input)}", which is not an AWS account ID (12 digits)`,
});

/** The `aws:` keys this program reads and passes to its provider, each validated. */
export const awsConfigSchema = z
  .object({
    region: z
      .string({ error: "must name the AWS region to deploy to, e.g. `pulumi config set aws:region eu-west-1`" })
      .trim()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, {
        error: "must name the AWS region to deploy to, e.g. `pulumi config set aws:region eu-west-1`",
      }),
    profile: z
      .string()
      .trim()
      .regex(/^[^\s]+$/, { error: "must name a profile of your AWS config files (no spaces), e.g. `pulumi config set aws:profile prod`" })
      .optional(),
    allowedAccountIds: list(accountId, "account IDs", 50).optional(),
    forbiddenAccountIds: list(accountId, "account IDs", 50).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.allowedAccountIds?.length && v.forbiddenAccountIds?.length) {
      ctx.addIssue({
        code: "custom",
        path: ["forbiddenAccountIds"],
        message: "cannot be set together with aws:allowedAccountIds: keep one of the two",
      });
    }
  });

export type AwsConfig = z.output<typeof awsConfigSchema>;

/** The `aws:` keys validated here; any other `aws:` key goes to the provider unchecked. */
export const AWS_KEYS = ["region", "profile", "allowedAccountIds", "forbiddenAccountIds"] as const;

/**
 * Validate the `aws:` keys this program knows (key without namespace → string value as Pulumi stores it). Keys it
 * does not know are not problems: they are returned in `unread` so a caller can say they are not used here.
 */
export function parseAwsConfig(raw: Record<string, unknown>): {
  config?: AwsConfig;
  problems: { key: string; message: string }[];
  unread: string[];
} {
  const input: Record<string, string> = {};
  const unread: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (!(AWS_KEYS as readonly string[]).includes(key)) {
      unread.push(key);
      continue;
    }
    input[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const result = awsConfigSchema.safeParse(input);
  if (result.success) return { config: result.data, problems: [], unread };
  const seen = new Set<string>();
  const problems: { key: string; message: string }[] = [];
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? "?");
    if (seen.has(key)) continue;
    seen.add(key);
    const given = input[key] === undefined ? "is not set: it" : `= ${show(input[key])}`;
    problems.push({ key: `aws:${key}`, message: `aws:${key} ${given} ${issue.message}` });
  }
  return { problems, unread };
}

/** Every problem of a whole stack's config (namespaced keys, as in a Pulumi.<stack>.yaml or `allConfig()`). */
export function checkStackConfig(
  all: Record<string, unknown>,
  where: { project: string; stack: string },
): { problems: { key: string; message: string }[]; unread: string[]; config?: StackConfig & { aws: AwsConfig } } {
  const own: Record<string, unknown> = {};
  const awsRaw: Record<string, unknown> = {};
  const problems: { key: string; message: string }[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    const colon = fullKey.indexOf(":");
    const ns = colon < 0 ? "" : fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (ns === where.project) own[key] = value;
    else if (ns === "aws") awsRaw[key] = value;
    else if (ns !== "pulumi") {
      problems.push({
        key: fullKey,
        message: `${fullKey} is read by nothing in this program: its settings are ${where.project}:<key> (see docs/deploy.md) and aws:<key> for the AWS provider`,
      });
    }
  }
  const aws = parseAwsConfig(awsRaw);
  problems.push(...aws.problems);
  let config: StackConfig | undefined;
  try {
    config = parseStackConfig(own, { project: where.project, stack: where.stack, region: aws.config?.region });
  } catch (e) {
    if (!(e instanceof StackConfigError)) throw e;
    problems.push(...e.problems.map((p) => ({ key: `${where.project}:${p.key}`, message: p.message })));
  }
  const unread = aws.unread.map((k) => `aws:${k}`);
  return problems.length === 0 && config && aws.config
    ? { problems, unread, config: { ...config, aws: aws.config } }
    : { problems, unread };
}

/**
 * Read and validate this stack's config from Pulumi (the only place the program reads config): the project's keys
 * and the `aws:` keys it passes to its provider. `aws:region` must be set. Other `aws:` keys are not read by the
 * stack's explicit provider: each gets a warning saying so, not an error.
 */
export function loadStackConfig(): StackConfig & { aws: AwsConfig } {
  // Imported lazily so the pure parser can be used without the Pulumi runtime.
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const { problems, unread, config } = checkStackConfig(pulumi.runtime.allConfig(), { project, stack });
  if (problems.length > 0 || !config) throw new StackConfigError(problems);
  for (const key of unread) pulumi.log.warn(unreadAwsKeyNote(key));
  return config;
}

/** What to say about an `aws:` key this program does not pass to its provider. */
export function unreadAwsKeyNote(key: string): string {
  return `${key} is not passed to this program's AWS provider (it reads only ${AWS_KEYS.map((k) => `aws:${k}`).join(", ")}): set it through the environment (e.g. AWS_* variables) instead, or remove it`;
}
