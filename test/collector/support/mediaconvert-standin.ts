/**
 * A minimal MediaConvert endpoint for tests: answers GetJob (REST JSON, `GET /2017-08-29/jobs/{id}`) from a map
 * of jobs, can answer chosen jobs with an error (throttling, access denied, not found), and counts the calls per
 * job. It stands in for the service boundary only: the collector's real GetJob adapter and the real SDK client
 * talk to it over HTTP.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type McError = "TooManyRequestsException" | "ForbiddenException" | "NotFoundException" | "InternalServerErrorException";
const STATUS: Record<McError, number> = {
  TooManyRequestsException: 429,
  ForbiddenException: 403,
  NotFoundException: 404,
  InternalServerErrorException: 500,
};

export interface MediaConvertStandIn {
  endpoint: string;
  /** The job as GetJob returns it (camelCase JSON, times in epoch seconds). */
  jobs: Map<string, Record<string, unknown>>;
  errors: Map<string, McError>;
  calls: Map<string, number>;
  totalCalls(): number;
  /** Delay before answering (ms), to widen races in tests. */
  delayMs: number;
  stop(): Promise<void>;
}

/** A GetJob body for a job, as MediaConvert shapes it. */
export function getJobBody(opts: {
  jobId: string;
  region?: string;
  account?: string;
  status?: string;
  queueName?: string;
  inputUri: string;
  submitMs: number;
  startMs?: number;
  priority?: number;
  application?: string;
}): Record<string, unknown> {
  const region = opts.region ?? "us-west-2";
  const account = opts.account ?? "111122223333";
  const queue = `arn:aws:mediaconvert:${region}:${account}:queues/${opts.queueName ?? "Default"}`;
  return {
    id: opts.jobId,
    arn: `arn:aws:mediaconvert:${region}:${account}:jobs/${opts.jobId}`,
    status: opts.status ?? "PROGRESSING",
    queue,
    priority: opts.priority ?? 0,
    role: `arn:aws:iam::${account}:role/MediaConvertRole`,
    createdAt: Math.floor(opts.submitMs / 1000),
    accelerationSettings: { mode: "DISABLED" },
    userMetadata: opts.application ? { application: opts.application } : {},
    settings: {
      inputs: [{ fileInput: opts.inputUri, inputClippings: [{ startTimecode: "00:00:01:00", endTimecode: "00:00:05:00" }] }],
      outputGroups: [
        {
          name: "File Group",
          outputGroupSettings: { type: "FILE_GROUP_SETTINGS", fileGroupSettings: { destination: "s3://out-bucket/renditions/" } },
          outputs: [{ nameModifier: "_720p" }, { nameModifier: "_1080p" }],
        },
      ],
    },
    timing: {
      submitTime: opts.submitMs / 1000,
      ...(opts.startMs ? { startTime: opts.startMs / 1000 } : {}),
    },
    queueTransitions: [],
  };
}

export async function startMediaConvertStandIn(): Promise<MediaConvertStandIn> {
  const jobs = new Map<string, Record<string, unknown>>();
  const errors = new Map<string, McError>();
  const calls = new Map<string, number>();
  const state = { delayMs: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      const m = /^\/2017-08-29\/jobs\/([^/?]+)/.exec(req.url ?? "");
      const send = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { "content-type": "application/json", ...(type ? { "x-amzn-errortype": type } : {}) });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "GET" || !m) return send(404, { message: `not supported here: ${req.method} ${req.url}` }, "NotFoundException");
      const id = decodeURIComponent(m[1]);
      calls.set(id, (calls.get(id) ?? 0) + 1);
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      const err = errors.get(id);
      if (err) return send(STATUS[err], { message: `injected ${err} for job ${id}` }, err);
      const job = jobs.get(id);
      if (!job) return send(404, { message: `job ${id} not found` }, "NotFoundException");
      send(200, { job });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    jobs,
    errors,
    calls,
    totalCalls: () => [...calls.values()].reduce((a, b) => a + b, 0),
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
