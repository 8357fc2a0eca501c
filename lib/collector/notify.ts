/**
 * The collector's notification step, once an event is folded into its job (process-event.ts): for a COMPLETE or
 * ERROR event of this stack's application (lib/domain/notifications.ts), one message per job and status.
 *
 *  1. claim the job's notification for the status on the Jobs item (jobs-store.ts), for NOTIFY_LEASE_MS, on
 *     behalf of this event (its retry takes over a claim an earlier attempt of it left behind);
 *  2. publish the message rendered from the event and the job record to SNS (adapters/notify.ts);
 *  3. mark the claim sent.
 *
 * Already sent (a re-delivery, the retry of an invocation whose later step failed): nothing is published. The
 * publish fails: the claim is given back and the event fails, so Lambda's retry sends the message. Held for
 * another event of the job with the same status (MediaConvert sending it twice under two ids): the event fails, so
 * it is retried; by then the other one has sent it (the retry finds it sent) or its lease has ended (the retry
 * takes the claim). Marking the claim sent fails: logged, the event stands (the message went out).
 *
 * What stays at-least-once: an attempt that dies after SNS accepted the message but before step 3 is marked as
 * not sent, and the event's retry publishes again; so does a publish whose reply is lost or comes after the
 * deadline. Each needs a failure in the moment between SNS's answer and the next write.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { JobItem } from "../adapters/jobs-store";
import { recordInputUri } from "../domain/input-name";
import type { JobRecord } from "../domain/job";
import { jobDetailsEvent } from "../domain/job-source";
import { isNotified, renderNotification, type OutcomeEvent } from "../domain/notifications";
import { describe, withDeadline } from "./async";
import type { CollectorContext, Work } from "./types";

/**
 * How long a notification claim holds against other events of the job: longer than a publish may take
 * (PUBLISH_DEADLINE_MS, the SDK's retries included), shorter than Lambda waits before an asynchronous retry (about
 * a minute), so the retry of an event turned away by another's claim finds the lease over.
 */
export const NOTIFY_LEASE_MS = 45_000;
/** Longest a publish may take before it counts as failed. */
export const PUBLISH_DEADLINE_MS = 15_000;

/**
 * The record with an input to name. An outcome can be folded before INPUT_INFORMATION and before the GetJob
 * backfill (another attempt of the job holding it) has landed; then the stored item is read again, and if it still
 * names no input, MediaConvert's GetJob answer is used (shared with a backfill in flight in this container, and
 * cached). Neither ever fails the notification: without an input the message says it is not known.
 */
async function withInput(ctx: CollectorContext, event: OutcomeEvent, record: JobRecord): Promise<JobRecord> {
  const { config, jobs, jobDetails, logger, now } = ctx;
  if (recordInputUri(record) || event.userMetadata.input) return record;
  try {
    const again = await jobs.get(event.jobId);
    const reread = again ? jobs.toRecord(again) : undefined;
    if (reread && recordInputUri(reread)) return reread;
    if (!config.getJob || !jobDetails) return record;
    const answer = await jobDetails.get(event.jobId);
    if (!answer.ok) return record;
    const details = jobDetailsEvent(answer.job, { at: now(), accountId: event.accountId, region: event.region });
    return details?.settings ? { ...record, settings: details.settings } : record;
  } catch (err) {
    logger.warn("could not look the job's input up for its notification; it is sent without", {
      jobId: event.jobId,
      reason: describe(err),
    });
    return record;
  }
}

export async function notifyOutcome(ctx: CollectorContext, w: Work, item: JobItem): Promise<void> {
  const { config, jobs, logger, metrics, notifier, now } = ctx;
  const { event } = w;
  if (!config.notifications || !notifier || !isNotified(event, config.notifications.application)) return;
  const jobId = event.jobId;
  const status = event.status;
  const claim = await jobs.claimNotification(jobId, status, {
    now: now(),
    leaseMs: ctx.notifyLeaseMs ?? NOTIFY_LEASE_MS,
    owner: event.eventKey,
  });
  if (claim.kind === "sent") {
    metrics.addMetric("NotificationsAlreadySent", MetricUnit.Count, 1);
    logger.debug("notification already sent", { jobId, status });
    return;
  }
  if (claim.kind === "held") {
    throw new Error(
      `the ${status} notification of job ${jobId} is being sent for another of its events until ${new Date(claim.until).toISOString()}; ` +
        "failing the event so it is retried",
    );
  }
  const record = await withInput(ctx, event, jobs.toRecord(item));
  const message = renderNotification(event, record, { application: config.notifications.application });
  let messageId: string;
  try {
    ({ messageId } = await withDeadline(
      notifier.publish(message),
      PUBLISH_DEADLINE_MS,
      `SNS did not answer within ${PUBLISH_DEADLINE_MS} ms`,
    ));
  } catch (err) {
    metrics.addMetric("NotificationFailures", MetricUnit.Count, 1);
    logger.warn("notification not published; the claim is given back and the event fails so it is retried", {
      jobId,
      status,
      reason: describe(err),
    });
    await jobs
      .releaseNotification(jobId, status)
      .catch((e) => logger.warn("could not give the notification claim back; it ends with its lease", { jobId, reason: describe(e) }));
    throw err;
  }
  metrics.addMetric("NotificationsSent", MetricUnit.Count, 1);
  logger.info("notification published", { jobId, status, messageId });
  try {
    if (!(await jobs.markNotified(jobId, status, { now: now(), messageId }))) {
      logger.warn("notification published after this attempt's claim had ended", { jobId, status, messageId });
    }
  } catch (err) {
    logger.error("notification published but not recorded as sent", { jobId, status, messageId, reason: describe(err) });
  }
}
