/**
 * Argument parsing shared by every `mcjobs` command: `node:util` parseArgs in strict mode splits argv (so
 * `--flag value` and `--flag=value` both work, unknown options are refused, `--` ends the options), zod checks
 * the values, and any mistake becomes one line on stderr with exit code 2. `--help`/`-h` prints the usage.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";

/** The options of a command, as parseArgs takes them (`help` is added for every command). */
export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface ArgvSpec {
  /** The command's name as typed after `mcjobs`, used in messages. */
  command: string;
  options: OptionSpec;
  /** Whether the command takes arguments that are not options (files, SQL, a job id…). */
  positionals?: boolean;
}

/** A command's argv spec with the usage text printed for --help. */
export interface CommandSpec extends ArgvSpec {
  usage: string;
}

export interface ReadArgv {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
  /** Names of the options in the order they were given (repeated ones appear each time). */
  order: string[];
}

/** A mistake in the command line; its message says what is wrong, in words the user can act on. */
export class UsageError extends Error {}

const HELP: OptionSpec = { help: { type: "boolean", short: "h" } };

function withHelp(spec: ArgvSpec): OptionSpec {
  return { ...spec.options, ...HELP };
}

/** parseArgs without strict checks: every token as given, to say what is wrong when the strict parse refuses. */
function looseTokens(spec: ArgvSpec, argv: string[]) {
  return parseArgs({ args: argv, options: withHelp(spec), strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** Whether a word names one of the options (`--name`, `--name=…`, `-x`). */
function isOption(options: OptionSpec, word: string): boolean {
  if (word.startsWith("--")) return Object.hasOwn(options, word.slice(2).split("=")[0]);
  return Object.values(options).some((o) => o.short === word.slice(1, 2));
}

/** The first problem in argv, in our words (parseArgs's own messages name its API, not the command). */
function diagnose(spec: ArgvSpec, argv: string[]): string | undefined {
  const options = withHelp(spec);
  for (const t of looseTokens(spec, argv)) {
    if (t.kind === "positional" && !spec.positionals) return `unexpected argument "${t.value}"`;
    if (t.kind !== "option") continue;
    const option = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!option) return `unknown option ${t.rawName}`;
    if (option.type === "boolean" && t.value !== undefined) return `${t.rawName} takes no value`;
    if (option.type !== "string") continue;
    if (t.value === undefined) return `${t.rawName} needs a value`;
    if (!t.inlineValue && t.value.length > 1 && t.value.startsWith("-")) {
      // The next word is another option (the value was left out), or a value that starts with "-".
      if (isOption(options, t.value)) return `${t.rawName} needs a value`;
      return `${t.rawName} needs a value; to give one that starts with "-", write ${t.rawName}=${t.value}`;
    }
  }
  return undefined;
}

/** True when argv asks for the usage (`--help` or `-h` as an option, not as a value or after `--`). */
export function wantsHelp(spec: ArgvSpec, argv: string[]): boolean {
  return looseTokens(spec, argv).some((t) => t.kind === "option" && t.name === "help");
}

/** Splits argv into option values and positionals; throws UsageError for anything strict parseArgs refuses. */
export function readArgv(spec: ArgvSpec, argv: string[]): ReadArgv {
  const parse = () =>
    parseArgs({ args: argv, options: withHelp(spec), strict: true, allowPositionals: spec.positionals ?? false, tokens: true });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError(diagnose(spec, argv) ?? String((err as Error).message).split("\n")[0]);
  }
  const values: ReadArgv["values"] = { ...parsed.values };
  delete values.help;
  const order = parsed.tokens.flatMap((t) => (t.kind === "option" && t.name !== "help" ? [t.name] : []));
  return { values, positionals: parsed.positionals, order };
}

/** Runs a zod schema over what was read; every issue goes into one UsageError, joined by "; ". */
export function validate<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const messages = [...new Set(result.error.issues.map((i) => i.message))];
  throw new UsageError(messages.join("; "));
}

/** The one line printed for a usage mistake. */
export function usageErrorLine(command: string, message: string): string {
  const what = message
    .replace(/\s*\n\s*/g, " ")
    .trim()
    .replace(/\.+$/, "");
  return `mcjobs ${command}: ${what}. Run \`mcjobs ${command} --help\`.`;
}

/**
 * Runs a command: prints the usage for --help/-h (exit 0), parses argv with `parse`, prints a UsageError as one
 * line (exit 2), and otherwise resolves to what `body` returns. Other errors propagate to the dispatcher.
 */
export async function runCommand<T>(
  spec: CommandSpec,
  argv: string[],
  parse: (argv: string[]) => T | Promise<T>,
  body: (args: T) => Promise<number>,
): Promise<number> {
  if (wantsHelp(spec, argv)) {
    console.log(spec.usage);
    return 0;
  }
  let args: T;
  try {
    args = await parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageErrorLine(spec.command, err.message));
    return 2;
  }
  return body(args);
}

// ---- values shared by several commands ---------------------------------------------------------------------------

/** An AWS region name such as eu-west-1. */
export const regionArg = z.string().superRefine((text, ctx) => {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(text)) ctx.addIssue({ code: "custom", message: `--region must look like eu-west-1, not "${text}"` });
});

/** A whole number from min to max, given as text; the message names the flag and the range. */
export function wholeNumberArg(flag: string, min: number, max: number) {
  return z.string().transform((text, ctx) => {
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    ctx.addIssue({ code: "custom", message: `${flag} must be a whole number from ${min} to ${max}, not "${text}"` });
    return z.NEVER;
  });
}

/** A number above 0 and at most max (fractions allowed), given as text. */
export function positiveNumberArg(flag: string, max: number) {
  return z.string().transform((text, ctx) => {
    const n = text.trim() === "" ? NaN : Number(text);
    if (Number.isFinite(n) && n > 0 && n <= max) return n;
    ctx.addIssue({ code: "custom", message: `${flag} must be a number above 0 and at most ${max}, not "${text}"` });
    return z.NEVER;
  });
}
