/**
 * The local twin: the whole mcjobs pipeline on one machine.
 *
 *   MediaConvert simulator ──events──▶ router (patterns from lib/domain/patterns.ts) ──▶ collector handler
 *        ▲                                         collector ──▶ SNS stand-in (one message per COMPLETE/ERROR of this application)
 *        │ CreateJob                     collector ──▶ DynamoDB Local (Jobs/Events/Queues) + kinesalite
 *   watch-folder handler ◀── watch-folder poller (s3rver `inputs/`)      kinesalite ──poller──▶ history / analytics consumers
 *                                                                         consumers ──▶ local Firehose ──▶ Parquet lake
 *   HTTP server: the Jobs API handler (API Gateway v2 events) + the dashboard
 *
 * Everything product-side is the same code that runs in AWS; only endpoints differ (MCJOBS_ENDPOINT_*). State lives
 * in one folder (default `.mcjobs/`, state.ts). Starting again reuses it; `fresh` wipes the twin's part of it first.
 *
 * `startTwin` (its options in options.ts) starts the parts in order, each from its own module, and stops them
 * in reverse: stand-ins (standins.ts) and what lives on them, the lake (lake.ts), SQS (sqs.ts), SNS (sns.ts), MediaConvert
 * (simulator.ts), the functions' environment (function-env.ts) and the functions (functions.ts), EventBridge
 * rules (rules.ts), stream consumers (stream-consumers.ts), the watch folder (watch-bucket.ts), the HTTP front
 * door (front-door.ts) and the demo workload (demo.ts). status.ts reports on them and waits for them to settle.
 *
 * One twin per process: handlers read `process.env` at cold start, so the twin sets it while it runs.
 */
import * as path from "node:path";
import { ENV } from "../../lib/domain/env";
import { jobSubmitter, startDemoWorkload } from "./demo";
import { assertHttpPortFree, startFrontDoor, type TwinUrls } from "./front-door";
import { functionEnvironment, processEnvScope } from "./function-env";
import { loadFunctions } from "./functions";
import { startLake, type DeliveryStreams } from "./lake";
import type { TwinOptions } from "./options";
import type { DeadLetter, Router } from "./router";
import { reconcilerEnv, startReconciler, type TwinReconciler } from "./reconciler";
import { startRules } from "./rules";
import { startSimulator } from "./simulator";
import { createTwinResources } from "./standin-resources";
import { startStandIns, type TableNames } from "./standins";
import { openStateDir, stateFileWriter } from "./state";
import { settle, twinStatus, type TwinStatus, type WatchedParts } from "./status";
import { StopStack } from "./stop-stack";
import { startStreamConsumers } from "./stream-consumers";
import { startLocalSns, type PublishedMessage } from "./sns";
import { startLocalSqs } from "./sqs";
import { dropIntoWatchFolder, startWatchBucket } from "./watch-bucket";

export type { EndpointWrapper } from "./function-env";
export type { TwinUrls } from "./front-door";
export type { TwinOptions, TwinPorts } from "./options";
export type { PublishedMessage } from "./sns";
export type { TwinStatus } from "./status";
export { s3Event } from "./watch-bucket";

/** Prefix of every table, stream, bucket and function name. */
const PREFIX = "mcjobs-local";
const ENDPOINT = "MCJOBS_ENDPOINT_";

