import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { HotmartEvent } from '../../domain/hotmart/event.ts';
import type { EventStore, ParkedEvent, StoredEvent } from '../../services/ports.ts';
import type { CommitTables } from './commit-items.ts';
import { commitEntries, decodeCancellation, eventExpiry, toSubscription } from './commit-items.ts';
import type { SchoolKeys } from './keys.ts';
import { countAll, readPageAfter } from './paging.ts';
import { DAY_MS, minuteOf, SHARD_IDS } from '../../domain/school-status.ts';
import type { AnswerStatus } from '../../domain/write-plan.ts';

/** An event record as the API shows it: without its keys, expiry and index attributes. */
export function toStoredEvent(item: Record<string, unknown>): StoredEvent {
  const { pk: _pk, sk: _sk, expiresAt: _e, arrivalKey: _k, arrivalAt: _a, studentKey: _s, txKey: _t, schoolShard: _h, arrivalStatus, ...stored } = item;
  return (arrivalStatus === undefined ? stored : { ...stored, arrival: arrivalStatus as AnswerStatus | 'quarantined' }) as StoredEvent;
}

/** Days an event record is kept by default (README, "What is stored"): a yearly plan's cycle and a month. */
export const DEFAULT_EVENT_RETENTION_DAYS = 400;

/**
 * Events, business keys, parked events and the transaction/enrollment writes they cause. Event
 * records expire `retentionDays` after their receipt (TTL `expiresAt`, epoch seconds; a replay
 * keeps the date); business keys, which hold no personal data, and parked events, still waiting
 * to be applied, do not expire.
 */
export function createEventStore(db: DynamoDBDocumentClient, tables: CommitTables, school: SchoolKeys, retentionDays = DEFAULT_EVENT_RETENTION_DAYS): EventStore {
  const { keys } = school;
  const expiresAt = (receivedAt: number) => eventExpiry(receivedAt, retentionDays);
  const parkedRead = (productId: string) => ({
    TableName: tables.events,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.parkedPartition(productId) },
    ConsistentRead: true,
  });

  return {
    async commit(event, plan, { receivedAt, mode, source, arrival }) {
      const entries = commitEntries(event, plan, { receivedAt, mode, source, now: Date.now(), expiresAt: expiresAt(receivedAt), tables, school, arrival });
      try {
        await db.send(new TransactWriteCommand({ TransactItems: entries.map((entry) => entry.item) }));
        return { committed: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || !error.CancellationReasons) throw error;
        const result = decodeCancellation(entries, error.CancellationReasons, (item) => unmarshall(item as Record<string, AttributeValue>));
        if (!result) throw error;
        return result;
      }
    },

    async recordDuplicate(event, outcome, receivedAt, arrivalAnswer) {
      try {
        await db.send(
          new PutCommand({
            TableName: tables.events,
            Item: {
              ...keys.event(event.id),
              ...event,
              ...school.attributes.student(event.buyerEmail),
              ...school.attributes.transaction(event.transaction),
              receivedAt,
              expiresAt: expiresAt(receivedAt),
              outcome,
              ...(arrivalAnswer ? school.attributes.arrival(event.id, receivedAt, arrivalAnswer) : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async countRepeat(answer, at) {
      // A random shard: repeats of one id during a launch's retries spread too. Kept two days (TTL).
      const shard = SHARD_IDS[Math.floor(Math.random() * SHARD_IDS.length)]!;
      await db.send(
        new UpdateCommand({
          TableName: tables.events,
          Key: keys.repeats(shard, minuteOf(at)),
          UpdateExpression: 'ADD #answer :one SET lastAt = :at, expiresAt = :expires',
          ExpressionAttributeNames: { '#answer': answer },
          ExpressionAttributeValues: { ':one': 1, ':at': at, ':expires': Math.floor((at + 2 * DAY_MS) / 1000) },
        }),
      );
    },

    async get(id) {
      const { Item } = await db.send(new GetCommand({ TableName: tables.events, Key: keys.event(id) }));
      return Item ? toStoredEvent(Item) : undefined;
    },

    async getSubscription(subscriberCode) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tables.enrollments, Key: keys.subscription(subscriberCode), ConsistentRead: true }),
      );
      return Item ? toSubscription(Item) : null;
    },

    async listParked(productId, { after, limit }) {
      const pk = keys.parkedPartition(productId);
      const page = await readPageAfter(db, { query: { ...parkedRead(productId), Limit: limit } }, after === undefined ? undefined : { pk, sk: after });
      const items: ParkedEvent[] = page.items.map((item) => ({
        event: item.event as HotmartEvent,
        receivedAt: item.receivedAt as number,
        position: item.sk as string,
        ...(item.arrived === true ? { arrived: true } : {}),
      }));
      return { items, next: page.next ? String(page.next.sk) : null };
    },

    async countParked(productId) {
      return countAll(db, { query: { ...parkedRead(productId), Select: 'COUNT' } });
    },
  };
}
