/**
 * CreateJobTemplate and CreatePreset requests (wire JSON) checked as MediaConvert checks them — Name and Settings
 * required, Priority from -50 to 50, StatusUpdateInterval and AccelerationSettings.Mode from the SDK's enums, the
 * queue existing, and the settings by the same rules as a job's (lib/watch-folder/job-rules-settings.ts: a
 * template's settings as a job's Settings, a preset's as one output) — and turned into the resource GetJobTemplate
 * / GetPreset then answer. A failed check is a BadRequestException naming the member.
 */
import { AccelerationMode, StatusUpdateInterval } from "@aws-sdk/client-mediaconvert";
import { z } from "zod";
import { memberPath } from "../../../lib/watch-folder/job-rules";
import { jobSettingsSchema, OutputSchema } from "../../../lib/watch-folder/job-rules-settings";
import { DEFAULT_STATUS_UPDATE_INTERVAL } from "./constants";
import { badRequest } from "./errors";
import type { Catalog } from "./resources";
import { SCHEMAS, toSdk } from "./shapes";

type Wire = Record<string, unknown>;

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const oneOf = (e: Record<string, string>) =>
  z.enum(Object.values(e) as [string, ...string[]], {
    error: (iss) => (iss.input === undefined ? "is required" : `${show(iss.input)} is not one of ${Object.values(e).join(", ")}`),
  });
const NAME = z
  .string({ error: (iss) => (iss.input === undefined ? "is required" : `${show(iss.input)} is not text`) })
  .regex(/^[\w .+@=:-]{1,256}$/, { error: "must be 1 to 256 letters, digits, spaces or _ . + @ = : -" });
const settings = z.looseObject({}, { error: (iss) => (iss.input === undefined ? "is required" : "must be an object") });
const text = z.string({ error: "must be text" });

const JobTemplateRequestSchema = z.looseObject({
  name: NAME,
  settings,
  accelerationSettings: z.looseObject({ mode: oneOf(AccelerationMode) }).optional(),
  category: text.optional(),
  description: text.optional(),
  hopDestinations: z.array(z.looseObject({ queue: text.optional(), priority: z.number().int().min(-50).max(50).optional() })).optional(),
  priority: z
    .number({ error: "must be a number" })
    .refine((n) => Number.isInteger(n) && n >= -50 && n <= 50, {
      error: (iss) => `${show(iss.input)} is not a whole number from -50 to 50`,
    })
    .optional(),
  queue: text.optional(),
  statusUpdateInterval: oneOf(StatusUpdateInterval).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

const PresetRequestSchema = z.looseObject({
  name: NAME,
  settings,
  category: text.optional(),
  description: text.optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

/** The member as the SDK names it: `hopDestinations.0.queue` → `HopDestinations[0].Queue`. */
function member(path: PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p).charAt(0).toUpperCase()}${String(p).slice(1)}`))
    .join("")
    .replace(/^\./, "");
}

/** Problems of the request's Settings (SDK names) by `schema`. */
function settingsProblems(body: unknown, requestSchema: unknown, schema: z.ZodType): string[] {
  const settings = (toSdk(body, requestSchema) as Wire).Settings;
  const r = schema.safeParse(settings);
  return r.success ? [] : r.error.issues.map((i) => `${memberPath(["Settings", ...i.path])} ${i.message}`);
}

function check<T extends Wire>(schema: z.ZodType<T>, body: unknown, what: string, settings: () => string[]): T {
  const r = schema.safeParse(body);
  const problems = r.success ? settings() : r.error.issues.map((i) => `${member(i.path) || what} ${i.message}`);
  if (!r.success || problems.length > 0) throw badRequest(problems.slice(0, 5).join("; "));
  return r.data;
}

const TemplateSettingsSchema = jobSettingsSchema(false);

const seconds = (ms: number) => Math.floor(ms / 1000);

export function jobTemplateFrom(body: unknown, catalog: Catalog, now: number): Wire {
  const r = check(JobTemplateRequestSchema, body, "CreateJobTemplate request", () =>
    settingsProblems(body, SCHEMAS.createJobTemplate, TemplateSettingsSchema),
  );
  if (r.queue) catalog.queue(r.queue, "Queue");
  r.hopDestinations?.forEach((h, i) => {
    if (h.queue) catalog.queue(h.queue, `HopDestinations[${i}].Queue`);
  });
  const { tags: _tags, ...rest } = r;
  return {
    ...rest,
    ...(r.queue ? { queue: catalog.queueArn(r.queue) } : {}),
    createdAt: seconds(now),
    lastUpdated: seconds(now),
    priority: r.priority ?? 0,
    statusUpdateInterval: r.statusUpdateInterval ?? DEFAULT_STATUS_UPDATE_INTERVAL,
    type: "CUSTOM",
  };
}

export function presetFrom(body: unknown, now: number): Wire {
  const { tags: _tags, ...rest } = check(PresetRequestSchema, body, "CreatePreset request", () =>
    settingsProblems(body, SCHEMAS.createPreset, OutputSchema),
  );
  return { ...rest, createdAt: seconds(now), lastUpdated: seconds(now), type: "CUSTOM" };
}
