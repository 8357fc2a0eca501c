/**
 * S3 → Lambda for the watch folder: every 500 ms the watch bucket's `inputs/` is listed and each new object (key
 * and ETag, remembered in `<twinDir>/watch-seen.json` across restarts) is sent to the watch-folder handler as an
 * ObjectCreated event. Each scan first sweeps the local inbox (inbox.ts) into `inputs/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import * as clients from "../../lib/adapters/clients";
import { localInbox } from "./inbox";
import { invoke, type LambdaHandler } from "./lambda";

export interface WatchCounts {
  seen: number;
  converted: number;
  failed: number;
}

export interface WatchBucket {
  counts(): WatchCounts;
  /** Resolves when the scan under way (if any) is done. */
  busy(): Promise<void>;
  stop(): Promise<void>;
}

export function startWatchBucket(o: {
  handler: LambdaHandler<S3Event, unknown>;
  functionName: string;
  /** The stand-ins' environment. */
  env: Record<string, string>;
  bucket: string;
  inboxDir: string;
  twinDir: string;
  log: (line: string) => void;
}): WatchBucket {
  const counts: WatchCounts = { seen: 0, converted: 0, failed: 0 };
  const seenFile = path.join(o.twinDir, "watch-seen.json");
  const seen = new Set<string>(fs.existsSync(seenFile) ? (JSON.parse(fs.readFileSync(seenFile, "utf8")) as string[]) : []);
  const s3 = clients.s3(o.env as NodeJS.ProcessEnv);
  const inbox = localInbox({ dir: o.inboxDir, bucket: o.bucket, s3, log: o.log });
  const scan = async () => {
    await inbox.sweep().catch((err) => o.log(`inbox: ${(err as Error).message}`));
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: "inputs/", ContinuationToken: token }));
      for (const obj of page.Contents ?? []) {
        const id = `${obj.Key}#${obj.ETag}`;
        if (!obj.Key || obj.Key.endsWith("/") || seen.has(id)) continue;
        counts.seen++;
        const event = s3Event(o.bucket, obj.Key, obj.Size ?? 0, obj.ETag ?? "", o.env.AWS_REGION);
        try {
          await invoke(o.handler, event, { functionName: o.functionName, timeoutMs: 60_000 });
          counts.converted++;
        } catch (err) {
          counts.failed++;
          o.log(`convert ${obj.Key}: ${(err as Error).message}`);
        }
        // S3 → Lambda is async too: a failed conversion is not retried forever; it is reported above.
        seen.add(id);
        fs.writeFileSync(seenFile, JSON.stringify([...seen]));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  };
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  const loop = async () => {
    while (!stopped) {
      current = scan().catch((err) => o.log(`watch folder: ${(err as Error).message}`));
      await current;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const running = loop();
  return {
    counts: () => ({ ...counts }),
    busy: () => current,
    async stop() {
      stopped = true;
      await running;
      s3.destroy();
    },
  };
}

/** An S3 ObjectCreated:Put notification as S3 sends it to Lambda. */
export function s3Event(bucket: string, key: string, size: number, etag: string, region = "us-east-1"): S3Event {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: region,
        eventTime: new Date().toISOString(),
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "LOCAL" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: { "x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "watch-folder",
          bucket: { name: bucket, ownerIdentity: { principalId: "LOCAL" }, arn: `arn:aws:s3:::${bucket}` },
          // S3 URL-encodes the key in notifications (spaces as '+').
          object: {
            key: encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+"),
            size,
            eTag: etag.replace(/"/g, ""),
            sequencer: Date.now().toString(16).toUpperCase(),
          },
        },
      },
    ],
  };
}

/** Puts one object into the watch bucket's `inputs/` (a key without that prefix gets it). */
export async function dropIntoWatchFolder(env: Record<string, string>, bucket: string, key: string, body: Buffer | string): Promise<void> {
  const s3 = clients.s3(env as NodeJS.ProcessEnv);
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key.startsWith("inputs/") ? key : `inputs/${key}`, Body: body }));
  } finally {
    s3.destroy();
  }
}
