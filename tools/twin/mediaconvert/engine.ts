/**
 * The simulated MediaConvert service without its HTTP face: it accepts jobs (admission.ts checks them and merges
 * templates and presets in), plans each one's event timeline (timeline.ts, job-outcome.ts), plays the timelines on
 * its clock (playback.ts) — changing what GetJob reports and handing events to onEvent — serves the account's
 * queues, presets and job templates (resources.ts) and fails calls on request (injected faults). With `stateDir`
 * its jobs live in a file and survive a restart. Seeded: the same seed and the same sequence of CreateJob calls
 * give the same job id suffixes, outcomes and events. Its answers are the API's JSON shapes (wire.ts); errors are
 * ServiceErrors named by the service's error shapes.
 */
import { jobArn } from "../../../lib/domain/arns";
import type { ProbeResult } from "../../../lib/domain/probe";
import { admitCreateJob } from "./admission";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, DEFAULT_SEED, FALLBACK_HOP_QUEUE } from "./constants";
import { createDelivery } from "./delivery";
import { badRequest, notFound } from "./errors";
import type { EventEnvelope } from "./events";
import { createFaults } from "./faults";
import { inputFacts } from "./input-facts";
import type { SimJob } from "./job";
import { applyAcceleration, jobOutcomeRules } from "./job-outcome";
import { type JobStore, memoryJobStore } from "./job-store";
import { type ListJobsQuery, listJobs } from "./list-jobs";
import { parseEngineOptions } from "./options";
import { firstInputUri } from "./outputs";
import { createPlayback } from "./playback";
import { DEFAULT_RATES, type ScenarioRates } from "./rates";
import { clientRequestToken, hopDestinations } from "./requests";
import { type Catalog, createCatalog } from "./resources";
import { createRng, hashSeed } from "./rng";
import { createScheduler } from "./scheduler";
import { fileJobStore } from "./state-file";
import { planTimeline, statusUpdateIntervalMs } from "./timeline";
import type { EngineOptions, FaultSpec, Operation, WireJob } from "./types";
import { wireJob } from "./wire";

export type { ListJobsQuery } from "./list-jobs";

/** The custom queues of the simulated account when the options name none (the twin's demo uses Priority). */
export const DEFAULT_CUSTOM_QUEUES = [FALLBACK_HOP_QUEUE, "Priority"];

