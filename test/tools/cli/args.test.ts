import { strict as assert } from "node:assert";
import {
  positiveNumberArg,
  readArgv,
  regionArg,
  runCommand,
  usageErrorLine,
  UsageError,
  validate,
  wantsHelp,
  wholeNumberArg,
  type ArgvSpec,
} from "../../../tools/cli/args";
import { main } from "../../../tools/cli/mcjobs";
import { z } from "zod";
import { assertUsageError } from "./run-command";

const spec: ArgvSpec = {
  command: "demo",
  positionals: true,
  options: { name: { type: "string" }, tag: { type: "string", multiple: true }, loud: { type: "boolean" } },
};

function usageErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `not a UsageError: ${String(err)}`);
    return err.message;
  }
  assert.fail("no error thrown");
}

describe("cli: shared argument parsing", () => {
  it("takes --flag value and --flag=value alike, and repeated options where the option allows several", () => {
    const spaced = readArgv(spec, ["a", "--name", "x", "--tag", "t1", "--loud", "b", "--tag", "t2"]);
    const joined = readArgv(spec, ["a", "--name=x", "--tag=t1", "--loud", "b", "--tag=t2"]);
    assert.deepEqual(spaced.values, { name: "x", tag: ["t1", "t2"], loud: true });
    assert.deepEqual(joined.values, spaced.values);
    assert.deepEqual(joined.positionals, ["a", "b"]);
    assert.deepEqual(joined.order, ["name", "tag", "loud", "tag"]);
    // A single-valued option given twice keeps the last value.
    assert.equal(readArgv(spec, ["--name", "x", "--name=y"]).values.name, "y");
    // After "--" everything is a positional, and "=" inside a value is kept.
    assert.deepEqual(readArgv(spec, ["--name=a=b", "--", "--loud", "-h"]), {
      values: { name: "a=b" },
      positionals: ["--loud", "-h"],
      order: ["name"],
    });
  });

  it("says what is wrong with the command line in its own words", () => {
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["--frobnicate"])),
      "unknown option --frobnicate",
    );
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["--frobnicate=1"])),
      "unknown option --frobnicate",
    );
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["-x"])),
      "unknown option -x",
    );
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["--name"])),
      "--name needs a value",
    );
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["--name", "--loud"])),
      "--name needs a value",
    );
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["--name", "-5"])),
      '--name needs a value; to give one that starts with "-", write --name=-5',
    );
    assert.deepEqual(readArgv(spec, ["--name=-5"]).values, { name: "-5" });
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["--loud=yes"])),
      "--loud takes no value",
    );
    assert.equal(
      usageErrorOf(() => readArgv({ ...spec, positionals: false }, ["stray"])),
      'unexpected argument "stray"',
    );
    assert.equal(
      usageErrorOf(() => readArgv(spec, ["--constructor"])),
      "unknown option --constructor",
    );
  });

  it("sees --help and -h as options only", () => {
    assert.equal(wantsHelp(spec, ["--help"]), true);
    assert.equal(wantsHelp(spec, ["x", "-h", "--frobnicate"]), true);
    assert.equal(wantsHelp(spec, ["--name=--help"]), false);
    assert.equal(wantsHelp(spec, ["--", "--help"]), false);
    assert.equal(wantsHelp(spec, ["--name", "x"]), false);
    // Not an unknown option to the parser either.
    assert.deepEqual(readArgv(spec, ["-h"]).values, {});
  });

  it("validates with zod and joins every issue into one message", () => {
    const schema = z.object({ port: wholeNumberArg("--port", 0, 65535), speed: positiveNumberArg("--speed", 100), region: regionArg });
    assert.deepEqual(validate(schema, { port: "8080", speed: "2.5", region: "eu-west-1" }), {
      port: 8080,
      speed: 2.5,
      region: "eu-west-1",
    });
    assert.equal(
      usageErrorOf(() => validate(schema, { port: "65536", speed: "0", region: "Mars" })),
      '--port must be a whole number from 0 to 65535, not "65536"; --speed must be a number above 0 and at most 100, not "0"; --region must look like eu-west-1, not "Mars"',
    );
    for (const bad of ["", " ", "1.5", "-1", "0x10", "1e3", "abc"]) {
      assert.match(
        usageErrorOf(() => validate(schema.shape.port, bad)),
        /--port must be a whole number from 0 to 65535/,
        bad,
      );
    }
    for (const bad of ["", "fast", "-1", "101", "Infinity"]) {
      assert.match(
        usageErrorOf(() => validate(schema.shape.speed, bad)),
        /--speed must be a number above 0/,
        bad,
      );
    }
    assert.equal(validate(schema.shape.port, "0"), 0);
    assert.equal(validate(schema.shape.speed, "100"), 100);
  });

  it("prints one line for a usage error (exit 2), the usage for --help (exit 0), and lets other errors through", async () => {
    assert.equal(usageErrorLine("demo", "--name needs a value"), "mcjobs demo: --name needs a value. Run `mcjobs demo --help`.");
    assert.equal(usageErrorLine("demo", "two\nlines."), "mcjobs demo: two lines. Run `mcjobs demo --help`.");

    const printed: { out: string[]; err: string[] } = { out: [], err: [] };
    const log = console.log;
    const error = console.error;
    console.log = (...a: unknown[]) => void printed.out.push(a.join(" "));
    console.error = (...a: unknown[]) => void printed.err.push(a.join(" "));
    const ran: string[] = [];
    const parse = (argv: string[]) =>
      validate(z.object({ name: z.string({ message: "--name is required" }) }), readArgv(spec, argv).values);
    const body = async (args: { name: string }) => {
      ran.push(args.name);
      if (args.name === "boom") throw new Error("boom");
      return 0;
    };
    const full = { ...spec, usage: "Usage: mcjobs demo --name N" };
    try {
      assert.equal(await runCommand(full, ["--name=x"], parse, body), 0);
      assert.equal(await runCommand(full, ["--bogus", "--help"], parse, body), 0);
      assert.equal(await runCommand(full, ["--loud"], parse, body), 2);
      assert.equal(await runCommand(full, ["--name"], parse, body), 2);
      await assert.rejects(runCommand(full, ["--name", "boom"], parse, body), /boom/);
    } finally {
      console.log = log;
      console.error = error;
    }
    assert.deepEqual(ran, ["x", "boom"]);
    assert.deepEqual(printed.out, ["Usage: mcjobs demo --name N"]);
    assert.deepEqual(printed.err, [
      "mcjobs demo: --name is required. Run `mcjobs demo --help`.",
      "mcjobs demo: --name needs a value. Run `mcjobs demo --help`.",
    ]);
  });

  it("mcjobs passes --help to the command, which prints its usage only when --help is an option, not a missing value", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (...a: unknown[]) => void out.push(a.join(" "));
    console.error = (...a: unknown[]) => void err.push(a.join(" "));
    let help: number;
    let asValue: number;
    try {
      help = await main(["history", "--local", "somewhere", "--help"]);
      asValue = await main(["probe", "clip.mp4", "--budget", "--help"]);
    } finally {
      console.log = log;
      console.error = error;
    }
    assert.equal(help, 0);
    assert.match(out.join("\n"), /^Usage:\n {2}mcjobs history "<SQL>"/);
    assert.equal(out.length, 1);
    assertUsageError({ code: asValue, out: "", err: err.join("\n") }, "probe", /^--budget needs a value$/);
  });
});
