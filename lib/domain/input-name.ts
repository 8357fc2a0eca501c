/**
 * The key of the Jobs table's `byInputName` index ("jobs whose input file name starts with …"; the layout and the
 * reasons for it are in tables.ts). Pure, no AWS imports.
 *
 *   file name   the last path segment of the input URI the job record shows (`input.uri`, else the first settings
 *               input), without the query or fragment of an http(s) URI: s3://b/in/Movie.MOV → "Movie.MOV"
 *   normalized  Unicode NFC, lower case, control characters dropped, at most INPUT_NAME_MAX code points
 *   shard       the first code point of the normalized name (the index's partition key)
 *   name key    normalized name, U+0001, 13-digit reversed creation time, U+0001, job id (the index's sort key)
 *
 * A normalized name holds no control character, so in the name key it ends exactly at the first U+0001:
 * `begins_with(name key, p)` holds for a prefix p without control characters exactly when the normalized name
 * starts with p. U+0001 also sorts below every character a name can hold, so an ascending Query lists names in
 * plain character order ("a" before "a.mov"), and the reversed time lists the jobs of one file name newest first.
 * The creation time is the job id's epoch-ms prefix (MediaConvert ids carry one; it is the record's createdAt), so
 * the key is known from the event alone and the collector's single conditional write can set it; an id without
 * that prefix sorts as the oldest.
 */
import { createdAtFromJobId } from "./reducer";
import { INPUT_NAME_ATTRIBUTE, INPUT_SHARD_ATTRIBUTE } from "./tables";

/** Longest normalized name the key keeps, and so the longest prefix a search may give (in code points). */
export const INPUT_NAME_MAX = 200;

export const SEPARATOR = "\u0001";
const LATEST_MS = 9_999_999_999_999;
/** DynamoDB's limit for a sort key value. */
const SORT_KEY_MAX_BYTES = 1024;
const CONTROL = /\p{Cc}/gu;

export interface InputIndexKey {
  /** Partition key value (INPUT_SHARD_ATTRIBUTE). */
  shard: string;
  /** Sort key value (INPUT_NAME_ATTRIBUTE). */
  nameKey: string;
}

/** The file name of an input URI as given (letter case kept), or undefined when the URI ends without one. */
export function inputFileName(uri: string): string | undefined {
  let path = uri;
  const origin = /^([a-z][a-z0-9+.-]*):\/\/[^/]*/i.exec(path);
  if (origin) {
    path = path.slice(origin[0].length);
    // A signed or parameterised http(s) URL: the file is what comes before "?" or "#".
    if (/^https?$/i.test(origin[1])) path = path.replace(/[?#].*$/s, "");
  }
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name === "" ? undefined : name;
}

/** A name or a prefix in the form the index compares: NFC, lower case, no control characters (any length). */
export function foldInputName(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(CONTROL, "");
}

/** A folded name as the key keeps it: at most INPUT_NAME_MAX code points. */
export function normalizeInputName(text: string): string {
  const folded = foldInputName(text);
  const points = Array.from(folded);
  return points.length > INPUT_NAME_MAX ? points.slice(0, INPUT_NAME_MAX).join("") : folded;
}

/** The partition a normalized name (or prefix) belongs to: its first code point. */
export function inputShard(normalized: string): string {
  return String.fromCodePoint(normalized.codePointAt(0) ?? 0);
}

function reversedTime(jobId: string): string {
  const createdAt = createdAtFromJobId(jobId) ?? 0;
  return String(LATEST_MS - Math.min(createdAt, LATEST_MS)).padStart(13, "0");
}

/** The index key of a job whose record shows `uri` as its input; undefined when there is no file name to index. */
export function inputIndexKey(uri: string | undefined, jobId: string): InputIndexKey | undefined {
  if (uri === undefined) return undefined;
  const raw = inputFileName(uri);
  const name = raw === undefined ? "" : normalizeInputName(raw);
  if (name === "") return undefined;
  const nameKey = [name, reversedTime(jobId), jobId].join(SEPARATOR);
  if (Buffer.byteLength(nameKey, "utf8") > SORT_KEY_MAX_BYTES) return undefined;
  return { shard: inputShard(name), nameKey };
}

/** The item attributes holding the index key (none when the job has no file name to index). */
export function inputIndexAttributes(uri: string | undefined, jobId: string): Record<string, string> {
  const key = inputIndexKey(uri, jobId);
  return key ? { [INPUT_SHARD_ATTRIBUTE]: key.shard, [INPUT_NAME_ATTRIBUTE]: key.nameKey } : {};
}

interface InputSources {
  input?: { uri?: string };
  settings?: { inputs?: { uri?: string }[] };
}

/**
 * The input URI a job record shows for a reducer state or stored item: the newest INPUT_INFORMATION's, else the
 * first input of the settings (the same choice `recordOf` makes when it fills `input`).
 */
export function recordInputUri(state: InputSources): string | undefined {
  return state.input?.uri ?? state.settings?.inputs?.[0]?.uri;
}

/**
 * The key condition of "normalized name starts with `prefix`" for a prefix already checked by the API (not empty
 * after normalizing, no "/", no control characters): partition = its shard, sort key begins with it.
 */
export function inputPrefixCondition(prefix: string): { shard: string; beginsWith: string } {
  const beginsWith = normalizeInputName(prefix);
  return { shard: inputShard(beginsWith), beginsWith };
}
