import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTestStack, freshEvent, loadHandlers } from '../helpers/stack.ts';

await createTestStack();
const api = await loadHandlers();
const PRODUCT = 3412911;
await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'edicao' }, { type: 'class', id: 'turma-2026' }] });

const EVENTS = ['PURCHASE_APPROVED', 'PURCHASE_COMPLETE', 'PURCHASE_REFUNDED', 'PURCHASE_CHARGEBACK', 'PURCHASE_CANCELED'] as const;
const STATUS: Record<(typeof EVENTS)[number], string> = {
  PURCHASE_APPROVED: 'APPROVED',
  PURCHASE_COMPLETE: 'COMPLETE',
  PURCHASE_REFUNDED: 'REFUNDED',
  PURCHASE_CHARGEBACK: 'CHARGEBACK',
  PURCHASE_CANCELED: 'CANCELED',
};
const STRENGTH = ['APPROVED', 'COMPLETE', 'CANCELED', 'REFUNDED', 'CHARGEBACK'];

/** Every ordered selection of the five events: 5 + 20 + 60 + 120 + 120 = 325 sequences. */
function arrangements<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  const walk = (prefix: T[], rest: T[]) => {
    if (prefix.length > 0) out.push(prefix);
    rest.forEach((item, i) => walk([...prefix, item], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], [...items]);
  return out;
}

const post = (body: unknown) => api.postWebhook(JSON.stringify(body));
const enrollmentsOf = async (email: string) => (await api.enrollments({ email })).body.items as any[];

describe('one transaction, its events in every arrival order', () => {
  it('ends in the same status and access as in order, for all 325 sequences', async () => {
    const sequences = arrangements(EVENTS);
    assert.equal(sequences.length, 325);
    const run = async (sequence: (typeof EVENTS)[number][], n: number) => {
      const email = `order-${n}@example.com`;
      const transaction = `HPORDER${n}`;
      for (const name of sequence) {
        // A 503 means "retry, it will work" (a slow machine timed DynamoDB out): Hotmart posts the same delivery again.
        const delivery = freshEvent(name, { transaction, email, productId: PRODUCT });
        let response = await post(delivery);
        for (let retry = 0; response.statusCode === 503 && retry < 10; retry++) response = await post(delivery);
        assert.equal(response.statusCode, 200);
      }
      const statuses = sequence.map((name) => STATUS[name]);
      const expected = statuses.reduce((a, b) => (STRENGTH.indexOf(b) > STRENGTH.indexOf(a) ? b : a));
      const paid = expected === 'APPROVED' || expected === 'COMPLETE';
      const items = await enrollmentsOf(email);
      assert.equal(items.length, 2, sequence.join(' → '));
      for (const item of items) {
        assert.equal(item.hasAccess, paid, sequence.join(' → '));
        assert.deepEqual(item.transactions, [{ transaction, status: expected }], sequence.join(' → '));
      }
    };
    // Eight sequences at a time: each has its own transaction and student.
    for (let i = 0; i < sequences.length; i += 8) {
      await Promise.all(sequences.slice(i, i + 8).map((sequence, j) => run(sequence, i + j)));
    }
  });
});

