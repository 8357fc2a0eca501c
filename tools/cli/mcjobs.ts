/**
 * `mcjobs` command dispatcher. Each command lives in `tools/cli/commands/<name>.ts` and exports a `Command`;
 * adding a command means adding a file, nothing here changes.
 */
import { exitWhenFlushed } from "./exit";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Command {
  /** One line shown in `mcjobs --help`. */
  summary: string;
  /** Full usage text shown by `mcjobs <command> --help`. */
  usage: string;
  /** Runs the command (argv after its name, `--help` included); resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

const commandsDir = path.join(__dirname, "commands");

function commandNames(): string[] {
  return fs
    .readdirSync(commandsDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

function load(name: string): Command {
  const mod = require(path.join(commandsDir, `${name}.ts`));
  return (mod.default ?? mod.command) as Command;
}

function topHelp(): string {
  const lines = ["Usage: mcjobs <command> [options]", "", "Commands:"];
  for (const name of commandNames()) lines.push(`  ${name.padEnd(10)} ${load(name).summary}`);
  lines.push("", "Run `mcjobs <command> --help` for a command's options.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(topHelp());
    return name ? 0 : 2;
  }
  if (!commandNames().includes(name)) {
    console.error(`mcjobs: unknown command "${name}". Known commands: ${commandNames().join(", ")}.`);
    return 2;
  }
  const command = load(name);
  try {
    // Each command parses its own argv (tools/cli/args.ts): --help, usage errors and exit code 2 included.
    return await command.run(rest);
  } catch (err) {
    console.error(`mcjobs ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(exitWhenFlushed);
}
