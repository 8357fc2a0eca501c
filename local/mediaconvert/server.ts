/**
 * MediaConvert simulator: an HTTP server that speaks the parts of the MediaConvert REST API the product uses
 * (CreateJob, GetJob, ListJobs, CancelJob, DescribeEndpoints — paths, status codes and camelCase JSON member
 * names as @aws-sdk/client-mediaconvert sends and reads them), so the convert handler and the collector's GetJob
 * backfill run unchanged against it with `MCJOBS_ENDPOINT_MEDIACONVERT`.
 *
 * Every job it accepts gets a planned event timeline (see timeline.ts) which it plays at `timeScale` speed,
 * delivering EventBridge-shaped events to `onEvent` — the local twin wires that to its event router. Seeded: the
 * same seed and the same sequence of CreateJob calls give the same job id suffixes, outcomes and events.
 *
 * Test helpers: `calls` counts requests per operation, `injectFault` makes the next calls of an operation fail
 * like the service does (throttling, access denied, ...), `deleteJob` forgets a job (GetJob then answers 404),
 * `drain()` plays every pending step at once, `idle()` waits for the timelines to finish.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { ProbeResult } from "../../domain/probe";
import { firstInputUri, type InputFacts, type OutputGroupDetail } from "./outputs";
import { createRng, hashSeed, type Rng } from "./rng";
import {
  buildEvent,
  DEFAULT_RATES,
  planTimeline,
  statusUpdateIntervalMs,
  type EventEnvelope,
  type HopDestination,
  type JobStatePatch,
  type ScenarioRates,
  type SimPhase,
  type SimStatus,
  type TimelineStep,
} from "./timeline";

export type { EventEnvelope, ScenarioRates } from "./timeline";

export type Operation = "CreateJob" | "GetJob" | "ListJobs" | "CancelJob" | "DescribeEndpoints";

export interface SimulatorOptions {
  /** Port to listen on; default a free one. */
  port?: number;
  host?: string;
  /** Region and account the simulated jobs belong to (ARNs, events). Default us-east-1 / 111122223333. */
  region?: string;
  accountId?: string;
  /** Seed for every random choice; default 1. */
  seed?: number;
  /**
   * Simulated milliseconds per real millisecond: 1 plays a job in real time, 60 plays a minute per second.
   * Default 1. Event timestamps are the real (wall-clock) times the steps happen.
   */
  timeScale?: number;
  /** Probability knobs; anything not given keeps its default (see DEFAULT_RATES). */
  rates?: Partial<ScenarioRates>;
  /** Receives every delivered event (EventBridge envelope). A rejection is retried a few times, then counted as failed. */
  onEvent?: (event: EventEnvelope) => void | Promise<void>;
  /**
   * Learns the input's facts for INPUT_INFORMATION and the job's length (the twin passes the mediainfo probe
   * over s3rver here). Without it, or when it fails, facts are made up from the seed.
   */
  probe?: (inputUri: string) => Promise<ProbeResult | undefined>;
  /** When false, nothing plays by itself: call `drain()`. Default true. */
  autoRun?: boolean;
  /** Overrides every job's status update interval (simulated ms). */
  statusUpdateIntervalMs?: number;
}

export interface FaultSpec {
  operation: Operation;
  /** Error shape name, e.g. TooManyRequestsException, ForbiddenException, NotFoundException. */
  type: string;
  /** HTTP status; derived from the type when absent. */
  status?: number;
  message?: string;
  /** How many calls fail (default 1; Infinity for all). */
  times?: number;
  /** Only calls about this job id. */
  jobId?: string;
}

/** GetJob's `job` as the wire carries it (camelCase, times in epoch seconds). */
export type WireJob = Record<string, unknown>;

interface SimJob {
  seq: number;
  id: string;
  arn: string;
  createdAt: number;
  request: Record<string, unknown>;
  queue: string;
  priority: number;
  userMetadata: Record<string, string>;
  clientRequestToken?: string;
  status: SimStatus;
  currentPhase?: SimPhase;
  jobPercentComplete?: number;
  retryCount?: number;
  startTime?: number;
  finishTime?: number;
  errorCode?: number;
  errorMessage?: string;
  queueTransitions: Array<{ sourceQueue: string; destinationQueue: string; timestamp: number }>;
  outputGroupDetails?: OutputGroupDetail[];
  warnings: Array<{ code: number; count: number }>;
  rng: Rng;
  outcome?: string;
  canceled: boolean;
}

