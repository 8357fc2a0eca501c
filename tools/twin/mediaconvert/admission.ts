/**
 * What CreateJob does with a request before a job exists: checks it against MediaConvert's request rules
 * (requests.ts), resolves what it refers to — queue, hop destination queues, job template, output presets; one that
 * does not exist is a NotFoundException — and merges the job template's settings and members under the job's own,
 * and each preset's settings under its output's, so the job runs with (and GetJob reports) the full settings.
 */
import { DEFAULT_QUEUE } from "./constants";
import { badRequest } from "./errors";
import type { Catalog } from "./resources";
import { validateCreateJob } from "./requests";
import { isObj } from "./wire";

type Obj = Record<string, unknown>;

/** Members a job takes from its template when it does not give them itself. */
const TEMPLATE_MEMBERS = ["accelerationSettings", "hopDestinations", "priority", "queue", "statusUpdateInterval"] as const;

/**
 * `over` laid on `base`: objects merge member by member, lists element by element (the longer list's length), and
 * anything else in `over` wins.
 */
export function mergeUnder(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (isObj(base) && isObj(over)) {
    const out: Obj = structuredClone(base);
    for (const [k, v] of Object.entries(over)) out[k] = mergeUnder(base[k], v);
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    return Array.from({ length: Math.max(base.length, over.length) }, (_, i) =>
      i < over.length ? mergeUnder(base[i], over[i]) : structuredClone(base[i]),
    );
  }
  return structuredClone(over);
}

export interface AdmittedJob {
  /** The request as the job keeps it: template and presets merged in, camelCase. */
  request: Obj;
  /** Queue ARN. */
  queue: string;
  priority: number;
}

function withPresets(settings: unknown, catalog: Catalog): unknown {
  if (!isObj(settings) || !Array.isArray(settings.outputGroups)) return settings;
  const outputGroups = settings.outputGroups.map((group, g) => {
    if (!isObj(group) || !Array.isArray(group.outputs)) return group;
    const outputs = group.outputs.map((output, o) => {
      if (!isObj(output) || typeof output.preset !== "string" || output.preset === "") return output;
      const preset = catalog.preset(output.preset, `Settings.OutputGroups[${g}].Outputs[${o}].Preset`);
      return mergeUnder(preset.settings, output);
    });
    return { ...group, outputs };
  });
  return { ...settings, outputGroups };
}

export function admitCreateJob(body: unknown, catalog: Catalog): AdmittedJob {
  const checked = validateCreateJob(body);
  let request: Obj = structuredClone(checked);
  if (typeof checked.jobTemplate === "string" && checked.jobTemplate !== "") {
    const template = catalog.jobTemplate(checked.jobTemplate, "JobTemplate");
    for (const member of TEMPLATE_MEMBERS) {
      if (request[member] === undefined && template[member] !== undefined) request[member] = structuredClone(template[member]);
    }
    request.settings = mergeUnder(template.settings ?? {}, request.settings ?? {});
    request.jobTemplate = template.name;
  }
  request = { ...request, settings: withPresets(request.settings ?? {}, catalog) };
  const groups = (request.settings as Obj).outputGroups;
  if (!Array.isArray(groups) || groups.length === 0)
    throw badRequest(`Settings.OutputGroups needs at least one output group; job template ${String(request.jobTemplate)} has none either.`);
  const queueRef = typeof request.queue === "string" && request.queue !== "" ? request.queue : DEFAULT_QUEUE;
  const queue = String(catalog.queue(queueRef, "Queue").arn);
  if (Array.isArray(request.hopDestinations)) {
    request.hopDestinations.forEach((h, i) => {
      if (isObj(h) && typeof h.queue === "string") catalog.queue(h.queue, `HopDestinations[${i}].Queue`);
    });
  }
  return { request, queue, priority: typeof request.priority === "number" ? request.priority : 0 };
}
