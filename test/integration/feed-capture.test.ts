import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { createTestStack, fixtureJson, freshEvent, loadHandlers } from '../helpers/stack.ts';
import { realDeps, storesOf } from '../helpers/schools.ts';
import { startFeedCapture } from '../helpers/feed-capture.ts';

const { tables } = await createTestStack();
const api = await loadHandlers('feed-capture');
const { scope } = await storesOf(api.schoolId);
let now: number | undefined; // the capture's clock: the real one unless an expiry test sets it
const capture = await startFeedCapture({ clock: () => now ?? Date.now() });
after(() => capture.stop());

const DAY = 24 * 3600_000;
const KEEP = 9_600_001;
const SUSPEND = 9_600_002;
const THREE = 9_600_003;
const SUB = 9_600_004;
const SUB_IMMEDIATE = 9_600_005;
await api.putMapping(String(KEEP), { targets: [{ type: 'course', id: 'keep' }] });
await api.putMapping(String(SUSPEND), { targets: [{ type: 'course', id: 'suspend' }], policy: { onDispute: 'suspend' } });
await api.putMapping(String(THREE), { targets: [{ type: 'course', id: 't1' }, { type: 'course', id: 't2' }, { type: 'class', id: 't3' }] });
await api.putMapping(String(SUB), { targets: [{ type: 'course', id: 'sub' }] });
await api.putMapping(String(SUB_IMMEDIATE), { targets: [{ type: 'course', id: 'sub-now' }], policy: { onSubscriptionCancel: 'immediate' } });

const post = async (body: unknown) => {
  const response = await api.postWebhook(JSON.stringify(body));
  assert.equal(response.statusCode, 200, response.rawBody);
  return body as { id: string };
};
const fresh = () => `${randomUUID().slice(0, 8)}@example.com`;

/** The stored events of one enrollment (all of the student's, without a target), in emission order, after the capture caught up. */
async function eventsOf(email: string, targetId?: string) {
  await capture.drain();
  return (await capture.events(scope)).filter(({ event }) => event.enrollment.email === email && (targetId === undefined || event.enrollment.target.id === targetId));
}
const summary = (events: Awaited<ReturnType<typeof eventsOf>>) => events.map(({ event }) => [event.type, event.sequence, event.cause.source]);

/** The enrollment as GET …/enrollments shows it now. */
async function shown(email: string, targetId: string) {
  const { body } = await api.enrollments({ email });
  return body.items.find((item: any) => item.target.id === targetId);
}

/** Every event is linked to the one before it, and the last one carries exactly what GET …/enrollments shows. */
async function assertChain(email: string, targetId: string) {
  const events = await eventsOf(email, targetId);
  events.forEach(({ item, event }, i) => {
    assert.equal(event.sequence, i + 1);
    assert.equal(item.previousEventId, i === 0 ? null : events[i - 1]!.event.id);
    assert.deepEqual(event.previous, i === 0 ? null : { status: events[i - 1]!.event.enrollment.status, hasAccess: events[i - 1]!.event.enrollment.hasAccess, accessUntil: events[i - 1]!.event.enrollment.accessUntil });
  });
  const current = await shown(email, targetId);
  if (current) assert.deepEqual(events.at(-1)!.event.enrollment, current);
  return events;
}

