import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { startLambdaStandIn } from '../helpers/lambda-stand-in.ts';
import { captureLogs, createTestStack, freshEvent, loadHandlers, scanAllTables, bare } from '../helpers/stack.ts';

/**
 * A launch-day backlog: purchases of a product that has no mapping yet wait (parked); the mapping
 * PUT applies what fits in its time budget, answers with what still waits, and a background
 * worker (functions/apply-parked, invoked asynchronously through a Lambda stand-in) applies the rest.
 */
await createTestStack();
const lambda = await startLambdaStandIn();
const WORKER = 'test-apply-parked';
// DynamoDB Local on a busy machine queues concurrent transactions: allow it what `npm start` allows.
Object.assign(process.env, { LAMBDA_ENDPOINT: lambda.endpoint, APPLY_PARKED_FUNCTION: WORKER, APPLY_INLINE_BUDGET_MS: '300', DYNAMODB_REQUEST_TIMEOUT_MS: '3000' });
const api = await loadHandlers();
const worker = await import('../../functions/apply-parked/handler.ts');
// A short timeout, so that the worker goes on in several steps, each invoking the next.
lambda.register(WORKER, worker.handler as never, { timeoutMs: 2000, maximumRetryAttempts: 2 });

/**
 * Successful commits that applied a parked event, per event id; an injected crash of the worker;
 * and, while `captured` is set, the webhook's transactions recorded instead of sent.
 */
const appliedCommits = new Map<string, number>();
let crashAfterCommits: number | undefined;
let captured: Record<string, any>[][] | undefined;
const send = DynamoDBDocumentClient.prototype.send;
DynamoDBDocumentClient.prototype.send = async function (this: DynamoDBDocumentClient, command: any, ...rest: any[]) {
  if (captured && command.constructor.name === 'TransactWriteCommand') {
    captured.push(command.input.TransactItems);
    return {};
  }
  const result = await (send as any).call(this, command, ...rest);
  const eventPut = command.constructor.name === 'TransactWriteCommand' ? command.input.TransactItems[0]?.Put : undefined;
  if (eventPut?.ConditionExpression === 'parked = :true') {
    appliedCommits.set(eventPut.Item.id, (appliedCommits.get(eventPut.Item.id) ?? 0) + 1);
    // The write is committed but its answer never reaches the worker, which dies.
    if (crashAfterCommits !== undefined && --crashAfterCommits === 0) {
      crashAfterCommits = undefined;
      throw Object.assign(new Error('worker killed'), { name: 'SimulatedCrash' });
    }
  }
  return result;
} as typeof send;

/** Runs `work` on `items`, `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/**
 * `count` purchases of `productId`, each its own buyer and transaction, posted as Hotmart would:
 * 10 at a time, and a delivery answered 503 (storage busy) is delivered again.
 *
 * `fast`: the webhook handler plans each delivery as usual, but its transaction is recorded
 * instead of sent, and the items it would have written are stored 25 to a request (BatchWriteItem)
 * — the same items, thousands of them in seconds rather than one transaction each.
 */
async function park(productId: number, count: number, { fast = false } = {}): Promise<string[]> {
  const base = Date.now() - 86_400_000;
  const events = Array.from({ length: count }, (_, i) =>
    freshEvent('PURCHASE_APPROVED', { productId, transaction: `HPBL${productId}-${i}`, email: `bl${productId}-${i}@example.com`, creationDate: base + i }),
  );
  if (fast) captured = [];
  try {
    await inLanes(events, 10, async (event) => {
      for (;;) {
        const answer = await api.postWebhook(JSON.stringify(event));
        if (answer.statusCode === 503) continue;
        assert.equal(answer.body.status, 'unmapped', JSON.stringify(answer.body));
        return;
      }
    });
  } finally {
    const transactions = captured;
    captured = undefined;
    if (transactions) await storeInBatches(transactions);
  }
  return events.map((event) => event.id as string);
}

const db = createDocumentClient({ region: 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT!, requestTimeoutMs: 3000 });
async function storeInBatches(transactions: Record<string, any>[][]) {
  // A delivery answered 503 (a slow machine) is posted again, as Hotmart would: its items are captured twice, and stored once.
  const unique = new Map<string, { TableName: string; Item: Record<string, unknown> }>();
  for (const items of transactions) {
    for (const put of items.filter((item) => item.Put).map((item) => item.Put as { TableName: string; Item: Record<string, unknown> })) unique.set(`${put.TableName} ${put.Item.pk} ${put.Item.sk}`, put);
  }
  const puts = [...unique.values()];
  const parked = new Set(transactions.flatMap((items) => items.filter((item) => item.Put && bare(item.Put.Item.pk).startsWith('PARKED#')).map((item) => `${item.Put.Item.pk} ${item.Put.Item.sk}`)));
  assert.equal(puts.filter((put) => bare(put.Item.pk).startsWith('PARKED#')).length, parked.size, 'each delivery parks its purchase');
  const batches = Array.from({ length: Math.ceil(puts.length / 25) }, (_, i) => puts.slice(i * 25, i * 25 + 25));
  await inLanes(batches, 4, async (batch) => {
    let requestItems: Record<string, any[]> | undefined = {};
    for (const { TableName, Item } of batch) (requestItems[TableName] ??= []).push({ PutRequest: { Item } });
    while (requestItems && Object.keys(requestItems).length) requestItems = (await db.send(new BatchWriteCommand({ RequestItems: requestItems }))).UnprocessedItems;
  });
}

