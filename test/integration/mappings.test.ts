import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startLambdaStandIn } from '../helpers/lambda-stand-in.ts';
import { createTestStack, freshEvent, loadHandlers, scanAllTables, bare } from '../helpers/stack.ts';

await createTestStack();
// What a PUT has no time to apply goes to the background worker (functions/apply-parked).
const lambda = await startLambdaStandIn();
Object.assign(process.env, { LAMBDA_ENDPOINT: lambda.endpoint, APPLY_PARKED_FUNCTION: 'test-apply-parked' });
const api = await loadHandlers();
lambda.register('test-apply-parked', (await import('../../functions/apply-parked/handler.ts')).handler as never, { timeoutMs: 60_000, maximumRetryAttempts: 2 });
after(() => lambda.close());
const post = (body: unknown) => api.postWebhook(JSON.stringify(body));
const mappingItems = async () => (await scanAllTables()).filter((item) => String(item.table).endsWith('mappings'));

describe('product mappings', () => {
  it('creates (201), replaces (200) and reads a mapping with its version and dates', async () => {
    const body = { targets: [{ type: 'course', id: 'c-1' }], salesUrl: 'https://escola.example.com/c-1', price: { value: 297.9, currency: 'BRL' } };
    const created = await api.putMapping('1000001', body);
    assert.equal(created.statusCode, 201);
    assert.deepEqual(
      { ...created.body, createdAt: undefined, updatedAt: undefined },
      {
        productId: '1000001',
        ...body,
        policy: { onDispute: 'keep', onDelayed: 'suspend', onSubscriptionCancel: 'endOfPeriod', graceDays: 3 },
        version: 1,
        appliedEvents: 0,
        pendingEvents: 0,
        backgroundApply: 'none',
        createdAt: undefined,
        updatedAt: undefined,
      },
    );
    assert.ok(!Number.isNaN(Date.parse(created.body.updatedAt)));
    assert.equal(created.headers.etag, '"1"');

    const replaced = await api.putMapping('1000001', { targets: [{ type: 'class', id: 'turma-a' }, { type: 'plan', id: 'anual' }] });
    assert.equal(replaced.statusCode, 200);
    assert.equal(replaced.body.version, 2);
    assert.equal(replaced.body.salesUrl, undefined, 'a replaced mapping drops fields not sent');
    assert.equal(replaced.body.createdAt, created.body.createdAt);

    const read = await api.getMapping('1000001');
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.body.targets, [{ type: 'class', id: 'turma-a' }, { type: 'plan', id: 'anual' }]);
  });

  it('refuses invalid input with 400 naming each bad field, storing nothing', async () => {
    const before = (await mappingItems()).length;
    const cases: [unknown, string[]][] = [
      [{}, ['targets']],
      [{ targets: [] }, ['targets']],
      [{ targets: [{ type: 'ebook', id: 'x' }] }, ['targets.0.type']],
      [{ targets: [{ type: 'course', id: '' }] }, ['targets.0.id']],
      [{ targets: Array.from({ length: 26 }, (_, i) => ({ type: 'course', id: `c${i}` })) }, ['targets']],
      [{ targets: [{ type: 'course', id: 'a' }, { type: 'course', id: 'a' }] }, ['targets']],
      [{ targets: [{ type: 'course', id: 'a' }], salesUrl: 'http://insecure.example.com' }, ['salesUrl']],
      [{ targets: [{ type: 'course', id: 'a' }], price: { value: 0, currency: 'BRL' } }, ['price.value']],
      [{ targets: [{ type: 'course', id: 'a' }], price: { value: 10, currency: 'real' } }, ['price.currency']],
      [{ targets: 'course', salesUrl: 'nope', price: { value: -1, currency: 'x' } }, ['targets', 'salesUrl', 'price.value', 'price.currency']],
    ];
    for (const [body, fields] of cases) {
      const response = await api.putMapping('1000002', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.body.error.code, 'REQUEST.INVALID');
      assert.deepEqual([...new Set(response.body.error.issues.map((i: { field: string }) => i.field))].sort(), [...fields].sort(), JSON.stringify(body));
    }
    assert.equal((await api.putMapping('1000002', '{not json')).statusCode, 400);
    assert.equal((await api.putMapping('not-a-number', { targets: [{ type: 'course', id: 'a' }] })).statusCode, 400);
    assert.equal((await mappingItems()).length, before);
  });

  it('honours If-Match: 412 on a stale version, success on the current one', async () => {
    await api.putMapping('1000003', { targets: [{ type: 'course', id: 'x' }] });
    const stale = await api.putMapping('1000003', { targets: [{ type: 'course', id: 'y' }] }, { 'if-match': '"7"' });
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.body.error.code, 'MAPPING.VERSION_MISMATCH');
    assert.deepEqual((await api.getMapping('1000003')).body.targets, [{ type: 'course', id: 'x' }]);
    const current = await api.putMapping('1000003', { targets: [{ type: 'course', id: 'y' }] }, { 'if-match': '1' });
    assert.equal(current.statusCode, 200);
    assert.equal((await api.deleteMapping('1000003', { 'if-match': '1' })).statusCode, 412);
    assert.equal((await api.putMapping('1000004', { targets: [{ type: 'course', id: 'z' }] }, { 'if-match': '1' })).statusCode, 412);
  });

  it('deletes with 204, then answers 404', async () => {
    await api.putMapping('1000005', { targets: [{ type: 'course', id: 'x' }] });
    assert.equal((await api.deleteMapping('1000005')).statusCode, 204);
    assert.equal((await api.getMapping('1000005')).statusCode, 404);
    assert.equal((await api.deleteMapping('1000005')).statusCode, 404);
  });

  it('lists every mapping across pages', async () => {
    for (let i = 0; i < 5; i++) await api.putMapping(`200000${i}`, { targets: [{ type: 'course', id: `list-${i}` }] });
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await api.listMappings({ limit: '2', ...(cursor ? { cursor } : {}) });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.items.length <= 2);
      for (const item of page.body.items) seen.add(item.productId);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    for (let i = 0; i < 5; i++) assert.ok(seen.has(`200000${i}`));
    assert.ok(pages >= 3);
    assert.equal((await api.listMappings({ cursor: 'garbage' })).statusCode, 400);
  });
});

