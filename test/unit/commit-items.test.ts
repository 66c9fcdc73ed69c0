import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommitEntry, CommitTables, TransactItem } from '#lib/adapters/dynamodb/commit-items.ts';
import { commitEntries, decodeCancellation } from '#lib/adapters/dynamodb/commit-items.ts';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import type { Plan, SubscriptionRecord, TransactionState } from '#lib/domain/write-plan.ts';
import type { HotmartEvent } from '#lib/domain/hotmart/event.ts';
import type { CommitMode } from '#lib/services/ports.ts';

const tables: CommitTables = { events: 'ev', enrollments: 'en', mappings: 'ma' };
/** Every key of the school's items starts with it. */
const PREFIX = 'S#school-a#k3j9x2a7bq#';
const NOW = 1_700_000_000_000;
const GRANTED: Plan['outcome'] = { status: 'processed', detail: 'granted' };
const event: HotmartEvent = {
  id: 'e1',
  event: 'PURCHASE_APPROVED',
  version: '2.0.0',
  creationDate: 42,
  productId: '7',
  transaction: 'HP1',
  buyerEmail: 'a@example.com',
  test: false,
};
const c1 = { type: 'course' as const, id: 'c1' };
const c2 = { type: 'class' as const, id: 'k2' };
const tx: TransactionState = { transaction: 'HP1', status: 'APPROVED', targets: [c1, c2], email: 'a@example.com', productId: '7' };
const subscription = { subscriberCode: 'S1', version: 4 } as unknown as SubscriptionRecord;

const entries = (plan: Plan, mode: CommitMode = 'new') => commitEntries(event, plan, { receivedAt: NOW - 5, mode, now: NOW, expiresAt: 99, tables, school: schoolKeys('school-a#k3j9x2a7bq') });

/** An item as a line: its kind, table, key and condition. */
function line({ item }: CommitEntry): string {
  const [kind, body] = Object.entries(item as TransactItem)[0] as [string, Record<string, any>];
  const key = body.Key ?? { pk: body.Item.pk, sk: body.Item.sk };
  assert.ok(String(key.pk).startsWith(PREFIX), `${key.pk} is not the school's`);
  return [kind, body.TableName, `${String(key.pk).slice(PREFIX.length)}|${key.sk}`, body.ConditionExpression ?? '-'].join(' ');
}

/** A plan with every item that can fail on its condition. */
const everything: Plan = {
  outcome: GRANTED,
  claimBusinessKey: true,
  expectMappings: [
    { productId: '7', offerCode: 'o1', version: null },
    { productId: '7', version: 3 },
  ],
  expectTx: { absent: true },
  writeTx: tx,
  enrollments: { email: 'a@example.com', productId: '7', transaction: 'HP1', status: 'APPROVED', targets: [c1] },
  writeSubscription: { record: subscription, expectedVersion: 4 },
};

