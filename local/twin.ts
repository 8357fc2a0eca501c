/**
 * The local twin: the whole mcjobs pipeline on one machine.
 *
 *   MediaConvert simulator ──events──▶ router (patterns from domain/patterns.ts) ──▶ collector handler
 *        ▲                                         └──▶ notification outbox (COMPLETE/ERROR of this application)
 *        │ CreateJob                     collector ──▶ DynamoDB Local (Jobs/Events/Queues) + kinesalite
 *   convert handler ◀── watch-folder poller (s3rver `inputs/`)      kinesalite ──poller──▶ history / analytics consumers
 *                                                                         consumers ──▶ local Firehose ──▶ Parquet lake
 *   HTTP server: the Jobs API handler (API Gateway v2 events) + the dashboard
 *
 * Everything product-side is the same code that runs in AWS; only endpoints differ (MCJOBS_ENDPOINT_*). State lives
 * in one folder (default `.mcjobs/`): the stand-ins' data, the lake, the consumers' checkpoints, the outbox and
 * `twin.json` (URLs for the CLI). Starting again reuses it; `fresh` wipes the twin's part of it first.
 *
 * One twin per process: handlers read `process.env` at cold start, so the twin sets it while it runs.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import * as clients from "../adapters/clients";
import { ENV } from "../domain/env";
import { notificationRules, renderNotification } from "../domain/notifications";
import { collectorPattern, type EventPattern } from "../domain/patterns";
import { forgetProductModules, invoke, loadHandler, type LambdaHandler } from "./lambda";
import { startKinesisPoller, type ConsumerEvent, type ConsumerResult, type KinesisPoller } from "./kinesis-poller";
import { createRouter, type DeadLetter, type Router } from "./router";
import { createBucket, createStream, createTables, startStandIns, type StandIns, type TableNames } from "./standins";
import { startTwinServer, type TwinServer } from "./server";
import { startLocalSqs } from "./sqs";

const repoRoot = path.resolve(__dirname, "..");

export interface TwinPorts {
  /** Jobs API + dashboard (default: a free port). */
  http?: number;
  dynamodb?: number;
  kinesis?: number;
  s3?: number;
  firehose?: number;
  mediaconvert?: number;
}

/** Per-service endpoint rewrites, e.g. to put the fault proxy between the handlers and a stand-in. */
export type EndpointWrapper = (service: "dynamodb" | "kinesis" | "firehose", endpoint: string) => Promise<string> | string;

export interface TwinOptions {
  /** State folder (default `.mcjobs`). */
  dir?: string;
  /** Wipe the twin's state in `dir` first. */
  fresh?: boolean;
  ports?: TwinPorts;
  /** Simulated seconds per real second for the MediaConvert simulator (default 30). */
  speed?: number;
  /** Keep a demo workload going (default true). */
  demo?: boolean;
  /** Seconds between demo jobs (default 4). */
  demoEverySeconds?: number;
  /** Seed of the simulator (default 1). */
  seed?: number;
  /** Simulator probability knobs (duplicates, reordering, errors…). */
  rates?: Record<string, number>;
  /** Application name stamped on jobs (userMetadata.application) and used by the notification rule. */
  application?: string;
  /** Stack `collectOnlyApplication`: the collector rule matches only this application's jobs (default false). */
  collectOnlyApplication?: boolean;
  /** Firehose buffer interval (ms) = the consumers' batching window (default 2000). */
  bufferIntervalMs?: number;
  /** Analytics tumbling window, seconds (default 5). */
  tumblingWindowSeconds?: number;
  /** Overrides every simulated job's status update interval (simulated ms; MediaConvert's default is 60 s). */
  statusUpdateIntervalMs?: number;
  /** Collector invocations running at once (default 8). */
  concurrency?: number;
  /** Endpoint rewrites for the handlers (fault injection). The twin's own plumbing keeps the direct endpoints. */
  wrapEndpoint?: EndpointWrapper;
  /** Extra environment for the handlers (e.g. COLLECTOR_PROBE=false). */
  extraEnv?: Record<string, string>;
  /** Log level for the handlers' Powertools loggers (default ERROR). */
  logLevel?: string;
  /** Where the twin's own progress lines go (default: nowhere). */
  log?: (line: string) => void;
  /** DynamoDB Local keeps its tables in memory rather than under `dir` (default false; see StandInOptions). */
  dynamoDbInMemory?: boolean;
  /** DynamoDB Local in its own process group, out of reach of a terminal's Ctrl-C (see StandInOptions). */
  ownProcessGroup?: boolean;
  /** Also write `twin.json` (default true). */
  writeStateFile?: boolean;
}

