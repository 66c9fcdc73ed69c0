import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedEventReader } from '../../services/feed-admin-ports.ts';
import type { FeedEventItem } from './feed-items.ts';
import type { PageCursors, SchoolKeys } from './keys.ts';
import { countAll } from './paging.ts';

/** The list name page cursors of the pull are bound to: a cursor of another list is a 400. */
const LIST = 'feed-events';

/**
 * One school's stored feed events, read through its own keys: the pull (the events partition,
 * in emission order: ids sort by emission) and the delivery state (the sparse feedPending and
 * feedDead indexes, counted with Select COUNT, page after page).
 */
export function createFeedEventReader(db: DynamoDBDocumentClient, table: string, cursors: PageCursors, school: SchoolKeys): FeedEventReader {
  const { keys, attributes } = school;
  const count = (IndexName: string, name: string, value: string) =>
    countAll(db, { query: { TableName: table, IndexName, KeyConditionExpression: '#k = :k', ExpressionAttributeNames: { '#k': name }, ExpressionAttributeValues: { ':k': value }, Select: 'COUNT' } });
  return {
    async deliveryCounts() {
      const [pending, dead, oldest] = await Promise.all([
        count(attributes.feedPendingIndexName, 'pendingKey', attributes.feedPending.pendingKey),
        count(attributes.feedDeadIndexName, 'deadKey', attributes.feedDead.deadKey),
        db.send(
          new QueryCommand({
            TableName: table,
            IndexName: attributes.feedPendingIndexName,
            KeyConditionExpression: 'pendingKey = :k',
            ExpressionAttributeValues: { ':k': attributes.feedPending.pendingKey },
            Limit: 1,
          }),
        ),
      ]);
      const first = oldest.Items?.[0] as Partial<FeedEventItem> | undefined;
      return {
        pending,
        dead,
        oldestPending: first ? { attempts: first.attempts ?? 0, firstFailedAt: first.firstFailedAt ?? null, lastError: first.lastError ?? null } : null,
      };
    },
    async page(limit, cursor) {
      const startKey = cursors.startKey(LIST, cursor);
      // One more than asked: the last page says so (nextCursor null) instead of pointing at an empty one.
      const { Items = [], LastEvaluatedKey } = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
          ExpressionAttributeValues: { ':pk': keys.feedEventsPartition, ':events': keys.feedEventSortPrefix },
          ProjectionExpression: 'pk, sk, body',
          Limit: limit + 1,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const page = Items.slice(0, limit);
      const last = page.at(-1);
      // More: a page beyond `limit`, or DynamoDB's 1 MB cut before it.
      const more = Items.length > limit || LastEvaluatedKey !== undefined;
      return {
        items: page.map((item) => JSON.parse(String(item.body)) as unknown),
        nextCursor: more && last ? cursors.encode(LIST, { pk: last.pk, sk: last.sk }) : null,
      };
    },
  };
}
