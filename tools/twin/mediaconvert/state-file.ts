/**
 * A job store that outlives the simulator: jobs (their requests, state, planned steps with wall-clock times),
 * client request tokens, the creation counter and the created presets and job templates are written to
 * `<stateDir>/mediaconvert.json` shortly after each change and when the engine stops, and read back on the next
 * start, so the engine can play on (or catch up with) every job's timeline as MediaConvert keeps running while a
 * stack is down. The file is written whole to a temporary name and renamed over the old one, so a crash mid-write
 * leaves the previous state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { SimJob } from "./job";
import { type JobStore, memoryJobStore } from "./job-store";
import type { Rng } from "./rng";

export const STATE_FILE = "mediaconvert.json";
/** How long after a change the file is written (changes meanwhile go in the same write). */
const WRITE_DELAY_MS = 1000;

const wire = z.looseObject({ name: z.string() });
const JobRecordSchema = z.looseObject({
  seq: z.number().int().nonnegative(),
  id: z.string().min(1),
  arn: z.string().min(1),
  createdAt: z.number(),
  timeScale: z.number().positive(),
  request: z.looseObject({}),
  queue: z.string(),
  priority: z.number(),
  userMetadata: z.record(z.string(), z.string()),
  status: z.enum(["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"]),
  queueTransitions: z.array(z.looseObject({})),
  warnings: z.array(z.looseObject({})),
  accelerationStatus: z.string(),
  canceled: z.boolean(),
  nextStep: z.number().int().nonnegative(),
  plan: z
    .array(
      z.looseObject({ at: z.number(), step: z.looseObject({}), deliveries: z.array(z.object({ at: z.number(), dropped: z.boolean() })) }),
    )
    .optional(),
});
const StateSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  tokens: z.record(z.string(), z.string()),
  jobs: z.array(JobRecordSchema),
  resources: z.object({ presets: z.array(wire), jobTemplates: z.array(wire) }).optional(),
});

function read(file: string, rngFor: (seq: number) => Rng) {
  if (!fs.existsSync(file)) return { jobs: [], tokens: {}, seq: 0 };
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); delete it to start the MediaConvert simulator with no jobs.`);
  }
  const r = StateSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(
      `${file} is not a MediaConvert simulator state file (${issue.path.join(".") || "top level"}: ${issue.message}); delete it to start with no jobs.`,
    );
  }
  const jobs = r.data.jobs.map((record) => ({ ...(record as unknown as Omit<SimJob, "rng">), rng: rngFor(record.seq) }) as SimJob);
  return { jobs, tokens: r.data.tokens, seq: r.data.seq, resources: r.data.resources };
}

/** A store kept in `<stateDir>/mediaconvert.json`; `rngFor` gives a reloaded job its generator back. */
export function fileJobStore(stateDir: string, rngFor: (seq: number) => Rng): JobStore {
  const file = path.join(stateDir, STATE_FILE);
  fs.mkdirSync(stateDir, { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const { jobs, tokens, seq, resources } = store.snapshot();
    const state = { version: 1, seq, tokens, jobs: jobs.map(({ rng: _rng, ...record }) => record), ...(resources ? { resources } : {}) };
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, file);
  };
  const store = memoryJobStore(read(file, rngFor), () => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      try {
        write();
      } catch {
        // The next change, or close(), writes again and close() reports a failure.
        timer = undefined;
      }
    }, WRITE_DELAY_MS);
    timer.unref();
  });
  return {
    ...store,
    close: () => {
      if (closed) return;
      closed = true;
      try {
        write();
      } catch (err) {
        throw new Error(`Could not write the MediaConvert simulator's state to ${file}: ${(err as Error).message}`);
      }
    },
  };
}
