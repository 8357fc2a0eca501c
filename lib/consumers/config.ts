/**
 * The stream consumers' settings: the environment variables the StreamConsumers component (or the local twin)
 * sets, validated once per container.
 */
import { z } from "zod";
import { ENV, loadEnv, type Env } from "../domain/env";

const deadLetterQueueUrl = z.url({ message: "must be an SQS queue URL" }).optional();

export const HistoryConfigSchema = z.object({
  [ENV.deadLetterQueueUrl]: deadLetterQueueUrl,
  [ENV.jobEventsDeliveryStream]: z
    .string({ error: "must name the job_events delivery stream" })
    .min(1, "must name the job_events delivery stream"),
  [ENV.jobsDeliveryStream]: z.string({ error: "must name the jobs delivery stream" }).min(1, "must name the jobs delivery stream"),
});

export const AnalyticsConfigSchema = z.object({
  [ENV.deadLetterQueueUrl]: deadLetterQueueUrl,
  [ENV.queueMetricsDeliveryStream]: z
    .string({ error: "must name the queue_metrics delivery stream" })
    .min(1, "must name the queue_metrics delivery stream"),
});

export interface HistoryConfig {
  /** Where poison records go; absent = they are only logged. */
  deadLetterQueueUrl?: string;
  streams: { jobEvents: string; jobs: string };
}

export interface AnalyticsConfig {
  deadLetterQueueUrl?: string;
  stream: string;
}

export function loadHistoryConfig(env: Env = process.env): HistoryConfig {
  const c = loadEnv("History consumer", HistoryConfigSchema, env);
  return {
    deadLetterQueueUrl: c[ENV.deadLetterQueueUrl],
    streams: { jobEvents: c[ENV.jobEventsDeliveryStream], jobs: c[ENV.jobsDeliveryStream] },
  };
}

export function loadAnalyticsConfig(env: Env = process.env): AnalyticsConfig {
  const c = loadEnv("Analytics consumer", AnalyticsConfigSchema, env);
  return { deadLetterQueueUrl: c[ENV.deadLetterQueueUrl], stream: c[ENV.queueMetricsDeliveryStream] };
}
