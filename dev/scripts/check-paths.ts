/**
 * `npm run check:paths`: fails when a tracked file names a path outside the repository.
 *
 * A clone must work wherever it is put and with nothing beside it, so no file may point at the machine it was
 * written on (absolute paths under home or work folders) or climb out of the repository with `../`. What is
 * flagged:
 *  - absolute paths under /work, /home, /Users, /root or /mnt;
 *  - a relative path with `../` that, resolved from the file's folder, lands outside the repository.
 * System locations (/usr/bin/chromium, /tmp, /dev/null, …) are not the repository's business and pass.
 *
 * Prints one line per finding (`file:line: path — why`) and exits 1 when there is any, 0 otherwise.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Finding {
  file: string;
  line: number;
  path: string;
  why: string;
}

const MACHINE_PATH = /(?<![\w.:/@-])\/(?:work|home|Users|root|mnt)\/[\w.@-]+(?:\/[\w.@-]+)*/g;
const CLIMBING_PATH = /(?<![\w./-])(?:\.\.\/)+[\w.@-]+(?:\/[\w.@-]+)*/g;
const BINARY_OR_BULKY = /\.(png|jpe?g|gif|wasm|mp4|mov|parquet|ico|woff2?)$/i;

/** Every finding in one file's text; `file` is relative to `root`. */
export function findOutsidePaths(root: string, file: string, text: string): Finding[] {
  const found: Finding[] = [];
  const dir = path.dirname(path.join(root, file));
  text.split("\n").forEach((lineText, i) => {
    for (const m of lineText.matchAll(MACHINE_PATH)) {
      found.push({ file, line: i + 1, path: m[0], why: "an absolute path on the machine it was written on" });
    }
    for (const m of lineText.matchAll(CLIMBING_PATH)) {
      const target = path.resolve(dir, m[0]);
      const rel = path.relative(root, target);
      if (rel.startsWith("..") || path.isAbsolute(rel)) {
        found.push({ file, line: i + 1, path: m[0], why: "climbs out of the repository" });
      }
    }
  });
  return found;
}

/** Every finding in the files git tracks under `root`. */
export function checkRepository(root: string): Finding[] {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
  const found: Finding[] = [];
  for (const file of files) {
    if (BINARY_OR_BULKY.test(file) || file.endsWith("package-lock.json")) continue;
    const full = path.join(root, file);
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) continue;
    const text = fs.readFileSync(full, "utf8");
    if (text.includes("\0")) continue;
    found.push(...findOutsidePaths(root, file, text));
  }
  return found;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", ".."));
  const found = checkRepository(root);
  for (const f of found) process.stdout.write(`${f.file}:${f.line}: ${f.path} — ${f.why}\n`);
  if (found.length > 0) {
    process.stdout.write(`check-paths: ${found.length} path(s) outside the repository; a clone elsewhere would not find them.\n`, () =>
      process.exit(1),
    );
  } else {
    process.stdout.write("check-paths: no tracked file names a path outside the repository.\n");
  }
}
