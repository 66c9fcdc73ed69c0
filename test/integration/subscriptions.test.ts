import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Policy } from '#lib/domain/mapping.ts';
import { enrollmentsOfStudent } from '#lib/services/enrollments.ts';
import { TOKEN, createTestStack, fixture, fixtureJson, freshEvent, loadHandlers } from '../helpers/stack.ts';
import { storesOf } from '../helpers/schools.ts';

await createTestStack();
const api = await loadHandlers();
const deps = await storesOf(api.schoolId);

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;
const at = (month: number, day: number, hour = 12) => Date.UTC(2026, month - 1, day, hour);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const MONTHLY = 'm3xq8k2p';
const YEARLY = 'y7ann01q';

/** Hotmart deliveries for one subscriber, built from the fixtures' shapes. */
function subscriber(productId: number, code = `S${randomUUID().slice(0, 7).toUpperCase()}`, email = `${code.toLowerCase()}@example.com`) {
  const purchase = (name: string, transaction: string, creationDate: number, extra: { nextCharge?: number; recurrence?: number; offer?: string } = {}) => {
    const body = freshEvent(name, { transaction, email, productId, creationDate, subscriberCode: code, offerCode: extra.offer ?? MONTHLY });
    if (extra.nextCharge !== undefined) body.data.purchase.date_next_charge = extra.nextCharge;
    if (extra.recurrence !== undefined) body.data.purchase.recurrence_number = extra.recurrence;
    return body;
  };
  return {
    code,
    email,
    charge: (n: number, creationDate: number, nextCharge: number) =>
      purchase('PURCHASE_APPROVED', `HP${code}${n}`, creationDate, { nextCharge, recurrence: n }),
    protest: (n: number, creationDate: number) => purchase('PURCHASE_PROTEST', `HP${code}${n}`, creationDate),
    complete: (n: number, creationDate: number) => purchase('PURCHASE_COMPLETE', `HP${code}${n}`, creationDate),
    delayed: (n: number, creationDate: number) => purchase('PURCHASE_DELAYED', `HP${code}${n}`, creationDate, { recurrence: n }),
    refunded: (n: number, creationDate: number) => purchase('PURCHASE_REFUNDED', `HP${code}${n}`, creationDate),
    switchTo: (offer: string, previous: string, creationDate: number) => {
      const body = fixtureJson('SWITCH_PLAN');
      Object.assign(body, { id: randomUUID(), creation_date: creationDate });
      body.data.switch_plan_date = creationDate;
      Object.assign(body.data.subscription, { subscriber_code: code, product: { id: productId, name: 'Plano' }, user: { email } });
      body.data.plans = [
        { id: 2, name: 'Novo', offer: { key: offer }, current: true },
        { id: 1, name: 'Anterior', offer: { key: previous }, current: false },
      ];
      return body;
    },
    chargeDate: (creationDate: number, nextCharge: number) => {
      const body = fixtureJson('UPDATE_SUBSCRIPTION_CHARGE_DATE');
      Object.assign(body, { id: randomUUID(), creation_date: creationDate });
      Object.assign(body.data.subscriber, { code, email });
      body.data.subscription.product.id = productId;
      body.data.subscription.date_next_charge = new Date(nextCharge).toISOString(); // as Hotmart sent it: an ISO string
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

const post = async (body: unknown) => {
  const response = await api.postWebhook(JSON.stringify(body));
  assert.equal(response.statusCode, 200, JSON.stringify(response.body));
  return response.body;
};

type Seen = Record<string, { status: string; accessUntil: string | null; hasAccess: boolean }>;
async function seenAt(email: string, clock: number): Promise<Seen> {
  const items = await enrollmentsOfStudent(email, { enrollments: deps.enrollments, clock: () => clock });
  return Object.fromEntries(items.map((e) => [`${e.target.type}:${e.target.id}`, { status: e.status, accessUntil: e.accessUntil, hasAccess: e.hasAccess }]));
}

const MONTHLY_TARGETS = [{ type: 'plan', id: 'mensal' }, { type: 'course', id: 'fotografia' }];
const YEARLY_TARGETS = [{ type: 'plan', id: 'anual' }, { type: 'course', id: 'fotografia' }];

async function mapProduct(productId: number, policy: Partial<Policy>) {
  assert.equal((await api.putMapping(String(productId), { targets: MONTHLY_TARGETS, policy })).statusCode, 201);
  assert.equal((await api.putOffer(String(productId), YEARLY, { targets: YEARLY_TARGETS, policy })).statusCode, 201);
}

/** One subscriber's whole life, each step with what the platform must see right after it. */
function timeline(productId: number, policy: Policy) {
  const s = subscriber(productId);
  const g = policy.graceDays * DAY;
  const d1 = at(2, 10, 0), d2 = at(3, 10, 0), d3 = at(4, 10, 0), d4 = at(5, 10, 0), d5 = at(5, 5, 0);
  const both = (status: string, until: number | null, hasAccess: boolean) => ({
    'plan:mensal': { status, accessUntil: iso(until), hasAccess },
    'course:fotografia': { status, accessUntil: iso(until), hasAccess },
  });
  const suspendOnDispute = policy.onDispute === 'suspend';
  const suspendOnDelay = policy.onDelayed === 'suspend';
  const overdueAt = at(4, 10, 1);
  const cancelledAt = at(4, 28);
  const cancelUntil = policy.onSubscriptionCancel === 'immediate' ? cancelledAt - 1000 : d5;
  const afterSwitch = (status: string, until: number, hasAccess: boolean) => ({
    'plan:mensal': { status: 'switched', accessUntil: iso(until), hasAccess: false },
    'plan:anual': { status, accessUntil: iso(until), hasAccess },
    'course:fotografia': { status, accessUntil: iso(until), hasAccess },
  });
  return {
    s,
    steps: [
      { name: 'subscribe', body: s.charge(1, at(1, 10), d1), clock: at(1, 10) + HOUR, expect: both('active', d1 + g, true) },
      { name: 'renew', body: s.charge(2, at(2, 10), d2), clock: at(2, 10) + HOUR, expect: both('active', d2 + g, true) },
      {
        name: 'dispute a charge',
        body: s.protest(2, at(2, 15)),
        clock: at(2, 15) + HOUR,
        expect: both(suspendOnDispute ? 'suspended' : 'active', d2 + g, !suspendOnDispute),
      },
      { name: 'dispute lost by the buyer (COMPLETE)', body: s.complete(2, at(2, 20)), clock: at(2, 20) + HOUR, expect: both('active', d2 + g, true) },
      { name: 'renew again', body: s.charge(3, at(3, 10), d3), clock: at(3, 10) + HOUR, expect: both('active', d3 + g, true) },
      {
        name: 'go overdue',
        body: s.delayed(4, overdueAt),
        clock: overdueAt + HOUR,
        expect: both(suspendOnDelay ? 'suspended' : 'active', d3 + g, !suspendOnDelay && overdueAt + HOUR < d3 + g),
      },
      { name: 'recover', body: s.charge(4, at(4, 12), d4), clock: at(4, 12) + HOUR, expect: both('active', d4 + g, true) },
      { name: 'switch plan', body: s.switchTo(YEARLY, MONTHLY, at(4, 20)), clock: at(4, 20) + HOUR, expect: afterSwitch('active', d4 + g, true) },
      { name: 'change charge date', body: s.chargeDate(at(4, 25), d5), clock: at(4, 25) + HOUR, expect: afterSwitch('active', d5 + g, true) },
      {
        name: 'cancel',
        body: s.cancel(cancelledAt, d5),
        clock: cancelledAt + HOUR,
        expect: afterSwitch('cancelled', cancelUntil, policy.onSubscriptionCancel === 'endOfPeriod'),
      },
      { name: 'period ends', body: undefined, clock: d5 + HOUR, expect: afterSwitch('cancelled', cancelUntil, false) },
    ],
  };
}

const POLICIES: Policy[] = [
  { onDispute: 'keep', onDelayed: 'suspend', onSubscriptionCancel: 'endOfPeriod', graceDays: 3 },
  { onDispute: 'suspend', onDelayed: 'keep', onSubscriptionCancel: 'immediate', graceDays: 5 },
  { onDispute: 'keep', onDelayed: 'keep', onSubscriptionCancel: 'endOfPeriod', graceDays: 0 },
];

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('a subscription, step by step, under each policy', () => {
  POLICIES.forEach((policy, n) => {
    it(`subscribe, renew, dispute, renew, go overdue, recover, switch, change date, cancel, period ends — ${JSON.stringify(policy)}`, async () => {
      const productId = 6_000_000 + n;
      await mapProduct(productId, policy);
      const { s, steps } = timeline(productId, policy);
      for (const step of steps) {
        if (step.body) assert.equal((await post(step.body)).status, 'processed', step.name);
        assert.deepEqual(await seenAt(s.email, step.clock), step.expect, `after "${step.name}"`);
      }
      const bySubscriber = await api.enrollments({ subscriberCode: s.code });
      assert.equal(bySubscriber.statusCode, 200);
      assert.deepEqual(bySubscriber.body.items.map((e: any) => `${e.target.type}:${e.target.id}`).sort(), ['course:fotografia', 'plan:anual', 'plan:mensal']);
      const anual = bySubscriber.body.items.find((e: any) => e.target.id === 'anual');
      assert.equal(anual.subscriberCode, s.code);
      assert.equal(anual.plan.offerCode, YEARLY);
    });
  });

  it('reaches the same final state when the timeline arrives shuffled and duplicated', async () => {
    for (const [n, policy] of POLICIES.entries()) {
      const productId = 6_100_000 + n;
      await mapProduct(productId, policy);
      const inOrder = timeline(productId, policy);
      for (const step of inOrder.steps) if (step.body) await post(step.body);
      const periodEnds = inOrder.steps.at(-1)!.clock;
      const expected = [await seenAt(inOrder.s.email, at(4, 29)), await seenAt(inOrder.s.email, periodEnds)];

      for (const seed of [1, 2, 3, 4]) {
        const { s, steps } = timeline(productId, policy);
        const bodies = steps.flatMap((step) => (step.body ? [step.body] : []));
        // Every third delivery is repeated as is (a retry), every fourth again under a new id (another configuration).
        const deliveries = shuffled(
          [...bodies, ...bodies.filter((_, i) => i % 3 === 0), ...bodies.filter((_, i) => i % 4 === 0).map((b) => ({ ...b, id: randomUUID() }))],
          seed * 7919 + n,
        );
        for (const body of deliveries) await post(body);
        assert.deepEqual([await seenAt(s.email, at(4, 29)), await seenAt(s.email, periodEnds)], expected, `policy ${n}, shuffle ${seed}`);
      }
    }
  });

  it('keeps a cancellation that arrives before the approval it follows, and lets a newer renewal beat an older delay', async () => {
    const productId = 6_200_000;
    await mapProduct(productId, {});
    const early = subscriber(productId);
    await post(early.cancel(at(3, 20), at(4, 10)));
    await post(early.charge(2, at(3, 10), at(4, 10)));
    await post(early.charge(1, at(2, 10), at(3, 10)));
    assert.deepEqual(Object.values(await seenAt(early.email, at(3, 21))).map((e) => [e.status, e.accessUntil, e.hasAccess]), [
      ['cancelled', iso(at(4, 10)), true],
      ['cancelled', iso(at(4, 10)), true],
    ]);
    const overdue = subscriber(productId);
    await post(overdue.charge(1, at(2, 10), at(3, 10)));
    await post(overdue.charge(2, at(3, 12), at(4, 10)));
    await post(overdue.delayed(2, at(3, 11)));
    assert.deepEqual(Object.values(await seenAt(overdue.email, at(3, 13))).map((e) => [e.status, e.hasAccess]), [
      ['active', true],
      ['active', true],
    ]);
  });

  it('revokes on a refund or chargeback of one charge, and nothing brings the subscription back', async () => {
    const productId = 6_300_000;
    await mapProduct(productId, { onDispute: 'suspend' });
    const s = subscriber(productId);
    await post(s.charge(1, at(1, 10), at(2, 10)));
    await post(s.protest(1, at(1, 15)));
    assert.deepEqual(Object.values(await seenAt(s.email, at(1, 16))).map((e) => e.status), ['suspended', 'suspended']);
    await post(s.refunded(1, at(1, 20)));
    await post(s.charge(2, at(2, 10), at(3, 10)));
    await post(s.complete(1, at(2, 12)));
    const seen = await seenAt(s.email, at(2, 13));
    assert.deepEqual(Object.values(seen).map((e) => [e.status, e.hasAccess]), [
      ['revoked', false],
      ['revoked', false],
    ]);
  });

  it('treats a v1 postback and its v2 twin as one charge, whichever comes first, keeping the next-charge date only v2 carries', async () => {
    const productId = 6_500_000;
    await mapProduct(productId, {});
    for (const [n, v1First] of [[1, true], [2, false]] as const) {
      const s = subscriber(productId);
      const v2 = s.charge(1, at(1, 10), at(2, 10));
      const form = new URLSearchParams(fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim());
      Object.entries({ hottok: TOKEN, prod: String(productId), transaction: `HP${s.code}1`, email: s.email, subscriber_code: s.code, off: MONTHLY, confirmation_purchase_date: new Date(at(1, 10) - 2000).toISOString() }).forEach(([k, v]) => form.set(k, v));
      const postV1 = () => api.postWebhook(form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
      const answers = v1First ? [(await postV1()).body.status, (await post(v2)).status] : [(await post(v2)).status, (await postV1()).body.status];
      assert.deepEqual(answers, ['processed', 'duplicate'], `case ${n}`);
      assert.deepEqual(Object.values(await seenAt(s.email, at(1, 11))).map((e) => [e.status, e.accessUntil]), [
        ['active', iso(at(2, 10) + 3 * DAY)],
        ['active', iso(at(2, 10) + 3 * DAY)],
      ], `case ${n}`);
    }
  });

  it('answers a second copy of a charge (another id) duplicate without touching the enrollment, as the one-time twin does', async () => {
    const productId = 6_500_001;
    await mapProduct(productId, {});
    const s = subscriber(productId);
    const charge = s.charge(1, at(1, 10), at(2, 10));
    assert.equal((await post(charge)).status, 'processed');
    const view = async () => (await api.enrollments({ email: s.email })).body.items.map((e: any) => [e.target.id, e.updatedAt, e.lastEventId]);
    const before = await view();
    assert.equal(before.length, 2);
    const copy = { ...charge, id: randomUUID() };
    const answer = await post(copy);
    assert.equal(answer.status, 'duplicate');
    assert.deepEqual(await view(), before, 'no write to the enrollment: same updatedAt and lastEventId');
    const recorded = (await api.event(copy.id)).body.outcome;
    assert.deepEqual([recorded.status, recorded.duplicateOf], ['duplicate', charge.id], 'the copy is recorded, as a copy of the first');
  });

  it('parks a first charge whose offer and product are both unmapped, and applies it when the offer is mapped', async () => {
    const productId = 6_400_000;
    const s = subscriber(productId);
    assert.equal((await post(s.charge(1, at(1, 10), at(2, 10)))).status, 'unmapped');
    const offer = await api.putOffer(String(productId), MONTHLY, { targets: [{ type: 'plan', id: 'mensal' }] });
    assert.equal(offer.body.appliedEvents, 1);
    assert.deepEqual(await seenAt(s.email, at(1, 11)), { 'plan:mensal': { status: 'active', accessUntil: iso(at(2, 10) + 3 * DAY), hasAccess: true } });
  });
});

describe('offer-specific mappings', () => {
  it('win over the product mapping; an unmapped offer falls back to the product', async () => {
    const productId = 7_000_001;
    await api.putMapping(String(productId), { targets: [{ type: 'course', id: 'base' }], price: { value: 97, currency: 'BRL' } });
    const offer = await api.putOffer(String(productId), 'vip', { targets: [{ type: 'class', id: 'turma-vip' }], policy: { graceDays: 10 } });
    assert.equal(offer.statusCode, 201);
    assert.equal(offer.body.offerCode, 'vip');
    assert.deepEqual(offer.body.policy, { onDispute: 'keep', onDelayed: 'suspend', onSubscriptionCancel: 'endOfPeriod', graceDays: 10 });

    const product = await api.getMapping(String(productId));
    assert.deepEqual(product.body.policy, { onDispute: 'keep', onDelayed: 'suspend', onSubscriptionCancel: 'endOfPeriod', graceDays: 3 });
    assert.deepEqual(product.body.offers.map((o: any) => [o.offerCode, o.targets]), [['vip', [{ type: 'class', id: 'turma-vip' }]]]);
    assert.equal((await api.getOffer(String(productId), 'vip')).body.offerCode, 'vip');
    assert.equal((await api.getOffer(String(productId), 'nope')).statusCode, 404);

    const vip = freshEvent('PURCHASE_APPROVED', { transaction: 'HPOFFER1', email: 'vip@example.com', productId, offerCode: 'vip' });
    const plain = freshEvent('PURCHASE_APPROVED', { transaction: 'HPOFFER2', email: 'plain@example.com', productId, offerCode: 'other' });
    await post(vip);
    await post(plain);
    const target = async (email: string) => (await api.enrollments({ email })).body.items.map((e: any) => e.target.id);
    assert.deepEqual(await target('vip@example.com'), ['turma-vip']);
    assert.deepEqual(await target('plain@example.com'), ['base']);

    // An override created after the cache saw the product is used at once: the write checks it is absent.
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPOFFER3', email: 'late@example.com', productId, offerCode: 'late' }));
    await api.putOffer(String(productId), 'late', { targets: [{ type: 'class', id: 'turma-late' }] });
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPOFFER4', email: 'late2@example.com', productId, offerCode: 'late' }));
    assert.deepEqual(await target('late2@example.com'), ['turma-late']);

    assert.equal((await api.deleteOffer(String(productId), 'vip')).statusCode, 204);
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPOFFER5', email: 'vip2@example.com', productId, offerCode: 'vip' }));
    assert.deepEqual(await target('vip2@example.com'), ['base']);
  });

  it('parks a purchase of an unmapped offer of an unmapped product, applying it when its offer is mapped', async () => {
    const productId = 7_000_002;
    const first = freshEvent('PURCHASE_APPROVED', { transaction: 'HPPARK1', email: 'park1@example.com', productId, offerCode: 'a' });
    const second = freshEvent('PURCHASE_APPROVED', { transaction: 'HPPARK2', email: 'park2@example.com', productId, offerCode: 'b' });
    assert.equal((await post(first)).status, 'unmapped');
    assert.equal((await post(second)).status, 'unmapped');
    assert.equal((await api.putOffer(String(productId), 'a', { targets: [{ type: 'course', id: 'a' }] })).body.appliedEvents, 1);
    assert.equal((await api.enrollments({ email: 'park2@example.com' })).body.items.length, 0);
    assert.equal((await api.putMapping(String(productId), { targets: [{ type: 'course', id: 'all' }] })).body.appliedEvents, 1);
    assert.deepEqual((await api.enrollments({ email: 'park2@example.com' })).body.items.map((e: any) => e.target.id), ['all']);
  });

  it('refuses an invalid policy with 400 naming the field', async () => {
    const response = await api.putMapping('7000003', { targets: [{ type: 'course', id: 'x' }], policy: { graceDays: 31, onDelayed: 'maybe', extra: 1 } });
    assert.equal(response.statusCode, 400);
    const fields = response.body.error.issues.map((i: any) => i.field).sort();
    assert.deepEqual(fields, ['policy.extra', 'policy.graceDays', 'policy.onDelayed']);
  });
});
