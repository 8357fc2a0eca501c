/**
 * The twin's MediaConvert: the simulator (mediaconvert/) with its events published through the twin's EventBridge
 * and the inputs' facts learnt by the product's own probe (lib/probe) reading from s3rver.
 */
import * as clients from "../../lib/adapters/clients";
import { probeS3 } from "../../lib/probe";
import { startMediaConvertSimulator, type MediaConvertSimulator } from "./mediaconvert";

export interface SimulatorWiring {
  /** The stand-ins' environment (the probe reads s3rver with it). */
  env: Record<string, string>;
  port?: number;
  seed: number;
  /** Simulated seconds per real second. */
  speed: number;
  rates?: Record<string, number>;
  statusUpdateIntervalMs?: number;
  /** Share of event deliveries (0–100) the simulator loses, as EventBridge events that never arrive. */
  dropEventsPercent?: number;
  /** Folder for the simulator's jobs, so they carry on across twin restarts as MediaConvert's do. */
  stateDir?: string;
  /** Where the simulator's events go (the router, once it exists). */
  publish(event: unknown): void;
}

/** Starts the simulator; stopping it also releases the probe's S3 client. */
export async function startSimulator(o: SimulatorWiring): Promise<{ simulator: MediaConvertSimulator; stop(): Promise<void> }> {
  const s3 = clients.s3(o.env as NodeJS.ProcessEnv);
  let simulator: MediaConvertSimulator;
  try {
    simulator = await startMediaConvertSimulator({
      port: o.port,
      region: o.env.AWS_REGION,
      seed: o.seed,
      timeScale: o.speed,
      rates: o.rates,
      statusUpdateIntervalMs: o.statusUpdateIntervalMs,
      dropEventsPercent: o.dropEventsPercent,
      stateDir: o.stateDir,
      onEvent: (event) => o.publish(event),
      probe: (uri) => probeS3(uri, { s3 }),
    });
  } catch (err) {
    s3.destroy();
    throw err;
  }
  return {
    simulator,
    async stop() {
      try {
        await simulator.stop();
      } finally {
        s3.destroy();
      }
    },
  };
}
