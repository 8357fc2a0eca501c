/**
 * Where the engine keeps its jobs: by id, by client request token (CreateJob's idempotency key), the creation
 * counter that seeds each job's generator, and the presets and job templates created. `memoryJobStore` holds them
 * for the life of the simulator; `fileJobStore` (state-file.ts) also writes them to a file and reads them back.
 */
import type { SimJob } from "./job";
import type { ResourceState } from "./resources";

export interface JobStore {
  get(id: string): SimJob | undefined;
  has(id: string): boolean;
  /** Stores a new job and remembers its client request token. */
  add(job: SimJob): void;
  /** Forgets the job; its token still points at the id, which then resolves to nothing. */
  delete(id: string): void;
  /** Every job, in creation order. */
  all(): SimJob[];
  /** The job created with this client request token, while it is kept. */
  byToken(token: string): SimJob | undefined;
  /** The next creation number: 0, 1, 2, ... */
  nextSeq(): number;
  /** The job changed (a step happened, it was planned or canceled): a store that writes jobs out does so soon. */
  changed(job: SimJob): void;
  /** The presets and job templates created, as last saved. */
  resources(): ResourceState | undefined;
  saveResources(state: ResourceState): void;
  /** Writes out whatever changed and stops writing; the engine calls it once, when it stops. */
  close(): void;
}

/** The maps behind both stores, filled from `initial` when given. */
export function memoryJobStore(
  initial: { jobs: SimJob[]; tokens: Record<string, string>; seq: number; resources?: ResourceState } = { jobs: [], tokens: {}, seq: 0 },
  onChange: () => void = () => undefined,
): JobStore & { snapshot(): { jobs: SimJob[]; tokens: Record<string, string>; seq: number; resources?: ResourceState } } {
  const jobs = new Map<string, SimJob>(initial.jobs.map((j) => [j.id, j]));
  const tokens = new Map<string, string>(Object.entries(initial.tokens));
  let seq = initial.seq;
  let resources = initial.resources;
  return {
    get: (id) => jobs.get(id),
    has: (id) => jobs.has(id),
    add: (job) => {
      jobs.set(job.id, job);
      if (job.clientRequestToken) tokens.set(job.clientRequestToken, job.id);
      onChange();
    },
    delete: (id) => {
      jobs.delete(id);
      onChange();
    },
    all: () => [...jobs.values()],
    byToken: (token) => {
      const id = tokens.get(token);
      return id === undefined ? undefined : jobs.get(id);
    },
    nextSeq: () => {
      onChange();
      return seq++;
    },
    changed: () => onChange(),
    resources: () => resources,
    saveResources: (state) => {
      resources = state;
      onChange();
    },
    close: () => undefined,
    snapshot: () => ({ jobs: [...jobs.values()], tokens: Object.fromEntries(tokens), seq, resources }),
  };
}
