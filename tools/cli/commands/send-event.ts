/**
 * `mcjobs send-event FILE…`: sends captured MediaConvert EventBridge events into the running local twin, which
 * routes them with the deployed rules as EventBridge would (POST /twin/events on the twin's front door).
 */
import * as fs from "node:fs";
import { z } from "zod";
import { capturedEventProblems, MAX_EVENT_BYTES, MAX_EVENTS_PER_POST, type IntakeEntry } from "../../twin/front-door";
import { readRunningTwin } from "../../twin/state";
import { readArgv, runCommand, validate, type CommandSpec } from "../args";
import type { Command } from "../mcjobs";

const usage = `Usage: mcjobs send-event FILE... [--dir DIR]

Sends captured MediaConvert EventBridge events ("MediaConvert Job State Change") into the local twin started with
\`mcjobs start\`. The twin's rules route them with the deployed patterns, as EventBridge does: the collector
records them, and COMPLETE/ERROR events of this application reach the notifications.

Each FILE (\`-\` reads stdin) holds one event, a JSON array of events, or one event per line (JSON lines).
Every event is checked first: source aws.mediaconvert, detail-type "MediaConvert Job State Change", an id, and
a detail with jobId and status (at most ${MAX_EVENT_BYTES} bytes, EventBridge's limit). Refused events are listed on
stderr as FILE (one event), FILE, event N (an array) or FILE:LINE (JSON lines), with what is wrong; the others
are still sent.

Options:
  --dir DIR   state folder of the running twin (default .mcjobs; the one given to \`mcjobs start\`)

Exit codes: 0 every event was delivered, 1 at least one was refused (by this check or by the twin) or the twin
is not running, 2 bad usage or a file that cannot be read.`;

const spec = { command: "send-event", usage, positionals: true, options: { dir: { type: "string" } } } satisfies CommandSpec;

const ArgsSchema = z.object({
  files: z
    .array(z.string())
    .min(1, "give at least one file of events (or - for stdin)")
    .refine((f) => f.filter((x) => x === "-").length <= 1, "stdin (-) can be read only once"),
  dir: z.string().min(1, "--dir needs a folder").default(".mcjobs"),
});

export type SendEventArgs = z.infer<typeof ArgsSchema>;

/** Reads `mcjobs send-event`'s files and options; throws UsageError. */
export function parseSendEventArgs(argv: string[]): SendEventArgs {
  const { values, positionals } = readArgv(spec, argv);
  return validate(ArgsSchema, { ...values, files: positionals });
}

/** An event read from a file, and where it was: `FILE`, `FILE, event N` or `FILE:LINE`. */
export interface Located {
  where: string;
  event: unknown;
}

/** Every event in one file's text, checked; refusals carry where the event was and what is wrong. */
export function readCapturedEvents(name: string, text: string): { events: Located[]; refused: Array<{ where: string; reason: string }> } {
  const events: Located[] = [];
  const refused: Array<{ where: string; reason: string }> = [];
  const take = (where: string, event: unknown) => {
    const problems = capturedEventProblems(event);
    if (problems.length === 0) events.push({ where, event });
    else refused.push({ where, reason: problems.join("; ") });
  };
  const lines = text.split("\n");
  const filled = lines.filter((l) => l.trim() !== "");
  if (filled.length === 0) return { events, refused: [{ where: name, reason: "no events: the file is empty" }] };
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch (err) {
    // Not one JSON document: JSON lines, when every line holds an object; otherwise a broken document.
    if (!filled.every((l) => l.trim().startsWith("{")))
      return { events, refused: [{ where: name, reason: `not JSON: ${(err as Error).message}` }] };
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        take(`${name}:${i + 1}`, JSON.parse(line));
      } catch (lineErr) {
        refused.push({ where: `${name}:${i + 1}`, reason: `not JSON: ${(lineErr as Error).message}` });
      }
    });
    return { events, refused };
  }
  if (Array.isArray(whole)) {
    whole.forEach((event, i) => {
      take(`${name}, event ${i + 1}`, event);
    });
  } else take(name, whole);
  return { events, refused };
}

/** Groups events into requests the intake takes: at most MAX_EVENTS_PER_POST and about 4 MiB each. */
function requests(events: Located[]): Located[][] {
  const out: Located[][] = [];
  let current: Located[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = Buffer.byteLength(JSON.stringify(e.event));
    if (current.length > 0 && (current.length >= MAX_EVENTS_PER_POST || bytes + size > 4 * 1024 * 1024)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Posts one request; what became of each of its events, in order. */
async function post(url: string, batch: Located[]): Promise<IntakeEntry[]> {
  const refuseAll = (message: string) => batch.map(() => ({ error: { code: "NotDelivered", message } }));
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch.map((e) => e.event)),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    return refuseAll(`the twin at ${new URL(url).origin} did not answer (${(err as Error).message}); is it still running?`);
  }
  const text = await res.text();
  let body: { entries?: IntakeEntry[]; error?: { code?: string; message?: string } };
  try {
    body = JSON.parse(text);
  } catch {
    return refuseAll(`the twin answered HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (res.ok && Array.isArray(body.entries) && body.entries.length === batch.length) return body.entries;
  return refuseAll(
    `the twin refused the request (HTTP ${res.status} ${body.error?.code ?? ""}): ${body.error?.message ?? text.slice(0, 200)}`,
  );
}

function readInput(file: string): string {
  return file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(file, "utf8");
}

async function sendEvents(args: SendEventArgs): Promise<number> {
  const located: Located[] = [];
  const refused: Array<{ where: string; reason: string }> = [];
  for (const file of args.files) {
    let text: string;
    try {
      text = readInput(file);
    } catch (err) {
      console.error(`mcjobs send-event: cannot read ${file === "-" ? "stdin" : file}: ${(err as Error).message}. Nothing was sent.`);
      return 2;
    }
    const read = readCapturedEvents(file === "-" ? "stdin" : file, text);
    located.push(...read.events);
    refused.push(...read.refused);
  }
  let delivered = 0;
  const rules = new Map<string, number>();
  const unmatched: string[] = [];
  if (located.length > 0) {
    let apiUrl: string;
    try {
      apiUrl = readRunningTwin(args.dir).apiUrl;
    } catch (err) {
      console.error(`mcjobs send-event: ${(err as Error).message} Nothing was sent.`);
      return 1;
    }
    const intake = new URL("/twin/events", apiUrl).toString();
    for (const batch of requests(located)) {
      const entries = await post(intake, batch);
      entries.forEach((entry, i) => {
        if ("error" in entry) {
          refused.push({ where: batch[i].where, reason: `the twin refused it: ${entry.error.message}` });
          return;
        }
        delivered++;
        for (const rule of entry.rules) rules.set(rule, (rules.get(rule) ?? 0) + 1);
        if (entry.rules.length === 0)
          unmatched.push(`${batch[i].where}: job ${entry.jobId} matched no rule, so the twin dropped it (as EventBridge does)`);
      });
    }
  }
  for (const r of refused) console.error(`${r.where}: ${r.reason}`);
  for (const line of unmatched) console.error(line);
  const byRule = [...rules].map(([rule, n]) => `${rule} ${n}`).join(", ");
  console.log(`mcjobs send-event: ${delivered} event(s) delivered${byRule ? ` (rules: ${byRule})` : ""}, ${refused.length} refused`);
  return refused.length > 0 ? 1 : 0;
}

const command: Command = {
  summary: "send captured MediaConvert events into the running local twin, through its rules",
  usage,
  run: (argv) => runCommand(spec, argv, parseSendEventArgs, sendEvents),
};

export default command;
