import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOKEN, createTestStack, freshEvent, loadHandlers, scanAllTables } from '../helpers/stack.ts';

await createTestStack();
const api = await loadHandlers();
const MAPPED = 9_300_001;
const UNMAPPED = 9_300_002;
const EMAIL = 'maria.apagada@example.com';
const NAME = 'Maria Apagada Souza';
await api.putMapping(String(MAPPED), { targets: [{ type: 'course', id: 'lgpd' }] });

const post = (body: unknown) => api.postWebhook(typeof body === 'string' ? body : JSON.stringify(body));
const withName = (body: Record<string, any>) => ((body.data.buyer.name = NAME), body);
const traces = async () => JSON.stringify(await scanAllTables()).toLowerCase();

describe('LGPD erasure: DELETE /students/{email}', () => {
  it('replaces the buyer’s e-mail and name everywhere, keeps the records countable, and replays do not bring them back', async () => {
    const purchase = withName(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLGPD1', email: EMAIL, productId: MAPPED }));
    await post(purchase);
    const charge = withName(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLGPD2', email: EMAIL, productId: MAPPED, subscriberCode: 'SLGPD', offerCode: 'm3xq8k2p' }));
    charge.data.purchase.date_next_charge = Date.UTC(2099, 0, 1);
    await post(charge);
    const waiting = withName(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLGPD3', email: EMAIL, productId: UNMAPPED }));
    assert.equal((await post(waiting)).body.status, 'unmapped');
    const quarantined = await post(JSON.stringify({ id: 'q-lgpd', event: 'PURCHASE_APPROVED', version: '9', hottok: TOKEN, data: { buyer: { email: EMAIL, name: NAME } } }));
    assert.equal(quarantined.statusCode, 202);
    assert.ok((await traces()).includes(EMAIL));

    const erased = await api.eraseStudent(EMAIL.toUpperCase());
    assert.equal(erased.statusCode, 200);
    const { pseudonym } = erased.body;
    assert.match(pseudonym, /^erased-[0-9a-f-]{36}@erased\.invalid$/);
    // One enrollment (both purchases grant the same course), one one-time transaction, one subscription,
    // four event items (three records and the parked copy of the unmapped purchase), one quarantined body.
    assert.deepEqual(erased.body.erased, { enrollments: 1, transactions: 1, subscriptions: 1, events: 4, quarantined: 1 });
    const after = await traces();
    assert.ok(!after.includes(EMAIL), 'the e-mail is still stored');
    assert.ok(!after.includes(NAME.toLowerCase()), 'the name is still stored');

    // Countable, and still working, under the pseudonym.
    assert.deepEqual((await api.enrollments({ email: EMAIL })).body.items, []);
    const [enrollment] = (await api.enrollments({ email: pseudonym })).body.items;
    assert.deepEqual([enrollment.hasAccess, enrollment.transactions.length], [true, 2]);
    assert.equal((await api.event(purchase.id)).body.buyerEmail, pseudonym);

    // Replays re-apply what is stored: no e-mail comes back.
    assert.equal((await api.replayEvent(purchase.id)).statusCode, 200);
    const requarantined = await api.replayQuarantined(quarantined.body.quarantineId);
    assert.equal(requarantined.body.status, 'quarantined');
    assert.equal((await api.quarantine()).body.items.filter((q: any) => q.body.includes('q-lgpd')).length, 1, 'kept once');
    await api.putMapping(String(UNMAPPED), { targets: [{ type: 'course', id: 'lgpd-later' }] });
    assert.ok(!(await traces()).includes(EMAIL), 'a replay or a late mapping brought the e-mail back');
    assert.deepEqual((await api.enrollments({ email: pseudonym })).body.items.map((e: any) => e.target.id).sort(), ['lgpd', 'lgpd-later']);

    // Hotmart keeps sending the real e-mail: a later refund still revokes the pseudonymous enrollment.
    await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPLGPD1', email: EMAIL, productId: MAPPED }));
    const revoked = (await api.enrollments({ email: pseudonym })).body.items.find((e: any) => e.target.id === 'lgpd');
    assert.deepEqual(revoked.transactions.find((t: any) => t.transaction === 'HPLGPD1'), { transaction: 'HPLGPD1', status: 'REFUNDED' });

    // Erasing again finds only what arrived since.
    const again = await api.eraseStudent(EMAIL);
    assert.deepEqual(again.body.erased, { enrollments: 0, transactions: 0, subscriptions: 0, events: 1, quarantined: 0 });
    assert.equal((await api.eraseStudent('not-an-email')).statusCode, 400);
  });
});
