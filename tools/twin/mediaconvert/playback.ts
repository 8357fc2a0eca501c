/**
 * Playing a job's planned steps on the engine's clock: each step changes the job when its time comes and makes its
 * event, whose deliveries are then due at their own times — except those the plan marked as lost
 * (`dropEventsPercent`), which are set aside in `dropped` and never reach onEvent. A job read back from a state file
 * catches up: steps whose time passed while the simulator was down change the job without delivering anything
 * (nobody was listening), later ones play as usual.
 */
import type { Delivery } from "./delivery";
import { buildEvent, type EventEnvelope } from "./events";
import { applyPatch, type PlannedStep, type SimJob, timeOf } from "./job";
import type { JobStore } from "./job-store";
import { hashSeed } from "./rng";
import type { Scheduler } from "./scheduler";
import type { TimelineStep } from "./timeline";

export interface PlaybackOptions {
  clock: Scheduler;
  store: JobStore;
  delivery: Delivery;
  accountId: string;
  region: string;
  seed: number;
  /** Share of deliveries lost, 0 to 100. */
  dropEventsPercent: number;
}

export interface Playback {
  /**
   * Gives the job its planned steps (times from its creation and time scale) and schedules them; with `catchUp`,
   * those already overdue are applied without delivery, as for a reloaded job.
   */
  start(job: SimJob, steps: TimelineStep[], catchUp?: boolean): void;
  /** Ends the job now with `step` in place of the steps that have not happened yet. */
  replaceRest(job: SimJob, step: TimelineStep): void;
  /** Schedules what a reloaded job still has to do; applies, without delivering, what is overdue. */
  resume(job: SimJob): void;
  /** Deliveries the plan lost, in the order they would have been due. */
  dropped: EventEnvelope[];
}

export function createPlayback(o: PlaybackOptions): Playback {
  const dropped: EventEnvelope[] = [];
  /** Whether delivery `index` of event `eventId` is lost: seeded per delivery, so a restart decides the same. */
  const lost = (eventId: string, index: number) =>
    o.dropEventsPercent > 0 && hashSeed(o.seed, "drop", eventId, index) / 2 ** 32 < o.dropEventsPercent / 100;

  const planned = (job: SimJob, step: TimelineStep): PlannedStep => {
    const at = timeOf(job, step.offsetMs);
    return {
      step,
      at,
      deliveries: step.deliveryDelaysMs.map((d, i) => ({ at: at + Math.round(d / job.timeScale), dropped: lost(step.eventId, i) })),
    };
  };

  const happen = (job: SimJob, index: number, deliver: boolean) => {
    const p = job.plan![index]!;
    applyPatch(job, p.step.patch, (offset) => timeOf(job, offset));
    job.nextStep = index + 1;
    // Once the last step has happened nothing is left to play (scheduled deliveries hold their own events), so
    // the plan is let go: it would only grow the memory and the state file.
    if (job.nextStep >= job.plan!.length) job.plan = undefined;
    o.store.changed(job);
    if (!deliver) return;
    const event = buildEvent(
      p.step,
      { jobId: job.id, arn: job.arn, accountId: o.accountId, region: o.region, userMetadata: job.userMetadata },
      p.at,
    );
    for (const d of p.deliveries) {
      if (d.dropped) {
        dropped.push(event);
        continue;
      }
      o.clock.schedule({ at: d.at, jobId: job.id, kind: "deliver", run: () => o.delivery.deliver(event) });
    }
  };

  const schedule = (job: SimJob, index: number) => {
    o.clock.schedule({
      at: job.plan![index]!.at,
      jobId: job.id,
      kind: "happen",
      run: () => {
        if (o.store.get(job.id) !== job || job.nextStep > index) return;
        happen(job, index, true);
      },
    });
  };

  const resume = (job: SimJob) => {
    const now = o.clock.now();
    for (let i = job.nextStep; i < (job.plan?.length ?? 0); i++) {
      if (job.plan![i]!.at > now) schedule(job, i);
      else happen(job, i, false);
    }
  };

  return {
    start: (job, steps, catchUp = false) => {
      job.plan = steps.map((s) => planned(job, s));
      job.nextStep = 0;
      o.store.changed(job);
      if (catchUp) return resume(job);
      for (let i = 0; i < job.plan.length; i++) schedule(job, i);
    },
    replaceRest: (job, step) => {
      o.clock.drop((a) => a.jobId === job.id && a.kind === "happen");
      const done = (job.plan ?? []).slice(0, job.nextStep);
      job.plan = [...done, planned(job, step)];
      job.nextStep = done.length;
      o.store.changed(job);
      schedule(job, done.length);
    },
    resume,
    dropped,
  };
}
