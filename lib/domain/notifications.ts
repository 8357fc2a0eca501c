/**
 * Notification messages for COMPLETE and ERROR of this stack's jobs, as EventBridge rules with InputTransformers
 * (the Notifications component deploys them; nothing runs code per message).
 *
 * An InputTransformer can copy fields out of the event but cannot look anything up, so the meaning of an error
 * code is baked into the template: one rule per error category of lib/domain/error-codes.ts (matching that
 * category's codes), one for codes not in the table (`anything-but` all of them), and one for COMPLETE. For any
 * event exactly one rule matches, and together they match exactly what `notificationPattern(application)` does
 * (test/lib/domain/notifications.test.ts checks both). The message names the job, its status, its input, the error
 * code with its category's meaning and MediaConvert's own message, and links the job in the console of the region.
 *
 * `renderNotification` plays the transformer locally (the twin and the tests), so what a person would read is
 * testable here.
 */
import { ERROR_CODES, ERROR_CATEGORIES, type ErrorCategory } from "./error-codes";
import { JOB_STATE_CHANGE, MEDIACONVERT_SOURCE, type EventPattern } from "./patterns";

export interface NotificationRule {
  /** Short id, used in resource names: "complete", "error-input", …, "error-other". */
  id: string;
  description: string;
  pattern: EventPattern;
  inputPaths: Record<string, string>;
  /** A JSON string literal with <placeholders>, as EventBridge takes it for a plain-text target. */
  inputTemplate: string;
}

/** One sentence per error category: what to look at. */
export const CATEGORY_MEANING: Record<ErrorCategory, string> = {
  input: "the input file itself could not be used (unreadable, unsupported, corrupt or missing streams): check the file",
  settings: "the job settings are invalid or do not fit this input: check the settings file",
  acceleration: "accelerated transcoding cannot be used for this job: turn it off or use PREFERRED",
  access: "MediaConvert was denied access (IAM role, bucket policy or KMS key): check the MediaConvert role",
  storage: "reading or writing S3 failed (missing object or bucket, or a failed write)",
  "http-input": "fetching an HTTP(S) input failed",
  encryption: "the DRM / SPEKE key server could not be used",
  watermarking: "the watermarking service (Nielsen, NexGuard, Kantar) failed",
  internal: "MediaConvert failed internally or timed out: submitting the job again usually works",
  unknown: "this code is not in the published list: see the MediaConvert error message below",
};

const PATHS = {
  jobId: "$.detail.jobId",
  status: "$.detail.status",
  input: "$.detail.userMetadata.input",
  settings: "$.detail.userMetadata.settings",
  queue: "$.detail.queue",
  time: "$.time",
  errorCode: "$.detail.errorCode",
  errorMessage: "$.detail.errorMessage",
};

function consoleLink(region: string): string {
  return `https://${region}.console.aws.amazon.com/mediaconvert/home?region=${region}#/jobs/summary/<jobId>`;
}

function template(lines: string[]): string {
  return JSON.stringify(lines.join("\n"));
}

function base(application: string, status: "COMPLETE" | "ERROR", detail: Record<string, unknown> = {}): EventPattern {
  return {
    source: [MEDIACONVERT_SOURCE],
    "detail-type": [JOB_STATE_CHANGE],
    detail: { status: [status], userMetadata: { application: [application] }, ...(detail as EventPattern) },
  };
}

/** The rules for one stack: its application name and region (for the console link). */
export function notificationRules(application: string, region: string): NotificationRule[] {
  const head = [
    `MediaConvert job <jobId> (${application}, ${region}): <status>`,
    "",
    "Input: <input>",
    "Settings: <settings>",
    "Queue: <queue>",
    "Time: <time>",
  ];
  const link = ["", `Open the job: ${consoleLink(region)}`];
  const rules: NotificationRule[] = [
    {
      id: "complete",
      description: `COMPLETE jobs of ${application}, to the notifications topic`,
      pattern: base(application, "COMPLETE"),
      inputPaths: {
        jobId: PATHS.jobId,
        status: PATHS.status,
        input: PATHS.input,
        settings: PATHS.settings,
        queue: PATHS.queue,
        time: PATHS.time,
      },
      inputTemplate: template([...head, "", "Outputs are in the media bucket under outputs/.", ...link]),
    },
  ];
  const errorPaths = { ...PATHS };
  const byCategory = new Map<ErrorCategory, number[]>();
  for (const info of ERROR_CODES.values()) byCategory.set(info.category, [...(byCategory.get(info.category) ?? []), info.code]);
  for (const category of ERROR_CATEGORIES) {
    const codes = byCategory.get(category);
    if (!codes?.length) continue;
    rules.push({
      id: `error-${category}`,
      description: `ERROR jobs of ${application} with a ${category} error code, to the notifications topic`,
      pattern: base(application, "ERROR", { errorCode: [...codes].sort((a, b) => a - b) }),
      inputPaths: errorPaths,
      inputTemplate: template([
        ...head,
        "",
        `Error <errorCode> (${category}): ${CATEGORY_MEANING[category]}.`,
        "MediaConvert says: <errorMessage>",
        ...link,
      ]),
    });
  }
  rules.push({
    id: "error-other",
    description: `ERROR jobs of ${application} with an error code not in the published list, to the notifications topic`,
    pattern: base(application, "ERROR", { errorCode: [{ "anything-but": [...ERROR_CODES.keys()].sort((a, b) => a - b) }] }),
    inputPaths: errorPaths,
    inputTemplate: template([...head, "", `Error <errorCode>: ${CATEGORY_MEANING.unknown}.`, "MediaConvert says: <errorMessage>", ...link]),
  });
  return rules;
}

function at(event: unknown, path: string): unknown {
  let v: unknown = event;
  for (const part of path
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The text EventBridge would publish for `event` through `rule`'s transformer. A path missing from the event
 * renders as an empty value here.
 */
export function renderNotification(rule: NotificationRule, event: unknown): string {
  const filled = rule.inputTemplate.replace(/<([A-Za-z0-9_]+)>/g, (whole, name: string) => {
    const path = rule.inputPaths[name];
    if (!path) return whole;
    const v = at(event, path);
    const text = v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
    return JSON.stringify(text).slice(1, -1);
  });
  return JSON.parse(filled) as string;
}
