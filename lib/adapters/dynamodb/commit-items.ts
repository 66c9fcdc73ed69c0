import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AnswerStatus, MappingExpectation, Plan, SubscriptionRecord, TransactionState } from '../../domain/write-plan.ts';
import type { HotmartEvent } from '../../domain/hotmart/event.ts';
import type { Mapping, Target } from '../../domain/mapping.ts';
import { targetsKey } from '../../domain/mapping.ts';
import type { CommitMode, CommitResult, CommitSource } from '../../services/ports.ts';
import type { SchoolKeys } from './keys.ts';
import { subscriptionAttribute, transactionAttribute } from './keys.ts';
import { toMapping } from './mapping-store.ts';

export type CommitTables = { events: string; enrollments: string; mappings: string };
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** What one item's failed condition says, told by that item (its old image, when DynamoDB returned one). */
export type ConditionFinding =
  | { conflict: 'duplicate' | 'alreadyApplied' }
  | { conflict: 'businessDuplicate'; duplicateOf: string }
  | { tx: TransactionState | null }
  | { subscription: SubscriptionRecord | null }
  | { mapping: { expectation: MappingExpectation; mapping: Mapping | null } };

/**
 * One item of the commit's TransactWriteItems, with its own decoder: what its failed condition
 * means. An item without a condition has none. The failure is attributed by the item, never by
 * where it stands in the list.
 */
export type CommitEntry = { item: TransactItem; onConditionFailed?: (old: Record<string, unknown> | undefined) => ConditionFinding };

/** `school`: the keys of the school the event belongs to; `arrival`: the commit answers a delivery (README, "The school's status"). */
export type CommitContext = { receivedAt: number; mode: CommitMode; source?: CommitSource | undefined; now: number; expiresAt: number; tables: CommitTables; school: SchoolKeys; arrival?: Arrival | undefined };
/** A delivery's answer, as the `arrivals` index counts it: the plan's, unless the delivery was answered before (a parked or replayed event). */
export type Arrival = { answered?: AnswerStatus | 'quarantined' };

const ALL_OLD = 'ALL_OLD' as const;

const SOURCE_OF_MODE: Record<CommitMode, CommitSource> = { new: 'webhook', parked: 'mapping', replay: 'replay' };

/** The enrollment's `lastCause` (the feed's cause, lib/domain/feed/event-type.ts FeedCauseSchema): who wrote it, with which event. */
export function causeOf(event: HotmartEvent, { mode, source }: Pick<CommitContext, 'mode' | 'source'>) {
  return { source: source ?? SOURCE_OF_MODE[mode], eventId: event.id, hotmartEvent: event.event, ...(event.transaction ? { transaction: event.transaction } : {}) };
}

/** The event record a commit may write: a new one, a parked one being applied, a stored one replayed. */
const EVENT_CONDITIONS: Record<CommitMode, string> = {
  new: 'attribute_not_exists(pk)',
  parked: 'parked = :true',
  replay: 'attribute_exists(pk)',
};

/** Epoch seconds at which an event record received at `receivedAt` (ms) expires. */
export const eventExpiry = (receivedAt: number, retentionDays: number) => Math.floor(receivedAt / 1000) + retentionDays * 24 * 3600;

export function toTransaction(item: Record<string, unknown>): TransactionState {
  return {
    transaction: item.transaction as string,
    status: item.status as TransactionState['status'],
    targets: (item.targets as TransactionState['targets']) ?? [],
    email: item.email as string,
    productId: item.productId as string,
  };
}

export function toSubscription(item: Record<string, unknown>): SubscriptionRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as SubscriptionRecord;
}

/** The item is at `version`, or absent for null. */
const versionCondition = (version: number | null) =>
  version === null
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': version } };

