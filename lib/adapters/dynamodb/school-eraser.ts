import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../config.ts';
import type { ErasurePosition, SchoolEraser } from '../../services/ports.ts';
import { SCHOOL_INDEX, SCHOOL_SHARD_ATTRIBUTE, SHARDS, schoolShardValue } from './school-shard.ts';

/** Every table keyed by a school's scope, in the order a school's erasure walks them (the registry is not one). */
export const SCOPED_TABLES = ['events', 'enrollments', 'mappings', 'quarantine', 'reconciliations', 'feed'] as const;

const BATCH = 25;
const RESENDS = 5;

/**
 * A deleted school's items, page by page: a Query of one shard of a table's `bySchool` index
 * (keys only, lib/adapters/dynamodb/school-shard.ts), then BatchWriteItem deletes of what it
 * listed. What DynamoDB leaves unprocessed is sent again a few times; still left, the step throws
 * and Lambda retries it.
 */
export function createSchoolEraser(db: DynamoDBDocumentClient, tables: Pick<Config['tables'], (typeof SCOPED_TABLES)[number]>, pageSize = 100): SchoolEraser {
  const deleteKeys = async (table: string, keys: Record<string, unknown>[]) => {
    for (let i = 0; i < keys.length; i += BATCH) {
      let requests: Record<string, unknown[]> = { [table]: keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } })) };
      for (let attempt = 0; Object.keys(requests).length > 0; attempt++) {
        if (attempt === RESENDS) throw Object.assign(new Error('DynamoDB left deletes unprocessed'), { name: 'ProvisionedThroughputExceededException' });
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: requests as never }));
        requests = (UnprocessedItems ?? {}) as Record<string, unknown[]>;
      }
    }
  };
  return {
    async erasePage(scope, position: ErasurePosition) {
      const table = tables[SCOPED_TABLES[position.table]!];
      const { Items = [], LastEvaluatedKey } = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: SCHOOL_INDEX,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': SCHOOL_SHARD_ATTRIBUTE },
          ExpressionAttributeValues: { ':shard': schoolShardValue(scope, SHARDS[position.shard]!) },
          Limit: pageSize,
          ...(position.startKey ? { ExclusiveStartKey: position.startKey } : {}),
        }),
      );
      await deleteKeys(table, Items.map((item) => ({ pk: item.pk, sk: item.sk })));
      const next: ErasurePosition | undefined = LastEvaluatedKey
        ? { ...position, startKey: LastEvaluatedKey }
        : position.shard + 1 < SHARDS.length
          ? { table: position.table, shard: position.shard + 1 }
          : position.table + 1 < SCOPED_TABLES.length
            ? { table: position.table + 1, shard: 0 }
            : undefined;
      return { deleted: Items.length, ...(next ? { next } : {}) };
    },
  };
}
