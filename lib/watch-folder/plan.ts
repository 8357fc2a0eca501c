/**
 * Which jobs an invocation submits: for each upload to the watch bucket, every valid `jobs/*.json` settings file
 * of the bucket (read once per bucket), or the default job when there are none. A broken settings file is
 * reported by name and skipped (a retry cannot fix it); a file that could not be read, or a bucket whose every
 * settings file is broken, is a failure for that upload.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SettingsListing } from "../adapters/settings-files";
import { DEFAULT_JOB, DEFAULT_SETTINGS_NAME } from "./default-job";
import type { Upload } from "./s3-event";
import type { SettingsFile } from "./settings";
import { describe, type WatchFolderDeps, type WatchFolderResult } from "./types";

/** One job to submit: an upload with one settings file. */
export interface PlannedJob {
  upload: Upload;
  name: string;
  file: SettingsFile;
}

/** The jobs to submit for `uploads`; skipped uploads, broken files and failures are added to `result`. */
export async function planJobs(deps: WatchFolderDeps, uploads: Upload[], result: WatchFolderResult): Promise<PlannedJob[]> {
  const { config, logger, metrics } = deps;
  const listings = new Map<string, Promise<SettingsListing>>();
  const settingsOf = (bucket: string) => {
    let listing = listings.get(bucket);
    if (!listing) {
      listing = deps.settings(bucket);
      listings.set(bucket, listing);
    }
    return listing;
  };

  const work: PlannedJob[] = [];
  for (const upload of uploads) {
    if (upload.bucket !== config.watchBucket) {
      // Only the watch bucket's notifications are routed here; anything else is a wiring mistake.
      result.skipped.push({
        index: -1,
        key: upload.key,
        reason: `bucket ${upload.bucket} is not the watch folder (${config.watchBucket})`,
      });
      logger.warn("upload from another bucket skipped", { bucket: upload.bucket, key: upload.key });
      continue;
    }
    let listing: SettingsListing;
    try {
      listing = await settingsOf(upload.bucket);
    } catch (err) {
      result.failures.push({ input: upload.key, settings: "jobs/", reason: `could not list the settings files: ${describe(err)}` });
      continue;
    }
    for (const f of listing.files) {
      if (f.ok) continue;
      if (f.retryable) {
        result.failures.push({ input: upload.key, settings: f.name, reason: f.problem });
      } else if (!result.brokenSettings.some((b) => b.name === f.name)) {
        result.brokenSettings.push({ name: f.name, problem: f.problem });
        logger.error("settings file skipped: fix it and upload again", { settings: f.name, problem: f.problem });
        metrics.addMetric("BrokenSettingsFiles", MetricUnit.Count, 1);
      }
    }
    for (const name of listing.ignored) if (!result.ignoredSettings.includes(name)) result.ignoredSettings.push(name);
    const good = listing.files.filter((f) => f.ok);
    if (listing.files.length === 0) {
      work.push({ upload, name: DEFAULT_SETTINGS_NAME, file: DEFAULT_JOB });
    } else if (good.length === 0) {
      if (!listing.files.some((f) => !f.ok && f.retryable)) {
        result.failures.push({
          input: upload.key,
          settings: "jobs/",
          reason: "every settings file in jobs/ is broken, so this upload would get no job",
        });
      }
    } else {
      for (const f of good) work.push({ upload, name: f.name, file: f.file });
    }
  }
  if (result.ignoredSettings.length) {
    logger.warn("too many settings files; the extra ones are not used", { ignored: result.ignoredSettings });
  }
  return work;
}
