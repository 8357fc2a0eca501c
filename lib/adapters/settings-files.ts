/**
 * Reads the watch folder's settings files (`jobs/*.json`) from S3 and validates each one (lib/watch-folder/settings.ts).
 * A file that cannot be read or used comes back as a problem naming the file, never as an exception: one broken
 * file must not stop the others. Listing failures do throw (without the list nothing sensible can run).
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import {
  isSettingsKey,
  MAX_SETTINGS_FILE_BYTES,
  MAX_SETTINGS_FILES,
  parseSettingsFile,
  SETTINGS_PREFIX,
  type SettingsFileResult,
} from "../watch-folder/settings";

export { SETTINGS_PREFIX };

export interface SettingsListing {
  /** Every `jobs/*.json` found, in key order, each valid or with its problem. */
  files: SettingsFileResult[];
  /** Files beyond MAX_SETTINGS_FILES, not read. */
  ignored: string[];
}

export async function readSettingsFiles(s3: S3Client, bucket: string): Promise<SettingsListing> {
  const keys: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: SETTINGS_PREFIX, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key && isSettingsKey(o.Key)) keys.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const used = keys.slice(0, MAX_SETTINGS_FILES);
  const files = await Promise.all(
    used.map(async ({ key, size }): Promise<SettingsFileResult> => {
      if (size > MAX_SETTINGS_FILE_BYTES) {
        return {
          ok: false,
          name: key,
          problem: `${key}: ${size} bytes is larger than ${MAX_SETTINGS_FILE_BYTES}; is this really a job settings file?`,
        };
      }
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const text = (await res.Body?.transformToString("utf8")) ?? "";
        return parseSettingsFile(key, text);
      } catch (err) {
        const e = err as { name?: string; message?: string };
        return {
          ok: false,
          name: key,
          problem: `${key}: could not be read (${e?.name ?? "Error"}: ${e?.message ?? String(err)})`,
          retryable: true,
        };
      }
    }),
  );
  return { files, ignored: keys.slice(MAX_SETTINGS_FILES).map((k) => k.key) };
}