export interface Twin {
  urls: TwinUrls;
  /** The handlers' environment (endpoints, table/stream/bucket names). */
  env: Record<string, string>;
  /** The stand-ins' own endpoints (never behind a fault proxy). */
  standInEndpoints: Record<string, string>;
  dir: string;
  tables: TableNames;
  streamName: string;
  buckets: { watch: string; output: string };
  /** Local watch folder: files copied here go to the watch bucket's inputs/. */
  inboxDir: string;
  lakeDir: string;
  deliveryStreams: DeliveryStreams;
  /** The reconciler on its timer; undefined when turned off (`reconcileEverySeconds: 0`). */
  reconciler?: TwinReconciler;
  /** The MediaConvert simulator. */
  simulator?: import("./mediaconvert").MediaConvertSimulator;
  router: Router;
  /** Publishes an EventBridge event as if MediaConvert had (goes through the rules). */
  publish(event: unknown): string[];
  /** Creates a job on the simulator the way the watch-folder handler would (no watch folder). */
  submitJob(opts?: { input?: string; queue?: string; userMetadata?: Record<string, string> }): Promise<string | undefined>;
  /** Drops a file into the watch folder's `inputs/`. */
  dropFile(key: string, body: Buffer | string): Promise<void>;
  /** What the collector published to the notifications topic (the SNS stand-in), oldest first. */
  notifications: PublishedMessage[];
  deadLetters: DeadLetter[];
  /** Replays every dead letter to its rule (what an operator does with the DLQ); returns how many. */
  redriveDeadLetters(): number;
  /** Waits until the simulator, router, consumers and Firehose are all quiet, and flushes the lake. */
  settle(opts?: { timeoutMs?: number; closeWindows?: boolean }): Promise<void>;
  status(): TwinStatus;
  stop(): Promise<void>;
}

