/**
 * The simulated account's queues, presets and job templates, as ListQueues/GetQueue, ListPresets/GetPreset/
 * CreatePreset and ListJobTemplates/GetJobTemplate/CreateJobTemplate answer them (wire names, times in epoch
 * seconds). Queues are fixed: the system `Default` queue plus the custom ones the options name, all on-demand and
 * active. Presets are MediaConvert's system renditions (system-presets.ts) plus those created; job templates are
 * only those created. A reference to any of them (by name or by ARN) that does not exist is a NotFoundException; an
 * ARN that is not one of that resource's is a BadRequestException.
 */
import { partitionOfRegion } from "../../../lib/domain/arns";
import { DEFAULT_QUEUE } from "./constants";
import { badRequest, notFound, ServiceError } from "./errors";
import { z } from "zod";
import { type Order, orderOf, type PageRequest, pageOf, queryMember } from "./paging";
import { SYSTEM_PRESETS, systemPresetSettings } from "./system-presets";

type Wire = Record<string, unknown>;
export type ResourceKind = "queues" | "presets" | "jobTemplates";

/** What CreatePreset and CreateJobTemplate added; the part of the catalog a state file keeps. */
export interface ResourceState {
  presets: Wire[];
  jobTemplates: Wire[];
}

export interface ListRequest extends PageRequest {
  listBy?: string;
  category?: string;
}

export interface Catalog {
  /** A queue name or ARN as the queue's ARN (no existence check). */
  queueArn(nameOrArn: string): string;
  /** The queue a reference names; NotFoundException when there is none. `member` names the request member. */
  queue(reference: string, member: string): Wire;
  preset(reference: string, member: string): Wire;
  jobTemplate(reference: string, member: string): Wire;
  listQueues(request: ListRequest): { queues: Wire[]; nextToken?: string };
  listPresets(request: ListRequest): { presets: Wire[]; nextToken?: string };
  listJobTemplates(request: ListRequest): { jobTemplates: Wire[]; nextToken?: string };
  /** Adds a preset or job template already checked by the caller; ConflictException when the name is taken. */
  add(kind: "presets" | "jobTemplates", item: Wire): Wire;
  state(): ResourceState;
}

export interface CatalogOptions {
  region: string;
  accountId: string;
  /** Custom queues besides Default. */
  queues: string[];
  /** Epoch ms the account's system resources were created. */
  createdAt: number;
  /** Jobs per status in a queue (by ARN), for the queue's submitted and progressing counts. */
  jobCount(queueArn: string, status: string): number;
  state?: ResourceState;
}

const NAME_OF: Record<ResourceKind, string> = { queues: "queue", presets: "preset", jobTemplates: "job template" };