export interface TwinUrls {
  apiUrl: string;
  dashboardUrl: string;
}

export interface Notification {
  at: number;
  jobId?: string;
  status?: string;
  /** The Notifications rule that matched (domain/notifications.ts). */
  rule: string;
  /** First line of the message. */
  subject: string;
  /** The text the SNS topic would carry. */
  message: string;
  event: unknown;
}

export interface TwinStatus {
  startedAt: number;
  router: ReturnType<Router["stats"]>;
  consumers: Record<string, ReturnType<KinesisPoller["stats"]>>;
  simulator?: { jobs: number; delivered: number; failedDeliveries: number };
  watchFolder: { seen: number; converted: number; failed: number };
  deadLetters: number;
  /** Messages the handlers parked in the dead-letter queue (files under <dir>/twin/dlq/). */
  deadLetterQueue: Record<string, number>;
  notifications: number;
  missing: string[];
}

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
  /** Local watch folder: files copied here go to the watch bucket's inputs/ (when the convert handler is wired). */
  inboxDir: string;
  lakeDir: string;
  deliveryStreams: { jobEvents: string; jobs: string; queueMetrics: string };
  /** The MediaConvert simulator (when local/mediaconvert is present). */
  simulator?: import("./mediaconvert").MediaConvertSimulator;
  router: Router;
  /** Publishes an EventBridge event as if MediaConvert had (goes through the rules). */
  publish(event: unknown): string[];
  /** Creates a job on the simulator the way the convert handler would (no watch folder). */
  submitJob(opts?: { input?: string; queue?: string; userMetadata?: Record<string, string> }): Promise<string | undefined>;
  /** Drops a file into the watch folder's `inputs/`. */
  dropFile(key: string, body: Buffer | string): Promise<void>;
  notifications: Notification[];
  deadLetters: DeadLetter[];
  /** Replays every dead letter to its rule (what an operator does with the DLQ); returns how many. */
  redriveDeadLetters(): number;
  /** Waits until the simulator, router, consumers and Firehose are all quiet, and flushes the lake. */
  settle(opts?: { timeoutMs?: number; closeWindows?: boolean }): Promise<void>;
  status(): TwinStatus;
  stop(): Promise<void>;
}

const STATE_PARTS = ["dynamodb", "kinesis", "s3", "lake", "twin", "twin.json"];

