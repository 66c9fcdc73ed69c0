import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TransactionState, TxStatus } from '../../lib/domain/enrollment-rules.ts';
import { enrollmentStatus, nextTxStatus, planEvent } from '../../lib/domain/enrollment-rules.ts';
import type { HotmartEvent } from '../../lib/domain/hotmart-event.ts';
import type { Mapping } from '../../lib/domain/mapping.ts';

const STATUSES: TxStatus[] = ['APPROVED', 'COMPLETE', 'CANCELED', 'REFUNDED', 'CHARGEBACK'];
const PAID = new Set<TxStatus>(['APPROVED', 'COMPLETE']);

const mapping: Mapping = { productId: '1', targets: [{ type: 'course', id: 'c1' }], version: 3, createdAt: 0, updatedAt: 0 };
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

  it('moves APPROVED to COMPLETE but never COMPLETE back to APPROVED', () => {
    assert.equal(nextTxStatus('APPROVED', 'COMPLETE'), 'COMPLETE');
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

describe('enrollment status', () => {
  it('is active while one transaction behind it is paid', () => {
    assert.equal(enrollmentStatus(['REFUNDED', 'APPROVED']), 'active');
    assert.equal(enrollmentStatus(['COMPLETE']), 'active');
    assert.equal(enrollmentStatus(['REFUNDED', 'CHARGEBACK']), 'revoked');
    assert.equal(enrollmentStatus([]), 'revoked');
  });
});

describe('planning an event', () => {
  it('grants through the mapping on a new approval, checking the mapping version', () => {
    const plan = planEvent(event('PURCHASE_APPROVED'), { mapping });
    assert.equal(plan.outcome.status, 'processed');
    assert.deepEqual(plan.expectTx, { absent: true });
    assert.deepEqual(plan.expectMapping, { absent: false, version: 3 });
    assert.equal(plan.enrollments?.status, 'APPROVED');
    assert.deepEqual(plan.enrollments?.targets, mapping.targets);
  });

  it('parks an approval of an unmapped product, checking that both mapping and transaction are absent', () => {
    const plan = planEvent(event('PURCHASE_APPROVED'), { mapping: null });
    assert.equal(plan.outcome.status, 'unmapped');
    assert.equal(plan.park, true);
    assert.deepEqual(plan.expectMapping, { absent: true });
    assert.deepEqual(plan.expectTx, { absent: true });
    assert.equal(plan.enrollments, undefined);
  });

  it('revokes on the targets the transaction granted, not on the current mapping', () => {
    const granted = tx('APPROVED', [{ type: 'class', id: 'old-class' }]);
    const plan = planEvent(event('PURCHASE_REFUNDED'), { mapping, tx: granted });
    assert.deepEqual(plan.enrollments?.targets, [{ type: 'class', id: 'old-class' }]);
    assert.equal(plan.enrollments?.status, 'REFUNDED');
    assert.equal(plan.expectMapping, undefined);
  });

  it('records an unknown transaction refunded first, so its approval cannot grant later', () => {
    const plan = planEvent(event('PURCHASE_REFUNDED'), { mapping: null, tx: null });
    assert.equal(plan.writeTx?.status, 'REFUNDED');
    assert.equal(plan.enrollments, undefined);
    const late = planEvent(event('PURCHASE_APPROVED'), { mapping, tx: plan.writeTx! });
    assert.equal(late.writeTx, undefined);
    assert.equal(late.enrollments, undefined);
    assert.match(late.outcome.detail, /already REFUNDED/);
  });

  it('changes no access on events outside the transaction lifecycle, and ignores unknown ones', () => {
    for (const name of ['PURCHASE_PROTEST', 'PURCHASE_BILLET_PRINTED', 'PURCHASE_DELAYED', 'CLUB_FIRST_ACCESS', 'SWITCH_PLAN']) {
      const plan = planEvent(event(name), { mapping });
      assert.equal(plan.outcome.status, 'processed', name);
      assert.equal(plan.writeTx, undefined, name);
      assert.equal(plan.enrollments, undefined, name);
    }
    assert.equal(planEvent(event('SOMETHING_NEW'), {}).outcome.status, 'ignored');
    assert.equal(planEvent(event('ORDER_FULFILLMENT'), {}).outcome.status, 'ignored');
  });

  it('treats a panel test as a test, before anything else', () => {
    const plan = planEvent(event('PURCHASE_APPROVED', { test: true, productId: '0' }), { mapping });
    assert.equal(plan.outcome.status, 'test');
    assert.equal(plan.claimBusinessKey, false);
    assert.equal(plan.writeTx, undefined);
  });
});
