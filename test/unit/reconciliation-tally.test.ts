import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HotmartEvent } from '#lib/domain/hotmart/event.ts';
import { tallyOf } from '#lib/domain/reconciliation.ts';
import type { Effect, Outcome } from '#lib/domain/write-plan.ts';

const COURSE = [{ type: 'course', id: 'c-1' }] as Effect['targets'];
const event = (name: string, extra: Partial<HotmartEvent> = {}): HotmartEvent => ({
  id: `e-${name}`,
  event: name,
  version: 'api',
  creationDate: 1_768_000_000_000,
  productId: '3412911',
  transaction: 'HP1',
  test: false,
  ...extra,
});
type Status = NonNullable<Effect['from']>;
const processed = (from: Status | null, to: Status, targets = COURSE): Outcome => ({ status: 'processed', detail: 'd', effects: [{ transaction: 'HP1', from, to, targets } as Effect] });
const charge = (name: string) => event(name, { subscriberCode: 'SUB1' });

describe('how a record a reconciliation applied counts in its report', () => {
  it('counts what was known already, what waits for a mapping, and what changes nothing apart', () => {
    assert.equal(tallyOf({ status: 'duplicate', detail: 'd' }, event('PURCHASE_APPROVED')), 'alreadyKnown');
    assert.equal(tallyOf({ status: 'unmapped', detail: 'd' }, event('PURCHASE_APPROVED')), 'unmapped');
    assert.equal(tallyOf({ status: 'ignored', detail: 'd' }, event('ORDER_FULFILLMENT')), 'skipped');
    assert.equal(tallyOf({ status: 'test', detail: 'd' }, event('PURCHASE_APPROVED')), 'skipped');
  });

  it('counts a grant when access is given that was not, or a subscription charge pays a new period', () => {
    assert.equal(tallyOf(processed(null, 'APPROVED'), event('PURCHASE_APPROVED')), 'grants');
    assert.equal(tallyOf(processed('DISPUTE', 'COMPLETE'), event('PURCHASE_COMPLETE')), 'grants', 'the dispute is over');
    assert.equal(tallyOf(processed('suspended', 'active'), charge('PURCHASE_APPROVED')), 'grants');
    assert.equal(tallyOf(processed('active', 'active'), charge('PURCHASE_APPROVED')), 'grants', 'a renewal of an active subscription');
    assert.equal(tallyOf(processed('APPROVED', 'COMPLETE'), event('PURCHASE_COMPLETE')), 'other', 'access was given already');
    assert.equal(tallyOf(processed('active', 'active'), charge('UPDATE_SUBSCRIPTION_CHARGE_DATE')), 'other', 'a new date is no new charge');
    assert.equal(tallyOf(processed(null, 'APPROVED', []), event('PURCHASE_APPROVED')), 'other', 'it granted nothing');
  });

  it('counts a revocation only when access is withdrawn from a record we knew', () => {
    assert.equal(tallyOf(processed('APPROVED', 'REFUNDED'), event('PURCHASE_REFUNDED')), 'revocations');
    assert.equal(tallyOf(processed('COMPLETE', 'CHARGEBACK'), event('PURCHASE_CHARGEBACK')), 'revocations');
    assert.equal(tallyOf(processed('APPROVED', 'DISPUTE'), event('PURCHASE_PROTEST')), 'revocations', 'suspended by the policy');
    assert.equal(tallyOf(processed('active', 'suspended'), charge('PURCHASE_DELAYED')), 'revocations');
    assert.equal(tallyOf(processed('cancelled', 'revoked'), charge('PURCHASE_REFUNDED')), 'revocations');
    assert.equal(tallyOf(processed(null, 'REFUNDED'), event('PURCHASE_REFUNDED')), 'other', 'a refund of a sale we never knew removes nothing');
    assert.equal(tallyOf(processed('active', 'cancelled'), charge('SUBSCRIPTION_CANCELLATION')), 'other', 'access kept until the paid period ends');
    assert.equal(tallyOf(processed('APPROVED', 'REFUNDED', []), event('PURCHASE_REFUNDED')), 'other', 'it had granted nothing');
  });
});
