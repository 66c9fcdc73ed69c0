import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { MappingExpectation, Plan, SubscriptionRecord, TransactionState } from '../../domain/write-plan.ts';
import type { HotmartEvent } from '../../domain/hotmart/event.ts';
import type { Target } from '../../domain/mapping.ts';
import { targetKey, targetsKey } from '../../domain/mapping.ts';
import type { CommitMode, CommitResult, EventStore, ParkedEvent, StoredEvent } from '../../services/ports.ts';
import { keys, subscriptionAttribute, transactionAttribute } from './keys.ts';
import { toMapping } from './mapping-store.ts';

type Tables = { events: string; enrollments: string; mappings: string };
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
type Role = 'event' | 'businessKey' | 'mapping' | 'transaction' | 'subscription' | 'other';

const ALL_OLD = 'ALL_OLD' as const;

/** The event record a commit may write: a new one, a parked one being applied, a stored one replayed. */
const EVENT_CONDITIONS: Record<CommitMode, string> = {
  new: 'attribute_not_exists(pk)',
  parked: 'parked = :true',
  replay: 'attribute_exists(pk)',
};

function toTransaction(item: Record<string, unknown>): TransactionState {
  return {
    transaction: item.transaction as string,
    status: item.status as TransactionState['status'],
    targets: (item.targets as TransactionState['targets']) ?? [],
    email: item.email as string,
    productId: item.productId as string,
  };
}

function toSubscription(item: Record<string, unknown>): SubscriptionRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as SubscriptionRecord;
}

function oldItem(reason: { Item?: Record<string, AttributeValue> } | undefined): Record<string, unknown> | undefined {
  return reason?.Item ? unmarshall(reason.Item) : undefined;
}

/** Days an event record is kept by default (README, "What is stored"): a yearly plan's cycle and a month. */
export const DEFAULT_EVENT_RETENTION_DAYS = 400;

/**
 * Events, business keys, parked events and the transaction/enrollment writes they cause. Event
 * records expire `retentionDays` after their receipt (TTL `expiresAt`, epoch seconds; a replay
 * keeps the date); business keys, which hold no personal data, and parked events, still waiting
 * to be applied, do not expire.
 */
