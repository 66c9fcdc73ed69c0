import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { School } from '../../domain/school.ts';
import { newIncarnation } from '../../domain/school.ts';
import type { SchoolStore, TombstoneStore } from '../../services/ports.ts';
import type { PageCursors } from './keys.ts';
import { schoolKey } from './keys.ts';
import { readPage } from './paging.ts';

function toSchool(item: Record<string, unknown>): School {
  const { pk: _pk, credentials: _credentials, ...school } = item;
  return school as School;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';
const ACTIVE = { ConditionExpression: '#state = :active', ExpressionAttributeNames: { '#state': 'state' } } as const;

const LIST = 'GET /schools';

/**
 * The school registry: one item per school id, `SCHOOL#<schoolId>`. A deleted school stays as a
 * tombstone (state `deleted`) for its background erasure; a PUT of its id creates a new school
 * with a new incarnation over it.
 */
export function createSchoolStore(db: DynamoDBDocumentClient, table: string, cursors: PageCursors): SchoolStore & TombstoneStore {
  const rename = async (schoolId: string, name: string, now: number) => {
    try {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: schoolKey(schoolId),
          UpdateExpression: 'SET #name = :name, updatedAt = :now',
          ...ACTIVE,
          ExpressionAttributeNames: { ...ACTIVE.ExpressionAttributeNames, '#name': 'name' },
          ExpressionAttributeValues: { ':name': name, ':now': now, ':active': 'active' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toSchool(Attributes!);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };
  const create = async (schoolId: string, name: string, now: number) => {
    const school: School = { schoolId, name, createdAt: now, updatedAt: now, incarnation: newIncarnation(), state: 'active' };
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...schoolKey(schoolId), ...school },
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :deleted',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':deleted': 'deleted' },
        }),
      );
      return school;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };
  /** An update of the active school only. */
  const whileActive = async (schoolId: string, update: string, values: Record<string, unknown>) => {
    try {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: schoolKey(schoolId),
          UpdateExpression: update,
          ...ACTIVE,
          ExpressionAttributeValues: { ...values, ':active': 'active' },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return toSchool(Attributes!);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };

  const get = async (schoolId: string) => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: schoolKey(schoolId), ConsistentRead: true }));
    return Item ? toSchool(Item) : undefined;
  };

  return {
    get,

    async put(schoolId, name) {
      // Renamed if active, else created; a concurrent PUT between the two tries the other again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = Date.now();
        const renamed = await rename(schoolId, name, now);
        if (renamed) return { school: renamed, created: false };
        const created = await create(schoolId, name, now);
        if (created) return { school: created, created: true };
      }
      throw Object.assign(new Error('the school changed during the PUT'), { name: 'TransactionConflict', $retryable: true });
    },

    async list(limit, cursor) {
      const read = {
        scan: { TableName: table, Limit: limit, FilterExpression: '#state = :active', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':active': 'active' }, ConsistentRead: true },
      };
      const page = await readPage(db, read, { cursors, list: LIST, cursor });
      return { items: page.items.map(toSchool), nextCursor: page.nextCursor };
    },

    markDeleted(schoolId, at) {
      return whileActive(schoolId, 'SET #state = :deleted, deletedAt = :at, updatedAt = :at REMOVE tokens, credentials', { ':deleted': 'deleted', ':at': at });
    },

    async tombstones(cursor) {
      const { Items = [], LastEvaluatedKey } = await db.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: '#state = :deleted',
          ProjectionExpression: 'schoolId, incarnation',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':deleted': 'deleted' },
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      return { items: Items as School[], ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
    },

    async dropTombstone(schoolId, incarnation) {
      try {
        await db.send(
          new DeleteCommand({
            TableName: table,
            Key: schoolKey(schoolId),
            ConditionExpression: '#state = :deleted AND incarnation = :incarnation',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':deleted': 'deleted', ':incarnation': incarnation },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async setToken(schoolId, hash, at) {
      // The former current hash becomes the previous one; a PUT of the same token keeps the previous.
      const before = await get(schoolId);
      if (!before || before.state !== 'active') return false;
      const previous = before.tokens && before.tokens.current !== hash ? before.tokens.current : before.tokens?.previous;
      const tokens = { current: hash, ...(previous ? { previous } : {}), updatedAt: at };
      return (await whileActive(schoolId, 'SET tokens = :tokens, updatedAt = :at', { ':tokens': tokens, ':at': at })) !== undefined;
    },

    async dropPreviousToken(schoolId, at) {
      const before = await get(schoolId);
      if (!before || before.state !== 'active') return false;
      if (!before.tokens?.previous) return true;
      return (await whileActive(schoolId, 'REMOVE tokens.previous SET updatedAt = :at', { ':at': at })) !== undefined;
    },
  };
}
