/**
 * The collector's runtime settings as each invocation sees them: the deployed values (environment) with the Config
 * table's runtime-settings item over them, read at most once per `ttlMs` per container. A bad field is logged
 * (field, value, allowed range) each time the item is read, and the deployed value is used; when the item cannot be
 * read, the settings last read stay in force until the next attempt.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { RuntimeSettingsStore } from "../adapters/config-store";
import { type CollectorRuntimeSettings, mergeRuntimeSettings, RUNTIME_SETTINGS_KEY } from "../domain/runtime-settings";
import { describe } from "./async";

/** How long a container keeps the settings it read before reading the item again. */
export const RUNTIME_SETTINGS_TTL_MS = 60_000;

export function cachedRuntimeSettings(opts: {
  store: RuntimeSettingsStore;
  deployed: CollectorRuntimeSettings;
  logger: Logger;
  now: () => number;
  ttlMs?: number;
}): () => Promise<CollectorRuntimeSettings> {
  const ttlMs = opts.ttlMs ?? RUNTIME_SETTINGS_TTL_MS;
  let current: CollectorRuntimeSettings = opts.deployed;
  let readAt: number | undefined;
  let reading: Promise<CollectorRuntimeSettings> | undefined;
  const refresh = async (): Promise<CollectorRuntimeSettings> => {
    try {
      const item = await opts.store.read();
      const { settings, problems, applied } = mergeRuntimeSettings(opts.deployed, item);
      for (const p of problems) opts.logger.warn(`runtime setting in the Config table item "${RUNTIME_SETTINGS_KEY}": ${p}`);
      if (applied.length > 0) opts.logger.debug("runtime settings from the Config table", { applied, settings });
      current = settings;
    } catch (err) {
      opts.logger.warn("could not read the runtime settings from the Config table; the settings in force stay", {
        reason: describe(err),
        settings: current,
      });
    }
    readAt = opts.now();
    return current;
  };
  return () => {
    if (readAt !== undefined && opts.now() - readAt < ttlMs) return Promise.resolve(current);
    reading ??= refresh().finally(() => {
      reading = undefined;
    });
    return reading;
  };
}
