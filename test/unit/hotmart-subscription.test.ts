import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubscriptionRecord } from '#lib/domain/write-plan.ts';
import type { HotmartEvent } from '#lib/domain/hotmart/event.ts';
import { reconciliationId } from '#lib/domain/hotmart/api-sales.ts';
import type { SubscriptionSnapshot } from '#lib/domain/hotmart/api-subscriptions.ts';
import { eventsForSnapshot } from '#lib/domain/subscription-snapshot.ts';
import { parseSubscription } from '#lib/domain/hotmart/api-subscriptions.ts';
import { DEFAULT_POLICY, PolicySchema } from '#lib/domain/mapping.ts';
import { subscriptionFact } from '#lib/domain/subscription-rules.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 28, 12);

const item = (extra: Record<string, unknown> = {}) => ({
  subscriber_code: 'K7TQ2M4X',
  subscription_id: 4471,
  status: 'ACTIVE',
  accession_date: NOW - 40 * DAY,
  date_next_charge: NOW + 20 * DAY,
  trial: false,
  transaction: 'HP111',
  plan: { name: 'Mensal', id: 845120, recurrency_period: 30 },
  product: { id: '003412911', name: 'Assinatura', ucode: 'u' },
  price: { value: 49.9, currency_code: 'BRL' },
  subscriber: { name: 'Ana', email: ' Ana@Example.com ', ucode: 'u2' },
  ...extra,
});

const snapshot = (extra: Record<string, unknown> = {}): SubscriptionSnapshot => {
  const parsed = parseSubscription(item(extra));
  assert.ok(parsed.ok);
  return parsed.snapshot;
};

/** Our record after the given webhook charges, as the store keeps it. */
function record(events: Partial<HotmartEvent>[], policy = DEFAULT_POLICY): SubscriptionRecord {
  const facts = events.map((e, i) =>
    subscriptionFact({ id: `e${i}`, version: '2.0.0', test: false, subscriberCode: 'K7TQ2M4X', productId: '3412911', creationDate: NOW, ...e } as HotmartEvent)!,
  );
  return { subscriberCode: 'K7TQ2M4X', facts, targets: [{ type: 'plan', id: 'mensal' }], grantedTargets: [], policy, version: facts.length };
}
const charged = (nextCharge: number, at = NOW - 10 * DAY) => ({ event: 'PURCHASE_APPROVED', transaction: 'HP112', creationDate: at, dateNextCharge: nextCharge });
const kinds = (plan: ReturnType<typeof eventsForSnapshot>) => ('events' in plan ? plan.events.map((e) => e.event) : plan.skip);

