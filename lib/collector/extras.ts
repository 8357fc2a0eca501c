/**
 * Step 5 of the collector, once per job: fetch missing settings with GetJob (folded in as a JOB_DETAILS event)
 * and probe the input with mediainfo.js within the byte budget and a deadline. Both are claimed on the job item so
 * only one invocation anywhere does them; a failure is logged and recorded on the item, never fatal to the event.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { mayClaim, type JobItem } from "../adapters/jobs-store";
import { jobDetailsEvent, needsJobDetails } from "../domain/job-source";
import type { ProbeResult } from "../domain/probe";
import { describe, isTransient, withDeadline } from "./async";
import { inputUri } from "./input";
import type { CollectorContext } from "./types";

/** How long a GetJob or probe claim holds before another invocation may take it over. */
const EXTRA_CLAIM_STALE_MS = 5 * 60_000;

/** Probes the job's input once, unless probing is off, already done or given up, or too little time is left. */
export async function probeOnce(ctx: CollectorContext, item: JobItem, remainingMs: () => number): Promise<JobItem> {
  const { config, jobs, logger, metrics, now } = ctx;
  if (!config.probe || !ctx.probe || item.probe !== undefined || item.probeError !== undefined) return item;
  const uri = inputUri(item);
  if (!uri) return item;
  const spareMs = remainingMs() - 10_000;
  const budgetMs = Math.min(ctx.probeTimeoutMs ?? 20_000, spareMs);
  if (spareMs < 1000) {
    logger.info("too little time left in this invocation to probe; a later event will", { jobId: item.jobId });
    return item;
  }
  const claimOpts = { now: now(), staleMs: EXTRA_CLAIM_STALE_MS };
  if (!mayClaim(item, "probe", claimOpts) || !(await jobs.claim(String(item.jobId), "probe", claimOpts))) return item;
  const started = now();
  let result: ProbeResult;
  try {
    result = await withDeadline(
      ctx.probe(uri, { budgetBytes: config.probeBudgetBytes, maxRequests: config.probeMaxRequests }),
      budgetMs,
      `the probe took longer than ${budgetMs} ms`,
    );
  } catch (err) {
    metrics.addMetric("ProbeFailures", MetricUnit.Count, 1);
    const retryable = isTransient(err);
    logger.warn("probe failed; the job is kept without it", { jobId: item.jobId, uri, reason: describe(err), retryable });
    await jobs
      .releaseClaim(String(item.jobId), "probe", { reason: describe(err), final: !retryable, now: now() })
      .catch((e) => logger.warn("could not record the probe failure", { jobId: item.jobId, reason: describe(e) }));
    return item;
  }
  metrics.addMetric("ProbeBytesRead", MetricUnit.Bytes, result.bytesRead);
  metrics.addMetric("ProbeMs", MetricUnit.Milliseconds, now() - started);
  logger.info("input probed", {
    jobId: item.jobId,
    uri,
    bytesRead: result.bytesRead,
    requests: result.requests,
    complete: result.complete,
  });
  const { tracks: _tracks, ...stored } = result as ProbeResult & { tracks?: unknown };
  return (await jobs.storeOnce(String(item.jobId), "probe", stored, { now: now(), ttlSeconds: config.ttlSeconds })) ?? item;
}

/** Fetches the job's settings with GetJob once, when the item has none, and folds them in. */
export async function backfillDetails(ctx: CollectorContext, item: JobItem): Promise<JobItem> {
  const { config, jobs, logger, metrics, now } = ctx;
  if (!config.getJob || !ctx.jobDetails || !needsJobDetails(item)) return item;
  const claimOpts = { now: now(), staleMs: EXTRA_CLAIM_STALE_MS };
  if (!mayClaim(item, "details", claimOpts) || !(await jobs.claim(String(item.jobId), "details", claimOpts))) return item;
  const result = await ctx.jobDetails.get(String(item.jobId));
  if (!result.fromCache) metrics.addMetric("GetJobCalls", MetricUnit.Count, 1);
  if (!result.ok) {
    metrics.addMetric("GetJobFailures", MetricUnit.Count, 1);
    logger.warn("GetJob failed; the job is kept without its settings", { jobId: item.jobId, kind: result.kind, reason: result.reason });
    // Throttling and timeouts may pass later: give the claim back (a bounded number of times). Anything else
    // (denied, deleted job) will not: remember the reason so no later event asks again.
    const retryable = result.kind === "throttled" || result.kind === "timeout" || result.kind === "error";
    await jobs
      .releaseClaim(String(item.jobId), "details", { reason: `${result.kind}: ${result.reason}`, final: !retryable, now: now() })
      .catch((e) => logger.warn("could not record the GetJob failure", { jobId: item.jobId, reason: describe(e) }));
    return item;
  }
  const event = jobDetailsEvent(result.job, { at: now(), accountId: item.accountId as string, region: item.region as string });
  if (!event) {
    logger.warn("GetJob answered with a job the domain could not read", { jobId: item.jobId });
    await jobs
      .releaseClaim(String(item.jobId), "details", { reason: "unreadable GetJob answer", final: true, now: now() })
      .catch(() => undefined);
    return item;
  }
  const applied = await jobs.apply(event, { now: now(), ttlSeconds: config.ttlSeconds });
  logger.info("job settings fetched with GetJob", { jobId: item.jobId });
  return applied.item;
}
