/** What the stream consumers write to and log through; the Lambda wiring supplies Firehose and Powertools. */
import { Logger } from "@aws-lambda-powertools/logger";

/** Delivers rows to a Firehose delivery stream; reports the rows it could not deliver, by index. */
export interface RowSink {
  put(streamName: string, rows: unknown[]): Promise<{ undelivered: { index: number; errorCode: string; errorMessage: string }[] }>;
}

/** The logging the consumers need (Powertools Logger in Lambda). */
export interface ConsumerLogger {
  error(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
}

/** Powertools Logger behind the ConsumerLogger interface (extra fields become structured log attributes). */
export function powertoolsLogger(serviceName: string): ConsumerLogger {
  const l = new Logger({ serviceName });
  return {
    error: (m, extra) => (extra ? l.error(m, extra as never) : l.error(m)),
    warn: (m, extra) => (extra ? l.warn(m, extra as never) : l.warn(m)),
    info: (m, extra) => (extra ? l.info(m, extra as never) : l.info(m)),
  };
}
