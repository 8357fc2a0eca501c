/**
 * Jobs "created by another tool" in the MediaConvert simulator: the collector first hears of them through events,
 * with no SUBMITTED record, and must backfill their settings with GetJob.
 */
import type { MediaConvertSimulator } from "../../../../tools/twin/mediaconvert";

export interface OutsideJob {
  jobId: string;
  /** Submit time as GetJob's `timing.submitTime` reports it (whole seconds, in ms). */
  submitMs: number;
}

/** Creates a job without playing it (start the simulator with `autoRun: false`), with `outputs` outputs. */
export async function outsideJob(sim: MediaConvertSimulator, inputUri: string, outputs = 2): Promise<OutsideJob> {
  const job = await sim.createJob({
    role: "arn:aws:iam::111122223333:role/MediaConvertRole",
    userMetadata: { application: "another-tool" },
    settings: {
      inputs: [{ fileInput: inputUri, inputClippings: [{ startTimecode: "00:00:01:00", endTimecode: "00:00:05:00" }] }],
      outputGroups: [
        {
          name: "File Group",
          outputGroupSettings: { type: "FILE_GROUP_SETTINGS", fileGroupSettings: { destination: "s3://out-bucket/renditions/" } },
          outputs: Array.from({ length: outputs }, (_, i) => ({ nameModifier: `_${i}` })),
        },
      ],
    },
  });
  return { jobId: String(job.id), submitMs: Number((job.timing as { submitTime: number }).submitTime) * 1000 };
}
