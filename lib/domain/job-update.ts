/**
 * How the collector applies one event to the Jobs table so that DynamoDB's condition expressions, not arrival
 * order, decide what wins — and the stored item always equals what the reducer (lib/domain/reducer.ts) gives for the
 * set of events applied. Pure: builds expression objects for the DynamoDB DocumentClient; no AWS imports.
 *
 * The item is the reducer's `JobState` (see its header for the field groups and their join rules) plus
 * `version` (incremented by every write), `expiresAt` (TTL, refreshed by every write) and the byInputName key
 * (`inputShard`, `inputNameKey`: a function of the record's input URI and the job id, see input-name.ts). Sets are DynamoDB
 * string sets: `seenKeys` (a tag of every distinct eventKey) and `hops` (queue hops); NEW_WARNING counts live in one
 * number attribute per code, `warn_<code>`, and the stall window (`recent`, lib/domain/stall.ts) in one map
 * attribute per slot, `recent_<slot>`. Attributes this module does not own (the collector's claims and counter
 * markers, the probe) are kept untouched by both paths.
 *
 * FAST PATH — `buildJobUpdate(event)`: ONE UpdateItem, no read. Its ConditionExpression holds exactly when
 * applying the event's SET/ADD actions blindly gives the reducer's result:
 *   - `NOT contains(seenKeys, :tag)`: a duplicate never passes (and ADD seenKeys records this one; the set holds
 *     64-bit tags of eventKeys, see seenTag in the reducer, to keep long jobs far below the item size limit);
 *   - `lastKey < :eventKey` (or no item yet): the event is the newest seen. Every "newest wins" group (identity,
 *     queue, progress, last PROBING sample, input, outputs, settings) has a clock ≤ lastKey, so this one comparison makes all of
 *     them safe to overwrite;
 *   - status: SUBMITTED-rank claims use `if_not_exists` (they never change an existing status, no condition);
 *     PROGRESSING-rank claims need `statusClock <= :rank1` (not terminal); terminal claims need
 *     `statusClock < :clock` (or equal clock and `statusKey < :eventKey`);
 *   - earliest-time groups (createdAt without a time prefix, submittedAt, progressingAt, first TRANSCODING /
 *     UPLOADING sample): `SET x = if_not_exists(x, :v)` with `attribute_not_exists(x) OR x <= :v`, i.e. the
 *     stored minimum already is ≤ the event's value, or there is none;
 *   - unions are commutative as they are: ADD seenKeys, ADD hops, ADD warn_<code> 1 (dedupe guaranteed above);
 *   - the window: a STATUS_UPDATE overwrites its slot, `SET recent_<slot> = :sample`, with no condition of its
 *     own. The `lastKey` condition already makes that the per-slot maximum: every sample in the item came from an
 *     event folded into it, so its key is ≤ lastKey < :eventKey, and the new sample beats whatever the slot held.
 *     An older STATUS_UPDATE fails the lastKey condition and goes to the slow path, where the reducer joins it.
 * The window stays bounded: slot names are `slotOf(at)`, i.e. the minute bucket mod WINDOW_SLOTS, so an item has
 * at most WINDOW_SLOTS `recent_*` attributes however long the job runs. A slot whose minute has left the window is
 * overwritten when its number comes round again; until then it is kept (the reducer keeps it too, and reading
 * ignores it), so the item and the reducer's state stay equal.
 * In-order delivery (the normal case) therefore costs one write per event.
 *
 * SLOW PATH — when the condition fails (ConditionalCheckFailedException): read the item (consistent read), and
 * `buildJobPut(item, event)` folds the event with the reducer (`mergeStored`) into a whole new item written with
 * PutItem conditioned on the version read (`version = :v`, or `attribute_not_exists(jobId)` for a new job).
 * A lost race (the version moved) means: read again and retry. A duplicate returns `{ duplicate: true }` and
 * needs no write at all.
 *
 * `toJobRecord(item)` gives the public JobRecord (bookkeeping stripped; metrics/ETA derived at read time, since
 * they depend on several groups at once).
 */
