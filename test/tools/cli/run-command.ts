/**
 * Test helpers for `mcjobs` commands: run one in this process with its console output captured, and check the
 * one-line usage error every command prints for a bad command line; or run the real launcher into a pipe.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { Command } from "../../../tools/cli/mcjobs";

export interface CommandRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `command` with argv as `mcjobs <name> …argv` would, capturing console.log and console.error. */
export async function runInProcess(command: Command, argv: string[]): Promise<CommandRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await command.run(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Asserts exit code 2, nothing on stdout, and one stderr line `mcjobs NAME: WHAT. Run \`mcjobs NAME --help\`.` */
export function assertUsageError(run: CommandRun, name: string, what: RegExp): void {
  assert.equal(run.code, 2, `exit code (stderr: ${run.err})`);
  assert.equal(run.out.trim(), "", "nothing on stdout");
  const lines = run.err.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.err}`);
  const m = new RegExp(`^mcjobs ${name}: (.+)\\. Run \`mcjobs ${name} --help\`\\.$`).exec(lines[0]);
  assert.ok(m, `not the usage-error line: ${lines[0]}`);
  assert.match(m[1], what);
}

const BIN = path.resolve(__dirname, "../../../tools/cli/bin.js");

/** Runs `node bin.js ARGS | cat` (so the CLI writes into a real pipe read by another process); resolves to cat's stdout. */
export function throughPipe(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return new Promise((resolve, reject) => {
    const sh = spawn("sh", ["-c", `${quoted} | cat`], { env, stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    sh.stdout.on("data", (c: Buffer) => chunks.push(c));
    sh.on("error", reject);
    sh.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
