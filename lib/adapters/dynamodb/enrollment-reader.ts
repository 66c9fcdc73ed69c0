import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TxStatus } from '../../domain/enrollment-rules.ts';
import { AppError } from '../../domain/errors.ts';
import { targetKey } from '../../domain/mapping.ts';
import type { EnrollmentReader, EnrollmentRecord } from '../../services/ports.ts';
import { decodeCursor, encodeCursor, keys, TRANSACTION_ATTRIBUTE_PREFIX } from './keys.ts';

function toRecord(item: Record<string, unknown>): EnrollmentRecord {
  const transactions = Object.entries(item)
    .filter(([name]) => name.startsWith(TRANSACTION_ATTRIBUTE_PREFIX))
    .map(([name, status]) => ({ transaction: name.slice(TRANSACTION_ATTRIBUTE_PREFIX.length), status: status as TxStatus }))
    .sort((a, b) => a.transaction.localeCompare(b.transaction));
  return {
    email: item.email as string,
    target: { type: item.targetType as EnrollmentRecord['target']['type'], id: item.targetId as string },
    productId: item.productId as string,
    transactions,
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
    lastEventId: item.lastEventId as string,
  };
}

export function createEnrollmentReader(db: DynamoDBDocumentClient, table: string): EnrollmentReader {
  return {
    async byEmail(email) {
      const records: EnrollmentRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': keys.studentPartition(email), ':prefix': 'TARGET#' },
            ExclusiveStartKey: startKey,
          }),
        );
        records.push(...(page.Items ?? []).map(toRecord));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return records;
    },

    async byTarget(target, limit, cursor) {
      const startKey = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && startKey === undefined) {
        throw new AppError('REQUEST.INVALID', 'invalid cursor', [{ field: 'cursor', message: 'not a cursor issued by this API' }]);
      }
      const page = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'byTarget',
          KeyConditionExpression: 'targetKey = :targetKey',
          ExpressionAttributeValues: { ':targetKey': targetKey(target) },
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      );
      return { items: (page.Items ?? []).map(toRecord), nextCursor: encodeCursor(page.LastEvaluatedKey) };
    },
  };
}
