import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { audited } from '#lib/http/audit.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { routeByKey } from '#lib/http/request.ts';
import { json } from '#lib/http/responses.ts';
import { createLogger } from '#lib/logger.ts';
import { auditExpiry } from '#lib/services/audit-ports.ts';
import { CLIENT_ID, CLIENT_SECRET, startReconciliationStack } from '../helpers/reconciliation.ts';
import { realDeps, schoolsApi } from '../helpers/schools.ts';
import { captureLogs, createTestStack, freshEvent, loadHandlers, route } from '../helpers/stack.ts';

await createTestStack();
const SCHOOL = 'audit-a';
const reconciliation = await startReconciliationStack({}, SCHOOL);
const api = await loadHandlers(SCHOOL);
const handlers = Object.fromEntries(
  await Promise.all(
    ['schools', 'credentials', 'mappings', 'manual-enrollments', 'recovery', 'reconciliations', 'audit'].map(async (name) => [name, (await import(`../../functions/${name}/handler.ts`)).handler]),
  ),
);
const PRODUCT = '7700001';
await api.putMapping(PRODUCT, { targets: [{ type: 'course', id: 'audited' }] });

let principals = 0;
/** A distinct IAM principal per write, so each write's records are told apart. */
const principal = () => `arn:aws:iam::123456789012:user/operator-${++principals}`;
const jsonBody = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
const call = (fn: string, routeKey: string, params: Record<string, string>, by: string, extras: Record<string, unknown> = {}) =>
  route(handlers[fn], routeKey, params, { ...extras, authorizer: { iam: { userArn: by, userId: 'AIDAEXAMPLE' } } });

const readAudit = (schoolId: string, query: Record<string, string> = {}) => route(handlers.audit, 'GET /schools/{schoolId}/audit', { schoolId }, { query });
async function allRecords(schoolId: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await readAudit(schoolId, { limit: '100', ...(cursor ? { cursor } : {}) });
    assert.equal(page.statusCode, 200, page.rawBody);
    items.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}
const recordsBy = async (schoolId: string, by: string) => (await allRecords(schoolId)).filter((record) => record.by === by);

const TOKEN_SET = 'audit-new-token-4f9a8b7c6d5e';
const NOTE = 'CPF 123.456.789-09, telefone 11 98765-4321';
const BUYER = 'ana maria@example.com';
/** Deliveries carry the token the 'token set' write sets (the previous one is dropped next). */
const post = (body: unknown) => api.postWebhook(JSON.stringify(body), { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN_SET });

