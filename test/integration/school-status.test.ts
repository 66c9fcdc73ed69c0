import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CLIENT_ID, CLIENT_SECRET, startReconciliationStack } from '../helpers/reconciliation.ts';
import { createSchool, schoolsApi } from '../helpers/schools.ts';
import { createTestStack, freshEvent, loadHandlers, route, TOKEN } from '../helpers/stack.ts';

/**
 * The school's status (GET /schools/{schoolId}): what its deliveries were answered in the last
 * 24 h, what waits for a mapping, its token, credentials, mappings and reconciliation — through
 * the real handlers on DynamoDB Local, in several schools.
 */
await createTestStack();
const recon = await startReconciliationStack({}, 'status-recon');
const credentialsHandler = (await import('../../functions/credentials/handler.ts')).handler;
after(() => recon.close());

const status = async (schoolId: string) => {
  const answer = await schoolsApi.get(schoolId);
  assert.equal(answer.statusCode, 200, answer.rawBody);
  return answer.body.status;
};
const NOTHING = { processed: 0, duplicate: 0, unmapped: 0, ignored: 0, test: 0, quarantined: 0 };
const course = (id: string) => ({ targets: [{ type: 'course', id }] });
const isoNow = () => new Date().toISOString();

describe('the school status in GET /schools/{schoolId}', () => {
  it('reads zeros, nulls and [] for a fresh school', async () => {
    assert.equal((await schoolsApi.put('status-fresh', { name: 'Nova' })).statusCode, 201);
    assert.deepEqual(await status('status-fresh'), {
      token: { configured: false, previousAccepted: false },
      credentials: { configured: false, verifiedAt: null, lastError: null },
      webhook: { lastDeliveryAt: null, last24h: NOTHING },
      unmapped: [],
      reconciliation: { lastRunId: null, lastStatus: null, lastFinishedAt: null, lostWebhooksFound7d: 0 },
      mappings: { products: 0, offers: 0 },
    });
  });

  it('counts each answered delivery exactly once (a 401 nowhere, another school never), lists what waits for a mapping until it is mapped', async () => {
    const a = await loadHandlers('status-a');
    const b = await loadHandlers('status-b');
    const post = async (api: typeof a, body: unknown, expected: string, statusCode = 200) => {
      const answer = await api.postWebhook(typeof body === 'string' ? body : JSON.stringify(body));
      assert.deepEqual([answer.statusCode, answer.body.status], [statusCode, expected], answer.rawBody);
    };
    assert.equal((await a.putMapping('7700001', course('status-curso'))).statusCode, 201);
    assert.equal((await a.putOffer('7700001', 'OFERTA1', course('status-oferta'))).statusCode, 201);
    const before = isoNow();

    const purchase = freshEvent('PURCHASE_APPROVED', { transaction: 'HPSTATUS1', email: 'status1@example.com', productId: 7700001 });
    await post(a, purchase, 'processed');
    await post(a, purchase, 'duplicate'); // the same delivery again (same id): it writes nothing else
    await post(a, freshEvent('PURCHASE_APPROVED', { transaction: 'HPSTATUS1', email: 'status1@example.com', productId: 7700001 }), 'duplicate'); // another id, same business event
    const firstWaiting = freshEvent('PURCHASE_APPROVED', { transaction: 'HPSTATUS2', email: 'status2@example.com', productId: 7700999 });
    await post(a, firstWaiting, 'unmapped');
    await post(a, freshEvent('PURCHASE_APPROVED', { transaction: 'HPSTATUS3', email: 'status3@example.com', productId: 7700999 }), 'unmapped');
    await post(a, { id: randomUUID(), event: 'PURCHASE_SOMETHING_NEW', version: '2.0.0', creation_date: Date.now(), data: { product: { id: 7700001 } } }, 'ignored');
    await post(a, freshEvent('PURCHASE_APPROVED', { transaction: 'HP16015479281022', email: 'testecomprador271101postman15@example.com', productId: 0 }), 'test');
    await post(a, JSON.stringify({ id: 'x', event: 'PURCHASE_APPROVED', data: 'not an object' }), 'quarantined', 202);
    const refused = await a.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { productId: 7700001 })), { 'content-type': 'application/json', 'x-hotmart-hottok': 'wrong-token' });
    assert.equal(refused.statusCode, 401);
    await post(b, freshEvent('PURCHASE_APPROVED', { transaction: 'HPSTATUS1', email: 'status1@example.com', productId: 7700999 }), 'unmapped');
    const after = isoNow();

    const seen = await status('status-a');
    assert.deepEqual(seen.webhook.last24h, { processed: 1, duplicate: 2, unmapped: 2, ignored: 1, test: 1, quarantined: 1 });
    assert.ok(seen.webhook.lastDeliveryAt >= before && seen.webhook.lastDeliveryAt <= after, seen.webhook.lastDeliveryAt);
    assert.equal(seen.unmapped.length, 1);
    assert.deepEqual([seen.unmapped[0].productId, seen.unmapped[0].waiting], ['7700999', 2]);
    assert.ok(seen.unmapped[0].oldestAt >= before && seen.unmapped[0].oldestAt <= after, seen.unmapped[0].oldestAt);
    assert.deepEqual(seen.mappings, { products: 1, offers: 1 });
    assert.deepEqual(seen.token, { configured: true, previousAccepted: true });

    const other = await status('status-b');
    assert.deepEqual(other.webhook.last24h, { ...NOTHING, unmapped: 1 }, 'B counts only its own delivery');
    assert.deepEqual(other.unmapped.map((p: any) => [p.productId, p.waiting]), [['7700999', 1]]);
    assert.deepEqual(other.mappings, { products: 0, offers: 0 });

    // Mapping the product applies what waited: nothing waits any more; the deliveries' answers stay what they were.
    assert.equal((await a.putMapping('7700999', course('status-depois'))).statusCode, 201);
    const mapped = await status('status-a');
    assert.deepEqual(mapped.unmapped, []);
    assert.deepEqual(mapped.webhook.last24h, { processed: 1, duplicate: 2, unmapped: 2, ignored: 1, test: 1, quarantined: 1 });
    assert.deepEqual(mapped.mappings, { products: 2, offers: 1 });
    assert.equal((await a.enrollments({ email: 'status2@example.com' })).body.items[0]?.hasAccess, true);
    assert.deepEqual((await status('status-b')).unmapped.map((p: any) => p.waiting), [1], "A's mapping releases nothing of B's");

    // The same bad body again replaces its quarantine record: both deliveries still count.
    await post(a, JSON.stringify({ id: 'x', event: 'PURCHASE_APPROVED', data: 'not an object' }), 'quarantined', 202);
    assert.equal((await status('status-a')).webhook.last24h.quarantined, 2);
    // Replayed with the operator's correction, it leaves quarantine: it was answered `quarantined`, and still counts so.
    const [record] = (await a.quarantine()).body.items;
    const corrected = freshEvent('PURCHASE_APPROVED', { transaction: 'HPSTATUS4', email: 'status4@example.com', productId: 7700001 });
    const replayed = await route((await import('../../functions/recovery/handler.ts')).handler, 'POST /schools/{schoolId}/quarantine/{id}/replay', { schoolId: 'status-a', id: record.id }, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: JSON.stringify(corrected) }),
    });
    assert.equal(replayed.body.status, 'processed', replayed.rawBody);
    assert.deepEqual((await a.quarantine()).body.items, []);
    assert.deepEqual((await status('status-a')).webhook.last24h, { processed: 1, duplicate: 2, unmapped: 2, ignored: 1, test: 1, quarantined: 2 });
  });

  it('shows whether a token is configured and whether the previous one is still accepted, through a rotation', async () => {
    await createSchool('status-token', { previousToken: null });
    assert.deepEqual((await status('status-token')).token, { configured: true, previousAccepted: false });
    assert.equal((await schoolsApi.putToken('status-token', 'status-new-token-0123456789')).statusCode, 204);
    assert.deepEqual((await status('status-token')).token, { configured: true, previousAccepted: true });
    assert.equal((await schoolsApi.dropPrevious('status-token')).statusCode, 204);
    assert.deepEqual((await status('status-token')).token, { configured: true, previousAccepted: false });
    assert.ok(!JSON.stringify(await schoolsApi.get('status-token')).includes(TOKEN), 'no token shown');
  });

  it('shows the credentials (configured, verifiedAt, no secret), and the last reconciliation with what it found that no webhook delivered', async () => {
    const api = await loadHandlers('status-recon');
    const put = await route(credentialsHandler, 'PUT /schools/{schoolId}/hotmart-credentials', { schoolId: 'status-recon' }, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, basic: recon.fake.basic }),
    });
    assert.equal(put.statusCode, 200, put.rawBody);
    const withCredentials = await status('status-recon');
    assert.deepEqual(withCredentials.credentials, { configured: true, verifiedAt: put.body.verifiedAt, lastError: null });
    assert.ok(!JSON.stringify(withCredentials).includes(CLIENT_SECRET));

    const P = 7_800_001;
    await api.putMapping(String(P), course('status-recon'));
    const now = Date.now();
    const known = freshEvent('PURCHASE_APPROVED', { transaction: 'HPSR1', email: 'sr1@example.com', productId: P, creationDate: now - 3600_000 });
    assert.equal((await api.postWebhook(JSON.stringify(known))).body.status, 'processed');
    const sale = (transaction: string, email: string, status: string) => ({
      product: { id: P, name: 'Curso' },
      buyer: { name: 'Comprador', email },
      purchase: { transaction, order_date: now - 3600_000, approved_date: now - 3600_000, status },
    });
    recon.fake.sales.push(sale('HPSR1', 'sr1@example.com', 'APPROVED'), sale('HPSR2', 'sr2@example.com', 'APPROVED'), sale('HPSR3', 'sr3@example.com', 'APPROVED'));
    const started = await recon.start({ from: new Date(now - 3 * 3600_000).toISOString(), to: new Date(now).toISOString() });
    assert.equal(started.statusCode, 202, started.rawBody);
    await recon.idle();
    const run = (await recon.get(started.body.id)).body;
    assert.equal(run.status, 'succeeded', JSON.stringify(run.report));
    assert.equal(run.report.applied.grants, 2);

    const seen = await status('status-recon');
    assert.deepEqual(seen.reconciliation, { lastRunId: run.id, lastStatus: 'succeeded', lastFinishedAt: run.finishedAt, lostWebhooksFound7d: 2 });
    assert.deepEqual(seen.webhook.last24h, { ...NOTHING, processed: 1 }, 'what reconciliation applied is no delivery');
    assert.deepEqual((await status('status-a')).reconciliation, { lastRunId: null, lastStatus: null, lastFinishedAt: null, lostWebhooksFound7d: 0 }, "another school's run");
  });
});
