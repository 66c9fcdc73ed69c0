import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { TOKEN, captureLogs, createTestStack, fixture, fixtureJson, freshEvent, loadHandlers, scanAllTables, bare } from '../helpers/stack.ts';
import { storesOf } from '../helpers/schools.ts';

// This file logs at DEBUG and checks what the logs hold.
process.env.LOG_LEVEL = 'DEBUG';
await createTestStack();
const api = await loadHandlers();
const PRODUCT = '3412907';
const post = (body: unknown) => api.postWebhook(typeof body === 'string' ? body : JSON.stringify(body));
const accessOf = async (email: string) => (await api.enrollments({ email })).body.items as any[];

await api.putMapping(PRODUCT, { targets: [{ type: 'plan', id: 'fotografia-mensal' }, { type: 'course', id: 'fotografia' }] });
await api.putMapping('3412911', { targets: [{ type: 'course', id: 'edicao' }] });

describe('every Hotmart event, posted as Hotmart sends it', () => {
  it('answers each fixture as documented', async () => {
    const expected: Record<string, string> = {
      PURCHASE_APPROVED: 'processed',
      'PURCHASE_APPROVED.subscription-renewal': 'processed',
      PURCHASE_COMPLETE: 'processed',
      PURCHASE_CANCELED: 'processed',
      PURCHASE_BILLET_PRINTED: 'processed',
      PURCHASE_PROTEST: 'processed',
      PURCHASE_REFUNDED: 'processed',
      PURCHASE_CHARGEBACK: 'processed',
      PURCHASE_EXPIRED: 'processed',
      PURCHASE_DELAYED: 'processed',
      PURCHASE_OUT_OF_SHOPPING_CART: 'processed',
      SUBSCRIPTION_CANCELLATION: 'processed',
      SWITCH_PLAN: 'processed',
      UPDATE_SUBSCRIPTION_CHARGE_DATE: 'processed',
      CLUB_FIRST_ACCESS: 'processed',
      CLUB_MODULE_COMPLETED: 'processed',
    };
    for (const [name, status] of Object.entries(expected)) {
      const response = await post(fixture(`${name}.json`));
      assert.equal(response.statusCode, 200, name);
      assert.equal(response.body.status, status, `${name}: ${response.body.detail}`);
      const stored = await api.event(fixtureJson(name).id);
      assert.equal(stored.statusCode, 200);
      assert.equal(stored.body.event, fixtureJson(name).event);
      assert.equal(stored.body.outcome.status, status);
    }
  });

  it('follows the fixtures’ subscription to its cancellation, and a chargeback revokes what its transaction granted', async () => {
    // The fixtures tell one subscription's story: charged, completed, renewed, overdue, cancelled.
    const mariana = await accessOf('mariana.teste@example.com');
    assert.deepEqual(
      mariana.map((e) => [e.target.type, e.target.id, e.status, e.hasAccess, e.accessUntil, e.subscriberCode]).sort(),
      [
        ['course', 'fotografia', 'cancelled', false, '2026-04-12T12:00:00.000Z', 'K7TQ2M4X'],
        ['plan', 'fotografia-mensal', 'cancelled', false, '2026-04-12T12:00:00.000Z', 'K7TQ2M4X'],
      ],
    );
    assert.deepEqual(mariana[0].transactions, [
      { transaction: 'HP2604117733', status: 'COMPLETE' },
      { transaction: 'HP2604211958', status: 'APPROVED' },
    ]);
    // PROTEST → REFUNDED of a transaction whose approval never came: recorded, revoked, no access,
    // and neither detail pretends otherwise.
    const refunded = fixtureJson('PURCHASE_REFUNDED');
    assert.deepEqual((await accessOf(refunded.data.buyer.email)).map((e) => [e.target.id, e.status, e.hasAccess]), [['edicao', 'revoked', false]]);
    const protest = (await api.event(fixtureJson('PURCHASE_PROTEST').id)).body.outcome.detail;
    assert.equal(protest, 'dispute of transaction HP2604150321 recorded (policy onDispute: keep); no approval of it was received, so it gave no access to keep');
    const stored = await api.event(refunded.id);
    assert.equal(stored.body.outcome.detail, 'no approval of transaction HP2604150321 was received: recorded as REFUNDED, with no access, so a later approval will not grant');
    // A chargeback of an approved transaction removes the access it gave.
    const transaction = `HP${Date.now()}7`;
    await post(freshEvent('PURCHASE_APPROVED', { transaction, email: 'joana.ficticia@example.com', productId: 3412911 }));
    assert.equal((await accessOf('joana.ficticia@example.com'))[0].hasAccess, true);
    await post(freshEvent('PURCHASE_CHARGEBACK', { transaction }));
    const [joana] = await accessOf('joana.ficticia@example.com');
    assert.deepEqual([joana.target.id, joana.status, joana.hasAccess], ['edicao', 'revoked', false]);
    // The fixtures' refused card and chargeback for her, whose approvals never came, are listed too: revoked.
    assert.deepEqual(
      [...joana.transactions].sort((a: any, b: any) => a.transaction.localeCompare(b.transaction)),
      [
        { transaction, status: 'CHARGEBACK' },
        { transaction: 'HP2604088114', status: 'CHARGEBACK' },
        { transaction: 'HP2604099870', status: 'CANCELED' },
      ].sort((a, b) => a.transaction.localeCompare(b.transaction)),
    );
  });

  it('stores none of the personal fields Hotmart sends, nor the token', async () => {
    const text = JSON.stringify(await scanAllTables());
    for (const dropped of ['12345678909', 'CPF', '11987654321', '987654321', 'Rua Fict', '01000000', 'Apto', 'Escola Exemplo', '11222333000181', 'FAKE-HOTTOK', 'MARKETPLACE', 'commissions', 'affiliates', 'buyer_ip']) {
      assert.ok(!text.includes(dropped), `stored ${dropped}`);
    }
    assert.ok(text.includes('mariana.teste@example.com'), 'the buyer e-mail is kept');
  });

  it('gives every event record a retention (TTL), 400 days from receipt unless configured, and keeps it on replay', async () => {
    const DAY = 24 * 3600;
    const unmapped = freshEvent('PURCHASE_APPROVED', { transaction: 'HPTTL1', email: 'ttl@example.com', productId: 9_999_001 });
    await post(unmapped);
    const items = (await scanAllTables()).filter((item: any) => String(item.table).endsWith('-events')) as any[];
    const records = items.filter((item) => bare(item.pk).startsWith('EVENT#'));
    assert.ok(records.length > 10);
    for (const record of records) assert.equal(record.expiresAt, Math.floor(record.receivedAt / 1000) + 400 * DAY, record.pk);
    // Business keys hold no personal data and keep deduplicating; a parked purchase waits for its mapping.
    for (const item of items.filter((i) => !bare(i.pk).startsWith('EVENT#'))) assert.equal(item.expiresAt, undefined, item.pk);
    assert.ok(items.some((i) => bare(i.pk).startsWith('PARKED#')));

    const before = records.find((r) => bare(r.pk) === `EVENT#${unmapped.id}`)!.expiresAt;
    await api.replayEvent(unmapped.id);
    const replayed = (await scanAllTables()).find((item: any) => bare(item.pk) === `EVENT#${unmapped.id}`) as any;
    assert.deepEqual([replayed.expiresAt, typeof replayed.replayedAt], [before, 'number']);
    assert.equal((await api.event(unmapped.id)).body.expiresAt, undefined);

    const { loadConfig } = await import('../../lib/config.ts');
    assert.equal(loadConfig({ ...process.env, EVENT_RETENTION_DAYS: '60' }).eventRetentionDays, 60);
    assert.throws(() => loadConfig({ ...process.env, EVENT_RETENTION_DAYS: '5' }), /EVENT_RETENTION_DAYS/);
    const { createDynamoDeps } = await import('../../lib/adapters/dynamodb/index.ts');
    const short = createDynamoDeps(loadConfig({ ...process.env, EVENT_RETENTION_DAYS: '60' })).storesFor((await storesOf(api.schoolId)).scope);
    const { applyHotmartEvent } = await import('../../lib/services/apply-event.ts');
    const { parseJsonDelivery } = await import('../../lib/domain/hotmart/webhook-v2.ts');
    const parsed = parseJsonDelivery(JSON.stringify(freshEvent('PURCHASE_BILLET_PRINTED', { transaction: 'HPTTL2', email: 'ttl@example.com', productId: 3412911 })), Date.now());
    assert.ok(parsed.ok);
    await applyHotmartEvent(parsed.event, short, { receivedAt: 1_900_000_000_000 });
    const stored = (await scanAllTables()).find((item: any) => bare(item.pk) === `EVENT#${parsed.event.id}`) as any;
    assert.equal(stored.expiresAt, 1_900_000_000 + 60 * DAY);
  });

  it('answers a second delivery of the same event id as duplicate, with one effect', async () => {
    const body = freshEvent('PURCHASE_APPROVED', { transaction: `HP${Date.now()}`, email: 'dup@example.com' });
    assert.equal((await post(body)).body.status, 'processed');
    const again = await post(body);
    assert.equal(again.statusCode, 200);
    assert.equal(again.body.status, 'duplicate');
    const [enrollment] = await accessOf('dup@example.com');
    assert.equal(enrollment.transactions.length, 1);
  });

  it('applies one (transaction, event) sent by two configurations once, recording both', async () => {
    const first = freshEvent('PURCHASE_REFUNDED', { transaction: `HP${Date.now()}1`, email: 'twice@example.com' });
    const approval = freshEvent('PURCHASE_APPROVED', { transaction: first.data.purchase.transaction, email: 'twice@example.com' });
    assert.equal((await post(approval)).body.status, 'processed');
    const second = { ...first, id: randomUUID() };
    assert.equal((await post(first)).body.status, 'processed');
    const copy = await post(second);
    assert.equal(copy.body.status, 'duplicate');
    const recorded = await api.event(second.id);
    assert.equal(recorded.statusCode, 200);
    assert.equal(recorded.body.outcome.duplicateOf, first.id);
    const [enrollment] = await accessOf('twice@example.com');
    assert.equal(enrollment.status, 'revoked');
  });

  it('records panel test deliveries as test, even when they reuse one transaction, and grants nothing', async () => {
    for (let i = 0; i < 3; i++) {
      const body = freshEvent('PURCHASE_APPROVED', { transaction: 'HP16015479281022', email: 'testecomprador271101postman15@example.com', productId: 0 });
      const response = await post(body);
      assert.equal(response.body.status, 'test');
      assert.equal((await api.event(body.id)).body.outcome.status, 'test');
    }
    assert.deepEqual(await accessOf('testecomprador271101postman15@example.com'), []);
  });

  it('records unknown events and answers ignored', async () => {
    const body = { id: randomUUID(), event: 'PURCHASE_SOMETHING_NEW', version: '2.0.0', creation_date: Date.now(), data: { product: { id: 3412907 } } };
    const response = await post(body);
    assert.equal(response.statusCode, 200);
    assert.equal(response.body.status, 'ignored');
    assert.equal((await api.event(body.id)).body.event, 'PURCHASE_SOMETHING_NEW');
  });

  it('treats a v1 form postback as its v2 twin: the same transaction is not granted twice', async () => {
    const form = new URLSearchParams(fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim());
    form.set('hottok', TOKEN);
    form.delete('subscriber_code');
    form.set('transaction', 'HPV1000001');
    form.set('email', 'v1.buyer@example.com');
    const response = await api.postWebhook(form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body.status, 'processed');
    const [enrollment] = (await accessOf('v1.buyer@example.com')).filter((e) => e.target.id === 'fotografia');
    assert.equal(enrollment.hasAccess, true);
    const twin = freshEvent('PURCHASE_APPROVED', { transaction: 'HPV1000001', email: 'v1.buyer@example.com' });
    assert.equal((await post(twin)).body.status, 'duplicate');
    assert.equal((await api.postWebhook(form.toString(), { 'content-type': 'application/x-www-form-urlencoded' })).body.status, 'duplicate');
    form.set('status', 'refunded');
    assert.equal((await api.postWebhook(form.toString(), { 'content-type': 'application/x-www-form-urlencoded' })).body.status, 'processed');
    assert.equal((await accessOf('v1.buyer@example.com'))[0].hasAccess, false);
  });

  it('logs one line per delivery with ids and outcome — no token, CPF, phone or address', async () => {
    const lines = await captureLogs(async () => {
      for (const name of ['PURCHASE_APPROVED', 'PURCHASE_CHARGEBACK', 'UPDATE_SUBSCRIPTION_CHARGE_DATE', 'SUBSCRIPTION_CANCELLATION']) {
        await post(fixture(`${name}.json`));
      }
      await api.postWebhook(fixture('PURCHASE_APPROVED.json'), { 'content-type': 'application/json', 'x-hotmart-hottok': 'FAKE-HOTTOK-0000000000000000000000000000' });
      await post(JSON.stringify({ id: 'q', event: 'PURCHASE_APPROVED', version: '2.0.0', hottok: TOKEN, data: { buyer: { document: '12345678909' } } }));
      const form = new URLSearchParams(fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim());
      form.set('hottok', TOKEN);
      await api.postWebhook(form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    });
    assert.ok(lines.length >= 7, `expected a line per delivery, got ${lines.length}`);
    const text = lines.join('\n');
    for (const secret of [TOKEN, 'FAKE-HOTTOK', '12345678909', '11987654321', '987654321', 'Rua Fict', '01000000', 'Mariana', 'mariana.teste']) {
      assert.ok(!text.includes(secret), `logged ${secret}`);
    }
    assert.match(text, /"eventId":"bd2fec05-f471-4162-99b5-d22e2df0baec"/);
  });
});
