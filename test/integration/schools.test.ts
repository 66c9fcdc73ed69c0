import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestStack, fixture, freshEvent, loadHandlers, route, scanAllTables, schoolRoute, TOKEN } from '../helpers/stack.ts';
import { localDevelopmentPepperSource } from '#lib/adapters/secrets/pepper.ts';
import { loadConfig } from '#lib/config.ts';
import { webhookHandler } from '#lib/http/webhook.ts';
import { createLogger } from '#lib/logger.ts';
import { createSchool, realDeps, schoolsApi } from '../helpers/schools.ts';

/** The school registry's contract: PUT, GET, list, DELETE, and the school's token. */
await createTestStack();
const course = (id: string) => ({ targets: [{ type: 'course', id }] });
const silent = createLogger('schools-test', 'SILENT');

describe('schools: PUT, GET, list and DELETE', () => {
  it('creates a school (201), replaces its name (200) keeping createdAt, and reads it back', async () => {
    const created = await schoolsApi.put('escola-sol', { name: 'Escola Sol' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.location, '/schools/escola-sol');
    assert.deepEqual(Object.keys(created.body).sort(), ['createdAt', 'name', 'schoolId', 'updatedAt']);
    assert.equal(created.body.name, 'Escola Sol');
    const replaced = await schoolsApi.put('escola-sol', { name: 'Escola do Sol' });
    assert.equal(replaced.statusCode, 200);
    assert.equal(replaced.body.createdAt, created.body.createdAt);
    assert.equal(replaced.body.name, 'Escola do Sol');
    const read = await schoolsApi.get('escola-sol');
    const { status, ...school } = read.body;
    assert.deepEqual([read.statusCode, school], [200, replaced.body]);
    assert.deepEqual(Object.keys(status), ['token', 'credentials', 'webhook', 'unmapped', 'reconciliation', 'mappings'], 'GET shows its status too');
    assert.ok(!('incarnation' in read.body) && !('tokens' in read.body), 'nothing internal shown');
  });

  it('refuses an id that is not a slug, and a name that is missing or too long, with 400; an unknown school is 404', async () => {
    for (const id of ['Escola', '-a', 'a', 'a_b', 'a'.repeat(64), 'é']) {
      const refused = await schoolsApi.put(id, { name: 'X' });
      assert.equal(refused.statusCode, 400, id);
      assert.equal((await schoolsApi.get(id)).statusCode, 400, id);
    }
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(201) }, { name: 'X', extra: 1 }]) assert.equal((await schoolsApi.put('valid-id', body)).statusCode, 400, JSON.stringify(body));
    const unknown = await schoolsApi.get('nao-existe');
    assert.deepEqual([unknown.statusCode, unknown.body.error.code], [404, 'SCHOOL.NOT_FOUND']);
    assert.equal((await schoolsApi.delete('nao-existe')).statusCode, 404);
    assert.equal((await schoolsApi.putToken('nao-existe', 'x')).statusCode, 404);
  });

  it('lists the schools page by page with a cursor', async () => {
    for (const id of ['lista-a', 'lista-b', 'lista-c']) await schoolsApi.put(id, { name: id });
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: any = await schoolsApi.list({ limit: '1', ...(cursor ? { cursor } : {}) });
      assert.equal(page.statusCode, 200);
      for (const item of page.body.items) seen.add(item.schoolId);
      cursor = page.body.nextCursor;
    } while (cursor);
    for (const id of ['lista-a', 'lista-b', 'lista-c']) assert.ok(seen.has(id), id);
    assert.equal((await schoolsApi.list({ cursor: 'forged' })).statusCode, 400);
  });

  it('deletes a school: 202, then 404 everywhere; the same id created again is a new, empty school', async () => {
    const api = await loadHandlers('apagada');
    const first = (await schoolsApi.get('apagada')).body;
    assert.equal((await api.putMapping('8100001', course('antes'))).statusCode, 201);
    assert.equal((await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPDEL1', email: 'del@example.com', productId: 8100001 })))).body.status, 'processed');

    const deleted = await schoolsApi.delete('apagada');
    assert.equal(deleted.statusCode, 202);
    assert.equal((await schoolsApi.get('apagada')).statusCode, 404);
    assert.ok(!(await schoolsApi.list()).body.items.some((s: any) => s.schoolId === 'apagada'), 'not listed');
    for (const answer of [await api.listMappings(), await api.enrollments({ email: 'del@example.com' }), await api.quarantine(), await api.eraseStudent('del@example.com')]) {
      assert.deepEqual([answer.statusCode, answer.body.error.code], [404, 'SCHOOL.NOT_FOUND']);
    }
    assert.equal((await schoolsApi.delete('apagada')).statusCode, 404, 'deleted already');
    assert.equal((await schoolsApi.putToken('apagada', TOKEN)).statusCode, 404);

    const again = await schoolsApi.put('apagada', { name: 'De novo' });
    assert.equal(again.statusCode, 201, 'a PUT of a deleted id is a creation');
    assert.ok(again.body.createdAt >= first.createdAt);
    assert.notEqual((await realDeps().schools.get('apagada'))!.incarnation, undefined);
    assert.deepEqual((await api.listMappings()).body.items, [], 'the new school has no mapping of the old one');
    assert.deepEqual((await api.enrollments({ email: 'del@example.com' })).body.items, [], 'nor its enrollments');
    assert.equal((await realDeps().schools.get('apagada'))!.tokens, undefined, 'nor its token');
  });
});