describe('the audit trail: GET /schools/{schoolId}/audit', () => {
  after(() => reconciliation.close());
  /** Each administrative write: how to make it as `by`, and what its one record must say. */
  const writes: { name: string; schoolId?: string; run: (by: string) => Promise<{ statusCode: number; rawBody: string }>; expect: Record<string, unknown> }[] = [
    { name: 'school create', schoolId: 'audit-b', run: (by) => call('schools', 'PUT /schools/{schoolId}', { schoolId: 'audit-b' }, by, jsonBody({ name: 'Escola B' })), expect: { action: 'school.create', change: { name: 'Escola B' } } },
    { name: 'school rename', run: (by) => call('schools', 'PUT /schools/{schoolId}', { schoolId: SCHOOL }, by, jsonBody({ name: 'Escola A' })), expect: { action: 'school.rename', change: { name: 'Escola A' } } },
    { name: 'token set', run: (by) => call('schools', 'PUT /schools/{schoolId}/hottok', { schoolId: SCHOOL }, by, jsonBody({ token: TOKEN_SET })), expect: { action: 'token.set', change: { token: 'set', previousToken: 'kept' } } },
    { name: 'previous token dropped', run: (by) => call('schools', 'DELETE /schools/{schoolId}/hottok/previous', { schoolId: SCHOOL }, by), expect: { action: 'token.dropPrevious' } },
    {
      name: 'credentials set',
      run: (by) => call('credentials', 'PUT /schools/{schoolId}/hotmart-credentials', { schoolId: SCHOOL }, by, jsonBody({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })),
      expect: { action: 'credentials.set', change: { clientId: CLIENT_ID, sandbox: false } },
    },
    {
      name: 'reconciliation start',
      run: async (by) => {
        const answer = await call('reconciliations', 'POST /schools/{schoolId}/reconciliations', { schoolId: SCHOOL }, by, jsonBody({ from: new Date(Date.now() - 3600_000).toISOString() }));
        await reconciliation.idle();
        return answer;
      },
      expect: { action: 'reconciliation.start' },
    },
    { name: 'credentials delete', run: (by) => call('credentials', 'DELETE /schools/{schoolId}/hotmart-credentials', { schoolId: SCHOOL }, by), expect: { action: 'credentials.delete' } },
    {
      name: 'mapping put',
      run: (by) => call('mappings', 'PUT /schools/{schoolId}/mappings/{productId}', { schoolId: SCHOOL, productId: '7700002' }, by, jsonBody({ targets: [{ type: 'course', id: 'c2' }] })),
      expect: { action: 'mapping.put', ids: { productId: '7700002' }, change: { created: true, version: 1, targets: [{ type: 'course', id: 'c2' }] } },
    },
    {
      name: 'offer put',
      run: (by) => call('mappings', 'PUT /schools/{schoolId}/mappings/{productId}/offers/{offerCode}', { schoolId: SCHOOL, productId: '7700002', offerCode: 'k1x2' }, by, jsonBody({ targets: [{ type: 'course', id: 'c3' }] })),
      expect: { action: 'offer.put', ids: { productId: '7700002', offerCode: 'k1x2' } },
    },
    { name: 'offer delete', run: (by) => call('mappings', 'DELETE /schools/{schoolId}/mappings/{productId}/offers/{offerCode}', { schoolId: SCHOOL, productId: '7700002', offerCode: 'k1x2' }, by), expect: { action: 'offer.delete', ids: { productId: '7700002', offerCode: 'k1x2' } } },
    { name: 'mapping delete', run: (by) => call('mappings', 'DELETE /schools/{schoolId}/mappings/{productId}', { schoolId: SCHOOL, productId: '7700002' }, by), expect: { action: 'mapping.delete', ids: { productId: '7700002' } } },
    {
      name: 'manual grant',
      run: (by) =>
        call('manual-enrollments', 'PUT /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}', { schoolId: SCHOOL, email: encodeURIComponent('Review.Student@Example.com'), targetType: 'course', targetId: 'review' }, by, jsonBody({ note: NOTE })),
      expect: { action: 'manualGrant.put', ids: { targetType: 'course', targetId: 'review' }, email: 'review.student@example.com', change: { created: true, until: null } },
    },
    {
      name: 'manual removal',
      run: (by) => call('manual-enrollments', 'DELETE /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}', { schoolId: SCHOOL, email: 'review.student@example.com', targetType: 'course', targetId: 'review' }, by),
      expect: { action: 'manualGrant.delete', email: 'review.student@example.com' },
    },
    {
      name: 'event replay',
      run: async (by) => {
        const event = freshEvent('PURCHASE_APPROVED', { transaction: 'HPAUDIT1', email: 'buyer.audit@example.com', productId: Number(PRODUCT) });
        assert.equal((await post(event)).statusCode, 200);
        return call('recovery', 'POST /schools/{schoolId}/events/{eventId}/replay', { schoolId: SCHOOL, eventId: event.id }, by);
      },
      expect: { action: 'event.replay' },
    },
    {
      name: 'quarantine replay with a corrected body',
      run: async (by) => {
        const broken = freshEvent('PURCHASE_APPROVED', { transaction: 'HPAUDIT2', email: BUYER, productId: Number(PRODUCT) });
        const quarantined = await post(broken);
        assert.equal(quarantined.statusCode, 202);
        const corrected = JSON.stringify({ ...broken, data: { ...broken.data, buyer: { ...broken.data.buyer, email: 'ana.maria@example.com' } } });
        return call('recovery', 'POST /schools/{schoolId}/quarantine/{id}/replay', { schoolId: SCHOOL, id: quarantined.body.quarantineId }, by, jsonBody({ body: corrected }));
      },
      expect: { action: 'quarantine.replay', change: { corrected: true, outcome: 'processed' } },
    },
    { name: 'student erasure', run: (by) => call('recovery', 'DELETE /schools/{schoolId}/students/{email}', { schoolId: SCHOOL, email: 'buyer.audit@example.com' }, by), expect: { action: 'student.erase' } },
    { name: 'school delete', schoolId: 'audit-b', run: (by) => call('schools', 'DELETE /schools/{schoolId}', { schoolId: 'audit-b' }, by), expect: { action: 'school.delete', change: { status: 'deleted' } } },
  ];

  it('each kind of administrative write leaves exactly one record: the IAM principal, the route, the ids, the change and the time', async () => {
    for (const write of writes) {
      const by = principal();
      const before = Date.now();
      const answer = await write.run(by);
      const after = Date.now();
      assert.ok(answer.statusCode >= 200 && answer.statusCode < 300, `${write.name}: ${answer.statusCode} ${answer.rawBody}`);
      const records = await recordsBy(write.schoolId ?? SCHOOL, by);
      assert.equal(records.length, 1, `${write.name}: ${JSON.stringify(records)}`);
      const [record] = records;
      for (const [field, value] of Object.entries(write.expect)) {
        if (field === 'change') for (const [key, v] of Object.entries(value as object)) assert.deepEqual(record.change[key], v, `${write.name}: change.${key}`);
        else assert.deepEqual(record[field], value, `${write.name}: ${field}`);
      }
      assert.match(record.route, /^(PUT|POST|DELETE) \/schools\/\{schoolId\}/, write.name);
      const at = Date.parse(record.at);
      assert.ok(at >= before && at <= after, `${write.name}: at ${record.at}`);
    }
    // The ids a replay, an erasure and a run name.
    const trail = await allRecords(SCHOOL);
    assert.match(trail.find((r) => r.action === 'reconciliation.start').ids.runId, /\S/);
    assert.match(trail.find((r) => r.action === 'student.erase').ids.pseudonym, /^erased-.*@erased\.invalid$/);
    assert.equal(trail.find((r) => r.action === 'quarantine.replay').ids.quarantineId.length, 64);
  });

  it('a record holds no token, no credential secret, no replayed body and no personal data but the e-mail a grant was about', async () => {
    const text = JSON.stringify(await allRecords(SCHOOL));
    for (const secret of [TOKEN_SET, CLIENT_SECRET, NOTE, '123.456.789-09', BUYER, 'ana.maria@example.com', 'buyer.audit@example.com', 'HPAUDIT2']) assert.ok(!text.includes(secret), secret);
  });

  it('a failed write leaves no record', async () => {
    const by = principal();
    const refused = await call('mappings', 'PUT /schools/{schoolId}/mappings/{productId}', { schoolId: SCHOOL, productId: '7700003' }, by, jsonBody({ targets: [] }));
    assert.equal(refused.statusCode, 400);
    const missing = await call('mappings', 'DELETE /schools/{schoolId}/mappings/{productId}', { schoolId: SCHOOL, productId: '7700009' }, by);
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(await recordsBy(SCHOOL, by), []);
  });

  it('without an IAM authoriser (npm start) the principal is "local"', async () => {
    const answer = await api.putMapping('7700004', { targets: [{ type: 'course', id: 'c4' }] });
    assert.equal(answer.statusCode, 201);
    const [newest] = (await readAudit(SCHOOL, { limit: '1' })).body.items;
    assert.deepEqual([newest.by, newest.action, newest.ids], ['local', 'mapping.put', { productId: '7700004' }]);
  });

  it('lists newest first, page by page with cursors; a cursor of another school’s trail or a forged one is a 400', async () => {
    const all = await allRecords(SCHOOL);
    assert.ok(all.length > 10);
    const times = all.map((record) => Date.parse(record.at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    const paged: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await readAudit(SCHOOL, { limit: '3', ...(cursor ? { cursor } : {}) });
      assert.ok(page.body.items.length <= 3);
      paged.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(paged, all);
    const first = await readAudit(SCHOOL, { limit: '2' });
    const foreign = await readAudit('audit-b', { cursor: first.body.nextCursor });
    assert.equal(foreign.statusCode, 400, foreign.rawBody);
    assert.equal(foreign.body.error.issues[0].field, 'cursor');
    assert.equal((await readAudit(SCHOOL, { cursor: 'bm90LWEtY3Vyc29y' })).statusCode, 400);
    assert.equal((await readAudit(SCHOOL, { limit: '0' })).statusCode, 400);
    assert.equal((await readAudit('Not A Slug')).statusCode, 400);
  });

  it('a deleted school’s trail stays readable: who created it and who deleted it', async () => {
    assert.equal((await schoolsApi.get('audit-b')).statusCode, 404);
    const trail = await allRecords('audit-b');
    assert.deepEqual(trail.map((record) => record.action), ['school.delete', 'school.create']);
    assert.notEqual(trail[0].by, trail[1].by);
    assert.deepEqual((await allRecords('audit-never-created')), []);
  });

  it('keeps each record a year: its TTL attribute is one year after it was written', async () => {
    const { Items = [] } = await realDeps().db.send(
      new QueryCommand({ TableName: process.env.AUDIT_TABLE!, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `AUDIT#${SCHOOL}` } }),
    );
    assert.ok(Items.length > 0);
    for (const item of Items) {
      assert.equal(item.expiresAt, auditExpiry(item.at));
      assert.equal(item.expiresAt - Math.floor(item.at / 1000), 365 * 86_400);
    }
  });

  it('a student’s erasure pseudonymises the e-mail in the audit records about them', async () => {
    const by = principal();
    const grant = await call('manual-enrollments', 'PUT /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}', { schoolId: SCHOOL, email: 'to.forget@example.com', targetType: 'course', targetId: 'gift' }, by, jsonBody({}));
    assert.equal(grant.statusCode, 201);
    const erased = await call('recovery', 'DELETE /schools/{schoolId}/students/{email}', { schoolId: SCHOOL, email: 'To.Forget@example.com' }, principal());
    assert.equal(erased.statusCode, 200, erased.rawBody);
    const [record] = await recordsBy(SCHOOL, by);
    assert.equal(record.email, erased.body.pseudonym);
    assert.ok(!JSON.stringify(await allRecords(SCHOOL)).includes('to.forget'), 'the e-mail is gone from the trail');
  });

  it('a failed audit write after a successful change: the change’s answer stands, and an error line names the route and action, not the e-mail', async () => {
    const logger = createLogger('audit-test', 'INFO');
    const failing = { write: async () => Promise.reject(Object.assign(new Error('down'), { name: 'ProvisionedThroughputExceededException' })) };
    const handler = httpHandler(logger, [audited(failing, logger)], routeByKey({ 'PUT /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}': async () =>
          json(201, {
            email: 'someone@example.com',
            target: { type: 'course', id: 'x' },
            status: 'active',
            hasAccess: true,
            accessUntil: null,
            subscriberCode: null,
            plan: null,
            productId: null,
            transactions: [],
            manual: { grantedAt: '2026-12-01T10:00:00.000Z', note: null, until: null },
            createdAt: '2026-12-01T10:00:00.000Z',
            updatedAt: '2026-12-01T10:00:00.000Z',
            lastEventId: null,
          }) }));
    let answer: any;
    const lines = await captureLogs(async () => {
      answer = await route(handler, 'PUT /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}', { schoolId: SCHOOL, email: 'someone@example.com', targetType: 'course', targetId: 'x' });
    });
    assert.equal(answer.statusCode, 201);
    const errors = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'ERROR');
    assert.equal(errors.length, 1);
    assert.deepEqual([errors[0].route, errors[0].action, errors[0].schoolId, errors[0].by, errors[0].errorName], ['PUT /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}', 'manualGrant.put', SCHOOL, 'local', 'ProvisionedThroughputExceededException']);
    assert.ok(!lines.join('\n').includes('someone@example.com'));
  });
});

