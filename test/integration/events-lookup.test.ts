import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readServerlessYml } from '../../scripts/local/tables.ts';
import { createTestStack, freshEvent, loadHandlers, schoolRoute } from '../helpers/stack.ts';

// "What happened to this purchase / this student?": GET /events?transaction= and ?email=.
await createTestStack();
const api = await loadHandlers();
const at = schoolRoute(api.schoolId);
const enrollments = await import('../../functions/enrollments/handler.ts');
const events = (query: Record<string, string>) => at(enrollments.handler, 'GET /events', {}, { query });
const post = async (body: Record<string, unknown>) => (await api.postWebhook(JSON.stringify(body))).body;

const email = 'lookup.student@example.com';
await api.putMapping('7200001', { targets: [{ type: 'course', id: 'lookup' }] });
const approved = await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLOOKUP1', email, productId: 7200001 }));
const refunded = await post(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPLOOKUP1', email, productId: 7200001 }));
// The same student's purchase of a product nobody mapped yet: it waits, and is listed once.
const waiting = await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLOOKUP2', email, productId: 7200099 }));
await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPLOOKUP3', email: 'someone.else@example.com', productId: 7200001 }));

describe('GET /events?transaction=', () => {
  it('lists every event of the transaction, in order of receipt, with what each did', async () => {
    const answer = await events({ transaction: 'HPLOOKUP1' });
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(answer.body.items.map((e: any) => [e.id, e.event, e.outcome.status]), [
      [approved.eventId, 'PURCHASE_APPROVED', 'processed'],
      [refunded.eventId, 'PURCHASE_REFUNDED', 'processed'],
    ]);
    assert.equal(answer.body.items[0].source, 'webhook');
    assert.match(answer.body.items[0].receivedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal('txKey' in answer.body.items[0] || 'studentKey' in answer.body.items[0], false, 'index keys are not shown');
    assert.equal(answer.body.nextCursor, null);
  });

  it('pages with the list’s cursor, and a transaction nobody sent is an empty list', async () => {
    const first = await events({ transaction: 'HPLOOKUP1', limit: '1' });
    assert.deepEqual(first.body.items.map((e: any) => e.id), [approved.eventId]);
    const second = await events({ transaction: 'HPLOOKUP1', limit: '1', cursor: first.body.nextCursor });
    assert.deepEqual(second.body.items.map((e: any) => e.id), [refunded.eventId]);
    assert.deepEqual((await events({ transaction: 'HPNEVER' })).body, { items: [], nextCursor: null });
    // A cursor of another transaction's list is refused.
    assert.equal((await events({ transaction: 'HPLOOKUP3', cursor: first.body.nextCursor })).statusCode, 400);
  });
});

describe('GET /events?email=', () => {
  it('lists the buyer’s events, the one waiting for a mapping included, once each', async () => {
    const answer = await events({ email: 'Lookup.Student@Example.com' });
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(
      answer.body.items.map((e: any) => [e.id, e.outcome.status]),
      [
        [approved.eventId, 'processed'],
        [refunded.eventId, 'processed'],
        [waiting.eventId, 'unmapped'],
      ],
    );
  });
});

describe('GET /events without exactly one of transaction and email', () => {
  it('is a 400', async () => {
    for (const query of <Record<string, string>[]>[{}, { transaction: 'HPLOOKUP1', email }, { email: 'not-an-email' }, { transaction: 'HPLOOKUP1', limt: '1' }]) {
      const answer = await events(query);
      assert.equal(answer.statusCode, 400, JSON.stringify(query));
      assert.equal(answer.body.error.code, 'REQUEST.INVALID');
    }
  });
});

describe('the byTransaction index', () => {
  it('is declared on the events table, sparse on txKey by receipt, keys only', () => {
    const table = readServerlessYml().resources.Resources.EventsTable.Properties;
    assert.deepEqual(table.GlobalSecondaryIndexes.find((index: any) => index.IndexName === 'byTransaction'), {
      IndexName: 'byTransaction',
      KeySchema: [{ AttributeName: 'txKey', KeyType: 'HASH' }, { AttributeName: 'receivedAt', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
  });
});