interface Action {
  at: number;
  seq: number;
  jobId: string;
  kind: "happen" | "deliver";
  run: () => Promise<void> | void;
}

export interface MediaConvertSimulator {
  endpoint: string;
  /** `{ MCJOBS_ENDPOINT_MEDIACONVERT }`: merge into the env given to adapters/clients.ts. */
  env: Record<string, string>;
  /** Requests served per operation (including failed ones). */
  calls: Record<Operation, number>;
  /** Every event handed to onEvent, in delivery order (duplicates included). */
  delivered: EventEnvelope[];
  /** Events onEvent kept rejecting after retries. */
  failedDeliveries: Array<{ event: EventEnvelope; error: string }>;
  /**
   * Creates a job as another tool would (no HTTP); same rules as CreateJob. Takes the wire's camelCase JSON or the
   * SDK's PascalCase input (CreateJobCommandInput).
   */
  createJob(request: Record<string, unknown>): Promise<WireJob>;
  getJob(id: string): WireJob | undefined;
  listJobs(): WireJob[];
  /** The planned outcome of a job once its timeline is planned. */
  outcomeOf(id: string): string | undefined;
  /** Forgets a job: later GetJob calls answer NotFoundException. Its remaining events are dropped. */
  deleteJob(id: string): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Plays every pending step and delivery now, in order (ignores the clock). */
  drain(): Promise<void>;
  /** Resolves when every job's timeline has been played and delivered. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const API = "/2017-08-29";
const FAULT_STATUS: Record<string, number> = {
  BadRequestException: 400,
  ForbiddenException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  TooManyRequestsException: 429,
  InternalServerErrorException: 500,
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/**
 * The SDK's input shape (PascalCase members) → the wire's camelCase JSON names, which is what the SDK's serializer
 * does for MediaConvert. Free-form maps (userMetadata, tags) keep their keys.
 */
export function toWireShape(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => toWireShape(v));
  if (!isObj(value)) return value;
  if (key === "userMetadata" || key === "tags") return { ...value };
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const wireKey = k.charAt(0).toLowerCase() + k.slice(1);
      return [wireKey, toWireShape(v, wireKey)];
    }),
  );
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));

/** MediaInfo codec names → the names MediaConvert's INPUT_INFORMATION uses. */
const VIDEO_CODECS: Record<string, string> = {
  AVC: "H_264",
  HEVC: "H_265",
  "MPEG Video": "MPEG2",
  ProRes: "PRORES",
  VP9: "VP9",
  AV1: "AV1",
  "MPEG-4 Visual": "MPEG4",
};
const AUDIO_CODECS: Record<string, string> = { AAC: "AAC", "AC-3": "AC3", "E-AC-3": "EAC3", PCM: "PCM", MPEG_Audio: "MP3", Opus: "OPUS" };

function inputFacts(uri: string | undefined, probe: ProbeResult | undefined, rng: Rng): { facts: InputFacts; detail: Record<string, unknown> } {
  const v = probe?.video;
  const width = v?.width ?? rng.pick([1280, 1920, 3840]);
  const height = v?.height ?? Math.round((width * 9) / 16);
  const frameRate = v?.frameRate ?? rng.pick([24, 25, 29.97, 30]);
  const durationMs = probe?.durationMs ?? rng.int(20_000, 180_000);
  const audio = probe ? probe.audio : [{ codec: "AAC", channels: 2, sampleRate: 48000 }];
  return {
    facts: { uri, durationMs, width, height, frameRate },
    detail: {
      video: [
        {
          bitDepth: v?.bitDepth ?? 8,
          codec: VIDEO_CODECS[v?.codec ?? "AVC"] ?? (v?.codec ?? "H_264").toUpperCase(),
          colorFormat: "YUV_420",
          fourCC: v?.codec === "HEVC" ? "hvc1" : "avc1",
          frameRate,
          height,
          interlaceMode: v?.scanType && /interlaced/i.test(v.scanType) ? "INTERLACED" : "PROGRESSIVE",
          sar: "1:1",
          standard: "UNSPECIFIED",
          streamId: 1,
          width,
        },
      ],
      audio: audio.map((a, i) => ({
        channels: a.channels ?? 2,
        codec: AUDIO_CODECS[a.codec ?? "AAC"] ?? (a.codec ?? "AAC").toUpperCase(),
        language: (a.language ?? "UND").toUpperCase(),
        sampleRate: a.sampleRate ?? 48000,
        streamId: i + 2,
      })),
    },
  };
}

