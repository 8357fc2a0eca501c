/**
 * The local inbox: a file copied into `<dir>/inbox/` is uploaded to the watch bucket's `inputs/` once its size has
 * held still for one sweep (so a copy in progress is not taken half-written), then moved to `inbox/submitted/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export function localInbox(o: { dir: string; bucket: string; s3: S3Client; log: (line: string) => void }): { sweep(): Promise<void> } {
  fs.mkdirSync(path.join(o.dir, "submitted"), { recursive: true });
  const sizes = new Map<string, number>();
  return {
    async sweep() {
      for (const name of fs.readdirSync(o.dir)) {
        const file = path.join(o.dir, name);
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (!st?.isFile() || name.startsWith(".")) continue;
        if (sizes.get(name) !== st.size) {
          sizes.set(name, st.size);
          continue;
        }
        sizes.delete(name);
        await o.s3.send(
          new PutObjectCommand({ Bucket: o.bucket, Key: `inputs/${name}`, Body: fs.createReadStream(file), ContentLength: st.size }),
        );
        fs.renameSync(file, path.join(o.dir, "submitted", name));
        o.log(`inbox: ${name} → s3://${o.bucket}/inputs/${name}`);
      }
    },
  };
}
