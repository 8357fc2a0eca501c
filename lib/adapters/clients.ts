/**
 * The one place that builds AWS SDK clients. In AWS every client uses the SDK defaults; the local twin and the
 * tests point a client at a stand-in by setting `MCJOBS_ENDPOINT_<SERVICE>` (e.g. MCJOBS_ENDPOINT_DYNAMODB).
 * Nothing else in product code knows a stand-in exists.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import { AthenaClient } from "@aws-sdk/client-athena";
import { NodeHttpHandler } from "@smithy/node-http-handler";

export type Service = "dynamodb" | "kinesis" | "firehose" | "s3" | "sqs" | "sns" | "mediaconvert" | "athena";

/** Endpoint override for a service, from `MCJOBS_ENDPOINT_<SERVICE>`; undefined in AWS. */
export function endpointFor(service: Service, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[`MCJOBS_ENDPOINT_${service.toUpperCase()}`];
  return value && value.trim() !== "" ? value.trim() : undefined;
}

interface Common {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

function common(service: Service, env: NodeJS.ProcessEnv = process.env): Common {
  const endpoint = endpointFor(service, env);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint ? "us-east-1" : undefined);
  if (!region) {
    throw new Error("No AWS region: set AWS_REGION (Lambda sets it for you) or pass --region.");
  }
  return {
    region,
    ...(endpoint
      ? {
          endpoint,
          // Real credentials are never sent to a local endpoint. s3rver accepts only its own fixed key pair;
          // the other stand-ins accept any.
          credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        }
      : {}),
  };
}

export function dynamoDb(env: NodeJS.ProcessEnv = process.env): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(common("dynamodb", env)), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function kinesis(env: NodeJS.ProcessEnv = process.env): KinesisClient {
  // kinesalite speaks HTTP/1.1 only; the SDK's default HTTP/2 handler for Kinesis fails against it.
  return new KinesisClient({ ...common("kinesis", env), requestHandler: new NodeHttpHandler() });
}

export function firehose(env: NodeJS.ProcessEnv = process.env): FirehoseClient {
  return new FirehoseClient(common("firehose", env));
}

export function s3(env: NodeJS.ProcessEnv = process.env): S3Client {
  const c = common("s3", env);
  return new S3Client({
    ...c,
    ...(c.endpoint
      ? { forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }
      : {}),
  });
}

export function sqs(env: NodeJS.ProcessEnv = process.env): SQSClient {
  return new SQSClient(common("sqs", env));
}

export function sns(env: NodeJS.ProcessEnv = process.env): SNSClient {
  return new SNSClient(common("sns", env));
}

export function mediaConvert(env: NodeJS.ProcessEnv = process.env): MediaConvertClient {
  return new MediaConvertClient(common("mediaconvert", env));
}

export function athena(env: NodeJS.ProcessEnv = process.env): AthenaClient {
  return new AthenaClient(common("athena", env));
}
