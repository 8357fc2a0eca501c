/**
 * The Kinesis poller's checkpoints on disk: per shard, the last sequence number the consumer accepted and the
 * tumbling window still open, so a restarted twin resumes where it was. Written whole to a temporary file and
 * renamed, so a crash never leaves half a file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { OpenWindow } from "./kinesis-delivery";

export interface ShardCheckpoint {
  seq?: string;
  window?: OpenWindow;
}

export interface Checkpoints {
  /** Per shard id; entries are changed in place and written by `save`. */
  shards: Record<string, ShardCheckpoint>;
  save(): void;
}

/** Reads `file` (none = nothing kept between runs); an unreadable file is an error that says what to do. */
export function loadCheckpoints(file: string | undefined): Checkpoints {
  let shards: Record<string, ShardCheckpoint> = {};
  if (file && fs.existsSync(file)) {
    try {
      shards = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, ShardCheckpoint>;
    } catch (err) {
      throw new Error(`Checkpoint file ${file} is not valid JSON (${(err as Error).message}); delete it or start with --fresh.`);
    }
  }
  return {
    shards,
    save() {
      if (!file) return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(shards));
      fs.renameSync(tmp, file);
    },
  };
}
