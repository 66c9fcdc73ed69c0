import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestStack, freshEvent, loadHandlers, scanAllTables } from '../helpers/stack.ts';

/**
 * Two schools in one deployment: the same product id, transaction, buyer e-mail and even Hotmart
 * event id are unrelated facts in each, and no route of one shows or changes anything of the other.
 */
await createTestStack();
const A = await loadHandlers('escola-a', { token: 'token-da-escola-a', previousToken: null });
const B = await loadHandlers('escola-b', { token: 'token-da-escola-b', previousToken: null });
const PRODUCT = '8800001';
const json = (body: unknown) => JSON.stringify(body);
const as = (token: string) => ({ 'content-type': 'application/json', 'x-hotmart-hottok': token });

describe('isolation between schools', () => {
  it('refuses school A’s token on school B’s URL with 401, and B’s on A’s', async () => {
    const body = json(freshEvent('PURCHASE_APPROVED', { productId: Number(PRODUCT) }));
    const wrong = await B.postWebhook(body, as('token-da-escola-a'));
    assert.deepEqual([wrong.statusCode, wrong.body.error.code], [401, 'AUTH.INVALID_TOKEN']);
    assert.equal((await A.postWebhook(body, as('token-da-escola-b'))).statusCode, 401);
  });

  it('keeps the same product, transaction, e-mail and event id in two schools apart', async () => {
    assert.equal((await A.putMapping(PRODUCT, { targets: [{ type: 'course', id: 'curso-da-a' }] })).statusCode, 201);
    assert.equal((await B.putMapping(PRODUCT, { targets: [{ type: 'course', id: 'curso-da-b' }] })).statusCode, 201, 'created in B too: not A’s');
    const purchase = freshEvent('PURCHASE_APPROVED', { productId: Number(PRODUCT), transaction: 'HPISO1', email: 'mesma@example.com' });
    assert.equal((await A.postWebhook(json(purchase))).body.status, 'processed');
    assert.equal((await B.postWebhook(json(purchase))).body.status, 'processed', 'the same event id in B is not a duplicate of A’s');

    const targets = async (api: typeof A) => (await api.enrollments({ email: 'mesma@example.com' })).body.items.map((item: any) => [item.target.id, item.hasAccess]);
    assert.deepEqual(await targets(A), [['curso-da-a', true]]);
    assert.deepEqual(await targets(B), [['curso-da-b', true]]);

    // A refund in A revokes A's access only.
    const refund = freshEvent('PURCHASE_REFUNDED', { productId: Number(PRODUCT), transaction: 'HPISO1', email: 'mesma@example.com' });
    assert.equal((await A.postWebhook(json(refund))).body.status, 'processed');
    assert.deepEqual(await targets(A), [['curso-da-a', false]]);
    assert.deepEqual(await targets(B), [['curso-da-b', true]]);
    assert.equal((await B.event(refund.id)).statusCode, 404, 'B never received A’s refund');
    assert.deepEqual((await A.enrollments({ targetType: 'course', targetId: 'curso-da-b' })).body.items, [], 'A’s roster of B’s course is empty');
  });

  it('shows A nothing of B: mappings, quarantine, events, rosters; A’s cursor is refused on B', async () => {
    for (const id of ['8800101', '8800102', '8800103']) await B.putMapping(id, { targets: [{ type: 'course', id: `so-b-${id}` }] });
    const listed = (await A.listMappings()).body.items.map((m: any) => m.productId);
    assert.ok(!listed.some((id: string) => id.startsWith('88001')), `A lists B's mappings: ${listed}`);
    assert.equal((await A.getMapping('8800101')).statusCode, 404, 'B’s product is unmapped in A');

    const bad = await B.postWebhook(json({ id: 'so-na-b', event: 'PURCHASE_APPROVED', version: '9.9.9', data: {} }), as('token-da-escola-b'));
    assert.equal(bad.statusCode, 202);
    assert.deepEqual((await A.quarantine()).body.items, [], 'A lists B’s quarantine');
    assert.equal((await A.replayQuarantined(bad.body.quarantineId)).statusCode, 404);
    const sameBody = await A.postWebhook(json({ id: 'so-na-b', event: 'PURCHASE_APPROVED', version: '9.9.9', data: {} }));
    assert.notEqual(sameBody.body.quarantineId, bad.body.quarantineId, 'the same bad body is a record of each school');

    const page = await B.listMappings({ limit: '1' });
    assert.ok(page.body.nextCursor);
    const foreign = await A.listMappings({ limit: '1', cursor: page.body.nextCursor });
    assert.deepEqual([foreign.statusCode, foreign.body.error.code], [400, 'REQUEST.INVALID'], 'B’s cursor on A');
  });

  it('erases a student in A and leaves B’s items byte for byte as they were', async () => {
    const ofB = async () => JSON.stringify((await scanAllTables()).filter((item) => String(item.pk).startsWith('S#escola-b#')));
    const before = await ofB();
    assert.ok(before.includes('mesma@example.com'));
    assert.equal((await A.eraseStudent('mesma@example.com')).statusCode, 200);
    assert.equal(await ofB(), before);
    assert.deepEqual((await A.enrollments({ email: 'mesma@example.com' })).body.items, []);
    assert.equal((await B.enrollments({ email: 'mesma@example.com' })).body.items.length, 1);
  });
});
