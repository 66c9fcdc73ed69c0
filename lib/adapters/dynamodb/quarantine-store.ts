import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { QuarantineStore } from '../../services/ports.ts';
import { keys } from './keys.ts';

export function createQuarantineStore(db: DynamoDBDocumentClient, table: string): QuarantineStore {
  return {
    async put(record) {
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.quarantine(record.id), ...record } }));
    },
  };
}
