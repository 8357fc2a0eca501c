/**
 * Member names between the SDK's shapes (PascalCase, `CreateJobCommandInput`) and the wire's JSON (camelCase), read
 * from the schemas @aws-sdk/client-mediaconvert ships: each structure member carries its JSON name, and maps
 * (`AudioSelectors`, `UserMetadata`, `Tags`, …) keep their keys as they are, as the SDK's serializer does. A member
 * no schema knows keeps its value and has only its first letter's case changed, so validation can still name it.
 */
import { CreateJobRequest$, CreateJobTemplateRequest$, CreatePresetRequest$, Job$ } from "@aws-sdk/client-mediaconvert";

/** A schema reference as the SDK's static schemas hold them: a simple type id, a schema, or a thunk of one. */
type Ref = unknown;

export const SCHEMAS = {
  createJob: CreateJobRequest$ as Ref,
  createJobTemplate: CreateJobTemplateRequest$ as Ref,
  createPreset: CreatePresetRequest$ as Ref,
  job: Job$ as Ref,
};

type Direction = "toWire" | "toSdk";

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function resolve(ref: Ref): Ref {
  let r = ref;
  while (typeof r === "function") r = (r as () => Ref)();
  return r;
}

/** The schema of a member entry (`[ref, traits]`) or a list/map element. */
function memberRef(entry: Ref): Ref {
  return Array.isArray(entry) && entry.length === 2 ? resolve(entry[0]) : resolve(entry);
}

const rename = (key: string, direction: Direction) =>
  direction === "toWire" ? key.charAt(0).toLowerCase() + key.slice(1) : key.charAt(0).toUpperCase() + key.slice(1);

/** Converts without a schema: every object key renamed (used below members no schema describes). */
function untyped(value: unknown, direction: Direction): unknown {
  if (Array.isArray(value)) return value.map((v) => untyped(v, direction));
  if (!isObj(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k, direction), untyped(v, direction)]));
}

function convert(value: unknown, ref: Ref, direction: Direction): unknown {
  const schema = resolve(ref);
  if (typeof schema === "number") {
    // 64|x is a list of simple values, 128|x a map of them: both keep their contents as they are.
    return value;
  }
  if (!Array.isArray(schema)) return untyped(value, direction);
  const kind = schema[0];
  if (kind === 1) return Array.isArray(value) ? value.map((v) => convert(v, memberRef(schema[4]), direction)) : value;
  if (kind === 2) {
    if (!isObj(value)) return value;
    const valueRef = memberRef(schema[5]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, valueRef, direction)]));
  }
  if (kind !== 3 || !isObj(value)) return value;
  const names = schema[4] as string[];
  const members = schema[5] as Array<[Ref, Record<string, unknown> | number]>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const i = names.findIndex((n, j) => n === key || jsonName(n, members[j]) === key);
    if (i < 0) {
      out[rename(key, direction)] = untyped(v, direction);
      continue;
    }
    const name = names[i]!;
    out[direction === "toWire" ? jsonName(name, members[i]) : name] = convert(v, memberRef(members[i]), direction);
  }
  return out;
}

function jsonName(name: string, member: [Ref, Record<string, unknown> | number] | undefined): string {
  const traits = member?.[1];
  return isObj(traits) && typeof traits.jsonName === "string" ? traits.jsonName : rename(name, "toWire");
}

/** The SDK's input shape (or the wire's own, which passes unchanged) → the wire's camelCase JSON. */
export function toWire(value: unknown, schema: Ref): unknown {
  return convert(value, schema, "toWire");
}

/** The wire's camelCase JSON → the SDK's PascalCase shape, map keys untouched. */
export function toSdk(value: unknown, schema: Ref): unknown {
  return convert(value, schema, "toSdk");
}
