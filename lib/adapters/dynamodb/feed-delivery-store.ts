import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { FeedDeliveryStore, FeedEndpoint, StoredFeedEvent } from '../../services/feed-delivery-ports.ts';
import type { EnqueueRecord } from '../../services/feed-delivery.ts';
import type { FeedEndpointItem, FeedEventItem } from './feed-items.ts';
import { FEED_EVENT_SORT_PREFIX, schoolKeys } from './keys.ts';

/**
 * The feed table as delivery uses it (items: feed-items.ts): reads and marks one school's events,
 * reads its endpoint and disables it on a 410, pages its pending events and replay ranges.
 */

export function storedEventOf(item: FeedEventItem): StoredFeedEvent {
  return {
    id: item.id,
    type: item.type,
    sk: item.sk,
    group: item.group,
    previousEventId: item.previousEventId ?? null,
    body: item.body,
    pending: item.pendingKey !== undefined,
    dead: item.deadKey !== undefined,
    attempts: item.attempts ?? 0,
    createdAt: item.createdAt,
    ...(item.firstFailedAt === undefined ? {} : { firstFailedAt: item.firstFailedAt }),
  };
}

/** The scope of a feed item's partition `S#<scope>#FEED` (null: not a feed event partition). */
export const scopeOfFeedPartition = (pk: string) => /^S#(.+)#FEED$/.exec(pk)?.[1] ?? null;

/** The feed table's stream records, as enqueue reads them: INSERTs of events (anything else: `event` null). */
export function enqueueRecordsOf(records: { eventName?: string; dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, unknown> } }[]): EnqueueRecord[] {
  return records.map((record) => {
    const recordId = record.dynamodb?.SequenceNumber ?? '';
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) return { recordId, scope: '', event: null };
    const item = unmarshall(image as Record<string, AttributeValue>) as FeedEventItem;
    const scope = typeof item.pk === 'string' ? scopeOfFeedPartition(item.pk) : null;
    if (!scope || typeof item.sk !== 'string' || !item.sk.startsWith(FEED_EVENT_SORT_PREFIX)) return { recordId, scope: '', event: null };
    return { recordId, scope, event: storedEventOf(item) };
  });
}

export function createFeedDeliveryStore(db: DynamoDBDocumentClient, table: string, scope: string): FeedDeliveryStore {
  const { keys, attributes } = schoolKeys(scope);
  const endpointKey = keys.feedEndpoint;
  const update = (id: string, expression: string, values: Record<string, unknown>, names: Record<string, string> = {}) =>
    db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.feedEvent(id),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(pk)',
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    ).catch((error: { name?: string }) => {
      if (error.name === 'ConditionalCheckFailedException') return { Attributes: undefined }; // expired or erased meanwhile
      throw error;
    });

  async function byIds(ids: string[]): Promise<StoredFeedEvent[]> {
    const found: FeedEventItem[] = [];
    for (let start = 0; start < ids.length; start += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = { [table]: { Keys: ids.slice(start, start + 100).map((id) => keys.feedEvent(id)) } };
      while (request && Object.keys(request).length > 0) {
        const result = await db.send(new BatchGetCommand({ RequestItems: request }));
        found.push(...((result.Responses?.[table] ?? []) as FeedEventItem[]));
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return found.filter((item) => item.sk?.startsWith(FEED_EVENT_SORT_PREFIX)).sort((a, b) => (a.sk < b.sk ? -1 : 1)).map(storedEventOf);
  }

  return {
    async readEvent(id) {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.feedEvent(id), ConsistentRead: true }));
      return Item ? storedEventOf(Item as FeedEventItem) : null;
    },
    async markDelivered(id, at) {
      await update(id, 'REMOVE pendingKey, deadKey SET deliveredAt = :at', { ':at': at });
    },
    async markFailed(id, at, error) {
      const { Attributes } = await update(id, 'SET attempts = if_not_exists(attempts, :zero) + :one, firstFailedAt = if_not_exists(firstFailedAt, :at), lastError = :error', {
        ':zero': 0,
        ':one': 1,
        ':at': at,
        ':error': error.slice(0, 200),
      });
      return { attempts: Number(Attributes?.attempts ?? 1), firstFailedAt: Number(Attributes?.firstFailedAt ?? at) };
    },
    async markDead(id, at, error) {
      await update(id, 'REMOVE pendingKey SET deadKey = :dead, deadAt = :at, lastError = :error', { ':dead': attributes.feedDead.deadKey, ':at': at, ':error': error.slice(0, 200) });
    },
    async notPushed(id) {
      await update(id, 'REMOVE pendingKey', {});
    },
    async readEndpoint() {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: endpointKey, ConsistentRead: true }));
      if (!Item) return null;
      const item = Item as FeedEndpointItem;
      return { url: item.url, types: item.types, secrets: item.secrets, disabledAt: item.disabledAt ?? null } satisfies FeedEndpoint;
    },
    async disableEndpoint(at, reason) {
      await db
        .send(
          new UpdateCommand({
            TableName: table,
            Key: endpointKey,
            UpdateExpression: 'SET disabledAt = :at, disabledReason = :reason',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(disabledAt) OR disabledAt = :null)',
            ExpressionAttributeValues: { ':at': at, ':reason': reason, ':null': null },
          }),
        )
        .catch((error: { name?: string }) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error; // deleted, or already disabled
        });
    },
    async pendingPage({ after, limit }) {
      const { Items, LastEvaluatedKey } = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: attributes.feedPendingIndexName,
          KeyConditionExpression: 'pendingKey = :p',
          ExpressionAttributeValues: { ':p': attributes.feedPending.pendingKey },
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { pendingKey: attributes.feedPending.pendingKey, sk: after, pk: keys.feedEventsPartition } } : {}),
        }),
      );
      const ids = (Items ?? []).map((item) => String(item.sk).slice(FEED_EVENT_SORT_PREFIX.length));
      return { events: await byIds(ids), next: LastEvaluatedKey ? String(LastEvaluatedKey.sk) : null };
    },
    async rangePage({ fromId, toId, after, limit }) {
      const { Items, LastEvaluatedKey } = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          // BETWEEN is inclusive: `to` is the floor of the first id not wanted, which no id equals.
          ExpressionAttributeValues: { ':pk': keys.feedEventsPartition, ':from': `${FEED_EVENT_SORT_PREFIX}${fromId}`, ':to': `${FEED_EVENT_SORT_PREFIX}${toId}` },
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { pk: keys.feedEventsPartition, sk: after } } : {}),
        }),
      );
      return { events: ((Items ?? []) as FeedEventItem[]).map(storedEventOf), next: LastEvaluatedKey ? String(LastEvaluatedKey.sk) : null };
    },
    eventsByIds: byIds,
  };
}
