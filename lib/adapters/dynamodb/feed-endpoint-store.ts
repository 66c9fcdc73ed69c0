import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedEndpoint, FeedEndpointStore } from '../../services/feed-admin-ports.ts';
import type { FeedEndpointItem } from './feed-items.ts';
import type { SchoolKeys } from './keys.ts';

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

const endpointOf = (item: Record<string, unknown>): FeedEndpoint => {
  const { pk: _pk, sk: _sk, ...rest } = item as FeedEndpointItem;
  return rest;
};

/** One school's feed endpoint: the FeedEndpointItem (feed-items.ts) at `feedEndpoint`, one request each. */
export function createFeedEndpointStore(db: DynamoDBDocumentClient, table: string, school: SchoolKeys): FeedEndpointStore {
  const Key = school.keys.feedEndpoint;
  /** An update of the existing item; false when `condition` (beyond existing) failed. */
  const update = async (input: { expression: string; condition?: string; names?: Record<string, string>; values: Record<string, unknown>; returnOld?: boolean }) => {
    try {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName: table,
          Key,
          UpdateExpression: input.expression,
          ConditionExpression: input.condition ? `attribute_exists(pk) AND ${input.condition}` : 'attribute_exists(pk)',
          ...(input.names ? { ExpressionAttributeNames: input.names } : {}),
          ExpressionAttributeValues: input.values,
          ...(input.returnOld ? { ReturnValues: 'ALL_OLD' } : {}),
        }),
      );
      return { done: true as const, old: Attributes };
    } catch (error) {
      if (isConditionFailure(error)) return { done: false as const, old: undefined };
      throw error;
    }
  };
  return {
    async get() {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }));
      return Item ? endpointOf(Item) : null;
    },
    async create(endpoint) {
      const item: FeedEndpointItem = { ...Key, ...endpoint };
      try {
        await db.send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
        return 'created';
      } catch (error) {
        if (isConditionFailure(error)) return 'exists';
        throw error;
      }
    },
    async update({ url, types, updatedAt }) {
      // ALL_OLD: whether it was disabled is read in the same write that re-enables it (a 410 racing the PUT is not lost).
      const result = await update({
        expression: 'SET #url = :url, #types = :types, updatedAt = :at, disabledAt = :null, disabledReason = :null',
        names: { '#url': 'url', '#types': 'types' },
        values: { ':url': url, ':types': types, ':at': updatedAt, ':null': null },
        returnOld: true,
      });
      return result.done && result.old ? endpointOf(result.old) : null;
    },
    async restoreDisabled(updatedAt, disabledAt, disabledReason) {
      await update({ expression: 'SET disabledAt = :disabledAt, disabledReason = :reason', condition: 'updatedAt = :at', values: { ':at': updatedAt, ':disabledAt': disabledAt, ':reason': disabledReason } });
    },
    async replaceSecrets(currentSealed, secrets, updatedAt) {
      const result = await update({
        expression: 'SET secrets = :secrets, updatedAt = :at',
        condition: 'secrets[0].sealed = :current',
        values: { ':secrets': secrets, ':at': updatedAt, ':current': currentSealed },
      });
      return result.done;
    },
    async remove() {
      await db.send(new DeleteCommand({ TableName: table, Key }));
    },
  };
}