export function createEventStore(db: DynamoDBDocumentClient, tables: Tables, retentionDays = DEFAULT_EVENT_RETENTION_DAYS): EventStore {
  const expiresAt = (receivedAt: number) => Math.floor(receivedAt / 1000) + retentionDays * 24 * 3600;

  function eventRecord(event: HotmartEvent, plan: Plan, receivedAt: number, mode: CommitMode): Record<string, unknown> {
    return {
      ...keys.event(event.id),
      ...event,
      receivedAt,
      expiresAt: expiresAt(receivedAt),
      outcome: plan.outcome,
      ...(plan.park ? { parked: true } : {}),
      ...(mode === 'parked' ? { appliedAt: Date.now(), waitedForMapping: true } : {}),
      ...(mode === 'replay' ? { replayedAt: Date.now() } : {}),
    };
  }

  function buildItems(event: HotmartEvent, plan: Plan, receivedAt: number, mode: CommitMode) {
    const items: TransactItem[] = [];
    const roles: Role[] = [];
    const expectations: MappingExpectation[] = [];
    const add = (role: Role, item: TransactItem) => {
      items.push(item);
      roles.push(role);
    };
    const now = Date.now();

    add('event', {
      Put: {
        TableName: tables.events,
        Item: eventRecord(event, plan, receivedAt, mode),
        ConditionExpression: EVENT_CONDITIONS[mode],
        ...(mode === 'parked' ? { ExpressionAttributeValues: { ':true': true } } : {}),
      },
    });
    // An event applied now no longer waits for its mapping.
    if (mode !== 'new' && !plan.park && event.productId !== undefined) {
      add('other', { Delete: { TableName: tables.events, Key: keys.parked(event.productId, event.creationDate, event.id) } });
    }
    if (plan.claimBusinessKey && mode === 'new') {
      add('businessKey', {
        Put: {
          TableName: tables.events,
          Item: { ...keys.businessKey(event.transaction!, event.event), eventId: event.id, createdAt: now },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: ALL_OLD,
        },
      });
    }
    for (const expectation of plan.expectMappings ?? []) {
      expectations.push(expectation);
      add('mapping', {
        ConditionCheck: {
          TableName: tables.mappings,
          Key: keys.mapping(expectation.productId, expectation.offerCode),
          ...(expectation.version === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': expectation.version },
              }),
          ReturnValuesOnConditionCheckFailure: ALL_OLD,
        },
      });
    }
    if (plan.expectTx) {
      const condition = plan.expectTx.absent
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#status = :status AND targetsKey = :targetsKey AND email = :email',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': plan.expectTx.status,
              ':targetsKey': plan.expectTx.targetsKey,
              ':email': plan.expectTx.email,
            },
          };
      const key = keys.transaction(event.transaction!);
      add(
        'transaction',
        plan.writeTx
          ? {
              Put: {
                TableName: tables.enrollments,
                Item: {
                  ...key,
                  ...plan.writeTx,
                  targetsKey: targetsKey(plan.writeTx.targets),
                  updatedAt: now,
                  lastEventId: event.id,
                },
                ...condition,
                ReturnValuesOnConditionCheckFailure: ALL_OLD,
              },
            }
          : { ConditionCheck: { TableName: tables.enrollments, Key: key, ...condition, ReturnValuesOnConditionCheckFailure: ALL_OLD } },
      );
    }
    const enrollmentUpdate = (email: string, productId: string, target: Target, attribute: string, value: unknown): TransactItem => ({
      Update: {
        TableName: tables.enrollments,
        Key: keys.enrollment(email, target),
        UpdateExpression:
          'SET email = :email, targetType = :type, targetId = :id, targetKey = :targetKey, productId = :productId, ' +
          'updatedAt = :now, lastEventId = :eventId, #source = :value, createdAt = if_not_exists(createdAt, :now)',
        ExpressionAttributeNames: { '#source': attribute },
        ExpressionAttributeValues: {
          ':email': email,
          ':type': target.type,
          ':id': target.id,
          ':targetKey': targetKey(target),
          ':productId': productId,
          ':now': now,
          ':eventId': event.id,
          ':value': value,
        },
      },
    });
    if (plan.enrollments) {
      const { email, productId, transaction, status, targets } = plan.enrollments;
      for (const target of targets) add('other', enrollmentUpdate(email, productId, target, transactionAttribute(transaction), status));
    }
    if (plan.writeSubscription) {
      const { record, expectedVersion } = plan.writeSubscription;
      add('subscription', {
        Put: {
          TableName: tables.enrollments,
          Item: { ...keys.subscription(record.subscriberCode), ...record, updatedAt: now, lastEventId: event.id },
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': expectedVersion } }),
          ReturnValuesOnConditionCheckFailure: ALL_OLD,
        },
      });
    }
    if (plan.subscriptionEnrollments) {
      const { email, productId, subscriberCode, mirrors } = plan.subscriptionEnrollments;
      for (const { target, mirror } of mirrors) {
        add('other', enrollmentUpdate(email, productId, target, subscriptionAttribute(subscriberCode), { ...mirror, updatedAt: now }));
      }
    }
    if (plan.park && mode !== 'parked') {
      add('other', {
        Put: {
          TableName: tables.events,
          Item: { ...keys.parked(event.productId!, event.creationDate, event.id), event, receivedAt },
        },
      });
    }
    return { items, roles, expectations };
  }

  return {
    async commit(event, plan, { receivedAt, mode }) {
      const { items, roles, expectations } = buildItems(event, plan, receivedAt, mode);
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items }));
        return { committed: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || !error.CancellationReasons) throw error;
        const reasons = error.CancellationReasons;
        const failed = (role: Role) => {
          const index = roles.indexOf(role);
          return index >= 0 && reasons[index]?.Code === 'ConditionalCheckFailed' ? reasons[index] : undefined;
        };
        if (failed('event')) return { committed: false, conflict: mode === 'parked' ? 'alreadyApplied' : 'duplicate' };
        const businessKey = failed('businessKey');
        if (businessKey) {
          return { committed: false, conflict: 'businessDuplicate', duplicateOf: String(oldItem(businessKey)?.eventId ?? '') };
        }
        const result: CommitResult = { committed: false, conflict: 'stale' };
        // Roles of kind 'mapping' are added in the order of `expectations`: pair them by position.
        const mappingIndexes = roles.flatMap((role, index) => (role === 'mapping' ? [index] : []));
        result.mappings = mappingIndexes
          .map((index, i) => ({ reason: reasons[index], expectation: expectations[i]! }))
          .filter(({ reason }) => reason?.Code === 'ConditionalCheckFailed')
          .map(({ reason, expectation }) => ({ expectation, mapping: oldItem(reason) ? toMapping(oldItem(reason)!) : null }));
        const transaction = failed('transaction');
        if (transaction) result.tx = oldItem(transaction) ? toTransaction(oldItem(transaction)!) : null;
        const subscription = failed('subscription');
        if (subscription) result.subscription = oldItem(subscription) ? toSubscription(oldItem(subscription)!) : null;
        if (result.mappings.length || transaction || subscription) return result;
        if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return { committed: false, conflict: 'contention' };
        throw error;
      }
    },

    async recordDuplicate(event, outcome, receivedAt) {
      try {
        await db.send(
          new PutCommand({
            TableName: tables.events,
            Item: { ...keys.event(event.id), ...event, receivedAt, expiresAt: expiresAt(receivedAt), outcome },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async get(id) {
      const { Item } = await db.send(new GetCommand({ TableName: tables.events, Key: keys.event(id) }));
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, expiresAt: _e, ...stored } = Item;
      return stored as StoredEvent;
    },

    async getSubscription(subscriberCode) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tables.enrollments, Key: keys.subscription(subscriberCode), ConsistentRead: true }),
      );
      return Item ? toSubscription(Item) : null;
    },

    async listParked(productId, { after, limit }) {
      const pk = keys.parkedPartition(productId);
      const page = await db.send(
        new QueryCommand({
          TableName: tables.events,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          Limit: limit,
          ...(after === undefined ? {} : { ExclusiveStartKey: { pk, sk: after } }),
        }),
      );
      const items: ParkedEvent[] = (page.Items ?? []).map((item) => ({ event: item.event as HotmartEvent, receivedAt: item.receivedAt as number, position: item.sk as string }));
      return { items, next: page.LastEvaluatedKey ? String(page.LastEvaluatedKey.sk) : null };
    },

    async countParked(productId) {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tables.events,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.parkedPartition(productId) },
            Select: 'COUNT',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return count;
    },
  };
}