/** Starts everything; resolves once the URLs answer. */
export async function startTwin(opts: TwinOptions = {}): Promise<Twin> {
  const log = opts.log ?? (() => undefined);
  const application = opts.application ?? "mcjobs-local";
  const speed = opts.speed ?? 30;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number (got ${opts.speed}).`);
  const state = openStateDir(opts);
  if (opts.ports?.http) await assertHttpPortFree(opts.ports.http);

  const stack = new StopStack(log);
  // Added first, so stopped last: the environment is put back, and twin.json removed, once everything is down.
  const processEnv = stack.add(processEnvScope());
  const stateFile = stack.add(stateFileWriter(state.stateFile));
  try {
    log("starting DynamoDB Local, kinesalite and s3rver…");
    const { dynamoDbInMemory, ownProcessGroup } = opts;
    const ports = { dynamodb: opts.ports?.dynamodb, kinesis: opts.ports?.kinesis, s3: opts.ports?.s3 };
    const standIns = stack.add(await startStandIns({ dir: state.dir, dynamoDbInMemory, ownProcessGroup, ports }));
    // The stand-ins' own endpoints, grown as each simulated service starts; the functions get a copy.
    const base: Record<string, string> = { ...standIns.env };
    const { tables, streamName, buckets } = await createTwinResources(PREFIX, base);
    const bufferIntervalMs = opts.bufferIntervalMs ?? 2000;
    const lake = stack.add(
      await startLake({ prefix: PREFIX, lakeDir: state.lakeDir, bufferIntervalMs, port: opts.ports?.firehose, region: base.AWS_REGION }),
    );
    const { deliveryStreams } = lake;
    base.MCJOBS_ENDPOINT_FIREHOSE = lake.endpoint;
    const sqs = stack.add(await startLocalSqs({ dir: path.join(state.twinDir, "dlq") }));
    base.MCJOBS_ENDPOINT_SQS = sqs.endpoint;
    const sns = stack.add(
      await startLocalSns({ region: base.AWS_REGION ?? "us-east-1", file: path.join(state.twinDir, "notifications.jsonl") }),
    );
    base.MCJOBS_ENDPOINT_SNS = sns.endpoint;
    const notificationTopicArn = sns.createTopic(`${PREFIX}-notifications`);
    // The simulator's events go to the rules, which start once the functions are loaded (no job exists before).
    let router: Router | undefined;
    const { simulator } = stack.add(
      await startSimulator({
        env: base,
        port: opts.ports?.mediaconvert,
        seed: opts.seed ?? 1,
        speed,
        rates: opts.rates,
        statusUpdateIntervalMs: opts.statusUpdateIntervalMs,
        dropEventsPercent: opts.dropEventsPercent,
        // Under the state folder: jobs carry on while the twin is stopped, as MediaConvert's do; `fresh` wipes them.
        stateDir: path.join(state.twinDir, "mediaconvert"),
        publish: (event) => void router?.publish(event),
      }),
    );
    base.MCJOBS_ENDPOINT_MEDIACONVERT = simulator.endpoint;

    const functionEnv = await functionEnvironment({
      base,
      prefix: PREFIX,
      application,
      tables,
      streamName,
      buckets,
      deliveryStreams,
      deadLetterQueueUrl: sqs.queueUrl(`${PREFIX}-dead-letters`),
      notificationTopicArn,
      logLevel: opts.logLevel,
      extraEnv: { ...reconcilerEnv({ speed, statusUpdateIntervalMs: opts.statusUpdateIntervalMs }), ...(opts.extraEnv ?? {}) },
      wrapEndpoint: opts.wrapEndpoint,
    });
    processEnv.set(functionEnv);
    const functions = loadFunctions();

    const rules = stack.add(
      startRules({
        collector: functions.collector,
        prefix: PREFIX,
        application,
        collectOnlyApplication: opts.collectOnlyApplication,
        speed,
        concurrency: opts.concurrency ?? 8,
        twinDir: state.twinDir,
        log,
      }),
    );
    router = rules.router;
    const consumers = stack.add(
      await startStreamConsumers({
        env: base,
        streamName,
        prefix: PREFIX,
        functions,
        bufferIntervalMs,
        tumblingWindowSeconds: opts.tumblingWindowSeconds ?? 5,
        twinDir: state.twinDir,
        log,
      }),
    );
    const watch = stack.add(
      startWatchBucket({
        handler: functions.watchFolder,
        functionName: `${PREFIX}-watch-folder`,
        env: base,
        bucket: buckets.watch,
        inboxDir: state.inboxDir,
        twinDir: state.twinDir,
        log,
      }),
    );

    const reconcileEvery = opts.reconcileEverySeconds ?? 30;
    const reconciler =
      reconcileEvery > 0
        ? stack.add(startReconciler({ everySeconds: reconcileEvery, functionName: `${PREFIX}-reconciler`, log }))
        : undefined;

    const parts: WatchedParts = {
      startedAt: Date.now(),
      simulator,
      rules,
      consumers,
      watch,
      deadLetterQueue: sqs,
      notifications: sns,
      firehose: lake,
      log,
    };
    const { urls } = stack.add(
      await startFrontDoor({
        port: opts.ports?.http,
        api: functions.api,
        functionName: `${PREFIX}-api`,
        env: base,
        queuesTable: tables.queues,
        status: () => twinStatus(parts),
        notifications: () => sns.messages,
        publish: (event) => rules.router.publish(event),
      }),
    );
    const submitJob = jobSubmitter({ simulator, roleArn: functionEnv[ENV.mediaConvertRoleArn], application, buckets });
    if (opts.demo !== false) {
      stack.add(
        startDemoWorkload({
          everySeconds: opts.demoEverySeconds,
          twinDir: state.twinDir,
          env: base,
          watchBucket: buckets.watch,
          submitJob,
          log,
        }),
      );
    }

    const endpoints = Object.entries(base).filter(([k]) => k.startsWith(ENDPOINT));
    if (opts.writeStateFile !== false) {
      stateFile.write({
        pid: process.pid,
        startedAt: new Date(parts.startedAt).toISOString(),
        ...urls,
        region: base.AWS_REGION,
        endpoints: Object.fromEntries(endpoints),
        tables,
        streamName,
        buckets,
        deliveryStreams,
        lakeDir: state.lakeDir,
        application,
        missing: [],
      });
    }
    log(`Jobs API:  ${urls.apiUrl}`);
    log(`Dashboard: ${urls.dashboardUrl}`);
    return {
      urls,
      env: functionEnv,
      standInEndpoints: Object.fromEntries(endpoints.map(([k, v]) => [k.slice(ENDPOINT.length).toLowerCase(), v])),
      dir: state.dir,
      tables,
      streamName,
      buckets,
      inboxDir: state.inboxDir,
      lakeDir: state.lakeDir,
      deliveryStreams,
      simulator,
      reconciler,
      router: rules.router,
      publish: (event) => rules.router.publish(event),
      submitJob,
      dropFile: (key, body) => dropIntoWatchFolder(base, buckets.watch, key, body),
      notifications: sns.messages,
      deadLetters: rules.deadLetters,
      redriveDeadLetters: () => rules.redrive(),
      settle: (o) => settle(parts, o),
      status: () => twinStatus(parts),
      stop: () => stack.stopAll(),
    };
  } catch (err) {
    await stack.stopAll();
    throw err;
  }
}