import type { JobRecord, JobStatus } from "./job";
import type { McEvent } from "./events";
import {
  STATUS_RANK,
  applyEvent,
  createdAtFromJobId,
  createdCandidate,
  encodeHop,
  hopsOf,
  phaseSampleOf,
  progressingCandidate,
  windowSampleOf,
  recordOf,
  seenTag,
  statusClaim,
  statusClock,
  submittedCandidate,
  type JobState,
} from "./reducer";
import { inputIndexAttributes, inputIndexKey, recordInputUri } from "./input-name";
import { INPUT_NAME_ATTRIBUTE, INPUT_SHARD_ATTRIBUTE, TTL_ATTRIBUTE } from "./tables";
import { slotOf, type SampleWindow, type WindowSample } from "./stall";

export { jobDetailsEvent, jobDetailsEventResult, needsJobDetails, submittedEvent } from "./job-source";

/** A Jobs table item as the DocumentClient reads/writes it. */
export type JobItem = Record<string, unknown>;

export interface JobUpdate {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

export interface JobPut {
  Item: JobItem;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export interface WriteOptions {
  /** Item lifetime after this write, in seconds (stack `tableTTL` days × 86,400). */
  ttlSeconds: number;
  /** Epoch ms "now", for expiresAt (default Date.now()). */
  now?: number;
}

export const VERSION_ATTRIBUTE = "version";
export const WARNING_PREFIX = "warn_";
/** Stall window slots: `recent_<slot>` holds `recent[slot]`. */
export const RECENT_PREFIX = "recent_";

/** The item attribute of a window slot. */
export const recentAttribute = (slot: string): string => `${RECENT_PREFIX}${slot}`;

/**
 * Every JobState attribute, i.e. what this module owns in the item (besides version, expiresAt). `seenKeys`,
 * `hops`, `warningCounts` and `recent` are stored in their own shapes (sets, warn_*, recent_*).
 */
const STATE_KEYS: readonly (keyof JobState)[] = [
  "jobId",
  "lastKey",
  "lastEventAt",
  "accountId",
  "region",
  "arn",
  "userMetadata",
  "application",
  "queueKey",
  "queue",
  "queueName",
  "statusClock",
  "statusKey",
  "status",
  "finishedAt",
  "error",
  "createdAt",
  "submittedAt",
  "progressingAt",
  "txFirst",
  "upFirst",
  "probeLast",
  "progressKey",
  "progressAt",
  "percentComplete",
  "currentPhase",
  "phasePercentComplete",
  "framesDecoded",
  "retryCount",
  "inputKey",
  "input",
  "outputsKey",
  "outputs",
  "completeWarnings",
  "settingsKey",
  "settings",
  "seenKeys",
  "hops",
  "warningCounts",
  "recent",
  "probe",
];

function deepClean<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepClean) as T;
  if (v instanceof Set) return v;
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = deepClean(x);
    return out as T;
  }
  return v;
}

function expiresAt(opts: WriteOptions): number {
  return Math.floor((opts.now ?? Date.now()) / 1000) + Math.max(0, Math.floor(opts.ttlSeconds));
}

// ---------------------------------------------------------------------------------------------------------------
// Item ⇄ state

function stringsOf(v: unknown): string[] {
  if (v instanceof Set) return [...v].filter((x): x is string => typeof x === "string").sort();
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string").sort();
  return [];
}

function isWindowSample(v: unknown): v is WindowSample {
  if (!v || typeof v !== "object" || v instanceof Set) return false;
  const o = v as Record<string, unknown>;
  return typeof o.k === "string" && typeof o.at === "number";
}

