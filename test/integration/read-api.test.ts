import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestStack, freshEvent, loadHandlers } from '../helpers/stack.ts';

await createTestStack();
const api = await loadHandlers();
await api.putMapping('4000001', { targets: [{ type: 'class', id: 'turma-b' }] });
for (let i = 0; i < 7; i++) {
  await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: `HPROSTER${i}`, email: `student-${i}@example.com`, productId: 4000001 })));
}

describe('read API', () => {
  it('finds a student’s enrollments by e-mail in any letter case', async () => {
    const response = await api.enrollments({ email: '  Student-3@EXAMPLE.com' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.body.items.map((i: any) => [i.email, i.target, i.status, i.hasAccess, i.productId]), [
      ['student-3@example.com', { type: 'class', id: 'turma-b' }, 'active', true, '4000001'],
    ]);
    assert.deepEqual((await api.enrollments({ email: 'nobody@example.com' })).body.items, []);
  });

  it('treats one e-mail sent in NFC and in NFD as one student, read in either form', async () => {
    const composed = 'joão.conceição@example.com'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    await api.putMapping('4000002', { targets: [{ type: 'class', id: 'turma-nfc' }] });
    await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPNFD1', email: decomposed, productId: 4000002 })));
    await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPNFC2', email: ` ${composed.toUpperCase()}`, productId: 4000002 })));
    for (const email of [composed, decomposed, decomposed.toUpperCase()]) {
      const { items } = (await api.enrollments({ email })).body;
      assert.deepEqual(
        items.map((i: any) => [i.email, i.target.id, i.transactions.map((t: any) => t.transaction).sort()]),
        [[composed, 'turma-nfc', ['HPNFC2', 'HPNFD1']]],
        email,
      );
    }
  });

  it('lists a target’s roster page by page', async () => {
    const emails: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.enrollments({ targetType: 'class', targetId: 'turma-b', limit: '3', ...(cursor ? { cursor } : {}) });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.items.length <= 3);
      emails.push(...page.body.items.map((i: any) => i.email));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(emails, Array.from({ length: 7 }, (_, i) => `student-${i}@example.com`));
  });

  it('explains a bad query with 400', async () => {
    const queries: Record<string, string>[] = [{}, { email: 'not-an-email' }, { targetType: 'ebook', targetId: 'x' }, { targetType: 'class' }, { targetType: 'class', targetId: 'x', limit: '0' }];
    for (const query of queries) {
      const response = await api.enrollments(query);
      assert.equal(response.statusCode, 400, JSON.stringify(query));
      assert.equal(response.body.error.code, 'REQUEST.INVALID');
    }
  });

  it('shows a stored event and what it did, and 404 for an unknown id', async () => {
    const body = freshEvent('PURCHASE_APPROVED', { transaction: 'HPSHOW', email: 'show@example.com', productId: 4000001 });
    await api.postWebhook(JSON.stringify(body));
    const response = await api.event(body.id);
    assert.equal(response.statusCode, 200);
    assert.equal(response.body.id, body.id);
    assert.equal(response.body.transaction, 'HPSHOW');
    assert.equal(response.body.creationDate, new Date(body.creation_date).toISOString());
    assert.deepEqual(response.body.outcome.effects, [{ transaction: 'HPSHOW', from: null, to: 'APPROVED', targets: [{ type: 'class', id: 'turma-b' }] }]);
    const missing = await api.event('no-such-event');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body.error.code, 'EVENT.NOT_FOUND');
  });
});