describe('feed capture: each enrollment change on the stream becomes its documented event (README, rules tables)', () => {
  it('one-time: APPROVED grants; a COMPLETE that only moves the transaction and a duplicate emit nothing; a refund revokes; a re-purchase grants again', async () => {
    const email = fresh();
    const approved = await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPF1', email, productId: KEEP }));
    const [granted] = await eventsOf(email);
    assert.equal(granted!.event.type, 'enrollment.granted');
    assert.deepEqual(granted!.event.cause, { source: 'webhook', eventId: approved.id, hotmartEvent: 'PURCHASE_APPROVED', transaction: 'HPF1' });
    assert.equal(granted!.event.schoolId, 'feed-capture');
    assert.equal(granted!.item.pendingKey, schoolKeys(scope).attributes.feedPending.pendingKey);
    await post(freshEvent('PURCHASE_COMPLETE', { transaction: 'HPF1', email, productId: KEEP }));
    const duplicate = freshEvent('PURCHASE_APPROVED', { transaction: 'HPF1', email, productId: KEEP });
    await post(duplicate);
    await post(duplicate);
    assert.deepEqual(summary(await eventsOf(email)), [['enrollment.granted', 1, 'webhook']]);
    await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPF1', email, productId: KEEP }));
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPF2', email, productId: KEEP }));
    assert.deepEqual(summary(await assertChain(email, 'keep')), [['enrollment.granted', 1, 'webhook'], ['enrollment.revoked', 2, 'webhook'], ['enrollment.granted', 3, 'webhook']]);
  });

  for (const ending of ['PURCHASE_CHARGEBACK', 'PURCHASE_CANCELED']) {
    it(`one-time: ${ending} revokes`, async () => {
      const email = fresh();
      await post(freshEvent('PURCHASE_APPROVED', { transaction: `HP${ending}`, email, productId: KEEP }));
      await post(freshEvent(ending, { transaction: `HP${ending}`, email, productId: KEEP }));
      assert.deepEqual(summary(await assertChain(email, 'keep')), [['enrollment.granted', 1, 'webhook'], ['enrollment.revoked', 2, 'webhook']]);
    });
  }

  it('one-time: a dispute under onDispute: suspend suspends, its COMPLETE restores; under keep it emits nothing', async () => {
    const email = fresh();
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPS1', email, productId: SUSPEND }));
    await post(freshEvent('PURCHASE_PROTEST', { transaction: 'HPS1', email, productId: SUSPEND }));
    await post(freshEvent('PURCHASE_COMPLETE', { transaction: 'HPS1', email, productId: SUSPEND }));
    assert.deepEqual(summary(await assertChain(email, 'suspend')), [['enrollment.granted', 1, 'webhook'], ['enrollment.suspended', 2, 'webhook'], ['enrollment.restored', 3, 'webhook']]);
    const kept = fresh();
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPK1', email: kept, productId: KEEP }));
    await post(freshEvent('PURCHASE_PROTEST', { transaction: 'HPK1', email: kept, productId: KEEP }));
    assert.deepEqual(summary(await assertChain(kept, 'keep')), [['enrollment.granted', 1, 'webhook']]);
  });

  it('one purchase of a product mapped to 3 targets: 3 events, each its enrollment’s sequence 1, tied by cause.eventId', async () => {
    const email = fresh();
    const approved = await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HP3T', email, productId: THREE }));
    const events = await eventsOf(email);
    assert.deepEqual(events.map(({ event }) => [event.enrollment.target.id, event.type, event.sequence, event.cause.eventId]).sort(), [
      ['t1', 'enrollment.granted', 1, approved.id],
      ['t2', 'enrollment.granted', 1, approved.id],
      ['t3', 'enrollment.granted', 1, approved.id],
    ]);
    assert.equal(new Set(events.map(({ item }) => item.group)).size, 3, 'one delivery group per enrollment');
  });
});

/** Hotmart deliveries for one subscriber (as test/integration/subscriptions.test.ts builds them), on real time. */
function subscriber(productId: number) {
  const code = `S${randomUUID().slice(0, 7).toUpperCase()}`;
  const email = `${code.toLowerCase()}@example.com`;
  const purchase = (name: string, n: number, creationDate: number, extra: { nextCharge?: number; recurrence?: number } = {}) => {
    const body = freshEvent(name, { transaction: `HP${code}${n}`, email, productId, creationDate, subscriberCode: code, offerCode: 'm3xq8k2p' });
    if (extra.nextCharge !== undefined) body.data.purchase.date_next_charge = extra.nextCharge;
    if (extra.recurrence !== undefined) body.data.purchase.recurrence_number = extra.recurrence;
    return body;
  };
  return {
    email,
    charge: (n: number, creationDate: number, nextCharge: number) => purchase('PURCHASE_APPROVED', n, creationDate, { nextCharge, recurrence: n }),
    delayed: (n: number, creationDate: number) => purchase('PURCHASE_DELAYED', n, creationDate, { recurrence: n }),
    refunded: (n: number, creationDate: number) => purchase('PURCHASE_REFUNDED', n, creationDate),
    chargeDate: (creationDate: number, nextCharge: number) => {
      const body = fixtureJson('UPDATE_SUBSCRIPTION_CHARGE_DATE');
      Object.assign(body, { id: randomUUID(), creation_date: creationDate });
      Object.assign(body.data.subscriber, { code, email });
      body.data.subscription.product.id = productId;
      body.data.subscription.date_next_charge = new Date(nextCharge).toISOString();
      return body;
    },
    cancel: (creationDate: number, nextCharge: number) => {
      const body = fixtureJson('SUBSCRIPTION_CANCELLATION');
      Object.assign(body, { id: randomUUID(), creation_date: creationDate });
      Object.assign(body.data, { date_next_charge: nextCharge, cancellation_date: creationDate - 1000 });
      Object.assign(body.data.subscriber, { code, email });
      body.data.product.id = productId;
      return body;
    },
  };
}