/** The window held in recent_<slot> attributes; undefined when there are none (no STATUS_UPDATE folded yet). */
function windowFromItem(item: JobItem): SampleWindow | undefined {
  let window: SampleWindow | undefined;
  for (const [attr, v] of Object.entries(item)) {
    if (!attr.startsWith(RECENT_PREFIX) || !isWindowSample(v)) continue;
    window ??= {};
    window[attr.slice(RECENT_PREFIX.length)] = v;
  }
  return window;
}

/** The reducer state held in an item (sets → sorted arrays, warn_<code> → warningCounts, recent_<slot> → recent). */
export function stateFromItem(item: JobItem): JobState {
  const s: Record<string, unknown> = {};
  for (const k of STATE_KEYS) if (item[k] !== undefined && item[k] !== null) s[k] = item[k];
  delete s.recent;
  const recent = windowFromItem(item);
  if (recent) s.recent = recent;
  s.seenKeys = stringsOf(item.seenKeys);
  s.hops = stringsOf(item.hops);
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith(WARNING_PREFIX) && typeof v === "number") counts[k.slice(WARNING_PREFIX.length)] = v;
  }
  if (item.warningCounts && typeof item.warningCounts === "object" && !(item.warningCounts instanceof Set)) {
    Object.assign(counts, item.warningCounts);
  }
  s.warningCounts = counts;
  // Items read through an index projection, or written by an older version, may lack group attributes: the
  // required ones get neutral values so the record is still well-formed (and folding an event fixes them).
  const jobId = typeof s.jobId === "string" ? s.jobId : "";
  if (typeof s.createdAt !== "number") s.createdAt = createdAtFromJobId(jobId) ?? (typeof s.lastEventAt === "number" ? s.lastEventAt : 0);
  if (typeof s.lastEventAt !== "number") s.lastEventAt = s.createdAt;
  if (typeof s.lastKey !== "string") s.lastKey = "";
  if (typeof s.status !== "string") s.status = "SUBMITTED";
  if (typeof s.statusClock !== "number") s.statusClock = -1;
  if (!s.userMetadata || typeof s.userMetadata !== "object") s.userMetadata = {};
  for (const k of ["accountId", "region", "arn"] as const) if (typeof s[k] !== "string") s[k] = "";
  s.jobId = jobId;
  return s as unknown as JobState;
}

/** The item attributes of a state (arrays → sets; empty sets omitted, as DynamoDB requires; one attribute per slot). */
export function itemFieldsOf(state: JobState): JobItem {
  const item: JobItem = {};
  for (const k of STATE_KEYS) {
    if (k === "seenKeys" || k === "hops" || k === "warningCounts" || k === "recent") continue;
    if (state[k] !== undefined) item[k] = deepClean(state[k]);
  }
  if (state.seenKeys.length) item.seenKeys = new Set(state.seenKeys);
  if (state.hops.length) item.hops = new Set(state.hops);
  for (const [code, n] of Object.entries(state.warningCounts)) item[`${WARNING_PREFIX}${code}`] = n;
  for (const [slot, sample] of Object.entries(state.recent ?? {})) item[recentAttribute(slot)] = deepClean(sample);
  return item;
}

function isOwned(attr: string): boolean {
  return (
    (STATE_KEYS as readonly string[]).includes(attr) ||
    attr === VERSION_ATTRIBUTE ||
    attr === TTL_ATTRIBUTE ||
    attr === INPUT_SHARD_ATTRIBUTE ||
    attr === INPUT_NAME_ATTRIBUTE ||
    attr.startsWith(WARNING_PREFIX) ||
    attr.startsWith(RECENT_PREFIX)
  );
}

export function isDuplicate(item: JobItem | undefined, event: McEvent): boolean {
  if (!item) return false;
  const seen = item.seenKeys;
  const tag = seenTag(event.eventKey);
  if (seen instanceof Set) return seen.has(tag);
  return Array.isArray(seen) && seen.includes(tag);
}

/**
 * The item after folding the event in: the reducer's state of (item's events ∪ {event}), the item's foreign
 * attributes kept, the byInputName key derived from the record's input URI, version + 1, expiresAt refreshed when
 * `opts` is given. A duplicate returns the item as is.
 */
