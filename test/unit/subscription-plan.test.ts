import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HotmartEvent } from '#lib/domain/hotmart/event.ts';
import { planEvent } from '#lib/domain/plan-event.ts';
import { domainEvent, mapped, mapping } from '../helpers/domain.ts';
import { TX_STATUSES } from '#lib/domain/transaction-status.ts';
import type { SubscriptionRecord } from '#lib/domain/write-plan.ts';

const event = (name: string, extra: Partial<HotmartEvent> = {}): HotmartEvent => domainEvent(name, { subscriberCode: 'S1', ...extra });
/** The record as DynamoDB gives it back: every fact's keys in another order. */
const asRead = (record: SubscriptionRecord): SubscriptionRecord => ({
  ...record,
  facts: record.facts.map((fact) => Object.fromEntries(Object.entries(fact).reverse()) as typeof fact),
});

describe('planning a subscription event', () => {
  const charge = planEvent(event('PURCHASE_APPROVED', { recurrenceNumber: 1, dateNextCharge: Date.UTC(2030, 0, 1) }), { mappings: mapped, subscription: null });
  const dispute = event('PURCHASE_PROTEST', { id: 'd1', creationDate: 5 });
  const disputed = planEvent(dispute, { mappings: mapped, subscription: charge.writeSubscription!.record });

  it('takes a copy whose stored twin came back in another key order as a duplicate, writing nothing', () => {
    const copy = planEvent({ ...dispute, id: 'd2' }, { mappings: mapped, subscription: asRead(disputed.writeSubscription!.record) });
    assert.equal(copy.outcome.status, 'duplicate');
    assert.equal(copy.outcome.duplicateOf, 'd1');
    assert.equal(copy.writeSubscription, undefined);
    assert.equal(copy.subscriptionEnrollments, undefined);
  });

  it('takes a second dispute at another time as another fact', () => {
    const later = planEvent({ ...dispute, id: 'd3', creationDate: 9 }, { mappings: mapped, subscription: asRead(disputed.writeSubscription!.record) });
    assert.equal(later.outcome.status, 'processed');
    assert.equal(later.writeSubscription!.record.facts.length, 3);
  });

  it('says effects in statuses: the subscription’s for a subscription, the lattice’s for a transaction', () => {
    const subscriptionStatuses = ['pending', 'active', 'suspended', 'cancelled', 'revoked'];
    assert.deepEqual(charge.outcome.effects, [{ subscriberCode: 'S1', transaction: 'HP1', from: null, to: 'active', targets: mapping.targets }]);
    for (const effect of disputed.outcome.effects ?? []) assert.ok(subscriptionStatuses.includes(effect.to));
    const oneTime = planEvent(event('PURCHASE_APPROVED', { subscriberCode: undefined }), { mappings: mapped, tx: null });
    for (const effect of oneTime.outcome.effects ?? []) assert.ok((TX_STATUSES as readonly string[]).includes(effect.to));
    assert.equal(oneTime.outcome.effects?.length, 1);
  });
});
