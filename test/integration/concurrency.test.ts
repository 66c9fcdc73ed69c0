import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTestStack, freshEvent, loadHandlers, localBurstAllowance } from '../helpers/stack.ts';

// A test of contention, not latency: the local stage's allowance (test/helpers/stack.ts).
localBurstAllowance();
await createTestStack();
const api = await loadHandlers();
const PRODUCT = 8_000_001;
await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'crowd' }] });
const post = (body: unknown) => api.postWebhook(JSON.stringify(body));
const failures = (answers: { statusCode: number; body: unknown }[]) => JSON.stringify(answers.filter((a) => a.statusCode !== 200).map((a) => a.body));

describe('deliveries that arrive at the same moment', () => {
  it('applies 50 simultaneous copies of one event once: one processed, 49 duplicate, no 5xx', async () => {
    const body = freshEvent('PURCHASE_APPROVED', { transaction: `HP${randomUUID().slice(0, 10)}`, email: 'crowd@example.com', productId: PRODUCT });
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    assert.deepEqual([...new Set(answers.map((a) => a.statusCode))], [200], failures(answers));
    const statuses = answers.map((a) => a.body.status);
    assert.equal(statuses.filter((s) => s === 'processed').length, 1);
    assert.equal(statuses.filter((s) => s === 'duplicate').length, 49);
    const [enrollment] = (await api.enrollments({ email: 'crowd@example.com' })).body.items;
    assert.equal(enrollment.transactions.length, 1);
  });

  it('reaches the in-order state when 50 different events for one enrollment arrive at once, with no 5xx', async () => {
    const email = 'many@example.com';
    // 25 purchases, of which the odd ones are refunded: all delivered at once, in no order.
    const bodies = Array.from({ length: 25 }, (_, i) => [
      freshEvent('PURCHASE_APPROVED', { transaction: `HPMANY${i}`, email, productId: PRODUCT }),
      freshEvent(i % 2 ? 'PURCHASE_REFUNDED' : 'PURCHASE_COMPLETE', { transaction: `HPMANY${i}`, email, productId: PRODUCT }),
    ]).flat();
    const answers = await Promise.all(bodies.map(post));
    assert.deepEqual([...new Set(answers.map((a) => a.statusCode))], [200], failures(answers));
    const [enrollment] = (await api.enrollments({ email })).body.items;
    assert.equal(enrollment.hasAccess, true);
    const expected = Array.from({ length: 25 }, (_, i) => ({ transaction: `HPMANY${i}`, status: i % 2 ? 'REFUNDED' : 'COMPLETE' }));
    const byName = (a: { transaction: string }, b: { transaction: string }) => a.transaction.localeCompare(b.transaction);
    assert.deepEqual([...enrollment.transactions].sort(byName), expected.sort(byName));
  });
});
