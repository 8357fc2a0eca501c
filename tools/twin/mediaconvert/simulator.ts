/**
 * MediaConvert simulator: an HTTP server that speaks the parts of the MediaConvert REST API the product uses
 * (jobs, queues, presets and job templates, DescribeEndpoints — paths, status codes and camelCase JSON member
 * names as @aws-sdk/client-mediaconvert sends and reads them), so the watch-folder handler and the collector's GetJob
 * backfill run unchanged against it with `MCJOBS_ENDPOINT_MEDIACONVERT`. It refuses what MediaConvert refuses
 * (BadRequestException naming the member, NotFoundException for a missing queue, template, preset or job).
 *
 * Every job it accepts gets a planned event timeline (see timeline.ts) which it plays at `timeScale` speed,
 * delivering EventBridge-shaped events to `onEvent` — the local twin wires that to its event router. Seeded: the
 * same seed and the same sequence of CreateJob calls give the same job id suffixes, outcomes and events.
 *
 * Test helpers: `calls` counts requests per operation, `injectFault` makes the next calls of an operation fail
 * like the service does (throttling, access denied, ...), `deleteJob` forgets a job (GetJob then answers 404),
 * `drain()` plays every pending step at once, `idle()` waits for the timelines to finish.
 *
 * This file puts the two layers together: the engine (engine.ts) and the HTTP layer over it (server.ts).
 */
import { createEngine } from "./engine";
import { parseSimulatorOptions } from "./options";
import { serveHttp } from "./server";
import { SCHEMAS, toWire } from "./shapes";
import type { MediaConvertSimulator, SimulatorOptions } from "./types";

export async function startMediaConvertSimulator(opts: SimulatorOptions = {}): Promise<MediaConvertSimulator> {
  const { port, host, ...engineOptions } = parseSimulatorOptions(opts);
  const engine = createEngine(engineOptions);
  const http = await serveHttp(engine, { port, host });
  return {
    endpoint: http.endpoint,
    env: { MCJOBS_ENDPOINT_MEDIACONVERT: http.endpoint },
    calls: http.calls,
    callsFor: (jobId) => http.callsFor(jobId),
    get latencyMs() {
      return http.latencyMs;
    },
    set latencyMs(ms: number) {
      http.latencyMs = ms;
    },
    delivered: engine.delivered,
    failedDeliveries: engine.failedDeliveries,
    droppedDeliveries: engine.droppedDeliveries,
    createJob: (request) => engine.createJob(toWire(request, SCHEMAS.createJob)),
    getJob: (id) => engine.getJob(id),
    listJobs: () => engine.allJobs(),
    outcomeOf: (id) => engine.outcomeOf(id),
    deleteJob: (id) => engine.deleteJob(id),
    injectFault: (fault) => engine.injectFault(fault),
    clearFaults: () => engine.clearFaults(),
    drain: () => engine.drain(),
    idle: (timeoutMs) => engine.idle(timeoutMs),
    stop: async () => {
      await engine.stop();
      await http.close();
    },
  };
}