describe('several transactions behind one enrollment', () => {
  it('keeps access through the other purchase when one of two is refunded', async () => {
    const email = 'bought.twice@example.com';
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPTWICE1', email, productId: PRODUCT }));
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPTWICE2', email, productId: PRODUCT }));
    await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPTWICE1', email, productId: PRODUCT }));
    for (const item of await enrollmentsOf(email)) {
      assert.equal(item.status, 'active');
      assert.equal(item.hasAccess, true);
      assert.deepEqual(item.transactions, [
        { transaction: 'HPTWICE1', status: 'REFUNDED' },
        { transaction: 'HPTWICE2', status: 'APPROVED' },
      ]);
    }
    await post(freshEvent('PURCHASE_CHARGEBACK', { transaction: 'HPTWICE2', email, productId: PRODUCT }));
    for (const item of await enrollmentsOf(email)) assert.equal(item.hasAccess, false);
  });

  it('grants again on a re-purchase after a refund', async () => {
    const email = 'came.back@example.com';
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPBACK1', email, productId: PRODUCT }));
    await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPBACK1', email, productId: PRODUCT }));
    assert.deepEqual((await enrollmentsOf(email)).map((i) => i.status), ['revoked', 'revoked']);
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPBACK2', email, productId: PRODUCT }));
    assert.deepEqual((await enrollmentsOf(email)).map((i) => i.status), ['active', 'active']);
  });

  it('revokes on the targets the purchase granted, even after the mapping changed', async () => {
    const email = 'remapped@example.com';
    await api.putMapping('777001', { targets: [{ type: 'course', id: 'old-course' }] });
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPREMAP', email, productId: 777001 }));
    await api.putMapping('777001', { targets: [{ type: 'course', id: 'new-course' }] });
    const refund = await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPREMAP', email, productId: 777001 }));
    assert.equal(refund.body.status, 'processed');
    const items = await enrollmentsOf(email);
    assert.deepEqual(items.map((i) => [i.target.id, i.hasAccess]), [['old-course', false]]);
  });

  it('does not let a late approval grant after the refund arrived first', async () => {
    const email = 'late.approval@example.com';
    const refund = await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPLATE', email, productId: PRODUCT }));
    assert.equal(refund.body.status, 'processed');
    const approval = freshEvent('PURCHASE_APPROVED', { transaction: 'HPLATE', email, productId: PRODUCT });
    const response = await post(approval);
    assert.equal(response.body.status, 'processed');
    assert.match((await api.event(approval.id)).body.outcome.detail, /already REFUNDED: no change/);
    assert.deepEqual((await enrollmentsOf(email)).map((i) => [i.status, i.hasAccess]), [['revoked', false], ['revoked', false]]);
  });

  it('suspends a disputed purchase under onDispute: suspend; COMPLETE restores it, a refund ends it, in any order', async () => {
    await api.putMapping('777002', { targets: [{ type: 'course', id: 'strict' }], policy: { onDispute: 'suspend' } });
    const access = async (email: string) => (await enrollmentsOf(email)).map((i) => [i.status, i.hasAccess]);
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPDISP1', email: 'disputed@example.com', productId: 777002 }));
    await post(freshEvent('PURCHASE_PROTEST', { transaction: 'HPDISP1', email: 'disputed@example.com', productId: 777002 }));
    assert.deepEqual(await access('disputed@example.com'), [['suspended', false]]);
    await post(freshEvent('PURCHASE_COMPLETE', { transaction: 'HPDISP1', email: 'disputed@example.com', productId: 777002 }));
    assert.deepEqual(await access('disputed@example.com'), [['active', true]]);
    // The dispute first, then the approval it follows: still suspended; the refund ends it.
    await post(freshEvent('PURCHASE_PROTEST', { transaction: 'HPDISP2', email: 'refunded@example.com', productId: 777002 }));
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPDISP2', email: 'refunded@example.com', productId: 777002 }));
    assert.deepEqual(await access('refunded@example.com'), [['suspended', false]]);
    await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPDISP2', email: 'refunded@example.com', productId: 777002 }));
    assert.deepEqual(await access('refunded@example.com'), [['revoked', false]]);
    // Under the default (keep), a dispute changes nothing.
    await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPDISP3', email: 'kept@example.com', productId: PRODUCT }));
    await post(freshEvent('PURCHASE_PROTEST', { transaction: 'HPDISP3', email: 'kept@example.com', productId: PRODUCT }));
    assert.deepEqual(await access('kept@example.com'), [['active', true], ['active', true]]);
  });

  it('applies 10 simultaneous deliveries of one approval once', async () => {
    const body = freshEvent('PURCHASE_APPROVED', { transaction: `HP${randomUUID().slice(0, 8)}`, email: 'burst@example.com', productId: PRODUCT });
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(body)));
    const statuses = answers.map((a) => a.body.status).sort();
    assert.deepEqual(statuses, ['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
  });
});
