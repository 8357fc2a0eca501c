/**
 * The Lambda functions' environment inside the twin: what the Pulumi program sets on each function (table, stream,
 * delivery stream and bucket names, the application, the dead-letter queue, the notifications topic) plus the
 * stand-ins' endpoints, and
 * the scope that puts it into `process.env` while the twin runs (handlers read it at cold start) and restores
 * what was there before on stop.
 */
import { randomBytes } from "node:crypto";
import { ENV } from "../../lib/domain/env";
import type { TableNames } from "./standin-resources";

/** Per-service endpoint rewrites, e.g. to put the fault proxy between the handlers and a stand-in. */
export type EndpointWrapper = (service: "dynamodb" | "kinesis" | "firehose", endpoint: string) => Promise<string> | string;

export interface FunctionEnvInput {
  /** The stand-ins' environment (endpoints, region, credentials). */
  base: Record<string, string>;
  prefix: string;
  application: string;
  tables: TableNames;
  streamName: string;
  buckets: { watch: string; output: string };
  deliveryStreams: { jobEvents: string; jobs: string; queueMetrics: string };
  deadLetterQueueUrl: string;
  /** The notifications topic on the SNS stand-in: the collector publishes this application's job outcomes to it. */
  notificationTopicArn: string;
  logLevel?: string;
  extraEnv?: Record<string, string>;
  wrapEndpoint?: EndpointWrapper;
}

export async function functionEnvironment(i: FunctionEnvInput): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    ...i.base,
    [ENV.jobsTable]: i.tables.jobs,
    [ENV.eventsTable]: i.tables.events,
    [ENV.queuesTable]: i.tables.queues,
    [ENV.configTable]: i.tables.config,
    [ENV.tableTtlDays]: "30",
    // The Jobs API's nextToken key: a fresh one per start (tokens of an earlier run are refused, as after a key change).
    [ENV.apiTokenKey]: randomBytes(32).toString("base64"),
    [ENV.deadLetterQueueUrl]: i.deadLetterQueueUrl,
    [ENV.notificationTopicArn]: i.notificationTopicArn,
    [ENV.streamName]: i.streamName,
    [ENV.useStreams]: "true",
    [ENV.jobEventsDeliveryStream]: i.deliveryStreams.jobEvents,
    [ENV.jobsDeliveryStream]: i.deliveryStreams.jobs,
    [ENV.queueMetricsDeliveryStream]: i.deliveryStreams.queueMetrics,
    [ENV.application]: i.application,
    [ENV.mediaConvertRoleArn]: `arn:aws:iam::111122223333:role/${i.prefix}-mediaconvert`,
    [ENV.watchBucket]: i.buckets.watch,
    [ENV.outputBucket]: i.buckets.output,
    POWERTOOLS_LOG_LEVEL: i.logLevel ?? "ERROR",
    POWERTOOLS_METRICS_DISABLED: "true",
    // Dev mode: Powertools writes through the global console (the CLI can filter it) and emits no EMF.
    POWERTOOLS_DEV: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...(i.extraEnv ?? {}),
  };
  if (i.wrapEndpoint) {
    for (const svc of ["dynamodb", "kinesis", "firehose"] as const) {
      const key = `MCJOBS_ENDPOINT_${svc.toUpperCase()}`;
      if (env[key]) env[key] = await i.wrapEndpoint(svc, env[key]);
    }
  }
  return env;
}

/** Sets variables in `process.env`; `stop` puts back what each one was before the first `set`. */
export function processEnvScope(): { set(vars: Record<string, string>): void; stop(): Promise<void> } {
  const saved = new Map<string, string | undefined>();
  return {
    set(vars) {
      for (const [k, v] of Object.entries(vars)) {
        if (!saved.has(k)) saved.set(k, process.env[k]);
        process.env[k] = v;
      }
    },
    async stop() {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      saved.clear();
    },
  };
}
