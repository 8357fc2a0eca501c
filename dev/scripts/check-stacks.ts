/**
 * `npm run check-stacks`: validates every Pulumi.<stack>.yaml of the repository against the stack-config schema
 * (infra/stack-config.ts), the same checks `pulumi up` makes before it creates anything, without Pulumi or AWS.
 *
 * For each file: it must be YAML with a `config:` mapping; every `<project>:` key must be a setting of this program
 * with an allowed value; the `aws:` keys the program passes to its provider must be valid, `aws:region` among
 * them. `aws:` keys the program does not read are left to the provider and only noted. Secure (encrypted) values
 * cannot be read here and are skipped.
 *
 * Prints one line per problem (`<file>: <key> = <value> <what is wrong and what is allowed>`) and exits 1 when there is any,
 * 0 otherwise. `npm run check-stacks -- <folder>` checks the stack files of another folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkStackConfig, unreadAwsKeyNote } from "../../infra/stack-config";

const yaml = require("js-yaml") as { load(text: string): unknown };

export interface StackFileReport {
  file: string;
  problems: { key: string; message: string }[];
  notes: string[];
}

/** Pulumi stores every config value as a string: scalars as written, lists and maps as JSON. */
function asConfigValue(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** Checks one stack file's text; `file` is its name (Pulumi.<stack>.yaml), `project` the name in Pulumi.yaml. */
export function checkStackFile(file: string, text: string, project: string): StackFileReport {
  const stack = path
    .basename(file)
    .replace(/^Pulumi\./, "")
    .replace(/\.ya?ml$/, "");
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    return { file, problems: [{ key: "(file)", message: `is not valid YAML: ${(e as Error).message.split("\n")[0]}` }], notes: [] };
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === undefined || config === null) {
    return {
      file,
      problems: [
        { key: "config", message: "has no config: section; a stack needs at least aws:region (pulumi config set aws:region <region>)" },
      ],
      notes: [],
    };
  }
  if (typeof config !== "object" || Array.isArray(config)) {
    return { file, problems: [{ key: "config", message: "must be a mapping of <namespace>:<key> to values" }], notes: [] };
  }
  const all: Record<string, string> = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      notes.push(`${key} is encrypted (secure) and was not checked`);
      continue;
    }
    all[key] = asConfigValue(value);
  }
  const { problems, unread } = checkStackConfig(all, { project, stack });
  notes.push(...unread.map(unreadAwsKeyNote));
  return { file, problems, notes };
}

/** The project name from Pulumi.yaml in `root`. */
export function projectName(root: string): string {
  const doc = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name?: unknown } | null;
  if (typeof doc?.name !== "string" || doc.name === "") throw new Error(`${path.join(root, "Pulumi.yaml")} has no name:`);
  return doc.name;
}

/** Checks every Pulumi.<stack>.yaml in `root`. */
export function checkStacks(root: string): StackFileReport[] {
  const project = projectName(root);
  return fs
    .readdirSync(root)
    .filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f))
    .sort()
    .map((f) => checkStackFile(f, fs.readFileSync(path.join(root, f), "utf8"), project));
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", ".."));
  const reports = checkStacks(root);
  let bad = 0;
  for (const r of reports) {
    for (const n of r.notes) console.log(`${r.file}: note: ${n}`);
    for (const p of r.problems) {
      bad++;
      // Messages mostly start with the key itself; the others get it in front.
      console.log(`${r.file}: ${p.message.startsWith(p.key) ? p.message : `${p.key} ${p.message}`}`);
    }
  }
  if (reports.length === 0) {
    console.log("check-stacks: no Pulumi.<stack>.yaml found");
    process.exit(1);
  }
  console.log(
    bad === 0
      ? `check-stacks: ${reports.length} stack file(s) valid (${reports.map((r) => r.file).join(", ")})`
      : `check-stacks: ${bad} problem(s); fix each value as its line says (docs/deploy.md lists every key)`,
  );
  process.exit(bad === 0 ? 0 : 1);
}