describe('commit items: a plan as one TransactWriteItems', () => {
  it('writes a new granted purchase: event, business key, mapping checks, transaction, enrollments', () => {
    const plan: Plan = { ...everything, writeSubscription: undefined, enrollments: { ...everything.enrollments!, targets: [c1, c2] } };
    assert.deepEqual(entries(plan).map(line), [
      'Put ev EVENT#e1|EVENT attribute_not_exists(pk)',
      'Put ev TXEVENT#HP1#PURCHASE_APPROVED|TXEVENT attribute_not_exists(pk)',
      'ConditionCheck ma MAPPINGS|PRODUCT#7#OFFER#o1 attribute_not_exists(pk)',
      'ConditionCheck ma MAPPINGS|PRODUCT#7#MAPPING #version = :version',
      'Put en TX#HP1|TX attribute_not_exists(pk)',
      'Update en STUDENT#a@example.com|TARGET#course#c1 -',
      'Update en STUDENT#a@example.com|TARGET#class#k2 -',
    ]);
    const [first, , , , written, enrollment] = entries(plan).map((entry) => entry.item);
    // studentKey: the student's index value, in the school (a student's erasure queries it).
    assert.deepEqual(first!.Put!.Item, { pk: `${PREFIX}EVENT#e1`, sk: 'EVENT', ...event, studentKey: `${PREFIX}STUDENT#a@example.com`, txKey: `${PREFIX}TX#HP1`, receivedAt: NOW - 5, expiresAt: 99, outcome: GRANTED });
    assert.equal(written!.Put!.Item!.targetsKey, 'class#k2|course#c1');
    assert.equal(enrollment!.Update!.ExpressionAttributeValues![':targetKey'], `${PREFIX}course#c1`, 'the roster index value, in the school');
    assert.equal(enrollment!.Update!.ExpressionAttributeNames!['#source'], 'tx:HP1');
  });

  it('parks an unmapped purchase, and applies it later with the parked copy deleted', () => {
    const park: Plan = { outcome: { status: 'unmapped', detail: 'no mapping' }, claimBusinessKey: false, expectMappings: [{ productId: '7', version: null }], park: true };
    assert.deepEqual(entries(park).map(line), [
      'Put ev EVENT#e1|EVENT attribute_not_exists(pk)',
      'ConditionCheck ma MAPPINGS|PRODUCT#7#MAPPING attribute_not_exists(pk)',
      'Put ev PARKED#7|000000000000042#e1 -',
    ]);
    assert.equal(entries(park)[0]!.item.Put!.Item!.parked, true);
    const applied = entries({ ...everything, park: false }, 'parked');
    assert.deepEqual(applied.slice(0, 3).map(line), [
      'Put ev EVENT#e1|EVENT parked = :true',
      'Delete ev PARKED#7|000000000000042#e1 -',
      'ConditionCheck ma MAPPINGS|PRODUCT#7#OFFER#o1 attribute_not_exists(pk)',
    ]);
    assert.deepEqual(applied[0]!.item.Put!.Item!.appliedAt, NOW);
    assert.ok(!applied.map(line).some((l) => l.includes('TXEVENT')), 'the business key was claimed when it arrived');
  });

  it('replays a stored event over its record, and checks a transaction it does not rewrite', () => {
    const plan: Plan = { outcome: { status: 'ignored', detail: 'replayed' }, claimBusinessKey: true, expectTx: { absent: false, status: 'APPROVED', targetsKey: 'course#c1', email: 'a@example.com' } };
    assert.deepEqual(entries(plan, 'replay').map(line), [
      'Put ev EVENT#e1|EVENT attribute_exists(pk)',
      'Delete ev PARKED#7|000000000000042#e1 -',
      'ConditionCheck en TX#HP1|TX #status = :status AND targetsKey = :targetsKey AND email = :email',
    ]);
    assert.equal(entries(plan, 'replay')[0]!.item.Put!.Item!.replayedAt, NOW);
  });

  it('writes a subscription at its version (absent for 0) and mirrors it on each target', () => {
    const mirror = { status: 'active' } as never;
    const plan: Plan = {
      outcome: GRANTED,
      claimBusinessKey: false,
      writeSubscription: { record: subscription, expectedVersion: 0 },
      subscriptionEnrollments: { email: 'a@example.com', productId: '7', subscriberCode: 'S1', mirrors: [{ target: c1, mirror }] },
    };
    assert.deepEqual(entries(plan).map(line), [
      'Put ev EVENT#e1|EVENT attribute_not_exists(pk)',
      'Put en SUB#S1|SUB attribute_not_exists(pk)',
      'Update en STUDENT#a@example.com|TARGET#course#c1 -',
    ]);
    const update = entries(plan)[2]!.item.Update!;
    assert.deepEqual([update.ExpressionAttributeNames!['#source'], update.ExpressionAttributeValues![':value']], ['sub:S1', { status: 'active', updatedAt: NOW }]);
    assert.equal(entries({ ...plan, writeSubscription: { record: subscription, expectedVersion: 4 } })[1]!.item.Put!.ExpressionAttributeValues![':version'], 4);
  });
});

