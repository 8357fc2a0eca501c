/**
 * The twin's state folder (default `.mcjobs/`): the stand-ins' data (`dynamodb/`, `kinesis/`, `s3/`), the
 * `lake/`, the twin's own files under `twin/` (checkpoints, published notifications, dead letters, watch-folder ledger), the local
 * `inbox/` and `twin.json`, which tells the other commands (and people, with jq) where the running twin is and is
 * removed on a clean stop. One twin at a time per folder.
 *
 * twin.json's `endpoints` name every endpoint twice: by service (`dynamodb`, `kinesis`, `s3`, `firehose`, `sqs`,
 * `mediaconvert`, and `api` for the Jobs API) for an outside client such as the AWS CLI, and by the
 * `MCJOBS_ENDPOINT_<SERVICE>` variable the handlers read, for an environment file. `region` is the stand-ins'.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";

/** What `fresh` wipes: everything but the inbox and files that are not the twin's. */
const STATE_PARTS = ["dynamodb", "kinesis", "s3", "lake", "twin", "twin.json"];

export interface StateDir {
  dir: string;
  twinDir: string;
  inboxDir: string;
  lakeDir: string;
  stateFile: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Creates the folder, refuses it while another live twin holds it, and wipes the twin's part of it when `fresh`.
 * A `twin.json` that cannot be read, or names a process that is gone, is left over from a crash and ignored.
 */
export function openStateDir(opts: { dir?: string; fresh?: boolean }): StateDir {
  const dir = path.resolve(opts.dir ?? ".mcjobs");
  const stateFile = path.join(dir, "twin.json");
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(stateFile)) {
    let holder: number | undefined;
    try {
      holder = (JSON.parse(fs.readFileSync(stateFile, "utf8")) as { pid?: number }).pid;
    } catch {
      holder = undefined;
    }
    if (holder && holder !== process.pid && pidAlive(holder)) {
      throw new Error(
        `Another twin (pid ${holder}) is running with state folder ${dir}. Stop it (Ctrl-C in its terminal) or use another --dir.`,
      );
    }
  }
  if (opts.fresh) {
    for (const part of STATE_PARTS) fs.rmSync(path.join(dir, part), { recursive: true, force: true });
  }
  const twinDir = path.join(dir, "twin");
  fs.mkdirSync(twinDir, { recursive: true });
  return { dir, twinDir, inboxDir: path.join(dir, "inbox"), lakeDir: path.join(dir, "lake"), stateFile };
}

const ENDPOINT_VARIABLE = "MCJOBS_ENDPOINT_";

/** The content with each `MCJOBS_ENDPOINT_<SERVICE>` endpoint also under its service's name, and the API's. */
export function withServiceEndpoints(content: Record<string, unknown>): Record<string, unknown> {
  const given = content.endpoints !== null && typeof content.endpoints === "object" ? (content.endpoints as Record<string, unknown>) : {};
  const byService: Record<string, unknown> = {};
  for (const [name, url] of Object.entries(given)) {
    if (name.startsWith(ENDPOINT_VARIABLE)) byService[name.slice(ENDPOINT_VARIABLE.length).toLowerCase()] = url;
  }
  if (typeof content.apiUrl === "string") byService.api = content.apiUrl;
  return { ...content, endpoints: { ...byService, ...given } };
}

/** `twin.json`: written once the twin is up; `stop` removes it, if it was written. */
export function stateFileWriter(file: string): { write(content: Record<string, unknown>): void; stop(): Promise<void> } {
  let written = false;
  return {
    write(content) {
      fs.writeFileSync(file, JSON.stringify(withServiceEndpoints(content), null, 2));
      written = true;
    },
    async stop() {
      if (written) fs.rmSync(file, { force: true });
    },
  };
}

const RunningTwinSchema = z.looseObject({
  pid: z.number().int().positive(),
  apiUrl: z.url(),
  region: z.string().optional(),
  endpoints: z.record(z.string(), z.string()).default({}),
});

export type RunningTwin = z.infer<typeof RunningTwinSchema>;

/** The twin running with state folder `dir`, from its twin.json; throws a message that says what to do. */
export function readRunningTwin(dir: string): RunningTwin {
  const folder = path.resolve(dir);
  const file = path.join(folder, "twin.json");
  const start = `Start one with \`mcjobs start --dir ${dir}\` (or give the folder it uses with --dir).`;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`No twin is running with state folder ${folder}: there is no ${file}. ${start}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON (${(err as Error).message}); it is not a running twin's. ${start}`);
  }
  const parsed = RunningTwinSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ");
    throw new Error(`${file} does not describe a running twin (${problems}). ${start}`);
  }
  if (!pidAlive(parsed.data.pid)) {
    throw new Error(`${file} names process ${parsed.data.pid}, which is not running: that twin stopped without cleaning up. ${start}`);
  }
  return parsed.data;
}
