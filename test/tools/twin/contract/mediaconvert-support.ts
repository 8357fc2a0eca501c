/** Shared by the MediaConvert contract suites: the real SDK client, the product's request, AWS-shaped refusals. */
import { strict as assert } from "node:assert";
import { type CreateJobCommandInput, MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import * as clients from "../../../../lib/adapters/clients";
import { DEFAULT_JOB } from "../../../../lib/watch-folder/default-job";
import { buildCreateJobRequest } from "../../../../lib/watch-folder/request";
import type { MediaConvertSimulator } from "../../../../tools/twin/mediaconvert";

export const ROLE = "arn:aws:iam::111122223333:role/mcjobs-mediaconvert";

export function client(sim: MediaConvertSimulator): MediaConvertClient {
  return new MediaConvertClient({
    region: "us-east-1",
    endpoint: sim.endpoint,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
}

/** The request the watch folder sends for an upload with the bundled default job. */
export function productRequest(key = "inputs/show/ep1.mp4", token?: string): CreateJobCommandInput {
  const request = buildCreateJobRequest({
    upload: { bucket: "watch", key, eTag: "e1", sequencer: token ?? key },
    settingsName: "default",
    settings: DEFAULT_JOB,
    application: "mcjobs",
    roleArn: ROLE,
    outputBucket: "media",
  });
  return request as CreateJobCommandInput;
}

type AwsError = Error & { $metadata: { httpStatusCode?: number } };

/** Asserts the call fails as AWS answers it: exception name, HTTP status and a message matching `member`. */
export async function rejects(call: Promise<unknown>, name: string, status: number, member: RegExp): Promise<string> {
  let message = "";
  await assert.rejects(call, (e: AwsError) => {
    assert.equal(e.name, name, `exception ${e.name}: ${e.message}`);
    assert.equal(e.$metadata.httpStatusCode, status);
    assert.match(e.message, member);
    message = e.message;
    return true;
  });
  return message;
}

/** A one-output MP4 job of `s3://watch/<input>`, with a client request token when given. */
export function request(input: string, token?: string): CreateJobCommandInput {
  return {
    Role: "arn:aws:iam::111122223333:role/mc",
    ...(token ? { ClientRequestToken: token } : {}),
    UserMetadata: { application: "sim-test", input },
    Settings: {
      Inputs: [{ FileInput: `s3://watch/${input}` }],
      OutputGroups: [
        {
          OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS", FileGroupSettings: { Destination: "s3://out/clip/" } },
          Outputs: [
            {
              NameModifier: "_1080",
              ContainerSettings: { Container: "MP4" },
              VideoDescription: {
                Width: 1920,
                Height: 1080,
                CodecSettings: { Codec: "H_264", H264Settings: { RateControlMode: "QVBR", MaxBitrate: 6_000_000 } },
              },
            },
          ],
        },
      ],
    },
  };
}

/** The product's own client (lib/adapters/clients.ts) for the simulator; a plain one with other retry counts. */
export function sdk(sim: MediaConvertSimulator, maxAttempts = 3): MediaConvertClient {
  const client = clients.mediaConvert({ ...sim.env, AWS_REGION: "us-east-1" });
  if (maxAttempts !== 3)
    return new MediaConvertClient({
      region: "us-east-1",
      endpoint: sim.endpoint,
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      maxAttempts,
    });
  return client;
}