export function mergeStored(item: JobItem | undefined, event: McEvent, opts?: WriteOptions): JobItem {
  if (item && isDuplicate(item, event)) return item;
  const before = item ? stateFromItem(item) : undefined;
  const after = applyEvent(before, event);
  const out: JobItem = {};
  for (const [k, v] of Object.entries(item ?? {})) if (!isOwned(k)) out[k] = v;
  Object.assign(out, itemFieldsOf(after), inputIndexAttributes(recordInputUri(after), after.jobId));
  out[VERSION_ATTRIBUTE] = (typeof item?.[VERSION_ATTRIBUTE] === "number" ? (item[VERSION_ATTRIBUTE] as number) : 0) + 1;
  if (opts) out[TTL_ATTRIBUTE] = expiresAt(opts);
  else if (item?.[TTL_ATTRIBUTE] !== undefined) out[TTL_ATTRIBUTE] = item[TTL_ATTRIBUTE];
  return out;
}

/**
 * Slow path: the conditional PutItem for (item read, event). `{ duplicate: true }` when the item already has the
 * event (nothing to write).
 */
export function buildJobPut(
  item: JobItem | undefined,
  event: McEvent,
  opts: WriteOptions,
): ({ duplicate: false } & JobPut) | { duplicate: true } {
  if (isDuplicate(item, event)) return { duplicate: true };
  const next = mergeStored(item, event, opts);
  if (!item) {
    return {
      duplicate: false,
      Item: next,
      ConditionExpression: "attribute_not_exists(#jobId)",
      ExpressionAttributeNames: { "#jobId": "jobId" },
    };
  }
  const version = item[VERSION_ATTRIBUTE];
  if (typeof version !== "number") {
    return {
      duplicate: false,
      Item: next,
      ConditionExpression: "attribute_not_exists(#version)",
      ExpressionAttributeNames: { "#version": VERSION_ATTRIBUTE },
    };
  }
  return {
    duplicate: false,
    Item: next,
    ConditionExpression: "#version = :version",
    ExpressionAttributeNames: { "#version": VERSION_ATTRIBUTE },
    ExpressionAttributeValues: { ":version": version },
  };
}

/** The public job record of an item (or of a reducer state). */
export function toJobRecord(item: JobItem | JobState): JobRecord {
  return recordOf(stateFromItem(item as JobItem));
}

// ---------------------------------------------------------------------------------------------------------------
// Fast path

class ExprBuilder {
  private names = new Map<string, string>();
  private values: Record<string, unknown> = {};
  private n = 0;
  readonly set: string[] = [];
  readonly add: string[] = [];
  readonly remove: string[] = [];
  readonly cond: string[] = [];

  name(attr: string): string {
    let ph = this.names.get(attr);
    if (!ph) {
      ph = `#a${this.names.size}`;
      this.names.set(attr, ph);
    }
    return ph;
  }
  value(v: unknown): string {
    const ph = `:v${this.n++}`;
    this.values[ph] = deepClean(v);
    return ph;
  }
  /** SET attr = v, or REMOVE attr when v is undefined. */
  put(attr: string, v: unknown): void {
    if (v === undefined) this.remove.push(this.name(attr));
    else this.set.push(`${this.name(attr)} = ${this.value(v)}`);
  }
  /** Earliest-wins: keep the stored value when it is ≤ v; the condition fails (→ slow path) when it is > v. */
  min(attr: string, v: number | undefined): void {
    if (v === undefined) return;
    const a = this.name(attr);
    const ph = this.value(v);
    this.set.push(`${a} = if_not_exists(${a}, ${ph})`);
    this.cond.push(`(attribute_not_exists(${a}) OR ${a} <= ${ph})`);
  }
  build(): JobUpdate {
    const parts: string[] = [];
    if (this.set.length) parts.push(`SET ${this.set.join(", ")}`);
    if (this.add.length) parts.push(`ADD ${this.add.join(", ")}`);
    if (this.remove.length) parts.push(`REMOVE ${this.remove.join(", ")}`);
    return {
      UpdateExpression: parts.join(" "),
      ConditionExpression: this.cond.join(" AND "),
      ExpressionAttributeNames: Object.fromEntries([...this.names].map(([attr, ph]) => [ph, attr])),
      ExpressionAttributeValues: this.values,
    };
  }
}

