import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { enrollmentsOfStudent } from '#lib/services/enrollments.ts';
import { createTestStack, fixtureJson, freshEvent, loadHandlers, localBurstAllowance } from '../helpers/stack.ts';
import { storesOf } from '../helpers/schools.ts';

/**
 * Property: whatever order Hotmart delivers a timeline in, with retries and copies from other
 * configurations mixed in, the platform ends up seeing what in-order delivery shows it.
 * Each generated timeline is delivered twice, to two students who are otherwise identical: in
 * creation_date order to one, shuffled and duplicated to the other.
 */
// Timelines are delivered concurrently: a test of order, not latency (test/helpers/stack.ts).
localBurstAllowance();
await createTestStack();
const api = await loadHandlers();
const deps = await storesOf(api.schoolId);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
/** A failure prints its seed and path: PROPERTY_SEED=… PROPERTY_PATH=… replays exactly that case. */
const replay = process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED), path: process.env.PROPERTY_PATH, endOnFailure: true } : {};
const DAY = 24 * 3600 * 1000;
const KEEP = 9_100_001;
const SUSPEND = 9_100_002;
await api.putMapping(String(KEEP), { targets: [{ type: 'course', id: 'prop' }, { type: 'class', id: 'prop-turma' }] });
await api.putMapping(String(SUSPEND), { targets: [{ type: 'course', id: 'prop-strict' }], policy: { onDispute: 'suspend', onDelayed: 'keep', graceDays: 0 } });

const post = async (body: unknown) => {
  const response = await api.postWebhook(JSON.stringify(body));
  assert.equal(response.statusCode, 200, JSON.stringify(response.body));
};

type Delivery = { label: string; at: number; build: (who: string) => Record<string, any> };

/** What a student sees at a given time, keyed by target, with transactions named by their role. */
async function seen(email: string, who: string, clock: number) {
  const items = await enrollmentsOfStudent(email, { enrollments: deps.enrollments, clock: () => clock });
  return Object.fromEntries(
    items.map((e) => [
      `${e.target.type}:${e.target.id}`,
      {
        status: e.status,
        hasAccess: e.hasAccess,
        accessUntil: e.accessUntil,
        transactions: e.transactions.map((t) => `${t.transaction.replace(who, '')}=${t.status}`).sort(),
      },
    ]),
  );
}

/** Deliver a timeline in order to one student, shuffled with copies to another; compare. */
async function compare(deliveries: Delivery[], order: number[], copies: number[], clocks: number[]) {
  const run = randomUUID().slice(0, 6).toUpperCase();
  const [inOrder, shuffled] = [`A${run}`, `B${run}`];
  const sorted = [...deliveries].sort((a, b) => a.at - b.at);
  for (const d of sorted) await post(d.build(inOrder));
  const bodies = order.map((i) => deliveries[i]!.build(shuffled));
  // A retry repeats a body as is; another configuration sends it again under a new id.
  const extra = copies.map((i, n) => (n % 2 ? bodies[i % bodies.length] : { ...bodies[i % bodies.length], id: randomUUID() }));
  for (const body of [...bodies, ...extra]) await post(body);
  const story = `in order: ${sorted.map((d) => d.label).join(', ')}; delivered: ${order.map((i) => deliveries[i]!.label).join(', ')}`;
  for (const clock of clocks) {
    assert.deepEqual(
      await seen(`${shuffled.toLowerCase()}@example.com`, shuffled, clock),
      await seen(`${inOrder.toLowerCase()}@example.com`, inOrder, clock),
      `${story} — seen at ${new Date(clock).toISOString()}`,
    );
  }
}

const EVENTS = ['PURCHASE_APPROVED', 'PURCHASE_COMPLETE', 'PURCHASE_PROTEST', 'PURCHASE_REFUNDED', 'PURCHASE_CHARGEBACK', 'PURCHASE_CANCELED'] as const;

