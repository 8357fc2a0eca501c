/**
 * The sweep marks: per MediaConvert queue, the creation time down to which the last complete ListJobs of that
 * queue reached. Kept as one item of the Config table (key `reconciler.listJobsMarks`, beside the settings Pulumi
 * writes under other keys), written only after a sweep, and only advanced for queues whose listing and folds all
 * succeeded, so a failed sweep lists the same range again.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";

export const MARKS_KEY = "reconciler.listJobsMarks";

export interface SweepMarks {
  /** Queue ARN → epoch ms. Empty before the first sweep (or when the item cannot be read as marks). */
  get(): Promise<Record<string, number>>;
  put(marks: Record<string, number>, sweptAt: number): Promise<void>;
}

const MarksItem = z.looseObject({ marks: z.record(z.string(), z.number().finite()) });

export function dynamoSweepMarks(ddb: DynamoDBDocumentClient, configTable: string): SweepMarks {
  return {
    async get() {
      const res = await ddb.send(new GetCommand({ TableName: configTable, Key: { key: MARKS_KEY }, ConsistentRead: true }));
      const parsed = MarksItem.safeParse(res.Item);
      return parsed.success ? parsed.data.marks : {};
    },
    async put(marks, sweptAt) {
      await ddb.send(new PutCommand({ TableName: configTable, Item: { key: MARKS_KEY, marks, sweptAt, source: "reconciler" } }));
    },
  };
}

/** Marks in memory (tests). */
export function memorySweepMarks(initial: Record<string, number> = {}): SweepMarks & { marks: Record<string, number> } {
  const state = { marks: { ...initial } };
  return {
    get marks() {
      return state.marks;
    },
    async get() {
      return { ...state.marks };
    },
    async put(marks) {
      state.marks = { ...marks };
    },
  };
}