function exists(rel: string): boolean {
  return fs.existsSync(path.join(repoRoot, rel));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Starts everything; resolves once the URLs answer. */
export async function startTwin(opts: TwinOptions = {}): Promise<Twin> {
  const dir = path.resolve(opts.dir ?? ".mcjobs");
  const log = opts.log ?? (() => undefined);
  const application = opts.application ?? "mcjobs-local";
  const speed = opts.speed ?? 30;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number (got ${opts.speed}).`);
  const prefix = "mcjobs-local";
  const stateFile = path.join(dir, "twin.json");

  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(stateFile)) {
    try {
      const prev = JSON.parse(fs.readFileSync(stateFile, "utf8")) as { pid?: number };
      if (prev.pid && prev.pid !== process.pid && pidAlive(prev.pid)) {
        throw new Error(
          `Another twin (pid ${prev.pid}) is running with state folder ${dir}. Stop it (Ctrl-C in its terminal) or use another --dir.`,
        );
      }
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("Another twin")) throw err;
    }
  }
  if (opts.fresh) {
    for (const part of STATE_PARTS) fs.rmSync(path.join(dir, part), { recursive: true, force: true });
  }
  const twinDir = path.join(dir, "twin");
  const inboxDir = path.join(dir, "inbox");
  const lakeDir = path.join(dir, "lake");
  fs.mkdirSync(twinDir, { recursive: true });

  const stops: Array<() => Promise<void>> = [];
  const savedEnv = new Map<string, string | undefined>();
  const setEnv = (vars: Record<string, string>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (!savedEnv.has(k)) savedEnv.set(k, process.env[k]);
      process.env[k] = v;
    }
  };
  const restoreEnv = () => {
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    savedEnv.clear();
  };
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`stop: ${(err as Error).message}`);
      }
    }
    restoreEnv();
  };

  // Fail fast on a taken port, before anything slow starts.
  if (opts.ports?.http) {
    const probe = await startTwinServer({ port: opts.ports.http, dashboardDir: repoRoot, local: { queues: async () => [], status: () => ({}), notifications: () => [] } });
    await probe.stop();
  }

  try {
    // ---- stand-ins ------------------------------------------------------------------------------------------
    log("starting DynamoDB Local, kinesalite and s3rver…");
    const standIns: StandIns = await startStandIns({
      dir,
      dynamoDbInMemory: opts.dynamoDbInMemory,
      ownProcessGroup: opts.ownProcessGroup,
      ports: { dynamodb: opts.ports?.dynamodb, kinesis: opts.ports?.kinesis, s3: opts.ports?.s3 },
    });
    stops.push(() => standIns.stop());
    const baseEnv: Record<string, string> = { ...standIns.env };
    const tables = await createTables(prefix, baseEnv);
    const streamName = await createStream(`${prefix}-jobs`, baseEnv);
    const buckets = { watch: await createBucket(`${prefix}-watch`, baseEnv), output: await createBucket(`${prefix}-output`, baseEnv) };
    const deliveryStreams = { jobEvents: `${prefix}-job-events`, jobs: `${prefix}-jobs-history`, queueMetrics: `${prefix}-queue-metrics` };

    // ---- local Firehose -------------------------------------------------------------------------------------
    let firehose: { endpoint: string; flush(): Promise<void>; stop(): Promise<void> } | undefined;
    const missing: string[] = [];
    if (exists("local/firehose/server.ts")) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startLocalFirehose } = require("./firehose/server") as typeof import("./firehose/server");
      firehose = await startLocalFirehose({
        lakeDir,
        streams: { [deliveryStreams.jobEvents]: "job_events", [deliveryStreams.jobs]: "jobs", [deliveryStreams.queueMetrics]: "queue_metrics" },
        bufferIntervalMs: opts.bufferIntervalMs ?? 2000,
        port: opts.ports?.firehose,
        region: baseEnv.AWS_REGION,
      });
      stops.push(() => firehose!.stop());
      baseEnv.MCJOBS_ENDPOINT_FIREHOSE = firehose.endpoint;
    } else missing.push("local Firehose (local/firehose/server.ts)");

    // ---- SQS (dead-letter queues) -------------------------------------------------------------------------
    const sqs = await startLocalSqs({ dir: path.join(twinDir, "dlq") });
    stops.push(() => sqs.stop());
    baseEnv.MCJOBS_ENDPOINT_SQS = sqs.endpoint;

    // ---- MediaConvert simulator -----------------------------------------------------------------------------
    let router: Router | undefined;
    let simulator: Twin["simulator"];
    if (exists("local/mediaconvert/index.ts")) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startMediaConvertSimulator } = require("./mediaconvert") as typeof import("./mediaconvert");
      const s3 = clients.s3(baseEnv as NodeJS.ProcessEnv);
      stops.push(async () => s3.destroy());
      simulator = await startMediaConvertSimulator({
        port: opts.ports?.mediaconvert,
        region: baseEnv.AWS_REGION,
        seed: opts.seed ?? 1,
        timeScale: speed,
        rates: opts.rates,
        statusUpdateIntervalMs: opts.statusUpdateIntervalMs,
        onEvent: (event) => {
          router?.publish(event);
        },
        probe: exists("probe/index.ts")
          ? async (uri) => {
              // eslint-disable-next-line @typescript-eslint/no-require-imports
              const { probeS3 } = require("../probe") as typeof import("../probe");
              return probeS3(uri, { s3 });
            }
          : undefined,
      });
      stops.push(() => simulator!.stop());
      baseEnv.MCJOBS_ENDPOINT_MEDIACONVERT = simulator.endpoint;
    } else missing.push("MediaConvert simulator (local/mediaconvert/)");

    // ---- the handlers' environment ----------------------------------------------------------------------------
    const handlerEnv: Record<string, string> = {
      ...baseEnv,
      [ENV.jobsTable]: tables.jobs,
      [ENV.eventsTable]: tables.events,
      [ENV.queuesTable]: tables.queues,
      [ENV.configTable]: tables.config,
      [ENV.tableTtlDays]: "30",
      // The Jobs API's nextToken key: a fresh one per start (tokens of an earlier run are refused, as after a key change).
      [ENV.apiTokenKey]: randomBytes(32).toString("base64"),
      [ENV.deadLetterQueueUrl]: sqs.queueUrl(`${prefix}-dead-letters`),
      [ENV.streamName]: streamName,
      [ENV.useStreams]: "true",
      [ENV.jobEventsDeliveryStream]: deliveryStreams.jobEvents,
      [ENV.jobsDeliveryStream]: deliveryStreams.jobs,
      [ENV.queueMetricsDeliveryStream]: deliveryStreams.queueMetrics,
      [ENV.application]: application,
      [ENV.mediaConvertRoleArn]: `arn:aws:iam::111122223333:role/${prefix}-mediaconvert`,
      [ENV.watchBucket]: buckets.watch,
      [ENV.outputBucket]: buckets.output,
      POWERTOOLS_LOG_LEVEL: opts.logLevel ?? "ERROR",
      POWERTOOLS_METRICS_DISABLED: "true",
      // Dev mode: Powertools writes through the global console (the CLI can filter it) and emits no EMF.
      POWERTOOLS_DEV: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...(opts.extraEnv ?? {}),
    };
    if (opts.wrapEndpoint) {
      for (const svc of ["dynamodb", "kinesis", "firehose"] as const) {
        const key = `MCJOBS_ENDPOINT_${svc.toUpperCase()}`;
        if (handlerEnv[key]) handlerEnv[key] = await opts.wrapEndpoint(svc, handlerEnv[key]);
      }
    }
    setEnv(handlerEnv);
    // A fresh start of the twin is a cold start of every function.
    forgetProductModules();

    const tryLoad = <E, R>(file: string, what: string): LambdaHandler<E, R> | undefined => {
      if (!exists(file)) {
        missing.push(`${what} (${file})`);
        return undefined;
      }
      try {
        return loadHandler<E, R>(file);
      } catch (err) {
        missing.push(`${what} (${file}: ${(err as Error).message.split("\n")[0]})`);
        return undefined;
      }
    };
    const collector = tryLoad<unknown, unknown>("handlers/collector.ts", "collector");
    const history = tryLoad<ConsumerEvent, ConsumerResult>("consumers/history.ts", "history consumer");
    const analytics = tryLoad<ConsumerEvent, ConsumerResult>("consumers/analytics.ts", "analytics consumer");
    const convert = tryLoad<S3Event, unknown>("handlers/convert.ts", "convert handler");
    const api = tryLoad<unknown, unknown>("handlers/api.ts", "Jobs API");

    // ---- event router ---------------------------------------------------------------------------------------
    const notifications: Notification[] = [];
    const deadLetters: DeadLetter[] = [];
    const outbox = path.join(twinDir, "notifications.jsonl");
    const dlqFile = path.join(twinDir, "dead-letters.jsonl");
    const routes = [];
    if (collector) {
      routes.push({
        name: "collector",
        pattern: collectorPattern(opts.collectOnlyApplication ? application : undefined) as EventPattern,
        deliver: async (event: unknown) => {
          // 20 s (the deployed function has 60 s): an event claim lasts as long as its invocation, so an attempt
          // that fails without giving its claim back holds the event for that long before a retry can take it.
          await invoke(collector, event, { functionName: `${prefix}-collector`, timeoutMs: 20_000 });
        },
        retryDelaysMs: [Math.max(50, 60_000 / speed / 10), Math.max(100, 120_000 / speed / 10)],
      });
    }
    // The deployed Notifications rules, one route each (together they match exactly notificationPattern), and
    // the text their InputTransformer would publish.
    for (const rule of notificationRules(application, baseEnv.AWS_REGION ?? "us-east-1")) {
      routes.push({
        name: `notifications:${rule.id}`,
        pattern: rule.pattern,
        deliver: async (event: unknown) => {
          const d = (event as { detail?: { jobId?: string; status?: string } }).detail ?? {};
          const message = renderNotification(rule, event);
          const n: Notification = { at: Date.now(), jobId: d.jobId, status: d.status, rule: rule.id, subject: message.split("\n")[0]!, message, event };
          notifications.push(n);
          if (notifications.length > 1000) notifications.splice(0, notifications.length - 1000);
          fs.appendFileSync(outbox, `${JSON.stringify(n)}\n`);
        },
      });
    }
    router = createRouter({
      routes,
      concurrency: opts.concurrency ?? 8,
      onDeadLetter: (letter) => {
        deadLetters.push(letter);
        fs.appendFileSync(dlqFile, `${JSON.stringify(letter)}\n`);
        log(`dead letter (${letter.rule}): ${letter.error}`);
      },
      onError: (rule, err, attempt) => log(`${rule} attempt ${attempt + 1} failed: ${(err as Error).message}`),
    });
    stops.push(() => router!.stop());

    // ---- Kinesis consumers ------------------------------------------------------------------------------------
    const pollers: Record<string, KinesisPoller> = {};
    const batchingWindow = opts.bufferIntervalMs ?? 2000;
    if (history) {
      pollers.history = await startKinesisPoller({
        env: baseEnv,
        streamName,
        functionName: `${prefix}-history`,
        batchSize: 500,
        maxBatchingWindowMs: Math.min(batchingWindow, 1000),
        checkpointFile: path.join(twinDir, "checkpoints-history.json"),
        invoke: (event) => invoke(history, event, { functionName: `${prefix}-history`, timeoutMs: 120_000 }),
        onError: (what, err) => log(`${what}: ${(err as Error).message}`),
      });
      stops.push(() => pollers.history.stop());
    }
    if (analytics) {
      pollers.analytics = await startKinesisPoller({
        env: baseEnv,
        streamName,
        functionName: `${prefix}-analytics`,
        batchSize: 500,
        maxBatchingWindowMs: Math.min(batchingWindow, 1000),
        tumblingWindowSeconds: opts.tumblingWindowSeconds ?? 5,
        checkpointFile: path.join(twinDir, "checkpoints-analytics.json"),
        invoke: (event) => invoke(analytics, event, { functionName: `${prefix}-analytics`, timeoutMs: 120_000 }),
        onError: (what, err) => log(`${what}: ${(err as Error).message}`),
      });
      stops.push(() => pollers.analytics.stop());
    }

    // ---- watch folder -----------------------------------------------------------------------------------------
    const watch = { seen: 0, converted: 0, failed: 0 };
    let watchBusy: Promise<void> = Promise.resolve();
    if (convert) {
      const seenFile = path.join(twinDir, "watch-seen.json");
      const seen = new Set<string>(fs.existsSync(seenFile) ? (JSON.parse(fs.readFileSync(seenFile, "utf8")) as string[]) : []);
      const s3 = clients.s3(baseEnv as NodeJS.ProcessEnv);
      let stopped = false;
      // The local inbox: a file copied into <dir>/inbox/ is uploaded to inputs/ once its size holds still for one
      // scan (so a copy in progress is not taken half-written), then moved to inbox/submitted/.
      fs.mkdirSync(path.join(inboxDir, "submitted"), { recursive: true });
      const sizes = new Map<string, number>();
      const sweepInbox = async () => {
        for (const name of fs.readdirSync(inboxDir)) {
          const file = path.join(inboxDir, name);
          const st = fs.statSync(file, { throwIfNoEntry: false });
          if (!st?.isFile() || name.startsWith(".")) continue;
          if (sizes.get(name) !== st.size) {
            sizes.set(name, st.size);
            continue;
          }
          sizes.delete(name);
          await s3.send(
            new PutObjectCommand({ Bucket: buckets.watch, Key: `inputs/${name}`, Body: fs.createReadStream(file), ContentLength: st.size }),
          );
          fs.renameSync(file, path.join(inboxDir, "submitted", name));
          log(`inbox: ${name} → s3://${buckets.watch}/inputs/${name}`);
        }
      };
      const scan = async () => {
        await sweepInbox().catch((err) => log(`inbox: ${(err as Error).message}`));
        let token: string | undefined;
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket: buckets.watch, Prefix: "inputs/", ContinuationToken: token }));
          for (const obj of page.Contents ?? []) {
            const id = `${obj.Key}#${obj.ETag}`;
            if (!obj.Key || obj.Key.endsWith("/") || seen.has(id)) continue;
            watch.seen++;
            const event = s3Event(buckets.watch, obj.Key, obj.Size ?? 0, obj.ETag ?? "", baseEnv.AWS_REGION);
            try {
              await invoke(convert, event, { functionName: `${prefix}-convert`, timeoutMs: 60_000 });
              watch.converted++;
            } catch (err) {
              watch.failed++;
              log(`convert ${obj.Key}: ${(err as Error).message}`);
            }
            // S3 → Lambda is async too: a failed conversion is not retried forever; it is reported above.
            seen.add(id);
            fs.writeFileSync(seenFile, JSON.stringify([...seen]));
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      };
      const loop = async () => {
        while (!stopped) {
          watchBusy = scan().catch((err) => log(`watch folder: ${(err as Error).message}`));
          await watchBusy;
          await new Promise((r) => setTimeout(r, 500));
        }
      };
      const running = loop();
      stops.push(async () => {
        stopped = true;
        await running;
        s3.destroy();
      });
    }

    // ---- HTTP: Jobs API + dashboard ---------------------------------------------------------------------------
    const ddb = clients.dynamoDb(baseEnv as NodeJS.ProcessEnv);
    stops.push(async () => ddb.destroy());
    let statusFn: () => TwinStatus = () => {
      throw new Error("not ready");
    };
    const server: TwinServer = await startTwinServer({
      port: opts.ports?.http,
      api: api ? (event) => invoke(api, event, { functionName: `${prefix}-api`, timeoutMs: 30_000 }) : undefined,
      dashboardDir: path.join(repoRoot, "dashboard"),
      local: {
        queues: async () => {
          const out = await ddb.send(new ScanCommand({ TableName: tables.queues }));
          return out.Items ?? [];
        },
        status: () => statusFn(),
        notifications: () => notifications.slice(-50).map(({ event: _e, ...n }) => n),
      },
    });
    stops.push(() => server.stop());
    const urls: TwinUrls = { apiUrl: server.url, dashboardUrl: `${server.url}/` };

    // ---- demo workload ----------------------------------------------------------------------------------------
    let demoJobs = 0;
    const submitJob: Twin["submitJob"] = async (o = {}) => {
      if (!simulator) return undefined;
      const n = ++demoJobs;
      const job = await simulator.createJob({
        role: handlerEnv[ENV.mediaConvertRoleArn],
        queue: o.queue,
        userMetadata: { application, source: "twin-demo", ...(o.userMetadata ?? {}) },
        settings: {
          inputs: [{ fileInput: o.input ?? `s3://${buckets.watch}/inputs/demo-${n}.mp4` }],
          outputGroups: [
            {
              name: "File Group",
              outputGroupSettings: { type: "FILE_GROUP_SETTINGS", fileGroupSettings: { destination: `s3://${buckets.output}/outputs/demo-${n}/` } },
              outputs: [{ containerSettings: { container: "MP4" }, videoDescription: { width: 1280, height: 720 } }],
            },
          ],
        },
      });
      return String(job.id);
    };
    if (opts.demo !== false && simulator) {
      const every = Math.max(0.2, opts.demoEverySeconds ?? 4) * 1000;
      const queues = ["Default", "Default", "Priority"];
      const sample = demoSample(twinDir, log);
      const s3 = clients.s3(baseEnv as NodeJS.ProcessEnv);
      let sampleUri: string | undefined;
      let i = 0;
      const next = async () => {
        const queue = queues[i++ % queues.length];
        if (sample && convert) {
          // The real path: a file lands in the watch folder, the convert handler submits the job.
          await s3.send(new PutObjectCommand({ Bucket: buckets.watch, Key: `inputs/demo-${Date.now()}-${i}.mp4`, Body: fs.readFileSync(sample) }));
          return;
        }
        if (sample && !sampleUri) {
          await s3.send(new PutObjectCommand({ Bucket: buckets.watch, Key: "samples/demo.mp4", Body: fs.readFileSync(sample) }));
          sampleUri = `s3://${buckets.watch}/samples/demo.mp4`;
        }
        await submitJob({ queue, input: sampleUri });
      };
      const timer = setInterval(() => void next().catch((err) => log(`demo job: ${(err as Error).message}`)), every);
      void next().catch((err) => log(`demo job: ${(err as Error).message}`));
      stops.push(async () => {
        clearInterval(timer);
        s3.destroy();
      });
    }

    const startedAt = Date.now();
    statusFn = () => ({
      startedAt,
      router: router!.stats(),
      consumers: Object.fromEntries(Object.entries(pollers).map(([k, p]) => [k, p.stats()])),
      simulator: simulator
        ? { jobs: simulator.listJobs().length, delivered: simulator.delivered.length, failedDeliveries: simulator.failedDeliveries.length }
        : undefined,
      watchFolder: { ...watch },
      deadLetters: deadLetters.length,
      deadLetterQueue: sqs.counts(),
      notifications: notifications.length,
      missing: [...missing],
    });

    if (opts.writeStateFile !== false) {
      fs.writeFileSync(
        stateFile,
        JSON.stringify(
          {
            pid: process.pid,
            startedAt: new Date(startedAt).toISOString(),
            apiUrl: urls.apiUrl,
            dashboardUrl: urls.dashboardUrl,
            region: baseEnv.AWS_REGION,
            endpoints: Object.fromEntries(Object.entries(baseEnv).filter(([k]) => k.startsWith("MCJOBS_ENDPOINT_"))),
            tables,
            streamName,
            buckets,
            deliveryStreams,
            lakeDir,
            application,
            missing,
          },
          null,
          2,
        ),
      );
      stops.unshift(async () => fs.rmSync(stateFile, { force: true }));
    }

    const twin: Twin = {
      urls,
      env: handlerEnv,
      standInEndpoints: Object.fromEntries(
        Object.entries(baseEnv)
          .filter(([k]) => k.startsWith("MCJOBS_ENDPOINT_"))
          .map(([k, v]) => [k.slice("MCJOBS_ENDPOINT_".length).toLowerCase(), v]),
      ),
      dir,
      tables,
      streamName,
      buckets,
      inboxDir,
      lakeDir,
      deliveryStreams,
      simulator,
      router: router!,
      publish: (event) => router!.publish(event),
      submitJob,
      async dropFile(key, body) {
        const s3 = clients.s3(baseEnv as NodeJS.ProcessEnv);
        try {
          await s3.send(new PutObjectCommand({ Bucket: buckets.watch, Key: key.startsWith("inputs/") ? key : `inputs/${key}`, Body: body }));
        } finally {
          s3.destroy();
        }
      },
      notifications,
      deadLetters,
      redriveDeadLetters() {
        const letters = deadLetters.splice(0);
        for (const l of letters) router!.redeliver(l.rule, l.event);
        fs.appendFileSync(path.join(twinDir, "dead-letters.jsonl"), `${JSON.stringify({ redriven: letters.length, at: Date.now() })}\n`);
        return letters.length;
      },
      async settle({ timeoutMs = 120_000, closeWindows = true } = {}) {
        const deadline = Date.now() + timeoutMs;
        const left = () => Math.max(1000, deadline - Date.now());
        // Loop until a full pass finds nothing new (events → collector → stream → consumers → Firehose).
        for (let pass = 0; pass < 50; pass++) {
          const before = JSON.stringify([router!.stats(), Object.values(pollers).map((p) => p.stats().recordsDelivered)]);
          const t0 = Date.now();
          if (simulator) await simulator.idle(left());
          const t1 = Date.now();
          await watchBusy;
          await router!.idle();
          const t2 = Date.now();
          await Promise.all(Object.values(pollers).map((p) => p.idle({ closeWindows, timeoutMs: left() })));
          const t3 = Date.now();
          await firehose?.flush();
          log(`settle pass ${pass}: simulator ${t1 - t0} ms, router ${t2 - t1} ms, consumers ${t3 - t2} ms, firehose ${Date.now() - t3} ms`);
          const after = JSON.stringify([router!.stats(), Object.values(pollers).map((p) => p.stats().recordsDelivered)]);
          if (before === after && router!.pending() === 0) return;
          if (Date.now() > deadline) throw new Error(`twin did not settle within ${timeoutMs} ms: ${JSON.stringify(statusFn())}`);
        }
      },
      status: () => statusFn(),
      stop: stopAll,
    };
    log(`Jobs API:  ${urls.apiUrl}`);
    log(`Dashboard: ${urls.dashboardUrl}`);
    if (missing.length) log(`not wired (not built yet): ${missing.join("; ")}`);
    return twin;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * A small real media file for the demo workload, so probes and INPUT_INFORMATION describe real media. Made once
 * with ffmpeg when it is installed; without ffmpeg the demo jobs point at inputs that do not exist (the
 * simulator then makes up the input's facts and the collector records that the probe failed).
 */
function demoSample(twinDir: string, log: (line: string) => void): string | undefined {
  const file = path.join(twinDir, "samples", "demo.mp4");
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const made = spawnSync(
    "ffmpeg",
    ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4", "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart", file],
    { stdio: "ignore", timeout: 60_000 },
  );
  if (made.error || made.status !== 0 || !fs.existsSync(file)) {
    fs.rmSync(file, { force: true });
    log("ffmpeg not available: demo jobs use made-up inputs");
    return undefined;
  }
  return file;
}

/** An S3 ObjectCreated:Put notification as S3 sends it to Lambda. */
export function s3Event(bucket: string, key: string, size: number, etag: string, region = "us-east-1"): S3Event {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: region,
        eventTime: new Date().toISOString(),
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "LOCAL" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: { "x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "watch-folder",
          bucket: { name: bucket, ownerIdentity: { principalId: "LOCAL" }, arn: `arn:aws:s3:::${bucket}` },
          // S3 URL-encodes the key in notifications (spaces as '+').
          object: { key: encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+"), size, eTag: etag.replace(/"/g, ""), sequencer: Date.now().toString(16).toUpperCase() },
        },
      },
    ],
  };
}