export async function startMediaConvertSimulator(opts: SimulatorOptions = {}): Promise<MediaConvertSimulator> {
  const region = opts.region ?? "us-east-1";
  const accountId = opts.accountId ?? "111122223333";
  const seed = opts.seed ?? 1;
  const timeScale = opts.timeScale && opts.timeScale > 0 ? opts.timeScale : 1;
  const rates: ScenarioRates = { ...DEFAULT_RATES, ...(opts.rates ?? {}) };
  const autoRun = opts.autoRun !== false;
  const queueArn = (q: string) => (q.startsWith("arn:") ? q : `arn:aws:mediaconvert:${region}:${accountId}:queues/${q}`);
  const defaultQueue = queueArn("Default");

  const jobs = new Map<string, SimJob>();
  const tokens = new Map<string, string>();
  const calls: Record<Operation, number> = { CreateJob: 0, GetJob: 0, ListJobs: 0, CancelJob: 0, DescribeEndpoints: 0 };
  const delivered: EventEnvelope[] = [];
  const failedDeliveries: MediaConvertSimulator["failedDeliveries"] = [];
  let faults: Array<FaultSpec & { left: number }> = [];
  let actions: Action[] = [];
  let actionSeq = 0;
  let jobSeq = 0;
  let timer: NodeJS.Timeout | undefined;
  let pumping: Promise<void> | undefined;
  let stopped = false;
  const preparing = new Set<Promise<void>>();
  const idleWaiters: Array<() => void> = [];

  const wire = (job: SimJob): WireJob => {
    const r = job.request;
    return {
      accelerationStatus: "NOT_APPLICABLE",
      arn: job.arn,
      ...(r.billingTagsSource ? { billingTagsSource: r.billingTagsSource } : {}),
      ...(job.clientRequestToken ? { clientRequestToken: job.clientRequestToken } : {}),
      createdAt: seconds(job.createdAt),
      ...(job.currentPhase ? { currentPhase: job.currentPhase } : {}),
      ...(job.errorCode !== undefined ? { errorCode: job.errorCode, errorMessage: job.errorMessage } : {}),
      ...(Array.isArray(r.hopDestinations) ? { hopDestinations: r.hopDestinations } : {}),
      id: job.id,
      ...(job.jobPercentComplete !== undefined && job.status === "PROGRESSING" ? { jobPercentComplete: job.jobPercentComplete } : {}),
      ...(typeof r.jobTemplate === "string" ? { jobTemplate: r.jobTemplate } : {}),
      messages: { info: [], warning: [] },
      ...(job.outputGroupDetails ? { outputGroupDetails: job.outputGroupDetails } : {}),
      priority: job.priority,
      queue: job.queue,
      ...(job.queueTransitions.length
        ? { queueTransitions: job.queueTransitions.map((t) => ({ ...t, timestamp: seconds(t.timestamp) })) }
        : {}),
      ...(job.retryCount !== undefined ? { retryCount: job.retryCount } : {}),
      role: r.role,
      settings: r.settings ?? {},
      ...(r.accelerationSettings ? { accelerationSettings: r.accelerationSettings } : {}),
      status: job.status,
      statusUpdateInterval: typeof r.statusUpdateInterval === "string" ? r.statusUpdateInterval : "SECONDS_60",
      timing: {
        submitTime: seconds(job.createdAt),
        ...(job.startTime !== undefined ? { startTime: seconds(job.startTime) } : {}),
        ...(job.finishTime !== undefined ? { finishTime: seconds(job.finishTime) } : {}),
      },
      userMetadata: job.userMetadata,
      ...(job.warnings.length ? { warnings: job.warnings } : {}),
    };
  };

  const takeFault = (operation: Operation, jobId?: string): void => {
    const f = faults.find((x) => x.operation === operation && x.left > 0 && (!x.jobId || x.jobId === jobId));
    if (!f) return;
    f.left -= 1;
    faults = faults.filter((x) => x.left > 0);
    throw new ApiError(f.status ?? FAULT_STATUS[f.type] ?? 400, f.type, f.message ?? `Injected ${f.type} for ${operation}`);
  };

  // ---- scheduling -------------------------------------------------------------------------------------------
  const schedule = (a: Omit<Action, "seq">) => {
    const action = { ...a, seq: actionSeq++ };
    // Keep `actions` sorted by (at, seq): insertion from the back, most new actions are late ones.
    let i = actions.length;
    while (i > 0 && (actions[i - 1]!.at > action.at || (actions[i - 1]!.at === action.at && actions[i - 1]!.seq > action.seq))) i--;
    actions.splice(i, 0, action);
    arm();
  };

  const arm = () => {
    if (!autoRun || stopped || pumping) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    const first = actions[0];
    if (!first) return notifyIdle();
    timer = setTimeout(() => {
      timer = undefined;
      void pump(false);
    }, Math.max(0, first.at - Date.now()));
  };

  const pump = (all: boolean): Promise<void> => {
    if (pumping) return pumping.then(() => (all ? pump(true) : undefined));
    pumping = (async () => {
      try {
        while (!stopped && actions.length && (all || actions[0]!.at <= Date.now())) {
          const action = actions.shift()!;
          await action.run();
        }
      } finally {
        pumping = undefined;
      }
      arm();
      notifyIdle();
    })();
    return pumping;
  };

  const notifyIdle = () => {
    if (actions.length || preparing.size || pumping) return;
    for (const w of idleWaiters.splice(0)) w();
  };

  const deliver = async (event: EventEnvelope): Promise<void> => {
    delivered.push(event);
    if (!opts.onEvent) return;
    let lastError: unknown;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await opts.onEvent(structuredClone(event));
        return;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
    failedDeliveries.push({ event, error: lastError instanceof Error ? lastError.message : String(lastError) });
  };

  const applyPatch = (job: SimJob, patch: JobStatePatch, at: (offset: number) => number) => {
    if (patch.status) job.status = patch.status;
    if (patch.currentPhase) job.currentPhase = patch.currentPhase;
    if (patch.jobPercentComplete !== undefined) job.jobPercentComplete = patch.jobPercentComplete;
    if (patch.retryCount !== undefined) job.retryCount = patch.retryCount;
    if (patch.startTime !== undefined) job.startTime = at(patch.startTime);
    if (patch.finishTime !== undefined) job.finishTime = at(patch.finishTime);
    if (patch.errorCode !== undefined) {
      job.errorCode = patch.errorCode;
      job.errorMessage = patch.errorMessage;
    }
    if (patch.queue) job.queue = patch.queue;
    if (patch.priority !== undefined) job.priority = patch.priority;
    if (patch.queueTransition) job.queueTransitions.push({ ...patch.queueTransition, timestamp: at(patch.queueTransition.timestamp) });
    if (patch.outputGroupDetails) job.outputGroupDetails = patch.outputGroupDetails;
    if (patch.warnings) {
      for (const w of patch.warnings) {
        const seen = job.warnings.find((x) => x.code === w.code);
        if (!seen) job.warnings.push({ ...w });
      }
    }
  };

  const scheduleStep = (job: SimJob, step: TimelineStep) => {
    const at = (offset: number) => Math.round(job.createdAt + offset / timeScale);
    const happenAt = at(step.offsetMs);
    schedule({
      at: happenAt,
      jobId: job.id,
      kind: "happen",
      run: () => {
        if (!jobs.has(job.id)) return;
        applyPatch(job, step.patch, at);
        const event = buildEvent(step, { jobId: job.id, arn: job.arn, accountId, region, userMetadata: job.userMetadata }, happenAt);
        for (const delay of step.deliveryDelaysMs) {
          schedule({ at: happenAt + Math.round(delay / timeScale), jobId: job.id, kind: "deliver", run: () => deliver(event) });
        }
      },
    });
  };

  const prepare = async (job: SimJob): Promise<void> => {
    const settings = job.request.settings;
    const uri = firstInputUri(settings);
    let probe: ProbeResult | undefined;
    if (opts.probe && uri) {
      try {
        probe = await opts.probe(uri);
      } catch {
        probe = undefined; // a failed probe only means made-up input facts
      }
    }
    if (stopped || !jobs.has(job.id) || job.canceled) return;
    const { facts, detail } = inputFacts(uri, probe, job.rng);
    const hops: HopDestination[] = Array.isArray(job.request.hopDestinations)
      ? (job.request.hopDestinations as unknown[]).filter(isObj).flatMap((h) =>
          typeof h.queue === "string"
            ? [{ queue: queueArn(h.queue), priority: typeof h.priority === "number" ? h.priority : undefined }]
            : [],
        )
      : [];
    const timeline = planTimeline(
      {
        jobId: job.id,
        queue: job.queue,
        priority: job.priority,
        createdAt: job.createdAt,
        statusUpdateIntervalMs: opts.statusUpdateIntervalMs ?? statusUpdateIntervalMs(job.request.statusUpdateInterval),
        settings,
        hopDestinations: hops,
        input: facts,
        inputDetail: detail,
        fallbackHopQueue: queueArn("Overflow"),
      },
      rates,
      job.rng,
    );
    job.outcome = timeline.outcome;
    for (const step of timeline.steps) scheduleStep(job, step);
  };

  const validateCreate = (body: unknown): Record<string, unknown> => {
    if (!isObj(body)) throw new ApiError(400, "BadRequestException", "The request body must be a JSON object.");
    if (typeof body.role !== "string" || body.role === "")
      throw new ApiError(400, "BadRequestException", "role is required: the IAM role ARN MediaConvert assumes for this job.");
    if (body.jobTemplate === undefined) {
      const s = body.settings;
      if (!isObj(s)) throw new ApiError(400, "BadRequestException", "settings is required when no jobTemplate is given.");
      if (!Array.isArray(s.inputs) || s.inputs.length === 0)
        throw new ApiError(400, "BadRequestException", "/settings/inputs: at least one input is required.");
      if (!Array.isArray(s.outputGroups) || s.outputGroups.length === 0)
        throw new ApiError(400, "BadRequestException", "/settings/outputGroups: at least one output group is required.");
      s.inputs.forEach((input, i) => {
        if (!isObj(input) || typeof input.fileInput !== "string" || input.fileInput === "")
          throw new ApiError(400, "BadRequestException", `/settings/inputs/${i}/fileInput is required.`);
      });
    }
    if (body.userMetadata !== undefined) {
      if (!isObj(body.userMetadata) || Object.values(body.userMetadata).some((v) => typeof v !== "string"))
        throw new ApiError(400, "BadRequestException", "userMetadata must map strings to strings.");
    }
    return body;
  };

  const createJob = async (body: unknown): Promise<WireJob> => {
    const request = validateCreate(body);
    const token = typeof request.clientRequestToken === "string" && request.clientRequestToken !== "" ? request.clientRequestToken : undefined;
    if (token && tokens.has(token)) {
      const existing = jobs.get(tokens.get(token)!);
      if (existing) return wire(existing);
    }
    const seq = jobSeq++;
    const rng = createRng(hashSeed(seed, seq));
    const createdAt = Date.now();
    let id = `${createdAt}-${rng.token(6)}`;
    while (jobs.has(id)) id = `${createdAt}-${rng.token(6)}`;
    const job: SimJob = {
      seq,
      id,
      arn: `arn:aws:mediaconvert:${region}:${accountId}:jobs/${id}`,
      createdAt,
      request: structuredClone(request),
      queue: typeof request.queue === "string" && request.queue !== "" ? queueArn(request.queue) : defaultQueue,
      priority: typeof request.priority === "number" ? request.priority : 0,
      userMetadata: { ...((request.userMetadata as Record<string, string> | undefined) ?? {}) },
      clientRequestToken: token,
      status: "SUBMITTED",
      queueTransitions: [],
      warnings: [],
      rng,
      canceled: false,
    };
    jobs.set(id, job);
    if (token) tokens.set(token, id);
    const p = prepare(job).finally(() => {
      preparing.delete(p);
      notifyIdle();
    });
    preparing.add(p);
    return wire(job);
  };

  const cancelJob = (id: string) => {
    const job = jobs.get(id);
    if (!job) throw new ApiError(404, "NotFoundException", `Job ${id} not found.`);
    if (job.status !== "SUBMITTED" && job.status !== "PROGRESSING")
      throw new ApiError(400, "BadRequestException", `Job ${id} is ${job.status} and can no longer be canceled.`);
    job.canceled = true;
    // Drop what has not happened yet; deliveries of what already happened still go out.
    actions = actions.filter((a) => !(a.jobId === id && a.kind === "happen"));
    const offset = (Date.now() - job.createdAt) * timeScale;
    scheduleStep(job, {
      offsetMs: offset,
      status: "CANCELED",
      fields: {},
      queue: job.queue,
      patch: { status: "CANCELED", finishTime: offset },
      deliveryDelaysMs: [0],
      eventId: job.rng.uuid(),
    });
  };

  const listJobs = (query: URLSearchParams): { jobs: WireJob[]; nextToken?: string } => {
    const max = Math.min(20, Math.max(1, Number(query.get("maxResults") ?? 20) || 20));
    const order = query.get("order") === "ASCENDING" ? 1 : -1;
    const status = query.get("status");
    const queue = query.get("queue");
    const all = [...jobs.values()]
      .filter((j) => (!status || j.status === status) && (!queue || j.queue === queueArn(queue)))
      .sort((a, b) => order * (a.createdAt - b.createdAt || a.seq - b.seq));
    const start = Number(query.get("nextToken") ?? 0) || 0;
    const page = all.slice(start, start + max);
    return { jobs: page.map(wire), ...(start + max < all.length ? { nextToken: String(start + max) } : {}) };
  };

  // ---- HTTP ---------------------------------------------------------------------------------------------------
  let endpoint = "";
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const path = url.pathname.replace(/\/+$/, "");
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          const text = JSON.stringify(body);
          res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
          res.end(text);
        };
        try {
          const raw = Buffer.concat(chunks).toString("utf8");
          let body: unknown = {};
          if (raw.trim() !== "") {
            try {
              body = JSON.parse(raw);
            } catch {
              throw new ApiError(400, "BadRequestException", "The request body is not valid JSON.");
            }
          }
          const jobMatch = /^\/2017-08-29\/jobs\/([^/]+)$/.exec(path);
          if (req.method === "POST" && path === `${API}/jobs`) {
            calls.CreateJob++;
            takeFault("CreateJob");
            return send(201, { job: await createJob(body) });
          }
          if (req.method === "GET" && jobMatch) {
            const id = decodeURIComponent(jobMatch[1]!);
            calls.GetJob++;
            takeFault("GetJob", id);
            const job = jobs.get(id);
            if (!job) throw new ApiError(404, "NotFoundException", `Job ${id} not found.`);
            return send(200, { job: wire(job) });
          }
          if (req.method === "DELETE" && jobMatch) {
            const id = decodeURIComponent(jobMatch[1]!);
            calls.CancelJob++;
            takeFault("CancelJob", id);
            cancelJob(id);
            return send(202, {});
          }
          if (req.method === "GET" && path === `${API}/jobs`) {
            calls.ListJobs++;
            takeFault("ListJobs");
            return send(200, listJobs(url.searchParams));
          }
          if (req.method === "POST" && path === `${API}/endpoints`) {
            calls.DescribeEndpoints++;
            takeFault("DescribeEndpoints");
            return send(200, { endpoints: [{ url: endpoint }] });
          }
          throw new ApiError(
            404,
            "NotFoundException",
            `The MediaConvert simulator does not serve ${req.method} ${path}; it serves CreateJob, GetJob, ListJobs, CancelJob and DescribeEndpoints.`,
          );
        } catch (err) {
          if (err instanceof ApiError) {
            return send(err.status, { message: err.message }, { "x-amzn-ErrorType": err.type });
          }
          return send(500, { message: err instanceof Error ? err.message : String(err) }, { "x-amzn-ErrorType": "InternalServerErrorException" });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`Port ${opts.port} (for the MediaConvert simulator) is already in use. Stop whatever uses it or choose another port.`)
          : err,
      ),
    );
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  endpoint = `http://${opts.host ?? "127.0.0.1"}:${addr.port}`;

  return {
    endpoint,
    env: { MCJOBS_ENDPOINT_MEDIACONVERT: endpoint },
    calls,
    delivered,
    failedDeliveries,
    createJob: (request) => createJob(toWireShape(request)),
    getJob: (id) => {
      const job = jobs.get(id);
      return job ? wire(job) : undefined;
    },
    listJobs: () => [...jobs.values()].map(wire),
    outcomeOf: (id) => jobs.get(id)?.outcome,
    deleteJob: (id) => {
      jobs.delete(id);
      actions = actions.filter((a) => a.jobId !== id);
    },
    injectFault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => {
      faults = [];
    },
    drain: async () => {
      await Promise.all([...preparing]);
      await pump(true);
      // Steps scheduled by the last pump (deliveries of events that just happened) play too.
      while (actions.length || preparing.size) {
        await Promise.all([...preparing]);
        await pump(true);
      }
    },
    idle: (timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (!actions.length && !preparing.size && !pumping) return resolve();
        const t = setTimeout(
          () => reject(new Error(`MediaConvert simulator still busy after ${timeoutMs} ms (${actions.length} steps pending).`)),
          timeoutMs,
        );
        idleWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      }),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      actions = [];
      await pumping?.catch(() => undefined);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await closed;
    },
  };
}
