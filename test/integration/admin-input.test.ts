import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconciliationRoutes } from '../../functions/reconciliations/routes.ts';
import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { createTestStack, freshEvent, loadHandlers, schoolRoute, scanAllTables } from '../helpers/stack.ts';

await createTestStack();
const api = await loadHandlers();
const at = schoolRoute(api.schoolId);
const { handler: mappings } = await import('../../functions/mappings/handler.ts');
const silent = createLogger('admin-input', 'SILENT');
const recon = httpHandler(silent, [], reconciliationRoutes(createReconciliationDeps(loadConfig()), { launch: async () => {}, leaseMs: 60_000, logger: silent }));
const mappingItems = async () => (await scanAllTables()).filter((item) => String(item.table).endsWith('mappings'));
const fields = (response: any) => response.body.error.issues.map((i: { field: string }) => i.field).sort();
const course = (id: string) => ({ targets: [{ type: 'course', id }] });
/** A PUT whose body is these bytes, base64-encoded as API Gateway passes a body it does not take for text. */
const putBytes = (productId: string, bytes: Buffer) =>
  at(mappings, 'PUT /mappings/{productId}', { productId }, { headers: { 'content-type': 'application/json' }, body: bytes.toString('base64'), isBase64Encoded: true });

describe('admin input that must be refused', () => {
  it('refuses an unknown key with 400 naming it, anywhere in a mapping or a query, and stores nothing', async () => {
    const before = (await mappingItems()).length;
    const misspelt = await api.putMapping('7200001', { ...course('a'), polcy: { onDispute: 'suspend' } });
    assert.equal(misspelt.statusCode, 400);
    assert.equal(misspelt.body.error.code, 'REQUEST.INVALID');
    assert.deepEqual(fields(misspelt), ['polcy']);
    const nested = await api.putMapping('7200001', { targets: [{ type: 'course', id: 'a', name: 'A' }], price: { value: 1, currency: 'BRL', cents: 100 } });
    assert.deepEqual(fields(nested), ['price.cents', 'targets.0.name']);
    assert.deepEqual(fields(await api.putMapping('7200001', { ...course('a'), policy: { graceDay: 2 } })), ['policy.graceDay']);
    assert.deepEqual(fields(await api.listMappings({ limt: '5' })), ['limt']);
    assert.deepEqual(fields(await api.quarantine({ curser: 'x' })), ['curser']);
    const window = await at(recon, 'POST /reconciliations', {}, { body: JSON.stringify({ from: new Date(Date.now() - 3600_000).toISOString(), too: new Date().toISOString() }) });
    assert.deepEqual(fields(window), ['too']);
    assert.equal((await mappingItems()).length, before);
  });

  it('reads a product id with leading zeros as the webhook does: PUT /mappings/03412911 maps product 3412911', async () => {
    const created = await api.putMapping('07200002', course('zeros'));
    assert.equal(created.statusCode, 201);
    assert.equal(created.body.productId, '7200002');
    assert.equal((await api.getMapping('7200002')).body.productId, '7200002');
    assert.equal((await api.getMapping('0007200002')).statusCode, 200);
    const email = 'zeros@example.com';
    const purchase = await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPZEROS1', email, productId: 7200002 })));
    assert.equal(purchase.body.status, 'processed');
    assert.deepEqual((await api.enrollments({ email })).body.items.map((i: any) => i.target), [{ type: 'course', id: 'zeros' }]);
    assert.equal((await api.putOffer('07200002', 'z1', course('zeros-offer'))).body.productId, '7200002');
    assert.equal((await api.deleteMapping('007200002')).statusCode, 204);
  });

  it('refuses an admin body that is not UTF-8 (400) or over 64 KiB (413), storing nothing', async () => {
    const before = (await mappingItems()).length;
    const latin1 = Buffer.from(JSON.stringify(course('edi\u00e7\u00e3o')), 'latin1');
    const asBytes = await putBytes('7200003', latin1);
    assert.equal(asBytes.statusCode, 400, asBytes.rawBody);
    assert.equal(asBytes.body.error.code, 'REQUEST.INVALID_JSON');
    assert.match(asBytes.body.error.message, /UTF-8/);
    // The same bytes, had something decoded them as text on the way: U+FFFD in place of each.
    const asText = await api.putMapping('7200003', latin1.toString('utf8'));
    assert.equal(asText.statusCode, 400, asText.rawBody);
    assert.match(asText.body.error.message, /UTF-8/);
    const large = await api.putMapping('7200003', { ...course('big'), salesUrl: `https://escola.example.com/${'a'.repeat(70_000)}` });
    assert.equal(large.statusCode, 413);
    assert.equal(large.body.error.code, 'REQUEST.TOO_LARGE');
    assert.equal((await mappingItems()).length, before);
    // UTF-8, base64-encoded or not, is stored as sent.
    const utf8 = await putBytes('7200003', Buffer.from(JSON.stringify({ ...course('edicao'), price: { value: 1, currency: 'BRL' } }), 'utf8'));
    assert.equal(utf8.statusCode, 201, utf8.rawBody);
  });

  it('accepts target ids of the documented safe pattern only', async () => {
    for (const id of ['turma-2026-1', 'fotografia', 'edicao', 'anual', 'Curso_2.0', 'a'.repeat(128)]) {
      assert.equal((await api.putMapping('7200004', course(id))).statusCode < 300, true, id);
    }
    for (const id of ['../../etc/passwd', 'a/b', '.hidden', '-x', 'a b', 'a#b', 'caf\u00e9', 'a%2Fb', 'a?b', 'a'.repeat(129), '']) {
      const response = await api.putMapping('7200004', course(id));
      assert.equal(response.statusCode, 400, id);
      assert.deepEqual(fields(response), ['targets.0.id'], id);
    }
    const roster = await api.enrollments({ targetType: 'course', targetId: '../../etc/passwd' });
    assert.equal(roster.statusCode, 400);
  });

  it('shows a product that has offer overrides only: GET /mappings/{id} reads it with targets null and its offers, and GET /mappings lists it', async () => {
    const offer = await api.putOffer('7200005', 'y7ann01q', { targets: [{ type: 'plan', id: 'anual' }] });
    assert.equal(offer.statusCode, 201);
    const read = await api.getMapping('7200005');
    assert.equal(read.statusCode, 200);
    assert.equal(read.body.productId, '7200005');
    assert.equal(read.body.targets, null);
    assert.equal(read.headers.etag, undefined);
    assert.deepEqual(read.body.offers.map((o: any) => [o.offerCode, o.targets]), [['y7ann01q', [{ type: 'plan', id: 'anual' }]]]);
    assert.equal((await api.getOffer('7200005', 'other')).statusCode, 404);
    assert.equal((await api.getMapping('7200099')).statusCode, 404);

    // Listed once, page size 1 included (a page may end between a product's items).
    await api.putOffer('7200005', 'm0nthly', { targets: [{ type: 'plan', id: 'mensal' }] });
    await api.putMapping('7200006', course('listed'));
    await api.putOffer('7200006', 'o1', course('listed-offer'));
    for (const limit of ['1', '100']) {
      const listed: any[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await api.listMappings({ limit, ...(cursor ? { cursor } : {}) });
        listed.push(...page.body.items.filter((i: any) => ['7200005', '7200006'].includes(i.productId)));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual(
        listed.map((i) => [i.productId, i.targets]).sort(),
        [['7200005', null], ['7200006', [{ type: 'course', id: 'listed' }]]],
        `limit ${limit}`,
      );
    }
    // Once the product is mapped it reads as before.
    await api.putMapping('7200005', course('product'));
    const mapped = await api.getMapping('7200005');
    assert.deepEqual([mapped.body.targets, mapped.headers.etag, mapped.body.offers.length], [[{ type: 'course', id: 'product' }], '"1"', 2]);
  });
});
