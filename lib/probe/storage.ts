/**
 * The two places a probe reads from: a local file and an S3 object. Each gives the object's size and a
 * `RangeFetcher`; `RangedSource` (source.ts) adds the cache and the bounds.
 */
import * as fs from "node:fs";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { RangeFetcher } from "./source";

export interface Storage {
  size: number;
  fetch: RangeFetcher;
  label: string;
  close(): Promise<void>;
}

/** A local file. Throws a plain message when it is missing, a folder or unreadable. */
export async function fileStorage(filePath: string): Promise<Storage> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(filePath, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`No such file: ${filePath}`);
    if (code === "EACCES") throw new Error(`Cannot read ${filePath}: permission denied`);
    throw new Error(`Cannot open ${filePath}: ${(err as Error).message}`);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new Error(`${filePath} is not a regular file`);
  }
  return {
    size: stat.size,
    label: filePath,
    fetch: async (start, endInclusive) => {
      const length = endInclusive - start + 1;
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buf, got, length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === length ? buf : buf.subarray(0, got);
    },
    close: () => handle.close(),
  };
}

export interface S3Location {
  bucket: string;
  key: string;
}

// Bucket names: 3-63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a
// letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/key`. The key is taken as written (not URL-decoded). */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri.trim());
  if (!m) {
    throw new Error(`"${uri}" is not an S3 URI: expected s3://bucket/key (with a key after the bucket)`);
  }
  const [, bucket, key] = m;
  if (!BUCKET.test(bucket)) {
    throw new Error(`"${bucket}" in ${uri} is not a valid S3 bucket name (3-63 lower-case letters, digits, dots or hyphens)`);
  }
  if (Buffer.byteLength(key) > 1024) throw new Error(`The key in ${uri} is longer than S3's 1024-byte limit`);
  return { bucket, key };
}

/**
 * An S3 failure with a message a person can act on, keeping what callers need to decide on a retry: the SDK
 * error's `name`, `$metadata` (HTTP status) and `$retryable`, and the original as `cause`.
 */
export class ProbeStorageError extends Error {
  readonly $metadata?: { httpStatusCode?: number };
  readonly $retryable?: unknown;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    const e = cause as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
    this.name = typeof e?.name === "string" && e.name !== "Error" ? e.name : "ProbeStorageError";
    if (e?.$metadata) this.$metadata = e.$metadata;
    if (e?.$retryable !== undefined) this.$retryable = e.$retryable;
  }
}

function s3ErrorMessage(err: unknown, what: string): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === "NotFound" || e.name === "NoSuchKey" || status === 404) return `${what}: no such object`;
  if (e.name === "NoSuchBucket") return `${what}: no such bucket`;
  if (status === 403 || e.name === "AccessDenied" || e.name === "Forbidden") {
    return `${what}: access denied (the role needs s3:GetObject on this object)`;
  }
  if (status === 412 || e.name === "PreconditionFailed") {
    return `${what}: the object changed while it was being probed; probe it again`;
  }
  if (e.name === "TimeoutError" || e.name === "AbortError") return `${what}: no answer from S3 in time`;
  return `${what}: ${e.name ?? "error"}${status ? ` (HTTP ${status})` : ""}: ${e.message ?? String(err)}`;
}

/**
 * An S3 object. HeadObject first (size and ETag); every ranged GET then asks for `bytes=a-b` (never a suffix
 * range) pinned to that ETag, so an object replaced mid-probe fails loudly instead of mixing two versions.
 */
export async function s3Storage(uri: string, client: S3Client, requestTimeoutMs = 10_000): Promise<Storage> {
  // The SDK waits forever by default; one stuck read must not hold up every probe queued behind it.
  const timeout = () => ({ abortSignal: AbortSignal.timeout(requestTimeoutMs) });
  const { bucket, key } = parseS3Uri(uri);
  let size: number;
  let etag: string | undefined;
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), timeout());
    size = head.ContentLength ?? NaN;
    etag = head.ETag;
  } catch (err) {
    throw new ProbeStorageError(s3ErrorMessage(err, `Cannot probe ${uri}`), err);
  }
  if (!Number.isSafeInteger(size)) throw new Error(`Cannot probe ${uri}: HeadObject gave no size`);
  return {
    size,
    label: uri,
    fetch: async (start, endInclusive) => {
      try {
        const out = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${endInclusive}`, IfMatch: etag }),
          timeout(),
        );
        // Checked here too: not every S3-compatible store honours If-Match.
        const total = /\/(\d+)$/.exec(out.ContentRange ?? "")?.[1];
        if ((etag && out.ETag && out.ETag !== etag) || (total !== undefined && Number(total) !== size)) {
          throw Object.assign(new Error("ETag or size differs from HeadObject"), { name: "PreconditionFailed" });
        }
        if (!out.Body) throw new Error("empty body");
        return await out.Body.transformToByteArray();
      } catch (err) {
        throw new ProbeStorageError(s3ErrorMessage(err, `Reading bytes ${start}-${endInclusive} of ${uri}`), err);
      }
    },
    close: async () => undefined,
  };
}
