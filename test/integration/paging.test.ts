import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { countAll, readAll, readPage, readPageAfter } from '#lib/adapters/dynamodb/paging.ts';
import { loadConfig } from '#lib/config.ts';
import { createTestStack } from '../helpers/stack.ts';

await createTestStack();
// Generous timeouts: this test is about pages, not speed, and must hold on a loaded machine.
const config = loadConfig({ ...process.env, DYNAMODB_REQUEST_TIMEOUT_MS: '20000' });
const { db, cursors } = createDynamoDeps(config);
const table = config.tables.reconciliations;
/** A partition under a (test) school's scope: the key-scoping gate records this client's requests too. */
const PAGING = 'S#paging-test#pagingtest#PAGING';
const ITEMS = 23;
for (let start = 0; start < ITEMS; start += 25) {
  const batch = Array.from({ length: Math.min(25, ITEMS - start) }, (_, i) => ({ PutRequest: { Item: { pk: PAGING, sk: `item-${String(start + i).padStart(3, '0')}` } } }));
  await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
  // The scan's items go to the school registry, the one table the service may scan.
  const schools = batch.map(({ PutRequest: { Item } }) => ({ PutRequest: { Item: { pk: `SCHOOL#paging-${Item.sk}` } } }));
  await db.send(new BatchWriteCommand({ RequestItems: { [config.tables.schools]: schools } }));
}
const query = { query: { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PAGING }, Limit: 5 } };

describe('paging: one loop for every paginated read', () => {
  it('reads every item and counts them across pages of a query and of a scan', async () => {
    const all: string[] = [];
    for await (const item of readAll(db, query)) all.push(item.sk);
    assert.equal(all.length, ITEMS);
    assert.equal(new Set(all).size, ITEMS);
    assert.equal(await countAll(db, { query: { ...query.query, Select: 'COUNT' } }), ITEMS);
    assert.equal(await countAll(db, { scan: { TableName: config.tables.schools, Limit: 4, Select: 'COUNT' } }), ITEMS);
  });

  it('walks a list page by page behind its cursors, and after a start key the caller keeps', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await readPage(db, query, { cursors, list: 'test list', cursor });
      seen.push(...page.items.map((item) => item.sk));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    assert.deepEqual(seen, Array.from({ length: ITEMS }, (_, i) => `item-${String(i).padStart(3, '0')}`));
    const first = await readPage(db, query, { cursors, list: 'test list', cursor: undefined });
    await assert.rejects(readPage(db, query, { cursors, list: 'another list', cursor: first.nextCursor! }), { code: 'REQUEST.INVALID' });
    const after = await readPageAfter(db, query, { pk: PAGING, sk: 'item-019' });
    assert.deepEqual(after.items.map((item) => item.sk), ['item-020', 'item-021', 'item-022']);
  });
});