describe('a subscription from Hotmart’s API, compared with ours', () => {
  it('reads both date magnitudes, product ids with leading zeros and a mixed-case e-mail', () => {
    const s = snapshot({ accession_date: Math.floor((NOW - 40 * DAY) / 1000), date_next_charge: String(NOW + 20 * DAY) });
    assert.equal(s.accessionDate, NOW - 40 * DAY);
    assert.equal(s.dateNextCharge, NOW + 20 * DAY);
    assert.equal(s.productId, '3412911');
    assert.equal(s.email, 'ana@example.com');
    const broken = parseSubscription({ status: 'ACTIVE', product: {} });
    assert.ok(!broken.ok && /subscriber_code/.test(broken.reason) && /product\.id/.test(broken.reason));
  });

  it('applies the lost first charge of a subscription we never heard of, paid until the next charge', () => {
    const plan = eventsForSnapshot(snapshot(), null, NOW);
    assert.ok('events' in plan);
    assert.equal(plan.events.length, 1, 'the charge alone already agrees with ACTIVE');
    const [first] = plan.events;
    assert.equal(first!.id, reconciliationId('HP111', 'PURCHASE_APPROVED'), 'the id a sales-history copy of the same charge gets');
    assert.deepEqual(
      { event: first!.event, subscriberCode: first!.subscriberCode, transaction: first!.transaction, creationDate: first!.creationDate, dateNextCharge: first!.dateNextCharge },
      { event: 'PURCHASE_APPROVED', subscriberCode: 'K7TQ2M4X', transaction: 'HP111', creationDate: NOW - 40 * DAY, dateNextCharge: NOW + 20 * DAY },
    );
  });

  it('changes nothing when we agree, and never revives a refunded subscription', () => {
    assert.deepEqual(kinds(eventsForSnapshot(snapshot(), record([charged(NOW + 20 * DAY)]), NOW)), []);
    const refunded = record([charged(NOW + 20 * DAY), { event: 'PURCHASE_REFUNDED', transaction: 'HP112', creationDate: NOW - DAY }]);
    assert.match(kinds(eventsForSnapshot(snapshot(), refunded, NOW)) as string, /ACTIVE a subscription revoked here/);
  });

  it('applies a lost renewal or recovery as a charge seen now, with Hotmart’s next charge date', () => {
    const lapsed = record([charged(NOW - 5 * DAY, NOW - 35 * DAY)]);
    const plan = eventsForSnapshot(snapshot(), lapsed, NOW);
    assert.ok('events' in plan);
    assert.deepEqual(plan.events.map((e) => [e.event, e.creationDate, e.dateNextCharge, e.transaction]), [['PURCHASE_APPROVED', NOW, NOW + 20 * DAY, undefined]]);
    // The same report gives the same id: a second run is a duplicate.
    assert.deepEqual((eventsForSnapshot(snapshot(), lapsed, NOW + 3600_000) as { events: HotmartEvent[] }).events[0]!.id, plan.events[0]!.id);
  });

  it('lifts a delay on ACTIVE, but never a cancellation, a refund or a dispute recorded here', () => {
    const delayed = record([charged(NOW - 2 * DAY, NOW - 32 * DAY), { event: 'PURCHASE_DELAYED', creationDate: NOW - DAY }]);
    assert.deepEqual(kinds(eventsForSnapshot(snapshot(), delayed, NOW)), ['PURCHASE_APPROVED']);
    const cancelled = record([charged(NOW + 20 * DAY), { event: 'SUBSCRIPTION_CANCELLATION', creationDate: NOW - DAY, dateNextCharge: NOW + 20 * DAY }]);
    assert.match(kinds(eventsForSnapshot(snapshot({ date_next_charge: NOW + 50 * DAY }), cancelled, NOW)) as string, /ACTIVE a subscription cancelled here/);
    const disputed = record(
      [charged(NOW + 20 * DAY), { event: 'PURCHASE_PROTEST', transaction: 'HP112', creationDate: NOW - DAY }],
      PolicySchema.parse({ onDispute: 'suspend' }),
    );
    assert.match(kinds(eventsForSnapshot(snapshot({ date_next_charge: NOW + 50 * DAY }), disputed, NOW)) as string, /ACTIVE a subscription disputed here/);
  });

  it('applies a lost cancellation as seen now, cancelled at its date, with the paid period as Hotmart reports it', () => {
    for (const status of ['CANCELLED_BY_CUSTOMER', 'CANCELLED_BY_SELLER', 'CANCELLED_BY_ADMIN', 'EXPIRED', 'INACTIVE']) {
      const plan = eventsForSnapshot(snapshot({ status, end_accession_date: NOW - DAY }), record([charged(NOW + 20 * DAY)]), NOW);
      assert.ok('events' in plan, status);
      assert.deepEqual(plan.events.map((e) => [e.event, e.creationDate, e.cancellationDate, e.dateNextCharge]), [['SUBSCRIPTION_CANCELLATION', NOW, NOW - DAY, NOW + 20 * DAY]], status);
    }
    // Without a next charge date, access ends at the cancellation rather than never.
    const undated = eventsForSnapshot(snapshot({ status: 'EXPIRED', end_accession_date: NOW - DAY, date_next_charge: null }), record([charged(NOW + 20 * DAY)]), NOW);
    assert.ok('events' in undated);
    assert.equal(undated.events[0]!.dateNextCharge, NOW - DAY);
    // Already cancelled here: nothing to do.
    const cancelled = record([charged(NOW + 20 * DAY), { event: 'SUBSCRIPTION_CANCELLATION', creationDate: NOW - 2 * DAY, dateNextCharge: NOW + 20 * DAY }]);
    assert.deepEqual(kinds(eventsForSnapshot(snapshot({ status: 'CANCELLED_BY_CUSTOMER', end_accession_date: NOW - DAY }), cancelled, NOW)), []);
  });

  it('applies a lost delay as seen now, only where the policy suspends', () => {
    const due = record([charged(NOW - 2 * DAY, NOW - 32 * DAY)]);
    const late = snapshot({ status: 'OVERDUE', date_next_charge: NOW - 2 * DAY });
    const plan = eventsForSnapshot(late, due, NOW);
    assert.ok('events' in plan);
    assert.deepEqual(plan.events.map((e) => [e.event, e.creationDate]), [['PURCHASE_DELAYED', NOW]]);
    const keep = record([charged(NOW - 2 * DAY, NOW - 32 * DAY)], PolicySchema.parse({ onDelayed: 'keep' }));
    assert.deepEqual(kinds(eventsForSnapshot(late, keep, NOW)), [], 'keep: the delay changes no access');
  });

  it('corrects, on the next run, a webhook older than a run that arrived after it', () => {
    // Run 1 saw ACTIVE and applied a recovery at NOW; the cancellation's webhook (sent before NOW,
    // before Hotmart's API showed it) arrives later and folds in before that recovery.
    const lapsed: Partial<HotmartEvent>[] = [charged(NOW - 5 * DAY, NOW - 35 * DAY)];
    const recovery = (eventsForSnapshot(snapshot(), record(lapsed), NOW) as { events: HotmartEvent[] }).events[0]!;
    const late = { event: 'SUBSCRIPTION_CANCELLATION', creationDate: NOW - 3600_000, dateNextCharge: NOW + 20 * DAY };
    const now = record([...lapsed, recovery, late]);
    // Run 2 sees the cancellation: its fact, as seen then, folds in after the recovery.
    const plan = eventsForSnapshot(snapshot({ status: 'CANCELLED_BY_CUSTOMER', end_accession_date: NOW - 3600_000 }), now, NOW + 3600_000);
    assert.deepEqual(kinds(plan), ['SUBSCRIPTION_CANCELLATION']);
  });

  it('never grants access without an end: no next charge date, no first charge applied', () => {
    assert.match(kinds(eventsForSnapshot(snapshot({ date_next_charge: null }), null, NOW)) as string, /without a next charge date/);
  });

  it('skips what changes no access, and says why', () => {
    assert.match(kinds(eventsForSnapshot(snapshot({ status: 'STARTED' }), null, NOW)) as string, /STARTED changes no access/);
    assert.match(kinds(eventsForSnapshot(snapshot({ transaction: null }), null, NOW)) as string, /without its first transaction/);
  });
});
