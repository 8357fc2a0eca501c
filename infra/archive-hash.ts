/**
 * Content hash of Lambda code: a folder (what a `FileArchive` deploys) or a single file.
 *
 * The hash covers each file's path relative to the folder (`/`-separated, sorted) and its bytes, nothing else: no
 * timestamps, modes or the folder's own location. Two folders with the same files hash the same wherever they are,
 * and changing, adding or renaming one file changes it. The program's builder (infra/lambda-bundle.ts) uses it to
 * leave an unchanged bundle on disk alone, and the test harness records it for every archive a resource registers.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** One file of an archive: its path inside the archive (`/`-separated) and its bytes. */
export interface ArchiveFile {
  path: string;
  bytes: Uint8Array;
}

/** sha256 (hex) over the files, sorted by path; each entry is length-prefixed so no two file sets collide. */
export function filesHash(files: readonly ArchiveFile[]): string {
  const hash = createHash("sha256");
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    const name = Buffer.from(f.path, "utf8");
    hash.update(`${name.length}:`).update(name).update(`${f.bytes.length}:`).update(f.bytes);
  }
  return hash.digest("hex");
}

/** Every regular file under `dir`, with paths relative to it. Symbolic links are followed. */
export function readArchiveFiles(dir: string): ArchiveFile[] {
  const out: ArchiveFile[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel))) {
      const relPath = rel ? `${rel}/${entry}` : entry;
      const stat = fs.statSync(path.join(dir, relPath));
      if (stat.isDirectory()) walk(relPath);
      else if (stat.isFile()) out.push({ path: relPath, bytes: fs.readFileSync(path.join(dir, relPath)) });
    }
  };
  walk("");
  return out;
}

/** Hash of a folder's files, or of one file's bytes (under its base name). Throws when `p` does not exist. */
export function archiveHash(p: string): string {
  const stat = fs.statSync(p);
  if (stat.isDirectory()) return filesHash(readArchiveFiles(p));
  return filesHash([{ path: path.basename(p), bytes: fs.readFileSync(p) }]);
}
