/**
 * One notification per job outcome: which events are notified, and what a person reads. The collector publishes
 * the message itself once it has folded the event into the job record (lib/collector/notify.ts), so the message
 * can name what the record knows (the input, from INPUT_INFORMATION or the job's settings) and list the outputs.
 *
 *   notified   COMPLETE and ERROR job state changes from MediaConvert of this stack's jobs (userMetadata.application
 *              equals the stack's application), nothing else;
 *   subject    `MediaConvert job <id> COMPLETE: <input file name>`, printable ASCII, fewer than 100 characters
 *              (SNS's rule for subjects);
 *   message    the job, its status, application, region, queue and input; for COMPLETE the output paths (manifests
 *              first, the first ten, then "…and N more"); for ERROR the error code, what it means, what its category
 *              asks a person to look at (lib/domain/error-codes.ts) and MediaConvert's own message; a console link
 *              for the job in its region's partition. Kept well under SNS's 256 KB.
 *
 * Pure: no AWS imports.
 */
import { partitionOfRegion } from "./arns";
import { CATEGORY_MEANING, describeError } from "./error-codes";
import type { CompleteEvent, ErrorEvent, McEvent } from "./events";
import { inputFileName, recordInputUri } from "./input-name";
import type { JobRecord } from "./job";

/** The job statuses a notification is sent for. */
export const NOTIFIED_STATUSES = ["COMPLETE", "ERROR"] as const;
export type NotifiedStatus = (typeof NOTIFIED_STATUSES)[number];
export type OutcomeEvent = CompleteEvent | ErrorEvent;

/** SNS: a subject is printable ASCII, fewer than 100 characters. */
export const SUBJECT_MAX_CHARS = 99;
/** SNS: a message is at most 256 KB (262,144 bytes of UTF-8). */
export const MESSAGE_MAX_BYTES = 262_144;
/** Output paths named one by one; the rest are counted. */
export const LISTED_OUTPUTS = 10;
/** Longest MediaConvert error message quoted; a longer one is cut (MediaConvert's are a sentence or two). */
const ERROR_MESSAGE_MAX_CHARS = 4000;
/** Longest path or URI quoted (S3 keys are at most 1024 bytes; this leaves room for the bucket and scheme). */
const PATH_MAX_CHARS = 1200;

export interface OutcomeMessage {
  subject: string;
  message: string;
}

/** Whether this event gets a notification for a stack whose application is `application`. */
export function isNotified(event: McEvent, application: string): event is OutcomeEvent {
  return (
    event.origin === "eventbridge" &&
    (event.status === "COMPLETE" || event.status === "ERROR") &&
    event.userMetadata.application === application
  );
}

/** The MediaConvert console page of a job, on the console of the region's partition. */
export function consoleJobUrl(region: string, jobId: string): string {
  const partition = partitionOfRegion(region);
  const host =
    partition === "aws-cn"
      ? "console.amazonaws.cn"
      : partition === "aws-us-gov"
        ? "console.amazonaws-us-gov.com"
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/mediaconvert/home?region=${region}#/jobs/summary/${jobId}`;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Printable ASCII only (accents dropped, anything else as "?"), one line, at most `max` characters. */
function asciiLine(text: string, max: number): string {
  const plain = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .trim();
  return plain.length <= max ? plain : `${plain.slice(0, max - 3)}...`;
}

/** A one-line value for the body: control characters made spaces, cut at `max` characters. */
function oneLine(text: string, max = PATH_MAX_CHARS): string {
  return clip(text.replace(/\p{Cc}+/gu, " ").trim(), max);
}

/** Every output path of a COMPLETE event, each once: the groups' manifests first, then the files. */
export function outputPaths(event: CompleteEvent): string[] {
  const seen = new Set<string>();
  for (const o of event.outputs) for (const p of o.playlistPaths ?? []) seen.add(p);
  for (const o of event.outputs) for (const p of o.paths) seen.add(p);
  return [...seen];
}

/** The input the message names: the record's (INPUT_INFORMATION, else the settings), else the watch folder's key. */
function inputOf(event: OutcomeEvent, job: JobRecord | undefined): string | undefined {
  return (job ? recordInputUri(job) : undefined) ?? event.userMetadata.input;
}

/**
 * The notification for a COMPLETE or ERROR event of a job, with the job's record after the event was folded in
 * (undefined when none could be read: the message then names what the event carries).
 */
export function renderNotification(event: OutcomeEvent, job: JobRecord | undefined, opts: { application: string }): OutcomeMessage {
  const input = inputOf(event, job);
  const inputName = input ? (inputFileName(input) ?? input) : undefined;
  const queue = event.queueName ?? job?.queueName;
  const subject = asciiLine(`MediaConvert job ${event.jobId} ${event.status}${inputName ? `: ${inputName}` : ""}`, SUBJECT_MAX_CHARS);
  const lines = [
    `MediaConvert job ${event.jobId} ${event.status === "COMPLETE" ? "is COMPLETE" : "failed (ERROR)"}.`,
    "",
    `Application: ${oneLine(opts.application)}`,
    `Region: ${event.region}`,
    `Queue: ${queue ? oneLine(queue) : "(not known)"}`,
    `Input: ${input ? oneLine(input) : "(not known)"}`,
    `Time: ${new Date(event.timestamp).toISOString()}`,
    "",
  ];
  if (event.status === "COMPLETE") {
    const paths = outputPaths(event);
    if (paths.length === 0) {
      lines.push("Outputs: the event lists no output paths.");
    } else {
      lines.push(`Outputs (${paths.length}):`);
      for (const p of paths.slice(0, LISTED_OUTPUTS)) lines.push(`  ${oneLine(p)}`);
      if (paths.length > LISTED_OUTPUTS) lines.push(`  …and ${paths.length - LISTED_OUTPUTS} more`);
    }
  } else {
    const info = describeError(event.errorCode);
    lines.push(
      event.errorCode === 0 ? "Error code: none given" : `Error ${event.errorCode} (${info.category}): ${info.meaning}`,
      `What to look at: ${CATEGORY_MEANING[info.category]}.`,
      `MediaConvert says: ${event.errorMessage ? oneLine(event.errorMessage, ERROR_MESSAGE_MAX_CHARS) : "(no message)"}`,
    );
  }
  lines.push("", `Open the job: ${consoleJobUrl(event.region, event.jobId)}`);
  return { subject, message: lines.join("\n") };
}