/** One-time purchases: 1–4 transactions (re-purchases), each with some of its lifecycle events. */
const oneTimeTimeline = fc
  .record({
    product: fc.constantFrom(KEEP, SUSPEND),
    transactions: fc.array(fc.subarray([...EVENTS], { minLength: 1 }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ product, transactions }) =>
    transactions.flatMap((events, t) =>
      events.map((name, e): Delivery => {
        const at = Date.UTC(2026, 0, 1) + t * 30 * DAY + EVENTS.indexOf(name) * DAY + e;
        const id = randomUUID();
        return {
          label: `T${t} ${name.replace('PURCHASE_', '')}`,
          at,
          build: (who) => ({
            ...freshEvent(name, { transaction: `HP${who}T${t}`, email: `${who.toLowerCase()}@example.com`, productId: product, creationDate: at }),
            id: `${id}-${who}`,
          }),
        };
      }),
    ),
  );

/** A subscription's life: charges, disputes, completes, delays, refunds, date changes, switches, a cancellation. */
const PURCHASE_STEPS = { charge: 'PURCHASE_APPROVED', dispute: 'PURCHASE_PROTEST', complete: 'PURCHASE_COMPLETE', delayed: 'PURCHASE_DELAYED', refund: 'PURCHASE_REFUNDED' } as const;
const STEP = fc.constantFrom('charge', 'charge', 'charge', 'dispute', 'complete', 'delayed', 'refund', 'chargeDate', 'switch', 'cancel');
const subscriptionTimeline = fc.record({ product: fc.constantFrom(KEEP, SUSPEND), steps: fc.array(STEP, { minLength: 1, maxLength: 9 }) }).map(({ product, steps }) => {
  let charge = 0;
  return steps.map((step, n): Delivery => {
    const at = Date.UTC(2026, 0, 1) + n * 10 * DAY;
    const next = at + 30 * DAY;
    if (step === 'charge') charge++;
    const c = Math.max(charge, 1);
    const id = randomUUID();
    return {
      label: `${step}${['charge', 'dispute', 'complete', 'delayed', 'refund'].includes(step) ? ` C${c}` : ''} @${n * 10}d ${product === SUSPEND ? '(suspend policy)' : ''}`.trim(),
      at,
      build: (who) => {
        const email = `${who.toLowerCase()}@example.com`;
        const purchase = (name: string) => {
          const body = freshEvent(name, { transaction: `HP${who}C${c}`, email, productId: product, creationDate: at, subscriberCode: `S${who}`, offerCode: 'm3xq8k2p' });
          body.data.purchase.date_next_charge = next;
          body.data.purchase.recurrence_number = c;
          return body;
        };
        const subscriptionEvent = (name: string) => {
          const body = fixtureJson(name);
          body.creation_date = at;
          return body;
        };
        let body: Record<string, any>;
        switch (step) {
          case 'charge':
          case 'dispute':
          case 'complete':
          case 'delayed':
          case 'refund':
            body = purchase(PURCHASE_STEPS[step]);
            break;
          case 'chargeDate':
            body = subscriptionEvent('UPDATE_SUBSCRIPTION_CHARGE_DATE');
            Object.assign(body.data.subscriber, { code: `S${who}`, email });
            body.data.subscription.product.id = product;
            body.data.subscription.date_next_charge = new Date(next + 5 * DAY).toISOString();
            break;
          case 'switch':
            body = subscriptionEvent('SWITCH_PLAN');
            Object.assign(body.data.subscription, { subscriber_code: `S${who}`, product: { id: product, name: 'P' }, user: { email } });
            break;
          default:
            body = subscriptionEvent('SUBSCRIPTION_CANCELLATION');
            Object.assign(body.data, { date_next_charge: next, cancellation_date: at - 1000 });
            Object.assign(body.data.subscriber, { code: `S${who}`, email });
            body.data.product.id = product;
        }
        return { ...body, id: `${id}-${who}` };
      },
    };
  });
});

/** A timeline, an arrival order of it, and which deliveries come again. */
const withOrder = (timeline: fc.Arbitrary<Delivery[]>) =>
  timeline.chain((deliveries) =>
    fc.record({
      deliveries: fc.constant(deliveries),
      order: fc.shuffledSubarray(
        deliveries.map((_, i) => i),
        { minLength: deliveries.length, maxLength: deliveries.length },
      ),
      copies: fc.array(fc.nat(), { maxLength: 4 }),
    }),
  );

describe('any arrival order, with duplicates, ends in the in-order state', () => {
  it(`one-time purchases with refunds, chargebacks, disputes and re-purchases (${RUNS} timelines)`, async (t) => {
    let deliveries = 0;
    await fc.assert(
      fc.asyncProperty(withOrder(oneTimeTimeline), async ({ deliveries: timeline, order, copies }) => {
        deliveries += timeline.length * 2 + copies.length;
        await compare(timeline, order, copies, [Date.UTC(2026, 11, 31)]);
      }),
      { numRuns: RUNS, includeErrorInReport: true, ...replay },
    );
    t.diagnostic(`${RUNS} timelines, each delivered in order and in one generated order with copies: ${deliveries} deliveries`);
  });

  it(`subscriptions with renewals, delays, disputes, refunds, charge-date changes, switches and cancellation (${RUNS} timelines)`, async (t) => {
    let deliveries = 0;
    await fc.assert(
      fc.asyncProperty(withOrder(subscriptionTimeline), async ({ deliveries: timeline, order, copies }) => {
        deliveries += timeline.length * 2 + copies.length;
        // Seen mid-life and long after: access that ends by itself must end the same way.
        await compare(timeline, order, copies, [Date.UTC(2026, 1, 15), Date.UTC(2026, 3, 1), Date.UTC(2027, 5, 1)]);
      }),
      { numRuns: RUNS, includeErrorInReport: true, ...replay },
    );
    t.diagnostic(`${RUNS} timelines, each delivered in order and in one generated order with copies: ${deliveries} deliveries`);
  });
});