/** What a user of the stack would check: access for every buyer, no purchase still waiting, each applied once. */
async function assertAllGranted(productId: number, target: string, ids: string[]) {
  const items = await scanAllTables();
  const enrollments = items.filter((item) => item.sk === `TARGET#course#${target}`);
  assert.equal(enrollments.length, ids.length, 'one enrollment per buyer');
  assert.ok(
    enrollments.every((item) => Object.entries(item).some(([key, value]) => key.startsWith('tx:') && value === 'APPROVED')),
    'every enrollment holds its paid transaction',
  );
  assert.equal(items.filter((item) => bare(item.pk) === `PARKED#${productId}`).length, 0, 'no purchase still waits');
  const records = new Map(items.filter((item) => bare(item.pk).startsWith('EVENT#')).map((item) => [item.id, item]));
  for (const id of ids) {
    assert.equal((records.get(id) as any)?.outcome?.status, 'processed', id);
    assert.equal(appliedCommits.get(id), 1, `event ${id} applied ${appliedCommits.get(id) ?? 0} times`);
  }
  const read = await api.getMapping(String(productId));
  assert.equal(read.body.pendingEvents, 0);
}

describe('a mapping created after a launch-day backlog', () => {
  it('applies what fits before answering, reports what waits, and the background applies all 2,000 purchases once each', async () => {
    const ids = await park(9500001, 2000, { fast: true });
    lambda.setMode('hold');
    const logs = await captureLogs(async () => {
      const put = await api.putMapping('9500001', { targets: [{ type: 'course', id: 'lancamento' }] });
      assert.equal(put.statusCode, 201);
      assert.ok(put.body.appliedEvents >= 1, 'what fits in the budget is applied at once');
      assert.ok(put.body.pendingEvents >= 1, JSON.stringify(put.body));
      assert.equal(put.body.appliedEvents + put.body.pendingEvents, 2000);
      assert.equal(put.body.backgroundApply, 'started');
      const read = await api.getMapping('9500001');
      assert.equal(read.body.pendingEvents, put.body.pendingEvents, 'GET shows what still waits');
    });
    assert.ok(logs.some((line) => /"level":"INFO".*background apply started/.test(line)), logs.join('\n'));

    lambda.setMode('run');
    lambda.release();
    await lambda.idle();
    assert.deepEqual(lambda.failures, []);
    assert.ok(lambda.invocations.length >= 2, 'the worker went on in more than one step');
    await assertAllGranted(9500001, 'lancamento', ids);
  });

  it('resumes after the worker dies mid-step, applying each purchase once', async () => {
    const ids = await park(9500002, 300, { fast: true });
    lambda.setMode('hold');
    const put = await api.putMapping('9500002', { targets: [{ type: 'course', id: 'retomada' }] });
    assert.ok(put.body.pendingEvents >= 1, JSON.stringify(put.body));
    const before = lambda.invocations.length;
    // The worker dies after applying part of what the PUT left (however much the inline budget applied on this machine).
    crashAfterCommits = Math.min(20, Math.ceil(put.body.pendingEvents / 2));
    lambda.setMode('run');
    lambda.release();
    await lambda.idle();
    const runs = lambda.invocations.slice(before);
    assert.equal(runs[0]?.outcome, 'failed', 'the first step died');
    assert.deepEqual(runs[1]?.payload, runs[0]?.payload, 'Lambda retried the same step');
    assert.equal(crashAfterCommits, undefined);
    assert.deepEqual(lambda.failures, []);
    await assertAllGranted(9500002, 'retomada', ids);
  });

  it('answers truthfully and logs an error when the worker cannot be started; the next PUT applies the rest', async () => {
    const ids = await park(9500003, 150);
    lambda.setMode('refuse');
    const logs = await captureLogs(async () => {
      const put = await api.putMapping('9500003', { targets: [{ type: 'course', id: 'sem-fila' }] });
      assert.equal(put.statusCode, 201, 'the mapping is stored');
      assert.equal(put.body.backgroundApply, 'failed');
      assert.equal(put.body.appliedEvents + put.body.pendingEvents, 150);
      assert.ok(put.body.pendingEvents >= 1);
      assert.equal((await api.getMapping('9500003')).body.pendingEvents, put.body.pendingEvents);
    });
    assert.ok(logs.some((line) => /"level":"ERROR".*background apply not started.*"productId":"9500003"/.test(line)), logs.join('\n'));

    lambda.setMode('run');
    const again = await api.putMapping('9500003', { targets: [{ type: 'course', id: 'sem-fila' }] });
    assert.equal(again.statusCode, 200);
    await lambda.idle();
    await assertAllGranted(9500003, 'sem-fila', ids);
  });

  after(() => lambda.close());
});