function eventEntry(event: HotmartEvent, plan: Plan, { receivedAt, mode, now, expiresAt, tables, school, arrival }: CommitContext): CommitEntry {
  const { keys, attributes } = school;
  const Item = {
    ...keys.event(event.id),
    ...event,
    ...attributes.student(event.buyerEmail),
    ...attributes.transaction(event.transaction),
    receivedAt,
    expiresAt,
    outcome: plan.outcome,
    ...(arrival ? school.attributes.arrival(event.id, receivedAt, arrival.answered ?? plan.outcome.status) : {}),
    ...(plan.park ? { parked: true } : {}),
    ...(mode === 'parked' ? { appliedAt: now, waitedForMapping: true } : {}),
    ...(mode === 'replay' ? { replayedAt: now } : {}),
  };
  return {
    item: {
      Put: {
        TableName: tables.events,
        Item,
        ConditionExpression: EVENT_CONDITIONS[mode],
        ...(mode === 'parked' ? { ExpressionAttributeValues: { ':true': true } } : {}),
      },
    },
    onConditionFailed: () => ({ conflict: mode === 'parked' ? 'alreadyApplied' : 'duplicate' }),
  };
}

function transactionEntry(event: HotmartEvent, plan: Plan, expectTx: NonNullable<Plan['expectTx']>, { now, tables, school: { keys } }: CommitContext): CommitEntry {
  const condition = expectTx.absent
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#status = :status AND targetsKey = :targetsKey AND email = :email',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': expectTx.status, ':targetsKey': expectTx.targetsKey, ':email': expectTx.email },
      };
  const Key = keys.transaction(event.transaction!);
  const item: TransactItem = plan.writeTx
    ? {
        Put: {
          TableName: tables.enrollments,
          Item: { ...Key, ...plan.writeTx, targetsKey: targetsKey(plan.writeTx.targets), updatedAt: now, lastEventId: event.id },
          ...condition,
          ReturnValuesOnConditionCheckFailure: ALL_OLD,
        },
      }
    : { ConditionCheck: { TableName: tables.enrollments, Key, ...condition, ReturnValuesOnConditionCheckFailure: ALL_OLD } };
  return { item, onConditionFailed: (old) => ({ tx: old ? toTransaction(old) : null }) };
}

function enrollmentUpdate(event: HotmartEvent, context: CommitContext, email: string, productId: string, target: Target, attribute: string, value: unknown): CommitEntry {
  const { now, tables, school: { keys, attributes } } = context;
  return {
    item: {
      Update: {
        TableName: tables.enrollments,
        Key: keys.enrollment(email, target),
        UpdateExpression:
          'SET email = :email, targetType = :type, targetId = :id, targetKey = :targetKey, productId = :productId, ' +
          'updatedAt = :now, lastEventId = :eventId, lastCause = :cause, #source = :value, createdAt = if_not_exists(createdAt, :now)',
        ExpressionAttributeNames: { '#source': attribute },
        ExpressionAttributeValues: {
          ':email': email,
          ':type': target.type,
          ':id': target.id,
          ':targetKey': attributes.rosterIndex(target),
          ':productId': productId,
          ':now': now,
          ':eventId': event.id,
          ':value': value,
          ':cause': causeOf(event, context),
        },
      },
    },
  };
}