/**
 * Fast path: the ONE conditional UpdateItem (Key: { jobId }) that applies `event` without a read. When DynamoDB
 * rejects it with ConditionalCheckFailedException, take the slow path (GetItem consistent + `buildJobPut`).
 */
export function buildJobUpdate(event: McEvent, opts: WriteOptions): JobUpdate {
  const b = new ExprBuilder();
  const e = event;
  const ek = b.value(e.eventKey);
  const tag = seenTag(e.eventKey);

  // duplicates never pass; the event joins the set
  b.cond.push(`NOT contains(${b.name("seenKeys")}, ${b.value(tag)})`);
  b.add.push(`${b.name("seenKeys")} ${b.value(new Set([tag]))}`);
  b.add.push(`${b.name(VERSION_ATTRIBUTE)} ${b.value(1)}`);
  b.put(TTL_ATTRIBUTE, expiresAt(opts));

  // newest-wins groups: one clock comparison covers them all (their clocks are ≤ lastKey)
  const lastKey = b.name("lastKey");
  b.cond.push(`(attribute_not_exists(${lastKey}) OR ${lastKey} < ${ek})`);
  b.set.push(`${lastKey} = ${ek}`);
  b.put("lastEventAt", e.timestamp);
  b.put("accountId", e.accountId);
  b.put("region", e.region);
  b.put("arn", e.arn);
  b.put("userMetadata", { ...e.userMetadata });
  b.put("application", e.userMetadata.application);
  if (e.queue !== undefined) {
    b.set.push(`${b.name("queueKey")} = ${ek}`);
    b.put("queue", e.queue);
    b.put("queueName", e.queueName);
  }

  // status
  const claim = statusClaim(e);
  const clock = statusClock(claim.status, claim.at);
  const sc = b.name("statusClock");
  const st = b.name("status");
  const rank = STATUS_RANK[claim.status];
  if (rank === 0) {
    b.set.push(`${sc} = if_not_exists(${sc}, ${b.value(clock)})`);
    b.set.push(`${st} = if_not_exists(${st}, ${b.value(claim.status)})`);
  } else if (rank === 1) {
    const c = b.value(clock);
    b.cond.push(`(attribute_not_exists(${sc}) OR ${sc} <= ${c})`);
    b.set.push(`${sc} = ${c}`);
    b.set.push(`${st} = ${b.value(claim.status)}`);
  } else {
    const c = b.value(clock);
    const sk = b.name("statusKey");
    b.cond.push(`(attribute_not_exists(${sc}) OR ${sc} < ${c} OR (${sc} = ${c} AND ${sk} < ${ek}))`);
    b.set.push(`${sc} = ${c}`);
    b.set.push(`${sk} = ${ek}`);
    b.set.push(`${st} = ${b.value(claim.status)}`);
    b.put("finishedAt", claim.at);
    b.put("error", claim.error);
  }

  // earliest-time groups
  const fromId = createdAtFromJobId(e.jobId);
  if (fromId !== undefined) b.put("createdAt", fromId);
  else b.min("createdAt", createdCandidate(e));
  b.min("submittedAt", submittedCandidate(e));
  b.min("progressingAt", progressingCandidate(e));
  for (const [attr, phase] of [
    ["txFirst", "TRANSCODING"],
    ["upFirst", "UPLOADING"],
  ] as const) {
    const sample = phaseSampleOf(e, phase);
    if (!sample) continue;
    const a = b.name(attr);
    b.set.push(`${a} = if_not_exists(${a}, ${b.value(sample)})`);
    b.cond.push(`(attribute_not_exists(${a}) OR ${a}.${b.name("k")} <= ${ek})`);
  }

  // status-specific groups (newest wins; covered by the lastKey condition)
  const probing = phaseSampleOf(e, "PROBING");
  if (probing) b.put("probeLast", probing);
  switch (e.status) {
    case "STATUS_UPDATE": {
      // the newest event is the newest in its slot too (see the header): overwrite the slot
      const sample = windowSampleOf(e);
      if (sample) b.put(recentAttribute(slotOf(sample.at)), sample);
      b.set.push(`${b.name("progressKey")} = ${ek}`);
      b.put("progressAt", e.timestamp);
      b.put("percentComplete", e.percentComplete);
      b.put("currentPhase", e.currentPhase);
      b.put("phasePercentComplete", e.phasePercentComplete);
      b.put("framesDecoded", e.framesDecoded);
      b.put("retryCount", e.retryCount);
      break;
    }
    case "INPUT_INFORMATION":
      if (e.inputs.length > 0) {
        b.set.push(`${b.name("inputKey")} = ${ek}`);
        b.put("input", e.inputs[0]);
        indexInput(b, e.jobId, e.inputs[0].uri, "input");
      }
      break;
    case "COMPLETE":
      b.set.push(`${b.name("outputsKey")} = ${ek}`);
      b.put("outputs", e.outputs);
      b.put("completeWarnings", e.warnings.length > 0 ? e.warnings : undefined);
      break;
    case "NEW_WARNING":
      b.add.push(`${b.name(`${WARNING_PREFIX}${e.warningCode}`)} ${b.value(1)}`);
      break;
    case "SUBMITTED":
    case "JOB_DETAILS":
      if (e.settings) {
        b.set.push(`${b.name("settingsKey")} = ${ek}`);
        b.put("settings", e.settings);
        indexInput(b, e.jobId, e.settings.inputs[0]?.uri, "settings");
      }
      break;
    default:
      break;
  }
  const hops = hopsOf(e).map(encodeHop);
  if (hops.length) b.add.push(`${b.name("hops")} ${b.value(new Set(hops))}`);
  return b.build();
}

