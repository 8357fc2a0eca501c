/**
 * Step 7 of the collector: one Kinesis put for the whole invocation, of the records of every event processed
 * without error (skipped when USE_STREAMS=false). A record Kinesis refuses fails its event.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { CollectorContext, CollectorResult, Work } from "./types";

export async function publishRecords(ctx: CollectorContext, accepted: Work[], result: CollectorResult): Promise<void> {
  const { config, stream, metrics } = ctx;
  const toStream = accepted.filter((w) => w.record && !w.error);
  if (!config.useStreams || !stream || toStream.length === 0) return;
  try {
    const put = await stream.put(toStream.map((w) => ({ partitionKey: w.event.jobId, data: JSON.stringify(w.record) })));
    result.streamed += put.accepted.length;
    metrics.addMetric("StreamRecordsPut", MetricUnit.Count, put.accepted.length);
    if (put.calls > 1) metrics.addMetric("StreamPutCalls", MetricUnit.Count, put.calls);
    for (const f of put.failed) {
      const w = toStream[f.index];
      w.error = new Error(`Kinesis did not accept the record: ${f.errorCode}: ${f.errorMessage}`);
    }
  } catch (err) {
    // Not expected (the writer reports failures per record), but never leave claims held because of it.
    for (const w of toStream) w.error = err;
  }
}
