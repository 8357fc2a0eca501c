/** Reading what arrives: the events an invocation carries, their ids for logs, and the input a job probes. */
import type { JobItem } from "../adapters/jobs-store";

/** One invocation's input → the list of raw events it carries. */
export function eventsOf(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (input && typeof input === "object" && Array.isArray((input as { events?: unknown }).events)) {
    return (input as { events: unknown[] }).events;
  }
  return [input];
}

/** The event and job ids of a raw event, when it has them (for logs and the dead-letter queue). */
export function rawIds(raw: unknown): { eventId?: string; jobId?: string } {
  if (!raw || typeof raw !== "object") return {};
  const r = raw as { id?: unknown; detail?: { jobId?: unknown } };
  return {
    eventId: typeof r.id === "string" ? r.id : undefined,
    jobId: typeof r.detail?.jobId === "string" ? r.detail.jobId : undefined,
  };
}

/** The raw event as JSON text, or its string form when it cannot be serialised. */
export function safeJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? "null";
  } catch {
    return String(raw);
  }
}

/** Input URI worth probing, from the job item: INPUT_INFORMATION's, else the first input of the settings. */
export function inputUri(item: JobItem): string | undefined {
  const fromEvent = (item.input as { uri?: unknown } | undefined)?.uri;
  const fromSettings = (item.settings as { inputs?: Array<{ uri?: unknown }> } | undefined)?.inputs?.[0]?.uri;
  const uri = typeof fromEvent === "string" ? fromEvent : fromSettings;
  return typeof uri === "string" && uri.startsWith("s3://") ? uri : undefined;
}
