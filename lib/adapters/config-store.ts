/**
 * The Config table as the collector reads it: one GetItem of the runtime-settings item. The only code that knows
 * DynamoDB for it; what the item means is lib/domain/runtime-settings.ts.
 */
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { RUNTIME_SETTINGS_KEY } from "../domain/runtime-settings";

export interface RuntimeSettingsStore {
  /** The item's attributes, or undefined when there is no such item. */
  read(): Promise<Record<string, unknown> | undefined>;
}

export function dynamoRuntimeSettings(ddb: DynamoDBDocumentClient, configTable: string, key = RUNTIME_SETTINGS_KEY): RuntimeSettingsStore {
  return {
    async read() {
      const res = await ddb.send(new GetCommand({ TableName: configTable, Key: { key } }));
      return res.Item as Record<string, unknown> | undefined;
    },
  };
}
