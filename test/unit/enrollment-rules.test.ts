import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TransactionState } from '#lib/domain/write-plan.ts';
import type { TxStatus } from '#lib/domain/transaction-status.ts';
import { enrollmentAccess } from '#lib/domain/access.ts';
import { nextTxStatus } from '#lib/domain/transaction-status.ts';
import { planEvent } from '#lib/domain/plan-event.ts';
import type { Mapping, ProductMappings } from '#lib/domain/mapping.ts';
import { DEFAULT_POLICY } from '#lib/domain/mapping.ts';
import { domainEvent, mapped, mapping } from '../helpers/domain.ts';

const STATUSES: TxStatus[] = ['APPROVED', 'DISPUTE', 'COMPLETE', 'CANCELED', 'REFUNDED', 'CHARGEBACK'];
const PAID = new Set<TxStatus>(['APPROVED', 'COMPLETE']);

const unmapped: ProductMappings = { product: null, offers: [] };
const event = domainEvent;
const tx = (status: TxStatus, targets = mapping.targets): TransactionState => ({ transaction: 'HP1', status, targets, email: 'a@example.com', productId: '1' });

describe('transaction status', () => {
  it('never goes back to paid once canceled, refunded or charged back', () => {
    for (const final of ['CANCELED', 'REFUNDED', 'CHARGEBACK'] as TxStatus[]) {
      for (const incoming of STATUSES) assert.equal(PAID.has(nextTxStatus(final, incoming)), false, `${final} then ${incoming}`);
    }
  });

  it('moves APPROVED → DISPUTE → COMPLETE but never back', () => {
    assert.equal(nextTxStatus('APPROVED', 'COMPLETE'), 'COMPLETE');
    assert.equal(nextTxStatus('APPROVED', 'DISPUTE'), 'DISPUTE');
    assert.equal(nextTxStatus('DISPUTE', 'COMPLETE'), 'COMPLETE');
    assert.equal(nextTxStatus('DISPUTE', 'APPROVED'), 'DISPUTE');
    assert.equal(nextTxStatus('COMPLETE', 'APPROVED'), 'COMPLETE');
  });

  it('ends in the same status for every arrival order of the same events', () => {
    const permutations = (items: TxStatus[]): TxStatus[][] =>
      items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    for (const order of permutations(STATUSES)) {
      assert.equal(order.reduce<TxStatus | undefined>((current, incoming) => nextTxStatus(current, incoming), undefined), 'CHARGEBACK');
    }
    for (const order of permutations(['APPROVED', 'COMPLETE', 'REFUNDED'])) {
      assert.equal(order.reduce<TxStatus | undefined>((current, incoming) => nextTxStatus(current, incoming), undefined), 'REFUNDED');
    }
  });
});

describe('enrollment access', () => {
  it('is active while one transaction behind it is paid', () => {
    assert.deepEqual(enrollmentAccess([{ status: 'REFUNDED' }, { status: 'APPROVED' }], [], 0), { status: 'active', hasAccess: true });
    assert.deepEqual(enrollmentAccess([{ status: 'COMPLETE' }], [], 0), { status: 'active', hasAccess: true });
    assert.deepEqual(enrollmentAccess([{ status: 'REFUNDED' }, { status: 'CHARGEBACK' }], [], 0), { status: 'revoked', hasAccess: false });
    assert.deepEqual(enrollmentAccess([{ status: 'DISPUTE' }], [], 0), { status: 'suspended', hasAccess: false });
  });

  it('follows a subscription until its access date, and keeps one-time access after it', () => {
    const sub = { status: 'cancelled' as const, accessUntil: 1000, charges: [] };
    assert.equal(enrollmentAccess([], [sub], 999).hasAccess, true);
    assert.equal(enrollmentAccess([], [sub], 1000).hasAccess, false);
    assert.equal(enrollmentAccess([], [sub], 1000).status, 'cancelled');
    assert.deepEqual(
      { ...enrollmentAccess([{ status: 'APPROVED' }], [sub], 5000), subscription: undefined },
      { status: 'active', hasAccess: true, subscription: undefined },
    );
  });
});