/** The items of one plan's atomic write (pure: no I/O, the clock passed in as `now`). */
export function commitEntries(event: HotmartEvent, plan: Plan, context: CommitContext): CommitEntry[] {
  const { mode, now, tables } = context;
  const { keys } = context.school;
  const entries: CommitEntry[] = [eventEntry(event, plan, context)];
  // An event applied now no longer waits for its mapping.
  if (mode !== 'new' && !plan.park && event.productId !== undefined) {
    entries.push({ item: { Delete: { TableName: tables.events, Key: keys.parked(event.productId, event.creationDate, event.id) } } });
  }
  if (plan.claimBusinessKey && mode === 'new') {
    entries.push({
      item: {
        Put: {
          TableName: tables.events,
          Item: { ...keys.businessKey(event.transaction!, event.event), eventId: event.id, createdAt: now },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: ALL_OLD,
        },
      },
      onConditionFailed: (old) => ({ conflict: 'businessDuplicate', duplicateOf: String(old?.eventId ?? '') }),
    });
  }
  for (const expectation of plan.expectMappings ?? []) {
    entries.push({
      item: {
        ConditionCheck: {
          TableName: tables.mappings,
          Key: keys.mapping(expectation.productId, expectation.offerCode),
          ...versionCondition(expectation.version),
          ReturnValuesOnConditionCheckFailure: ALL_OLD,
        },
      },
      onConditionFailed: (old) => ({ mapping: { expectation, mapping: old ? toMapping(old) : null } }),
    });
  }
  if (plan.expectTx) entries.push(transactionEntry(event, plan, plan.expectTx, context));
  if (plan.enrollments) {
    const { email, productId, transaction, status, targets } = plan.enrollments;
    for (const target of targets) entries.push(enrollmentUpdate(event, context, email, productId, target, transactionAttribute(transaction), status));
  }
  if (plan.writeSubscription) {
    const { record, expectedVersion } = plan.writeSubscription;
    entries.push({
      item: {
        Put: {
          TableName: tables.enrollments,
          Item: { ...keys.subscription(record.subscriberCode), ...record, updatedAt: now, lastEventId: event.id },
          ...versionCondition(expectedVersion === 0 ? null : expectedVersion),
          ReturnValuesOnConditionCheckFailure: ALL_OLD,
        },
      },
      onConditionFailed: (old) => ({ subscription: old ? toSubscription(old) : null }),
    });
  }
  if (plan.subscriptionEnrollments) {
    const { email, productId, subscriberCode, mirrors } = plan.subscriptionEnrollments;
    for (const { target, mirror } of mirrors) {
      entries.push(enrollmentUpdate(event, context, email, productId, target, subscriptionAttribute(subscriberCode), { ...mirror, updatedAt: now }));
    }
  }
  if (plan.park && mode !== 'parked') {
    // On the school's `waiting` index (what its status lists); `arrived`: a delivery was answered `unmapped` for it.
    const waiting = { ...context.school.attributes.waiting(event.id, event.productId!), ...(context.arrival ? { arrived: true } : {}) };
    const parked = { ...keys.parked(event.productId!, event.creationDate, event.id), event, receivedAt: context.receivedAt, ...waiting, ...context.school.attributes.student(event.buyerEmail) };
    entries.push({ item: { Put: { TableName: tables.events, Item: parked } } });
  }
  return entries;
}

/** A cancellation reason as the document client returns it: the old image still marshalled. */
export type CancellationReason = { Code?: string; Item?: Record<string, unknown> };

/**
 * What a cancelled commit means, from each item's own reading of its reason. A stored event or a
 * claimed business key ends the attempt; failed expectations are knowledge the retry plans on;
 * a cancellation no item explains is contention if DynamoDB says so, else undefined (rethrow).
 */
export function decodeCancellation(
  entries: readonly CommitEntry[],
  reasons: readonly CancellationReason[],
  unmarshall: (item: Record<string, unknown>) => Record<string, unknown>,
): CommitResult | undefined {
  const findings = entries.flatMap((entry, index) => {
    const reason = reasons[index];
    if (reason?.Code !== 'ConditionalCheckFailed' || !entry.onConditionFailed) return [];
    return [entry.onConditionFailed(reason.Item ? unmarshall(reason.Item) : undefined)];
  });
  const terminal = (conflict: string) => findings.find((finding) => 'conflict' in finding && finding.conflict === conflict);
  const ended = terminal('duplicate') ?? terminal('alreadyApplied') ?? terminal('businessDuplicate');
  if (ended) return { committed: false, ...(ended as Extract<ConditionFinding, { conflict: string }>) };
  const result: CommitResult = { committed: false, conflict: 'stale', mappings: [] };
  for (const finding of findings) {
    if ('tx' in finding) result.tx = finding.tx;
    if ('subscription' in finding) result.subscription = finding.subscription;
    if ('mapping' in finding) result.mappings!.push(finding.mapping);
  }
  if (findings.length) return result;
  if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return { committed: false, conflict: 'contention' };
  return undefined;
}