export function createCatalog(opts: CatalogOptions): Catalog {
  const base = `arn:${partitionOfRegion(opts.region)}:mediaconvert:${opts.region}:${opts.accountId}`;
  const arnOf = (kind: ResourceKind, name: string) => `${base}:${kind}/${name}`;
  const seconds = Math.floor(opts.createdAt / 1000);
  const presets: Wire[] = SYSTEM_PRESETS.map((p) => ({
    arn: arnOf("presets", p.name),
    category: "OTT-HLS",
    createdAt: seconds,
    description: p.description,
    lastUpdated: seconds,
    name: p.name,
    settings: systemPresetSettings(p),
    type: "SYSTEM",
  }));
  const custom: ResourceState = { presets: [...(opts.state?.presets ?? [])], jobTemplates: [...(opts.state?.jobTemplates ?? [])] };
  const queueNames = [DEFAULT_QUEUE, ...opts.queues.filter((q) => q !== DEFAULT_QUEUE)];
  const queueWire = (name: string): Wire => {
    const arn = arnOf("queues", name);
    return {
      arn,
      createdAt: seconds,
      ...(name === DEFAULT_QUEUE ? {} : { description: `Simulated on-demand queue ${name}` }),
      lastUpdated: seconds,
      name,
      pricingPlan: "ON_DEMAND",
      progressingJobsCount: opts.jobCount(arn, "PROGRESSING"),
      status: "ACTIVE",
      submittedJobsCount: opts.jobCount(arn, "SUBMITTED"),
      type: name === DEFAULT_QUEUE ? "SYSTEM" : "CUSTOM",
    };
  };

  /** The name a reference gives: a plain name, or the last part of this account's ARN for that kind. */
  const nameOf = (kind: ResourceKind, reference: string, member: string): string => {
    if (!reference.startsWith("arn:")) return reference;
    const m = /^arn:aws[a-z-]*:mediaconvert:([a-z0-9-]+):(\d{12}):([A-Za-z]+)\/(.+)$/.exec(reference);
    if (!m || m[3] !== kind)
      throw badRequest(
        `${member} ${reference} is not a ${NAME_OF[kind]} name or ARN (arn:aws:mediaconvert:<region>:<account>:${kind}/<name>).`,
      );
    // Another region's or account's resource does not exist in this one.
    if (m[1] !== opts.region || m[2] !== opts.accountId)
      throw notFound(`${member} ${reference}: no such ${NAME_OF[kind]} in ${opts.region}.`);
    return m[4]!;
  };
  const find = (kind: ResourceKind, reference: string, member: string): Wire => {
    const name = nameOf(kind, reference, member);
    const found =
      kind === "queues"
        ? queueNames.includes(name)
          ? queueWire(name)
          : undefined
        : [...(kind === "presets" ? presets : []), ...custom[kind]].find((r) => r.name === name);
    if (!found) throw notFound(`${member} ${reference}: no ${NAME_OF[kind]} named ${name} exists in ${opts.region}.`);
    return structuredClone(found);
  };

  const sortAndPage = (items: Wire[], listing: unknown, req: ListRequest, byDefault: "NAME" | "CREATION_DATE", order: Order) => {
    const listBy = req.listBy === undefined || req.listBy === "" ? byDefault : req.listBy;
    const key = (w: Wire) => (listBy === "CREATION_DATE" ? Number(w.createdAt) : String(w.name));
    const dir = order === "ASCENDING" ? 1 : -1;
    const sorted = [...items].sort((a, b) => {
      // SYSTEM lists system resources first, by name.
      if (listBy === "SYSTEM" && a.type !== b.type) return a.type === "SYSTEM" ? -1 : 1;
      const ka = key(a);
      const kb = key(b);
      return dir * (ka < kb ? -1 : ka > kb ? 1 : 0);
    });
    return pageOf(sorted, { ...(listing as object), listBy, order }, req);
  };
  const listByOf = (value: string | undefined, allowed: [string, ...string[]]) =>
    queryMember("listBy", value, z.enum(allowed, { error: `is not one of ${allowed.join(", ")}` }), undefined);

  return {
    queueArn: (q) => (q.startsWith("arn:") ? q : arnOf("queues", q)),
    queue: (reference, member) => find("queues", reference, member),
    preset: (reference, member) => find("presets", reference, member),
    jobTemplate: (reference, member) => find("jobTemplates", reference, member),
    listQueues: (req) => {
      listByOf(req.listBy, ["NAME", "CREATION_DATE"]);
      const order = orderOf(req.order, "ASCENDING");
      const page = sortAndPage(queueNames.map(queueWire), { kind: "queues" }, req, "CREATION_DATE", order);
      return { queues: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
    listPresets: (req) => {
      listByOf(req.listBy, ["NAME", "CREATION_DATE", "SYSTEM"]);
      const order = orderOf(req.order, "ASCENDING");
      const all = [...presets, ...custom.presets].filter((p) => !req.category || p.category === req.category);
      const page = sortAndPage(all, { kind: "presets", category: req.category }, req, "NAME", order);
      return { presets: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
    listJobTemplates: (req) => {
      listByOf(req.listBy, ["NAME", "CREATION_DATE", "SYSTEM"]);
      const order = orderOf(req.order, "ASCENDING");
      const all = custom.jobTemplates.filter((t) => !req.category || t.category === req.category);
      const page = sortAndPage(all, { kind: "jobTemplates", category: req.category }, req, "NAME", order);
      return { jobTemplates: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
    add: (kind, item) => {
      const name = String(item.name);
      const taken = (kind === "presets" ? [...presets, ...custom.presets] : custom.jobTemplates).some((r) => r.name === name);
      if (taken) throw new ServiceError("ConflictException", `A ${NAME_OF[kind]} named ${name} already exists; choose another name.`);
      const stored = { ...item, arn: arnOf(kind, name) };
      custom[kind].push(stored);
      return structuredClone(stored);
    },
    state: () => structuredClone(custom),
  };
}