/**
 * Keeps the byInputName key equal to what `mergeStored` derives from the record's URI (input.uri, else the
 * settings' first input) when the event is the new winner of its group. An INPUT_INFORMATION with a URI decides it:
 * set the key from it. One without a URI leaves the settings' URI in charge: nothing moves as long as the stored
 * input had no URI either (else the slow path recomputes). New settings decide it unless the stored input has a
 * URI: set the key from them, on condition that there is no input URI or the key already has that value.
 */
function indexInput(b: ExprBuilder, jobId: string, uri: string | undefined, source: "input" | "settings"): void {
  const inputUri = () => `${b.name("input")}.${b.name("uri")}`;
  if (source === "input" && uri === undefined) {
    b.cond.push(`attribute_not_exists(${inputUri()})`);
    return;
  }
  const key = inputIndexKey(uri, jobId);
  const nameKey = b.name(INPUT_NAME_ATTRIBUTE);
  b.put(INPUT_SHARD_ATTRIBUTE, key?.shard);
  b.put(INPUT_NAME_ATTRIBUTE, key?.nameKey);
  if (source === "settings") {
    const same = key ? `${nameKey} = ${b.value(key.nameKey)}` : `attribute_not_exists(${nameKey})`;
    b.cond.push(`(attribute_not_exists(${inputUri()}) OR ${same})`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Queue counters

/**
 * Whether the status change before → after is a real transition the queue counters must follow (undefined when
 * nothing moved). `from` is undefined for a job seen for the first time.
 */
export function statusTransition(before: JobStatus | undefined, after: JobStatus): { from?: JobStatus; to: JobStatus } | undefined {
  if (before === after) return undefined;
  return before === undefined ? { to: after } : { from: before, to: after };
}
