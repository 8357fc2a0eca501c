/**
 * Test support: builds realistic MediaConvert event timelines (as raw EventBridge JSON, parsed through
 * parseEvent) and fast-check arbitraries for them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parseEvent, type McEvent } from "../../lib/domain/events";
import { jobId as makeJobId } from "./job-ids";

import { FIXTURES_DIR } from "./fixtures";

export { FIXTURES_DIR };

export function fixtureFiles(): string[] {
  return fs
    .readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => path.join(FIXTURES_DIR, f));
}

export function loadFixture(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.isAbsolute(file) ? file : path.join(FIXTURES_DIR, file), "utf8"));
}

export const QUEUE = "arn:aws:mediaconvert:us-west-2:111122223333:queues/Default";
export const QUEUE_B = "arn:aws:mediaconvert:us-west-2:111122223333:queues/Fast";

/** A raw EventBridge event around a detail. */
export function raw(jobId: string, id: string, detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: "0",
    id,
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account: "111122223333",
    time: new Date(Number(detail.timestamp)).toISOString(),
    region: "us-west-2",
    resources: [`arn:aws:mediaconvert:us-west-2:111122223333:jobs/${jobId}`],
    detail: { accountId: "111122223333", queue: QUEUE, jobId, userMetadata: { application: "app" }, ...detail },
  };
}

export function mustParse(r: unknown): McEvent {
  const p = parseEvent(r);
  if (!p.ok) throw new Error(`fixture did not parse: ${p.reason}`);
  return p.event;
}

export interface TimelineSpec {
  created: number;
  queueWait: number;
  probeMs: number;
  transcodeMs: number;
  uploadMs: number;
  end: "COMPLETE" | "ERROR" | "CANCELED";
  hop: boolean;
  warnings: number[];
  inputInfoLate: boolean;
  updateEvery: number;
}

const pad = (n: number) => String(n).padStart(4, "0");

/** A job's events in emission order (distinct eventKeys), for a spec; `job` tells jobs created at one time apart. */
export function timeline(spec: TimelineSpec, job = 0): McEvent[] {
  const jobId = makeJobId(spec.created, job);
  const out: Record<string, unknown>[] = [];
  let n = 0;
  const id = () => `00000000-0000-0000-0000-00000000${pad(n++)}`;
  const t = spec.created + spec.queueWait;
  if (spec.hop) {
    out.push(
      raw(jobId, id(), {
        timestamp: spec.created + Math.floor(spec.queueWait / 2),
        status: "QUEUE_HOP",
        queue: QUEUE_B,
        previousQueue: QUEUE,
        priority: 0,
        previousPriority: 0,
      }),
    );
  }
  const queue = spec.hop ? QUEUE_B : QUEUE;
  out.push(raw(jobId, id(), { timestamp: t, status: "PROGRESSING", queue }));
  const start = t;
  const total = spec.probeMs + spec.transcodeMs + spec.uploadMs;
  const endAt = start + total;
  const inputAt = start + spec.probeMs;
  const inputInfo = raw(jobId, id(), {
    timestamp: inputAt,
    status: "INPUT_INFORMATION",
    queue,
    inputDetails: [
      {
        id: 1,
        uri: "s3://bucket/in.mp4",
        video: [{ codec: "H_264", width: 1920, height: 1080, frameRate: 25 }],
        audio: [{ codec: "AAC", channels: 2 }],
      },
    ],
  });
  if (!spec.inputInfoLate) out.push(inputInfo);
  let frames = 0;
  for (let at = start + spec.updateEvery; at < endAt; at += spec.updateEvery) {
    const el = at - start;
    let phase: string;
    let pp = 0,
      tp = 0,
      up = 0;
    if (el < spec.probeMs) {
      phase = "PROBING";
      pp = Math.floor((100 * el) / spec.probeMs);
    } else if (el < spec.probeMs + spec.transcodeMs) {
      phase = "TRANSCODING";
      pp = 100;
      tp = Math.floor((100 * (el - spec.probeMs)) / spec.transcodeMs);
    } else {
      phase = "UPLOADING";
      pp = 100;
      tp = 100;
      up = Math.floor((100 * (el - spec.probeMs - spec.transcodeMs)) / spec.uploadMs);
    }
    frames = Math.floor((tp / 100) * 25 * 600);
    out.push(
      raw(jobId, id(), {
        timestamp: at,
        status: "STATUS_UPDATE",
        queue,
        framesDecoded: frames,
        jobProgress: {
          phaseProgress: {
            PROBING: { status: "X", percentComplete: pp },
            TRANSCODING: { status: "X", percentComplete: tp },
            UPLOADING: { status: "X", percentComplete: up },
          },
          jobPercentComplete: Math.floor(0.05 * pp + 0.9 * tp + 0.05 * up),
          currentPhase: phase,
          retryCount: 0,
        },
      }),
    );
  }
  spec.warnings.forEach(
    (code, i) =>
      void out.push(
        raw(jobId, id(), { timestamp: inputAt + i + 1, status: "NEW_WARNING", queue, warningCode: String(code), warningMessage: "w" }),
      ),
  );
  if (spec.end === "COMPLETE") {
    out.push(
      raw(jobId, id(), {
        timestamp: endAt,
        status: "COMPLETE",
        queue,
        warnings: spec.warnings.map((code) => ({ code, count: 2 })),
        outputGroupDetails: [
          {
            type: "FILE_GROUP",
            outputDetails: [
              {
                outputFilePaths: ["s3://bucket/out.mp4"],
                durationInMs: 600000,
                videoDetails: { widthInPx: 1280, heightInPx: 720, qvbrAvgQuality: 8 },
              },
            ],
          },
        ],
      }),
    );
  } else if (spec.end === "ERROR") {
    out.push(raw(jobId, id(), { timestamp: endAt, status: "ERROR", queue, errorCode: 1401, errorMessage: "Access denied" }));
  } else {
    out.push(raw(jobId, id(), { timestamp: endAt, status: "CANCELED", queue }));
  }
  if (spec.inputInfoLate) out.push(inputInfo);
  return out.map(mustParse);
}

export const specArb: fc.Arbitrary<TimelineSpec> = fc.record({
  created: fc.integer({ min: 1_500_000_000_000, max: 1_800_000_000_000 }),
  queueWait: fc.integer({ min: 0, max: 600_000 }),
  probeMs: fc.integer({ min: 1_000, max: 120_000 }),
  transcodeMs: fc.integer({ min: 10_000, max: 1_200_000 }),
  uploadMs: fc.integer({ min: 1_000, max: 120_000 }),
  end: fc.constantFrom("COMPLETE" as const, "ERROR" as const, "CANCELED" as const),
  hop: fc.boolean(),
  warnings: fc.uniqueArray(fc.constantFrom(230001, 240000, 270000, 999999), { maxLength: 3 }),
  inputInfoLate: fc.boolean(),
  updateEvery: fc.integer({ min: 20_000, max: 90_000 }),
});

/** A timeline's events shuffled, with some delivered more than once. */
export const deliveryArb = specArb.chain((spec) => {
  const events = timeline(spec);
  return fc
    .tuple(
      fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 8 }),
    )
    .map(([shuffled, dupIdx, positions]) => {
      const delivered = [...shuffled];
      dupIdx.forEach((i, j) => void delivered.splice((positions[j] ?? 0) % (delivered.length + 1), 0, events[i]));
      return { spec, events, delivered };
    });
});
