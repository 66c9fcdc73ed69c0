import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../domain/errors.ts';
import type { Mapping } from '../../domain/mapping.ts';
import type { MappingStore } from '../../services/ports.ts';
import { decodeCursor, encodeCursor, keys } from './keys.ts';

export function toMapping(item: Record<string, unknown>): Mapping {
  return {
    productId: item.productId as string,
    targets: item.targets as Mapping['targets'],
    ...(item.salesUrl ? { salesUrl: item.salesUrl as string } : {}),
    ...(item.price ? { price: item.price as NonNullable<Mapping['price']> } : {}),
    version: item.version as number,
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
  };
}

const versionMismatch = () =>
  new AppError('MAPPING.VERSION_MISMATCH', 'the mapping has changed since that version (If-Match); fetch it and retry');

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function createMappingStore(db: DynamoDBDocumentClient, table: string): MappingStore {
  return {
    async get(productId) {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.mapping(productId), ConsistentRead: true }));
      return Item ? toMapping(Item) : null;
    },

    async put(productId, input, ifMatch) {
      const now = Date.now();
      const set = ['productId = :productId', 'targets = :targets', 'updatedAt = :now', 'createdAt = if_not_exists(createdAt, :now)'];
      const remove: string[] = [];
      const values: Record<string, unknown> = { ':productId': productId, ':targets': input.targets, ':now': now, ':one': 1 };
      for (const field of ['salesUrl', 'price'] as const) {
        if (input[field] === undefined) remove.push(field);
        else {
          set.push(`${field} = :${field}`);
          values[`:${field}`] = input[field];
        }
      }
      if (ifMatch !== undefined) values[':expected'] = ifMatch;
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.mapping(productId),
            UpdateExpression: `SET ${set.join(', ')} ADD #version :one${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ...(ifMatch !== undefined ? { ConditionExpression: '#version = :expected' } : {}),
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        const mapping = toMapping(Attributes!);
        return { mapping, created: mapping.version === 1 };
      } catch (error) {
        if (isConditionFailure(error)) throw versionMismatch();
        throw error;
      }
    },

    async delete(productId, ifMatch) {
      try {
        const { Attributes } = await db.send(
          new DeleteCommand({
            TableName: table,
            Key: keys.mapping(productId),
            ReturnValues: 'ALL_OLD',
            ...(ifMatch !== undefined
              ? {
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': ifMatch },
                }
              : {}),
          }),
        );
        return Attributes !== undefined;
      } catch (error) {
        if (isConditionFailure(error)) throw versionMismatch();
        throw error;
      }
    },

    async list(limit, cursor) {
      const startKey = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && startKey === undefined) {
        throw new AppError('REQUEST.INVALID', 'invalid cursor', [{ field: 'cursor', message: 'not a cursor issued by this API' }]);
      }
      const page = await db.send(new ScanCommand({ TableName: table, Limit: limit, ExclusiveStartKey: startKey }));
      return { items: (page.Items ?? []).map(toMapping), nextCursor: encodeCursor(page.LastEvaluatedKey) };
    },
  };
}
