import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Target } from '../../domain/mapping.ts';
import { SHARD_IDS, shardOf } from '../../domain/school-status.ts';
import type { AccessEndsIndex, EnrollmentRef, EnrollmentSource, FeedCaptureStore, StoredFeedState } from '../../services/feed-capture-ports.ts';
import { toRecord } from './enrollment-reader.ts';
import type { FeedEventItem, FeedStateItem } from './feed-items.ts';
import { FEED_RETENTION_DAYS, feedGroupOf } from './feed-items.ts';
import { ACCESS_ENDS_INDEX, accessEndsAttributes, schoolKeys } from './keys.ts';
import { readAll } from './paging.ts';

type Tables = { feed: string; enrollments: string };

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';
/** A cancelled emission lost a race on the feed state (its condition, or a concurrent transaction on it): read again. */
const lostRace = (error: unknown) =>
  error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');

const stateOf = (item: Record<string, unknown>): StoredFeedState => ({
  sequence: item.sequence as number,
  state: item.state as StoredFeedState['state'],
  lastEventId: item.lastEventId as string,
  accessEndsAt: (item.accessEndsAt as number | undefined) ?? null,
});

/** Where a feed state sits on the expiry index: on one of 16 shards, fixed by its key. */
const endsAttributes = (key: { pk: string; sk: string }, at: number | null): Partial<ReturnType<typeof accessEndsAttributes>> =>
  at === null ? {} : accessEndsAttributes(shardOf(`${key.pk}\u0000${key.sk}`), at);

const sequenceCondition = (previous: StoredFeedState | null) =>
  previous === null
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : { ConditionExpression: '#sequence = :sequence', ExpressionAttributeNames: { '#sequence': 'sequence' }, ExpressionAttributeValues: { ':sequence': previous.sequence } };

/**
 * The feed's capture and expiry sweep on DynamoDB: an emission is ONE TransactWriteItems of the
 * event (FeedEventItem, new) and the enrollment's feed state (FeedStateItem, at the sequence read).
 */
export function createFeedCaptureStore(db: DynamoDBDocumentClient, tables: Tables): FeedCaptureStore {
  return {
    async readState({ scope, email, target }) {
      const { Item } = await db.send(new GetCommand({ TableName: tables.feed, Key: schoolKeys(scope).keys.feedState(email, target), ConsistentRead: true }));
      return Item ? stateOf(Item) : null;
    },

    async emit({ scope, email, target, event, previous, state, accessEndsAt }) {
      const { keys, attributes } = schoolKeys(scope);
      const stateKey = keys.feedState(email, target);
      const createdAt = Date.parse(event.createdAt);
      const eventItem: FeedEventItem = {
        ...keys.feedEvent(event.id),
        id: event.id,
        type: event.type,
        createdAt,
        sequence: event.sequence,
        group: feedGroupOf(scope, email, target),
        previousEventId: previous?.lastEventId ?? null,
        body: JSON.stringify(event),
        ...attributes.student(email),
        ...attributes.feedPending,
        expiresAt: Math.floor(createdAt / 1000) + FEED_RETENTION_DAYS * 24 * 3600,
      };
      const stateItem: FeedStateItem = {
        ...stateKey,
        schoolId: event.schoolId,
        scope,
        email,
        target,
        sequence: event.sequence,
        state,
        lastEventId: event.id,
        updatedAt: createdAt,
        ...endsAttributes(stateKey, accessEndsAt),
      };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tables.feed, Item: eventItem, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tables.feed, Item: stateItem, ...sequenceCondition(previous) } },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (lostRace(error)) return false;
        throw error;
      }
    },

    async watch({ scope, email, target }, sequence, accessEndsAt) {
      const Key = schoolKeys(scope).keys.feedState(email, target);
      const ends = endsAttributes(Key, accessEndsAt);
      try {
        await db.send(
          new UpdateCommand({
            TableName: tables.feed,
            Key,
            UpdateExpression: accessEndsAt === null ? 'REMOVE accessEndsKey, accessEndsAt' : 'SET accessEndsKey = :key, accessEndsAt = :at',
            ConditionExpression: '#sequence = :sequence',
            ExpressionAttributeNames: { '#sequence': 'sequence' },
            ExpressionAttributeValues: { ':sequence': sequence, ...(ends.accessEndsKey ? { ':key': ends.accessEndsKey, ':at': ends.accessEndsAt } : {}) },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}

/** The enrollment, read through its school's keys (the expiry sweep re-reads it before it emits). */
export function createEnrollmentSource(db: DynamoDBDocumentClient, tables: Tables): EnrollmentSource {
  return async ({ scope, email, target }) => {
    const { Item } = await db.send(new GetCommand({ TableName: tables.enrollments, Key: schoolKeys(scope).keys.enrollment(email, target), ConsistentRead: true }));
    return Item ? toRecord(Item) : null;
  };
}

const FEED_STATE_PARTITION = /^S#([^#]+#[^#]+)#FEEDSTATE#(.+)$/s;

/** A feed state's enrollment, from its keys (the index projects keys only): `S#<scope>#FEEDSTATE#<e-mail>`, `TARGET#<type>#<id>`. */
export function enrollmentRefOfFeedState(pk: string, sk: string): EnrollmentRef | null {
  const partition = FEED_STATE_PARTITION.exec(pk);
  const [prefix, type, ...id] = sk.split('#');
  if (!partition || prefix !== 'TARGET' || !type || id.length === 0) return null;
  return { scope: partition[1]!, email: partition[2]!, target: { type: type as Target['type'], id: id.join('#') } };
}

/** Across schools by design: the 16 shards of `cross-school-access-ends`, each up to `now`; the sweep then acts through each school's keys. */
export function createAccessEndsIndex(db: DynamoDBDocumentClient, tables: Tables): AccessEndsIndex {
  return async function* due(now) {
    for (const shard of SHARD_IDS) {
      const { accessEndsKey } = accessEndsAttributes(shard, now);
      const query = {
        TableName: tables.feed,
        IndexName: ACCESS_ENDS_INDEX,
        KeyConditionExpression: 'accessEndsKey = :key AND accessEndsAt <= :now',
        ExpressionAttributeValues: { ':key': accessEndsKey, ':now': now },
      };
      for await (const item of readAll(db, { query })) {
        const ref = enrollmentRefOfFeedState(item.pk as string, item.sk as string);
        if (ref) yield ref;
      }
    }
  };
}