describe('planning an event', () => {
  it('grants through the mapping on a new approval, checking the mapping version', () => {
    const plan = planEvent(event('PURCHASE_APPROVED'), { mappings: mapped });
    assert.equal(plan.outcome.status, 'processed');
    assert.deepEqual(plan.expectTx, { absent: true });
    assert.deepEqual(plan.expectMappings, [{ productId: '1', version: 3 }]);
    assert.equal(plan.enrollments?.status, 'APPROVED');
    assert.deepEqual(plan.enrollments?.targets, mapping.targets);
  });

  it('takes an offer override first, and checks that no override exists when it falls back', () => {
    const offer: Mapping = { ...mapping, offerCode: 'yearly', targets: [{ type: 'plan', id: 'anual' }], version: 7 };
    const withOffer: ProductMappings = { product: mapping, offers: [offer] };
    const viaOffer = planEvent(event('PURCHASE_APPROVED', { offerCode: 'yearly' }), { mappings: withOffer });
    assert.deepEqual(viaOffer.enrollments?.targets, [{ type: 'plan', id: 'anual' }]);
    assert.deepEqual(viaOffer.expectMappings, [{ productId: '1', offerCode: 'yearly', version: 7 }]);
    const fallback = planEvent(event('PURCHASE_APPROVED', { offerCode: 'monthly' }), { mappings: withOffer });
    assert.deepEqual(fallback.enrollments?.targets, mapping.targets);
    assert.deepEqual(fallback.expectMappings, [
      { productId: '1', offerCode: 'monthly', version: null },
      { productId: '1', version: 3 },
    ]);
  });

  it('parks an approval of an unmapped product, checking that mappings and transaction are absent', () => {
    const plan = planEvent(event('PURCHASE_APPROVED'), { mappings: unmapped });
    assert.equal(plan.outcome.status, 'unmapped');
    assert.equal(plan.park, true);
    assert.deepEqual(plan.expectMappings, [{ productId: '1', version: null }]);
    assert.deepEqual(plan.expectTx, { absent: true });
    assert.equal(plan.enrollments, undefined);
  });

  it('revokes on the targets the transaction granted, not on the current mapping', () => {
    const granted = tx('APPROVED', [{ type: 'class', id: 'old-class' }]);
    const plan = planEvent(event('PURCHASE_REFUNDED'), { mappings: mapped, tx: granted });
    assert.deepEqual(plan.enrollments?.targets, [{ type: 'class', id: 'old-class' }]);
    assert.equal(plan.enrollments?.status, 'REFUNDED');
    assert.equal(plan.expectMappings, undefined);
  });

  it('records an unknown transaction refunded first, so its approval cannot grant later', () => {
    const plan = planEvent(event('PURCHASE_REFUNDED'), { mappings: unmapped, tx: null });
    assert.equal(plan.writeTx?.status, 'REFUNDED');
    assert.equal(plan.enrollments, undefined);
    const late = planEvent(event('PURCHASE_APPROVED'), { mappings: mapped, tx: plan.writeTx! });
    assert.equal(late.writeTx, undefined);
    assert.equal(late.enrollments, undefined);
    assert.match(late.outcome.detail, /already REFUNDED/);
  });

  it('records a refund that overtook its approval on the enrollments it would have granted, revoked', () => {
    const plan = planEvent(event('PURCHASE_REFUNDED'), { mappings: mapped, tx: null });
    assert.equal(plan.enrollments?.status, 'REFUNDED');
    assert.deepEqual(plan.enrollments?.targets, mapping.targets);
    assert.deepEqual(plan.expectMappings, [{ productId: '1', version: 3 }]);
  });

  it('suspends a disputed purchase only under onDispute: suspend', () => {
    const keep = planEvent(event('PURCHASE_PROTEST'), { mappings: mapped, tx: tx('APPROVED') });
    assert.equal(keep.writeTx, undefined);
    assert.match(keep.outcome.detail, /access kept/);
    const strict: ProductMappings = { product: { ...mapping, policy: { ...DEFAULT_POLICY, onDispute: 'suspend' } }, offers: [] };
    const suspend = planEvent(event('PURCHASE_PROTEST'), { mappings: strict, tx: tx('APPROVED') });
    assert.equal(suspend.enrollments?.status, 'DISPUTE');
  });

  it('says what a dispute under onDispute: keep found, checked against the stored transaction', () => {
    // Never approved here: no access to keep, and the plan holds only if the transaction is still absent.
    const unknown = planEvent(event('PURCHASE_PROTEST'), { mappings: mapped, tx: null });
    assert.doesNotMatch(unknown.outcome.detail, /access kept/);
    assert.match(unknown.outcome.detail, /no approval of it was received, so it gave no access to keep/);
    assert.deepEqual([unknown.expectTx, unknown.writeTx, unknown.enrollments], [{ absent: true }, undefined, undefined]);
    // Not read yet: predicted approved, and checked so a wrong guess is planned again.
    const predicted = planEvent(event('PURCHASE_PROTEST'), { mappings: mapped });
    assert.deepEqual(predicted.expectTx, { absent: false, status: 'APPROVED', targetsKey: 'course#c1', email: 'a@example.com' });
    assert.match(planEvent(event('PURCHASE_PROTEST'), { mappings: mapped, tx: tx('REFUNDED') }).outcome.detail, /already REFUNDED: no change/);
    // Its refund says the approval never came, not that the transaction "was not known".
    const refund = planEvent(event('PURCHASE_REFUNDED'), { mappings: mapped, tx: null });
    assert.equal(refund.outcome.detail, 'no approval of transaction HP1 was received: recorded as REFUNDED, with no access, so a later approval will not grant');
  });

  it('never says access was kept, restored or removed when there was none', () => {
    const detail = (name: string, current: TransactionState | null, mappings = mapped) => planEvent(event(name), { mappings, tx: current }).outcome.detail;
    const strict: ProductMappings = { product: { ...mapping, policy: { ...DEFAULT_POLICY, onDispute: 'suspend' } }, offers: [] };
    assert.match(detail('PURCHASE_REFUNDED', tx('CANCELED')), /CANCELED → REFUNDED: it gave no access \(it was already CANCELED\)/);
    assert.match(detail('PURCHASE_REFUNDED', tx('DISPUTE')), /DISPUTE → REFUNDED: access, suspended by the dispute, removed/);
    assert.match(detail('PURCHASE_COMPLETE', tx('DISPUTE')), /DISPUTE → COMPLETE: access granted: the dispute is over/);
    assert.match(detail('PURCHASE_REFUNDED', tx('APPROVED')), /APPROVED → REFUNDED: access from this transaction removed/);
    assert.match(detail('PURCHASE_PROTEST', null, strict), /^no approval of transaction HP1 was received: recorded as DISPUTE, suspended/);
  });

  it('gives a suspended subscription no access date in its detail', () => {
    const sub = { subscriberCode: 'S1', offerCode: undefined };
    const charge = planEvent(event('PURCHASE_APPROVED', { ...sub, recurrenceNumber: 1, dateNextCharge: Date.UTC(2030, 0, 1) }), { mappings: mapped, subscription: null });
    assert.match(charge.outcome.detail, /new → active, access until 2030-01-04/);
    const delayed = planEvent(event('PURCHASE_DELAYED', { ...sub, id: 'e-delay', creationDate: 2 }), { mappings: mapped, subscription: charge.writeSubscription!.record });
    assert.match(delayed.outcome.detail, /active → suspended, no access while suspended$/);
  });

  it('changes no access on events outside the lifecycle, and ignores unknown ones', () => {
    for (const name of ['PURCHASE_BILLET_PRINTED', 'PURCHASE_DELAYED', 'PURCHASE_EXPIRED', 'CLUB_FIRST_ACCESS']) {
      const plan = planEvent(event(name), { mappings: mapped });
      assert.equal(plan.outcome.status, 'processed', name);
      assert.equal(plan.writeTx, undefined, name);
      assert.equal(plan.enrollments, undefined, name);
    }
    assert.equal(planEvent(event('SOMETHING_NEW'), {}).outcome.status, 'ignored');
    assert.equal(planEvent(event('ORDER_FULFILLMENT'), {}).outcome.status, 'ignored');
  });

  it('treats a panel test as a test, before anything else', () => {
    const plan = planEvent(event('PURCHASE_APPROVED', { test: true, productId: '0', subscriberCode: 'X' }), { mappings: mapped });
    assert.equal(plan.outcome.status, 'test');
    assert.equal(plan.claimBusinessKey, false);
    assert.equal(plan.writeTx, undefined);
    assert.equal(plan.writeSubscription, undefined);
  });
});
