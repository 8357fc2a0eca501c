/**
 * `mcjobs replay <file|dir>…`: folds MediaConvert events from files through the domain's reducer, offline, and
 * prints one JSON line per job with its final record.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { Command } from "../mcjobs";
import { readArgv, runCommand, validate, type CommandSpec } from "../args";
import { parseEvent, type McEvent } from "../../../lib/domain/events";
import { reduceByJob } from "../../../lib/domain/reducer";

const usage = `Usage:
  mcjobs replay <file|dir>... [--quiet]

Reads MediaConvert EventBridge events and prints one JSON line per job (in order of first appearance) with the
job record the events add up to. Arrival order does not matter, duplicates count once.

Inputs, read in the order given:
  FILE.json     one event, or an array of events
  FILE.jsonl    one event per line (also .ndjson); blank lines are skipped
  DIR           every .json/.jsonl/.ndjson file below it, recursively, in name order

Rejected events (invalid JSON, not a MediaConvert job state change, malformed fields) are listed on stderr as
  FILE:LINE: KIND: REASON

Options:
  --quiet       do not list rejected events (still counted in the exit status)

Exit codes: 0 every event was used, 1 at least one was rejected (the records of the others are still printed),
2 bad usage or an unreadable path.`;

export interface Rejection {
  file: string;
  line: number;
  kind: string;
  reason: string;
}

export interface ReplayInput {
  events: McEvent[];
  rejected: Rejection[];
}

const EVENT_FILE = /\.(json|jsonl|ndjson)$/i;

/** Files to read for the given paths: files as given, directories expanded recursively in name order. */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && EVENT_FILE.test(entry.name)) out.push(full);
    }
  };
  for (const p of paths) {
    const st = fs.statSync(p); // throws ENOENT with the path in the message
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Line numbers where each top-level element of a JSON array starts (the text must be valid JSON). */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let inString = false;
  let line = 1;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\n") continue;
    if (depth === 1 && expectElement && c !== "]") {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1 && c === "[") expectElement = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) expectElement = true;
  }
  return lines;
}

function jsonErrorLine(text: string, err: Error): number {
  const m = /position (\d+)/.exec(err.message);
  if (m) return lineAt(text, Number(m[1]));
  const l = /line (\d+)/.exec(err.message);
  return l ? Number(l[1]) : 1;
}

/** Reads and validates every event in the given files, in order. */
export function readEvents(files: string[]): ReplayInput {
  const events: McEvent[] = [];
  const rejected: Rejection[] = [];
  const take = (file: string, line: number, raw: unknown) => {
    const r = parseEvent(raw);
    if (r.ok) events.push(r.event);
    else rejected.push({ file, line, kind: r.kind, reason: r.reason });
  };
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    if (/\.(jsonl|ndjson)$/i.test(file)) {
      text.split("\n").forEach((lineText, i) => {
        if (lineText.trim() === "") return;
        let raw: unknown;
        try {
          raw = JSON.parse(lineText);
        } catch (err) {
          rejected.push({ file, line: i + 1, kind: "invalid-json", reason: (err as Error).message });
          return;
        }
        take(file, i + 1, raw);
      });
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      rejected.push({ file, line: jsonErrorLine(text, err as Error), kind: "invalid-json", reason: (err as Error).message });
      continue;
    }
    if (Array.isArray(raw)) {
      const lines = arrayElementLines(text);
      raw.forEach((item, i) => {
        take(file, lines[i] ?? 1, item);
      });
    } else {
      take(file, lineAt(text, text.search(/\S/)), raw);
    }
  }
  return { events, rejected };
}

const spec = { command: "replay", usage, positionals: true, options: { quiet: { type: "boolean" } } } satisfies CommandSpec;

const ArgsSchema = z.object({
  paths: z.array(z.string()).min(1, "give at least one file or directory"),
  quiet: z.boolean().default(false),
});

/** Reads `mcjobs replay`'s paths and options; throws UsageError. */
export function parseReplayArgs(argv: string[]): z.infer<typeof ArgsSchema> {
  const { values, positionals } = readArgv(spec, argv);
  return validate(ArgsSchema, { ...values, paths: positionals });
}

const command: Command = {
  summary: "Fold MediaConvert events from files into job records (one JSON line per job)",
  usage,
  run: (argv) => runCommand(spec, argv, parseReplayArgs, (args) => replay(args.paths, args.quiet)),
};

async function replay(paths: string[], quiet: boolean): Promise<number> {
  let files: string[];
  try {
    files = expandPaths(paths);
  } catch (err) {
    console.error(`mcjobs replay: ${(err as Error).message}`);
    return 2;
  }
  const { events, rejected } = readEvents(files);
  for (const record of reduceByJob(events)) process.stdout.write(`${JSON.stringify(record)}\n`);
  if (!quiet) {
    for (const r of rejected) process.stderr.write(`${r.file}:${r.line}: ${r.kind}: ${r.reason}\n`);
  }
  if (rejected.length > 0) {
    process.stderr.write(`mcjobs replay: ${rejected.length} event(s) rejected, ${events.length} used\n`);
    return 1;
  }
  return 0;
}

export default command;
