import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TransactionState, TxStatus } from '../../lib/domain/enrollment-rules.ts';
import { enrollmentAccess, nextTxStatus, planEvent } from '../../lib/domain/enrollment-rules.ts';
import type { HotmartEvent } from '../../lib/domain/hotmart-event.ts';
import type { Mapping, ProductMappings } from '../../lib/domain/mapping.ts';
import { DEFAULT_POLICY } from '../../lib/domain/mapping.ts';

const STATUSES: TxStatus[] = ['APPROVED', 'DISPUTE', 'COMPLETE', 'CANCELED', 'REFUNDED', 'CHARGEBACK'];
const PAID = new Set<TxStatus>(['APPROVED', 'COMPLETE']);

const mapping: Mapping = { productId: '1', targets: [{ type: 'course', id: 'c1' }], policy: DEFAULT_POLICY, version: 3, createdAt: 0, updatedAt: 0 };
const mapped: ProductMappings = { product: mapping, offers: [] };
const unmapped: ProductMappings = { product: null, offers: [] };
const event = (name: string, extra: Partial<HotmartEvent> = {}): HotmartEvent => ({
  id: `e-${name}`,
  event: name,
  version: '2.0.0',
  creationDate: 1,
  productId: '1',
  transaction: 'HP1',
  buyerEmail: 'a@example.com',
  test: false,
  ...extra,
});
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
