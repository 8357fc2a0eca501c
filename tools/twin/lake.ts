/**
 * The twin's Firehose → S3 Parquet lake: the local Firehose (firehose/) with the stack's three delivery streams,
 * each writing one dataset under `<dir>/lake/<dataset>/`.
 */
import { startLocalFirehose } from "./firehose/server";

export interface DeliveryStreams {
  jobEvents: string;
  jobs: string;
  queueMetrics: string;
}

export interface Lake {
  endpoint: string;
  deliveryStreams: DeliveryStreams;
  /** Writes every buffered record now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLake(o: {
  prefix: string;
  lakeDir: string;
  bufferIntervalMs: number;
  port?: number;
  region?: string;
}): Promise<Lake> {
  const deliveryStreams = {
    jobEvents: `${o.prefix}-job-events`,
    jobs: `${o.prefix}-jobs-history`,
    queueMetrics: `${o.prefix}-queue-metrics`,
  };
  const firehose = await startLocalFirehose({
    lakeDir: o.lakeDir,
    streams: { [deliveryStreams.jobEvents]: "job_events", [deliveryStreams.jobs]: "jobs", [deliveryStreams.queueMetrics]: "queue_metrics" },
    bufferIntervalMs: o.bufferIntervalMs,
    port: o.port,
    region: o.region,
  });
  return { endpoint: firehose.endpoint, deliveryStreams, flush: () => firehose.flush(), stop: () => firehose.stop() };
}