describe('purchases that arrive before their product is mapped', () => {
  it('are recorded as unmapped and applied in creation_date order when the mapping is created', async () => {
    const email = 'early.bird@example.com';
    const approval = freshEvent('PURCHASE_APPROVED', { transaction: 'HPEARLY1', email, productId: 3000001, creationDate: 1_000 });
    const refund = freshEvent('PURCHASE_REFUNDED', { transaction: 'HPEARLY1', email, productId: 3000001, creationDate: 3_000 });
    const other = freshEvent('PURCHASE_APPROVED', { transaction: 'HPEARLY2', email, productId: 3000001, creationDate: 2_000 });
    assert.equal((await post(approval)).body.status, 'unmapped');
    assert.equal((await post(other)).body.status, 'unmapped');
    // A refund needs no mapping: it is final for its transaction whatever the product sells.
    assert.equal((await post(refund)).body.status, 'processed');
    assert.deepEqual((await api.enrollments({ email })).body.items, []);

    const created = await api.putMapping('3000001', { targets: [{ type: 'course', id: 'early' }] });
    assert.equal(created.statusCode, 201);
    // A few early purchases are all applied by the PUT itself: nothing is left for the background.
    assert.deepEqual([created.body.appliedEvents, created.body.pendingEvents, created.body.backgroundApply], [2, 0, 'none']);
    const [enrollment] = (await api.enrollments({ email })).body.items;
    assert.deepEqual(enrollment.transactions, [{ transaction: 'HPEARLY2', status: 'APPROVED' }]);
    assert.equal(enrollment.hasAccess, true);

    const stored = await api.event(approval.id);
    assert.equal(stored.body.waitedForMapping, true);
    assert.match(stored.body.outcome.detail, /already REFUNDED/);
    assert.equal((await api.event(other.id)).body.outcome.status, 'processed');
    assert.equal((await post(approval)).body.status, 'duplicate');
    assert.equal((await api.putMapping('3000001', { targets: [{ type: 'course', id: 'early' }] })).body.appliedEvents, 0);
  });

  it('leaves nothing unmapped when the mapping is created while the product’s webhooks arrive', async () => {
    const product = 3000002;
    const bodies = Array.from({ length: 40 }, (_, i) =>
      freshEvent('PURCHASE_APPROVED', { transaction: `HPRACE${i}`, email: `race-${i}@example.com`, productId: product }),
    );
    // Four lanes deliver continuously; the mapping is created once the first answers came back.
    const answers: any[] = new Array(bodies.length);
    let delivered = 0;
    let mapped: Promise<any> | undefined;
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (let i = lane; i < bodies.length; i += 4) {
          answers[i] = await post(bodies[i]);
          if (++delivered === 8) mapped = api.putMapping(String(product), { targets: [{ type: 'course', id: 'race' }] });
        }
      }),
    );
    assert.equal((await mapped)?.statusCode, 201);
    // Under a burst the PUT may run out of time: the background applies the rest.
    await lambda.idle();
    assert.ok(answers.every((a) => a.statusCode === 200));
    const statuses = new Set(answers.map((a) => a.body.status));
    assert.ok(statuses.has('unmapped') && statuses.has('processed'), 'deliveries arrived both before and after the mapping');
    for (let i = 0; i < bodies.length; i++) {
      const [enrollment] = (await api.enrollments({ email: `race-${i}@example.com` })).body.items;
      assert.equal(enrollment?.hasAccess, true, `race-${i} (${answers[i]!.body.status}) was left without access`);
    }
    const parked = (await scanAllTables()).filter((item) => bare(item.pk).startsWith(`PARKED#${product}`));
    assert.deepEqual(parked, []);
  });
});