describe('feed capture: subscriptions', () => {
  const t0 = Date.now() - 40 * DAY;

  it('first charge grants, a renewal and a charge-date change update, an overdue renewal suspends, its approval restores, a refund revokes', async () => {
    const s = subscriber(SUB);
    await post(s.charge(1, t0, t0 + 30 * DAY + 60 * DAY)); // paid well into the future
    await post(s.charge(2, t0 + DAY, t0 + 120 * DAY));
    await post(s.chargeDate(t0 + 2 * DAY, t0 + 130 * DAY));
    await post(s.delayed(3, t0 + 3 * DAY));
    await post(s.charge(3, t0 + 4 * DAY, t0 + 160 * DAY));
    await post(s.refunded(3, t0 + 5 * DAY));
    const events = await assertChain(s.email, 'sub');
    assert.deepEqual(summary(events).map(([type]) => type), ['enrollment.granted', 'enrollment.updated', 'enrollment.updated', 'enrollment.suspended', 'enrollment.restored', 'enrollment.revoked']);
    assert.ok(Date.parse(events[1]!.event.enrollment.accessUntil!) > Date.parse(events[0]!.event.enrollment.accessUntil!), 'the renewal extends accessUntil');
  });

  it('a cancellation at the end of the period updates (cancelled, access kept); an immediate one revokes', async () => {
    const s = subscriber(SUB);
    await post(s.charge(1, t0, t0 + 90 * DAY));
    await post(s.cancel(t0 + DAY, t0 + 90 * DAY));
    const events = await assertChain(s.email, 'sub');
    assert.deepEqual(summary(events).map(([type]) => type), ['enrollment.granted', 'enrollment.updated']);
    assert.deepEqual([events[1]!.event.enrollment.status, events[1]!.event.enrollment.hasAccess], ['cancelled', true]);
    const now = subscriber(SUB_IMMEDIATE);
    await post(now.charge(1, t0, t0 + 90 * DAY));
    await post(now.cancel(t0 + DAY, t0 + 90 * DAY));
    assert.deepEqual(summary(await assertChain(now.email, 'sub-now')).map(([type]) => type), ['enrollment.granted', 'enrollment.revoked']);
  });
});

