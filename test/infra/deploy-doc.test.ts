/**
 * docs/deploy.md against what it describes: npm scripts, `mcjobs` commands and flags, Pulumi CLI subcommands,
 * stack outputs, stack config keys and the runtime-settings attributes. A rename anywhere breaks this test
 * instead of leaving the guide wrong.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_KEYS, CONFIG_KEYS } from "../../infra/stack-config";
import { RUNTIME_FIELDS } from "../../lib/domain/runtime-settings";

const ROOT = path.join(__dirname, "..", "..");
const DOC = fs.readFileSync(path.join(ROOT, "docs", "deploy.md"), "utf8");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

/** The guide's shell commands: every line of its ```sh blocks, continuation lines joined, comments dropped. */
function shellLines(): string[] {
  const out: string[] = [];
  for (const block of DOC.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = block[1].replace(/\\\n\s*/g, " ");
    for (const line of joined.split("\n")) {
      const code = line.replace(/\s#\s.*$/, "").trim();
      if (code) out.push(code);
    }
  }
  return out;
}

/** Every command the guide shows, in code blocks and in `inline code`. */
function commandTexts(): string[] {
  const inline = [...DOC.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...shellLines(), ...inline];
}

/** The text under the heading (any level) containing `title`, up to the next heading. */
function section(title: string): string {
  const start = DOC.search(new RegExp(`^##+ .*${title}`, "m"));
  assert.ok(start >= 0, `docs/deploy.md has no section "${title}"`);
  const rest = DOC.slice(start + 3);
  const next = rest.search(/^##+ /m);
  return next < 0 ? rest : rest.slice(0, next);
}

/** First-column entries (`name`) of the markdown tables in `text`. */
function tableKeys(text: string): string[] {
  return [...text.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
}

/** Every `mcjobs` subcommand and the flags its usage text names (what `mcjobs <command> --help` prints). */
function cliCommands(): Map<string, Set<string>> {
  const dir = path.join(ROOT, "tools", "cli", "commands");
  const out = new Map<string, Set<string>>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    const mod = require(path.join(dir, f)) as { default?: { usage: string } };
    const usage = mod.default?.usage ?? "";
    out.set(f.slice(0, -3), new Set([...usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]).concat("help")));
  }
  return out;
}

/** Pulumi CLI commands (and `pulumi stack` subcommands) as of Pulumi 3.x. */
const PULUMI_COMMANDS = new Set([
  "about",
  "cancel",
  "config",
  "console",
  "convert",
  "destroy",
  "env",
  "import",
  "install",
  "login",
  "logout",
  "logs",
  "new",
  "org",
  "package",
  "plugin",
  "policy",
  "preview",
  "refresh",
  "schema",
  "stack",
  "state",
  "up",
  "version",
  "watch",
  "whoami",
]);
const PULUMI_STACK_COMMANDS = new Set([
  "change-secrets-provider",
  "export",
  "graph",
  "history",
  "import",
  "init",
  "ls",
  "output",
  "rename",
  "rm",
  "select",
  "tag",
  "unselect",
]);

const EXPORTS = [...fs.readFileSync(path.join(ROOT, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm)].map((m) => m[1]);

describe("infra: docs/deploy.md matches the repository", () => {
  it("every `npm run X` is a package.json script", () => {
    const runs = [...DOC.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    assert.ok(runs.includes("build") && runs.includes("check-stacks"), runs.join(", "));
    for (const r of runs) assert.ok(pkg.scripts[r], `npm run ${r}: no such script in package.json`);
  });

  it("every `mcjobs <command> --flag` is a real command and flag", () => {
    const commands = cliCommands();
    let seen = 0;
    for (const text of commandTexts()) {
      for (const m of text.matchAll(/\bmcjobs ([a-z][a-z-]*)((?:[^|;&`)]*))/g)) {
        const [, name, rest] = m;
        const flags = commands.get(name);
        assert.ok(flags, `mcjobs ${name}: no such command (known: ${[...commands.keys()].join(", ")})`);
        for (const f of rest.matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)) assert.ok(flags.has(f[1]), `mcjobs ${name} has no --${f[1]}`);
        seen++;
      }
    }
    assert.ok(seen >= 4, `expected the verification commands, found ${seen}`);
  });

  it("every `pulumi <command>` is a Pulumi CLI command", () => {
    let seen = 0;
    for (const text of commandTexts()) {
      for (const m of text.matchAll(/(?:^|[\s(])pulumi ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/g)) {
        assert.ok(PULUMI_COMMANDS.has(m[1]), `pulumi ${m[1]}: not a Pulumi CLI command`);
        if (m[1] === "stack" && m[2]) assert.ok(PULUMI_STACK_COMMANDS.has(m[2]), `pulumi stack ${m[2]}: not a pulumi stack command`);
        seen++;
      }
    }
    assert.ok(seen >= 8, `expected the deploy commands, found ${seen}`);
  });

  it("names only stack outputs index.ts exports, and explains every one", () => {
    assert.ok(EXPORTS.length > 20, EXPORTS.join(", "));
    const listed = tableKeys(section("Stack outputs"));
    assert.deepEqual([...listed].sort(), [...EXPORTS].sort(), "the outputs table lists exactly the exports of index.ts");
    for (const text of commandTexts()) {
      for (const m of text.matchAll(/pulumi stack output((?: -s \S+| --stack \S+)*) ([a-zA-Z]\w*)/g)) {
        assert.ok(EXPORTS.includes(m[2]), `pulumi stack output ${m[2]}: index.ts exports no ${m[2]}`);
      }
    }
  });

  it("lists every config key, and no key that is not one", () => {
    const keys = tableKeys(section("Configuration keys"));
    const own = keys.filter((k) => !k.startsWith("aws:"));
    assert.deepEqual([...own].sort(), [...CONFIG_KEYS].sort());
    const awsKeys = keys.filter((k) => k.startsWith("aws:")).map((k) => k.slice(4));
    assert.deepEqual([...awsKeys].sort(), [...AWS_KEYS].sort());
    for (const line of shellLines()) {
      const m = line.match(/pulumi config set(?: -s \S+)?(?: --path)? '?([\w:]+)/);
      if (!m) continue;
      const key = m[1];
      if (key.startsWith("aws:")) assert.ok((AWS_KEYS as readonly string[]).includes(key.slice(4)), `${line}: unknown key ${key}`);
      else assert.ok((CONFIG_KEYS as string[]).includes(key), `${line}: ${key} is not a config key`);
    }
  });

  it("the runtime settings table and example use exactly the item's attributes", () => {
    const runtime = section("Runtime settings");
    assert.deepEqual(tableKeys(runtime).sort(), Object.keys(RUNTIME_FIELDS).sort());
    const item = runtime.match(/--item '(\{[^']+\})'/);
    assert.ok(item, "a put-item example");
    const attrs = Object.keys(JSON.parse(item[1]) as Record<string, unknown>).filter((a) => a !== "key" && a !== "source");
    for (const a of attrs) assert.ok(a in RUNTIME_FIELDS, `put-item example: ${a} is not a runtime setting`);
    assert.match(item[1], /"key":\{"S":"collector-settings"\}/);
  });
});