export interface Engine {
  /** CreateJob: a new job, or the one already created with the same client request token. */
  createJob(request: unknown): Promise<WireJob>;
  getJob(id: string): WireJob | undefined;
  /** GetJob: the job, or NotFoundException. */
  describeJob(id: string): WireJob;
  listJobs(query: ListJobsQuery): { jobs: WireJob[]; nextToken?: string };
  /** Every job, in creation order. */
  allJobs(): WireJob[];
  cancelJob(id: string): void;
  deleteJob(id: string): void;
  outcomeOf(id: string): string | undefined;
  /** Queues, presets and job templates (CreatePreset and CreateJobTemplate go through `saveResources`). */
  catalog: Catalog;
  /** Records the catalog's created presets and templates in the job store. */
  saveResources(): void;
  /** Fails this call when an injected fault matches it (throws the fault's ServiceError). */
  takeFault(operation: Operation, jobId?: string): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  delivered: EventEnvelope[];
  failedDeliveries: Array<{ event: EventEnvelope; error: string }>;
  /** Deliveries lost on purpose (`dropEventsPercent`). */
  droppedDeliveries: EventEnvelope[];
  drain(): Promise<void>;
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function createEngine(options: EngineOptions = {}, givenStore?: JobStore): Engine {
  const opts = parseEngineOptions(options);
  const region = opts.region ?? DEFAULT_REGION;
  const accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;
  const seed = opts.seed ?? DEFAULT_SEED;
  const timeScale = opts.timeScale ?? 1;
  const rates: ScenarioRates = { ...DEFAULT_RATES, ...(opts.rates ?? {}) };
  const rngFor = (seq: number) => createRng(hashSeed(seed, seq, "reloaded"));
  const store = givenStore ?? (opts.stateDir ? fileJobStore(opts.stateDir, rngFor) : memoryJobStore());

  const clock = createScheduler(opts.autoRun !== false);
  const faults = createFaults();
  const delivery = createDelivery(opts.onEvent);
  const playback = createPlayback({ clock, store, delivery, accountId, region, seed, dropEventsPercent: opts.dropEventsPercent ?? 0 });
  const catalog = createCatalog({
    region,
    accountId,
    queues: opts.queues ?? DEFAULT_CUSTOM_QUEUES,
    createdAt: Date.UTC(2017, 10, 27),
    jobCount: (queueArn, status) => store.all().filter((j) => j.queue === queueArn && j.status === status).length,
    state: store.resources(),
  });
  const fallbackHop = catalog.queueArn(FALLBACK_HOP_QUEUE);
  const hasFallbackHop = (opts.queues ?? DEFAULT_CUSTOM_QUEUES).includes(FALLBACK_HOP_QUEUE);

  /**
   * Learns the input (probe), plans the job's timeline and starts playing it. A job read back unplanned from the
   * state file catches up: steps whose time has passed change it without being delivered.
   */
  const prepare = async (job: SimJob, reloaded = false): Promise<void> => {
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
    if (clock.stopped || store.get(job.id) !== job || job.canceled) return;
    const { facts, detail } = inputFacts(uri, probe, job.rng);
    const mode = (job.request.accelerationSettings as { mode?: string } | undefined)?.mode;
    const rules = jobOutcomeRules(settings, mode, facts);
    const timeline = planTimeline(
      {
        jobId: job.id,
        queue: job.queue,
        priority: job.priority,
        createdAt: job.createdAt,
        statusUpdateIntervalMs: opts.statusUpdateIntervalMs ?? statusUpdateIntervalMs(job.request.statusUpdateInterval),
        settings,
        hopDestinations: hopDestinations(job.request, catalog.queueArn),
        input: facts,
        inputDetail: detail,
        fallbackHopQueue: hasFallbackHop ? fallbackHop : undefined,
        forcedError: rules.forcedError,
      },
      rates,
      job.rng,
    );
    applyAcceleration(timeline, rules.decidedAcceleration);
    job.outcome = timeline.outcome;
    playback.start(job, timeline.steps, reloaded);
  };

  // Jobs read back from the state file carry on: planned ones play (or catch up), unplanned ones are planned now.
  for (const job of store.all()) {
    if (job.plan) playback.resume(job);
    else if (job.status === "SUBMITTED" && !job.canceled) clock.track(prepare(job, true));
  }

  const createJob = async (body: unknown): Promise<WireJob> => {
    const admitted = admitCreateJob(body, catalog);
    const { request } = admitted;
    const token = clientRequestToken(request);
    if (token) {
      const existing = store.byToken(token);
      if (existing) return wireJob(existing);
    }
    const seq = store.nextSeq();
    const rng = createRng(hashSeed(seed, seq));
    const createdAt = clock.now();
    // MediaConvert's shape (lib/domain/arns.ts): the creation time as 13 digits of epoch ms, 6 letters or digits.
    const time = String(createdAt).padStart(13, "0");
    let id = `${time}-${rng.token(6)}`;
    while (store.has(id)) id = `${time}-${rng.token(6)}`;
    const mode = (request.accelerationSettings as { mode?: string } | undefined)?.mode;
    const job: SimJob = {
      seq,
      id,
      arn: jobArn(region, accountId, id),
      createdAt,
      timeScale,
      request,
      queue: admitted.queue,
      priority: admitted.priority,
      userMetadata: { ...((request.userMetadata as Record<string, string> | undefined) ?? {}) },
      clientRequestToken: token,
      status: "SUBMITTED",
      queueTransitions: [],
      warnings: [],
      accelerationStatus: mode === "ENABLED" || mode === "PREFERRED" ? "IN_PROGRESS" : "NOT_APPLICABLE",
      rng,
      canceled: false,
      nextStep: 0,
    };
    store.add(job);
    clock.track(prepare(job));
    return wireJob(job);
  };

  const cancelJob = (id: string) => {
    const job = store.get(id);
    if (!job) throw notFound(`Job ${id} not found.`);
    if (job.status !== "SUBMITTED" && job.status !== "PROGRESSING")
      throw badRequest(`Job ${id} is ${job.status} and can no longer be canceled.`);
    job.canceled = true;
    const offset = (clock.now() - job.createdAt) * job.timeScale;
    // Deliveries of what already happened still go out; what has not happened yet never will.
    playback.replaceRest(job, {
      offsetMs: offset,
      status: "CANCELED",
      fields: {},
      queue: job.queue,
      patch: { status: "CANCELED", finishTime: offset },
      deliveryDelaysMs: [0],
      eventId: job.rng.uuid(),
    });
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await clock.stop();
    store.close();
  };

  return {
    createJob,
    getJob: (id) => {
      const job = store.get(id);
      return job ? wireJob(job) : undefined;
    },
    describeJob: (id) => {
      const job = store.get(id);
      if (!job) throw notFound(`Job ${id} not found.`);
      return wireJob(job);
    },
    listJobs: (query) => {
      const page = listJobs(store.all(), catalog, query);
      return { jobs: page.jobs.map(wireJob), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
    allJobs: () => store.all().map(wireJob),
    cancelJob,
    deleteJob: (id) => {
      store.delete(id);
      clock.drop((a) => a.jobId === id);
    },
    outcomeOf: (id) => store.get(id)?.outcome,
    catalog,
    saveResources: () => store.saveResources(catalog.state()),
    takeFault: faults.take,
    injectFault: faults.inject,
    clearFaults: faults.clear,
    delivered: delivery.delivered,
    failedDeliveries: delivery.failedDeliveries,
    droppedDeliveries: playback.dropped,
    drain: () => clock.drain(),
    idle: (timeoutMs) => clock.idle(timeoutMs),
    stop,
  };
}