describe('feed capture: manual grants, replays, mappings, a poison record', () => {
  it('a grant on no access grants, on paid access updates; removing a grant-only enrollment revokes (cause manual)', async () => {
    const email = fresh();
    assert.equal((await api.grantManual(email, 'course', 'bonus', { note: 'gift' })).statusCode, 201);
    assert.equal((await api.revokeManual(email, 'course', 'bonus')).statusCode, 204);
    const bonus = await assertChain(email, 'bonus');
    assert.deepEqual(summary(bonus), [['enrollment.granted', 1, 'manual'], ['enrollment.revoked', 2, 'manual']]);
    assert.deepEqual([bonus[1]!.event.enrollment.hasAccess, bonus[1]!.event.enrollment.manual], [false, null]);
    assert.equal(await shown(email, 'bonus'), undefined, 'the grant-only enrollment is gone');
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPM1', email, productId: KEEP }));
    assert.equal((await api.grantManual(email, 'course', 'keep', {})).statusCode, 201);
    assert.deepEqual(summary(await assertChain(email, 'keep')), [['enrollment.granted', 1, 'webhook'], ['enrollment.updated', 2, 'manual']]);
  });

  it('a purchase applied when its product is mapped: cause mapping', async () => {
    const email = fresh();
    const product = 9_600_010;
    const waiting = await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPW1', email, productId: product }));
    assert.deepEqual(await eventsOf(email), []);
    await api.putMapping(String(product), { targets: [{ type: 'course', id: 'late' }] });
    const [mapped] = await eventsOf(email, 'late');
    assert.deepEqual(mapped!.event.cause, { source: 'mapping', eventId: waiting.id, hotmartEvent: 'PURCHASE_APPROVED', transaction: 'HPW1' });
    assert.deepEqual(summary(await assertChain(email, 'late')), [['enrollment.granted', 1, 'mapping']]);
  });

  it('a record that always fails goes to the on-failure destination; the records after it flow', async () => {
    const email = fresh();
    const { keys } = schoolKeys(scope);
    await realDeps().db.send(new PutCommand({ TableName: tables.ENROLLMENTS_TABLE, Item: { ...keys.enrollment(email, { type: 'course', id: 'poison' }), email, targetType: 'course', targetId: 'poison', createdAt: 1, updatedAt: 1, lastCause: { source: 'nobody' } } }));
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPP1', email, productId: KEEP }));
    assert.deepEqual(summary(await eventsOf(email)), [['enrollment.granted', 1, 'webhook']]);
    assert.equal(capture.failures.length, 1);
    assert.ok(!JSON.stringify(capture.failures).includes(email), 'the destination gets metadata, not the record');
  });
});

describe('feed capture: expiry and erasure', () => {
  it('a grant’s `until` passing emits enrollment.expired once (cause expiry); a renewal that lands first prevents it', async () => {
    const start = Date.now();
    const [expiring, renewed] = [fresh(), fresh()];
    const until = new Date(start + DAY).toISOString();
    await api.grantManual(expiring, 'course', 'timed', { until });
    await api.grantManual(renewed, 'course', 'timed', { until });
    await eventsOf(expiring);
    assert.equal((await api.grantManual(renewed, 'course', 'timed', { until: new Date(start + 3 * DAY).toISOString() })).statusCode, 200);
    await eventsOf(renewed);
    try {
      now = start + DAY + 1000;
      await capture.sweep();
      await capture.sweep(); // the next minute's sweep, and a concurrent one: nothing more
      assert.deepEqual(summary(await eventsOf(expiring)), [['enrollment.granted', 1, 'manual'], ['enrollment.expired', 2, 'expiry']]);
      assert.deepEqual(summary(await eventsOf(renewed)), [['enrollment.granted', 1, 'manual'], ['enrollment.updated', 2, 'manual']]);
      const state = await capture.feedState(scope, expiring, { type: 'course', id: 'timed' });
      assert.equal(state!.accessEndsAt, undefined, 'an expired enrollment leaves the expiry index');
      now = start + 3 * DAY + 1000;
      await capture.sweep();
      assert.deepEqual(summary(await eventsOf(renewed)).map(([type]) => type), ['enrollment.granted', 'enrollment.updated', 'enrollment.expired']);
    } finally {
      now = undefined;
    }
  });

  it('a student’s erasure: stored events hold no e-mail, the move emits nothing, and the sequence continues under the pseudonym', async () => {
    const email = fresh();
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPE1', email, productId: KEEP }));
    await api.grantManual(email, 'course', 'keep', { note: `for ${email}` });
    assert.equal((await eventsOf(email)).length, 2);
    assert.equal((await api.eraseStudent(email)).statusCode, 200);
    await capture.drain();
    const all = await capture.events(scope);
    assert.ok(!JSON.stringify(all).includes(email), 'an event still names the student');
    const pseudonym = all.find(({ event }) => event.cause.transaction === 'HPE1')!.event.enrollment.email;
    assert.notEqual(pseudonym, email);
    assert.deepEqual(summary(await eventsOf(pseudonym)), [['enrollment.granted', 1, 'webhook'], ['enrollment.updated', 2, 'manual']], 'the move announced nothing');
    assert.equal((await api.revokeManual(pseudonym, 'course', 'keep')).statusCode, 204);
    const events = await assertChain(pseudonym, 'keep');
    assert.deepEqual(summary(events).at(-1), ['enrollment.updated', 3, 'manual']);
  });
});
