import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PREVIOUS_TOKEN, TOKEN, createTestStack, fixture, loadHandlers, scanAllTables } from '../helpers/stack.ts';

await createTestStack();
const api = await loadHandlers();
const approved = fixture('PURCHASE_APPROVED.json');
/** What deliveries stored: every item but the school's registry item and the audit records of its setup. */
const setup = (item: Record<string, unknown>) => String(item.pk).startsWith('SCHOOL#') || String(item.pk).startsWith('AUDIT#');
const storedBeyondTheSchool = async () => (await scanAllTables()).filter((item) => !setup(item));

describe('webhook transport: who gets in, and what is refused before parsing', () => {
  before(async () => assert.deepEqual((await scanAllTables()).filter((item) => !String(item.pk).startsWith('AUDIT#')).map((item) => item.pk), [`SCHOOL#${api.schoolId}`], 'nothing but the school'));

  it('answers GET with a one-line message so an operator can check the URL', async () => {
    const response = await api.getWebhook();
    assert.equal(response.statusCode, 200);
    assert.match(response.body.message, /Hotmart webhook endpoint is up/);
    assert.ok(!response.rawBody.includes('\n'));
  });

  it('refuses missing, wrong, empty and very long tokens with 401 and stores nothing', async () => {
    const attempts: Record<string, string>[] = [
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json', 'x-hotmart-hottok': 'wrong' },
      { 'content-type': 'application/json', 'x-hotmart-hottok': '' },
      { 'content-type': 'application/json', 'x-hotmart-hottok': `${TOKEN}x` },
      { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN.repeat(4000) },
      { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN.slice(0, -1) },
    ];
    for (const headers of attempts) {
      const response = await api.postWebhook(approved, headers);
      assert.equal(response.statusCode, 401);
      assert.equal(response.body.error.code, 'AUTH.INVALID_TOKEN');
    }
    // An unparseable body with a wrong token is refused too: the token is checked before parsing.
    assert.equal((await api.postWebhook('{broken', { 'content-type': 'application/json', 'x-hotmart-hottok': 'no' })).statusCode, 401);
    assert.equal((await storedBeyondTheSchool()).length, 0);
  });

  it('refuses a v1 form whose hottok field is wrong, and a body token on a v2 JSON delivery', async () => {
    const form = fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim();
    const refused = await api.postWebhook(form, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(refused.statusCode, 401);
    // The form is told about the field it carries its token in, not about a header it never sends.
    assert.equal(refused.body.error.message, 'missing or invalid hottok form field');
    const withoutField = form.replace(/(^|&)hottok=[^&]*/, '');
    assert.equal((await api.postWebhook(withoutField, { 'content-type': 'application/x-www-form-urlencoded' })).body.error.message, 'missing or invalid hottok form field');
    assert.equal((await api.postWebhook(form, { 'content-type': 'application/x-www-form-urlencoded', 'x-hotmart-hottok': 'wrong' })).body.error.message, 'missing or invalid X-HOTMART-HOTTOK');
    const bodyToken = JSON.stringify({ ...JSON.parse(approved), hottok: TOKEN });
    assert.equal((await api.postWebhook(bodyToken, { 'content-type': 'application/json' })).statusCode, 401);
    assert.equal((await storedBeyondTheSchool()).length, 0);
  });

  it('refuses a body over 256 KiB with 413 and a foreign content type with 415, storing nothing', async () => {
    const big = JSON.stringify({ ...JSON.parse(approved), padding: 'x'.repeat(256 * 1024) });
    const tooLarge = await api.postWebhook(big);
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(tooLarge.body.error.code, 'REQUEST.TOO_LARGE');
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const response = await api.postWebhook(approved, { 'content-type': type, 'x-hotmart-hottok': TOKEN });
      assert.equal(response.statusCode, 415, type);
    }
    assert.equal((await api.postWebhook(approved, { 'x-hotmart-hottok': TOKEN })).statusCode, 415);
    assert.equal((await storedBeyondTheSchool()).length, 0);
  });

  it('accepts the token in any header letter case, and the previous token during a rotation', async () => {
    const one = JSON.stringify({ ...JSON.parse(approved), id: 'case-1', data: { ...JSON.parse(approved).data, product: { id: 0 } } });
    const two = JSON.stringify({ ...JSON.parse(one), id: 'case-2' });
    assert.equal((await api.postWebhook(one, { 'Content-Type': 'application/json; charset=utf-8', 'X-HOTMART-HOTTOK': TOKEN })).statusCode, 200);
    assert.equal((await api.postWebhook(two, { 'content-type': 'application/json', 'X-Hotmart-Hottok': PREVIOUS_TOKEN })).statusCode, 200);
  });

  it('quarantines an authenticated delivery it cannot understand, answering 202 and keeping it without the token', async () => {
    const bodies = [
      '{"hottok":"FAKE-HOTTOK-0000000000000000000000000000","id":',
      '[1,2,3]',
      JSON.stringify({ id: 'no-event', version: '2.0.0', data: {} }),
      JSON.stringify({ id: 'v3', event: 'PURCHASE_APPROVED', version: '3.0.0', data: {}, hottok: 'FAKE-HOTTOK-0000000000000000000000000000' }),
      JSON.stringify({ id: 'bad-data', event: 'PURCHASE_APPROVED', version: '2.0.0', data: { buyer: { document: '12345678909' } } }),
    ];
    const before = (await scanAllTables()).filter((item) => String(item.table).endsWith('quarantine')).length;
    for (const body of bodies) {
      const response = await api.postWebhook(body);
      assert.equal(response.statusCode, 202, body);
      assert.equal(response.body.status, 'quarantined');
      assert.ok(response.body.reason.length > 0);
    }
    const quarantined = (await scanAllTables()).filter((item) => String(item.table).endsWith('quarantine'));
    assert.equal(quarantined.length - before, bodies.length);
    const now = Date.now() / 1000;
    for (const record of quarantined) {
      assert.ok(!JSON.stringify(record).includes('FAKE-HOTTOK'), 'token kept in quarantine');
      assert.ok(!JSON.stringify(record).includes('12345678909'), 'CPF kept in quarantine');
      const ttlDays = ((record.expiresAt as number) - now) / 86400;
      assert.ok(ttlDays > 29.9 && ttlDays <= 30, `TTL of ${ttlDays} days`);
    }
  });

  it('quarantines a large form body that redaction grows, cut to 64 KiB and saying so', async () => {
    // 250 KB of "!" re-encoded as %21 is 750 KB: past DynamoDB's 400 KB item limit if kept whole.
    const form = `hottok=${TOKEN}&status=approved&transaction=HPBIG1&prod=3412911&email=not+an+email&note=${'!'.repeat(250_000)}`;
    const response = await api.postWebhook(form, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(response.statusCode, 202);
    assert.equal((await api.postWebhook(form, { 'content-type': 'application/x-www-form-urlencoded' })).body.quarantineId, response.body.quarantineId);
    const { items } = (await api.quarantine({ limit: '100' })).body;
    const record = items.find((item: any) => item.id === response.body.quarantineId);
    assert.equal(record.truncated, true);
    assert.ok(record.originalBytes > 700_000, String(record.originalBytes));
    assert.ok(Buffer.byteLength(record.body) <= 64 * 1024 && Buffer.byteLength(record.body) > 60 * 1024);
    assert.match(record.body, /^status=approved&transaction=HPBIG1&/);
    assert.ok(!record.body.includes(TOKEN));
    assert.doesNotMatch(record.body, /%[0-9A-F]?$/, 'cut inside an escape');
  });

  it('quarantines the same bad body once, however often Hotmart retries it', async () => {
    const body = JSON.stringify({ id: 'retry-me', event: 'PURCHASE_APPROVED', version: '9.9.9', data: {} });
    const first = await api.postWebhook(body);
    const second = await api.postWebhook(body);
    assert.equal(first.body.quarantineId, second.body.quarantineId);
  });

  it('reads a base64-encoded body as API Gateway may send it', async () => {
    const body = JSON.stringify({ ...JSON.parse(approved), id: 'b64', data: { ...JSON.parse(approved).data, product: { id: 0 } } });
    const { invoke } = await import('../helpers/stack.ts');
    const { handler } = await import('../../functions/webhook/handler.ts');
    const response = await invoke(handler as never, {
      method: 'POST',
      path: `/schools/${api.schoolId}/webhooks/hotmart`,
      routeKey: 'POST /schools/{schoolId}/webhooks/hotmart',
      pathParameters: { schoolId: api.schoolId },
      headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body.status, 'test');
  });
});
