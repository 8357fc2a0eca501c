/**
 * S3 event notifications as S3 sends them to Lambda, reduced to the uploads the watch folder acts on.
 *
 * Keys arrive URL-encoded the way HTML forms encode them: a space is `+`, a literal `+` is `%2B`, and anything
 * outside ASCII is its UTF-8 bytes percent-encoded (`é` → `%C3%A9`). `decodeS3Key` undoes exactly that.
 *
 * What counts as an upload: an `ObjectCreated:*` record for a key under `inputs/` that is not a folder marker (a key
 * ending in `/`, which the console creates for "Create folder"). Everything else is skipped with a reason, never
 * thrown: a record that cannot be acted on now will not become actionable on a retry.
 *
 * Pure code.
 */
import { z } from "zod";

export const INPUT_PREFIX = "inputs/";

/** One object version to convert. */
export interface Upload {
  bucket: string;
  /** Decoded object key (`inputs/My clip é.mp4`). */
  key: string;
  versionId?: string;
  eTag?: string;
  sequencer?: string;
  size?: number;
  eventTime?: string;
  region?: string;
}

export interface SkippedRecord {
  /** Index of the record in the event. */
  index: number;
  key?: string;
  reason: string;
}

export interface ParsedS3Event {
  uploads: Upload[];
  skipped: SkippedRecord[];
}

const RecordSchema = z.looseObject({
  eventSource: z.literal("aws:s3", { error: 'eventSource must be "aws:s3"' }),
  eventName: z.string({ error: "eventName is missing" }),
  awsRegion: z.string().optional(),
  eventTime: z.string().optional(),
  s3: z.looseObject({
    bucket: z.looseObject({
      name: z.string({ error: "s3.bucket.name is missing" }).min(3, { error: "s3.bucket.name is too short for a bucket" }),
    }),
    object: z.looseObject({
      key: z.string({ error: "s3.object.key is missing" }).min(1, { error: "s3.object.key is empty" }),
      size: z.number().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const EventSchema = z.looseObject({ Records: z.array(z.unknown(), { error: "Records must be a list" }) });

/** `+` → space, then percent-decoding of UTF-8; undefined when the text is not valid percent-encoding. */
export function decodeS3Key(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** The encoding S3 uses in notifications (for tests and the local twin): the inverse of `decodeS3Key`. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, "/")
    .replace(/%20/g, "+")
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Whether a decoded key is an upload the watch folder converts. */
export function isInputKey(key: string): boolean {
  return key.startsWith(INPUT_PREFIX) && key.length > INPUT_PREFIX.length && !key.endsWith("/");
}

/**
 * Reads an S3 notification. Throws only when the whole thing is not an S3 notification at all (a misrouted
 * invocation), with a message saying what arrived; individual bad records are skipped with a reason. An S3 test
 * event (`"Event": "s3:TestEvent"`, sent when a notification is configured) yields nothing.
 */
export function parseS3Event(input: unknown): ParsedS3Event {
  if (input && typeof input === "object" && (input as { Event?: unknown }).Event === "s3:TestEvent") return { uploads: [], skipped: [] };
  const top = EventSchema.safeParse(input);
  if (!top.success) {
    const shown = JSON.stringify(input)?.slice(0, 200) ?? String(input);
    throw new Error(
      `Not an S3 event notification (expected {"Records": [...]} from S3): ${top.error.issues[0]?.message ?? "unreadable"}; got ${shown}`,
    );
  }
  const uploads: Upload[] = [];
  const skipped: SkippedRecord[] = [];
  top.data.Records.forEach((raw, index) => {
    const r = RecordSchema.safeParse(raw);
    if (!r.success) {
      skipped.push({ index, reason: `not an S3 record: ${r.error.issues.map((i) => i.message).join("; ")}` });
      return;
    }
    const rec = r.data;
    const key = decodeS3Key(rec.s3.object.key);
    if (key === undefined) {
      skipped.push({ index, key: rec.s3.object.key, reason: "the key is not valid URL encoding (S3 notifications encode keys)" });
      return;
    }
    if (!rec.eventName.startsWith("ObjectCreated:")) {
      skipped.push({ index, key, reason: `${rec.eventName} is not an upload` });
      return;
    }
    if (!isInputKey(key)) {
      skipped.push({ index, key, reason: key.endsWith("/") ? "a folder marker, not a file" : `not under ${INPUT_PREFIX}` });
      return;
    }
    uploads.push(
      clean({
        bucket: rec.s3.bucket.name,
        key,
        versionId: rec.s3.object.versionId || undefined,
        eTag: rec.s3.object.eTag?.replace(/"/g, "") || undefined,
        sequencer: rec.s3.object.sequencer || undefined,
        size: rec.s3.object.size,
        eventTime: rec.eventTime,
        region: rec.awsRegion,
      }),
    );
  });
  return { uploads, skipped };
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