describe('a school’s token', () => {
  it('answers 503 "not configured yet" to POST and GET while the school has no token', async () => {
    await createSchool('sem-token', { token: null, previousToken: null });
    const api = await loadHandlers('sem-token-api');
    const webhook = (await import('../../functions/webhook/handler.ts')).handler;
    const at = schoolRoute('sem-token');
    const post = await at(webhook, 'POST /webhooks/hotmart', {}, { headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }, body: '{}' });
    assert.deepEqual([post.statusCode, post.body.error.code], [503, 'CONFIG.TOKEN_MISSING']);
    assert.match(post.body.error.message, /not configured yet/);
    const get = await at(webhook, 'GET /webhooks/hotmart');
    assert.deepEqual([get.statusCode, get.body.error.code], [503, 'CONFIG.TOKEN_MISSING']);
    assert.match(get.body.error.message, /not configured yet/);
    // An unknown school's URL is wrong: 404, the GET too; a token-less POST is refused before any read.
    assert.equal((await schoolRoute('nao-existe')(webhook, 'GET /webhooks/hotmart')).statusCode, 404);
    assert.equal((await schoolRoute('nao-existe')(webhook, 'POST /webhooks/hotmart', {}, { headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }, body: '{}' })).statusCode, 404);
    assert.equal((await schoolRoute('nao-existe')(webhook, 'POST /webhooks/hotmart', {}, { headers: { 'content-type': 'application/json' }, body: '{}' })).statusCode, 401);
    assert.equal((await api.getWebhook()).statusCode, 200);
  });

  it('accepts the previous token after a rotation until DELETE …/hottok/previous, and stores only keyed hashes', async () => {
    await createSchool('rotacao', { token: 'token-um-0001', previousToken: null });
    // The webhook as its Lambda builds it, on a clock the test moves: a mismatch re-reads the school at most once a second.
    const clock = { now: Date.now() };
    const webhook = webhookHandler(loadConfig({ ...process.env, SCHOOL_CACHE_TTL_MS: '60000' }), realDeps(), silent, { pepper: localDevelopmentPepperSource, now: () => clock.now });
    const deliver = async (token: string) => {
      clock.now += 1000;
      const headers = { 'content-type': 'application/json', 'x-hotmart-hottok': token };
      return (await schoolRoute('rotacao')(webhook, 'POST /webhooks/hotmart', {}, { headers, body: fixture('CLUB_FIRST_ACCESS.json') })).statusCode;
    };
    assert.equal(await deliver('token-um-0001'), 200);
    assert.equal(await deliver('token-dois-0002'), 401);
    assert.equal((await schoolsApi.putToken('rotacao', 'token-dois-0002')).statusCode, 204);
    assert.equal(await deliver('token-dois-0002'), 200, 'the new token works at once, though the school is cached');
    assert.equal(await deliver('token-um-0001'), 200, 'the previous one is still accepted');
    assert.equal((await schoolsApi.dropPrevious('rotacao')).statusCode, 204);
    clock.now += 60_000; // the cached copy revalidated (SCHOOL_CACHE_TTL_MS)
    assert.equal(await deliver('token-um-0001'), 401, 'no longer accepted');
    assert.equal(await deliver('token-dois-0002'), 200);
    assert.equal((await schoolsApi.dropPrevious('rotacao')).statusCode, 204, 'nothing to drop: still 204');
    for (const body of [{}, { token: '' }, { token: 'x', other: 1 }]) {
      assert.equal((await route((await import('../../functions/schools/handler.ts')).handler, 'PUT /schools/{schoolId}/hottok', { schoolId: 'rotacao' }, { body: JSON.stringify(body) })).statusCode, 400);
    }

    const everything = JSON.stringify(await scanAllTables());
    assert.ok(!everything.includes('token-um-0001') && !everything.includes('token-dois-0002'), 'a token was stored');
    const { tokens } = (await realDeps().schools.get('rotacao'))!;
    assert.match(tokens!.current, /^[0-9a-f]{64}$/);
    assert.equal(tokens!.previous, undefined);
  });

  it('stops accepting a deleted school’s deliveries once its cached entry is older than SCHOOL_CACHE_TTL_MS: 404', async () => {
    await createSchool('fechada');
    const clock = { now: Date.now() };
    const webhook = webhookHandler(loadConfig({ ...process.env, SCHOOL_CACHE_TTL_MS: '2000' }), realDeps(), silent, { pepper: localDevelopmentPepperSource, now: () => clock.now });
    const at = schoolRoute('fechada');
    const deliver = () => at(webhook, 'POST /webhooks/hotmart', {}, { headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }, body: fixture('CLUB_FIRST_ACCESS.json') });
    assert.equal((await deliver()).statusCode, 200);
    assert.equal((await schoolsApi.delete('fechada')).statusCode, 202);
    clock.now += 1999;
    assert.equal((await deliver()).statusCode, 200, 'within the window the README states, the cached school still answers');
    clock.now += 1;
    const refused = await deliver();
    assert.deepEqual([refused.statusCode, refused.body.error.code], [404, 'SCHOOL.NOT_FOUND']);
    assert.equal((await at(webhook, 'GET /webhooks/hotmart')).statusCode, 404);
  });
});