describe('commit items: a cancellation decoded by the item that failed', () => {
  const identity = (item: Record<string, unknown>) => item;
  const storedTx = { pk: 'TX#HP1', sk: 'TX', ...tx, status: 'REFUNDED' };
  const storedMapping = { pk: 'PRODUCT#7', sk: 'OFFER#o1', productId: '7', offerCode: 'o1', targets: [c2], version: 2, createdAt: 1, updatedAt: 1 };
  /** The reasons DynamoDB gives when the entry `failing` fails on its condition (old image `old`). */
  const reasonsFor = (list: CommitEntry[], failing: CommitEntry, old?: Record<string, unknown>) =>
    list.map((entry) => (entry === failing ? { Code: 'ConditionalCheckFailed', ...(old ? { Item: old } : {}) } : { Code: 'None' }));
  const orders = (list: CommitEntry[]) => [list, [...list].reverse(), [...list.slice(3), ...list.slice(0, 3)]];

  it('attributes each failure to its own item, in whatever order the items stand', () => {
    const list = entries(everything);
    const [eventItem, businessKey, offerCheck, productCheck, txItem, enrollment, subscriptionItem] = list;
    const cases: [CommitEntry, Record<string, unknown> | undefined, unknown][] = [
      [eventItem!, undefined, { committed: false, conflict: 'duplicate' }],
      [businessKey!, { eventId: 'e0' }, { committed: false, conflict: 'businessDuplicate', duplicateOf: 'e0' }],
      [offerCheck!, storedMapping, { committed: false, conflict: 'stale', mappings: [{ expectation: everything.expectMappings![0], mapping: { ...storedMapping, pk: undefined, sk: undefined, policy: { onDispute: 'keep', onDelayed: 'suspend', onSubscriptionCancel: 'endOfPeriod', graceDays: 3 } } }] }],
      [productCheck!, undefined, { committed: false, conflict: 'stale', mappings: [{ expectation: everything.expectMappings![1], mapping: null }] }],
      [txItem!, storedTx, { committed: false, conflict: 'stale', mappings: [], tx: { ...tx, status: 'REFUNDED' } }],
      [subscriptionItem!, { pk: 'SUB#S1', sk: 'SUB', subscriberCode: 'S1', version: 5 }, { committed: false, conflict: 'stale', mappings: [], subscription: { subscriberCode: 'S1', version: 5 } }],
    ];
    for (const [failing, old, expected] of cases) {
      for (const order of orders(list)) {
        const decoded = JSON.parse(JSON.stringify(decodeCancellation(order, reasonsFor(order, failing, old), identity)));
        assert.deepEqual(decoded, JSON.parse(JSON.stringify(expected)), line(failing));
      }
    }
    // An item without a condition explains nothing: an unexplained cancellation is rethrown.
    assert.equal(enrollment!.onConditionFailed, undefined);
    assert.equal(decodeCancellation(list, reasonsFor(list, enrollment!), identity), undefined);
  });

  it('gathers every failed expectation, lets a stored event or business key win, and reads contention', () => {
    const list = entries(everything, 'parked');
    const failed = (...failing: number[]) => list.map((_, i) => (failing.includes(i) ? { Code: 'ConditionalCheckFailed', Item: {} } : { Code: 'None' }));
    const all = decodeCancellation(list, failed(2, 3, 4, 6), () => ({ ...storedTx, subscriberCode: 'S1' }));
    assert.ok(all && !all.committed && all.conflict === 'stale');
    assert.deepEqual([all.mappings?.length, all.tx?.status, all.subscription?.subscriberCode], [2, 'REFUNDED', 'S1']);
    assert.deepEqual(decodeCancellation(list, failed(0, 3), identity), { committed: false, conflict: 'alreadyApplied' }, 'a parked event already applied');
    const fresh = entries(everything);
    assert.deepEqual(decodeCancellation([...fresh].reverse(), failed(5, 6), () => ({ eventId: 'e0' })), { committed: false, conflict: 'duplicate' });
    assert.deepEqual(decodeCancellation(fresh, fresh.map(() => ({ Code: 'TransactionConflict' })), identity), { committed: false, conflict: 'contention' });
  });
});
