import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createSchoolCredentialsStore } from '#lib/adapters/dynamodb/school-credentials-store.ts';
import { createSchoolEraser } from '#lib/adapters/dynamodb/school-eraser.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import type { SchoolErasureJob } from '#lib/services/ports.ts';
import { eraseSchoolWorker } from '../../functions/erase-school/worker.ts';
import { startLambdaStandIn } from '../helpers/lambda-stand-in.ts';
import { realDeps, schoolsApi } from '../helpers/schools.ts';
import { TOKEN, createTestStack, freshEvent, lambdaContext, loadHandlers, scanAllTables } from '../helpers/stack.ts';

/**
 * DELETE /schools/{schoolId}: the school answers 404 at once, and a background worker
 * (functions/erase-school, invoked asynchronously through a Lambda stand-in) erases everything it
 * owned through the tables' bySchool indexes, leaving every other school byte for byte as it was.
 */
await createTestStack();
const lambda = await startLambdaStandIn();
const WORKER = 'test-erase-school';
// A 1 ms cache window: the tombstone may go as soon as a pass finds nothing.
Object.assign(process.env, { LAMBDA_ENDPOINT: lambda.endpoint, ERASE_SCHOOL_FUNCTION: WORKER, SCHOOL_CACHE_TTL_MS: '1' });
const worker = await import('../../functions/erase-school/handler.ts');
// A short timeout, so that an erasure goes on in several steps, each invoking the next.
lambda.register(WORKER, worker.handler as never, { timeoutMs: 40, maximumRetryAttempts: 2 });
after(() => lambda.close());

const config = loadConfig();
const PRODUCT = 9_400_001;
const UNMAPPED = 9_400_002;
const EMAIL = 'same.buyer@example.com';

/** A school with items of every kind: mappings, events, enrollments, transactions, subscriptions, parked and quarantined deliveries, a run and its lease, credentials and tokens. */
async function populatedSchool(schoolId: string) {
  const api = await loadHandlers(schoolId);
  assert.equal((await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'c1' }] })).statusCode, 201);
  await api.putOffer(String(PRODUCT), 'off3r', { targets: [{ type: 'course', id: 'c2' }] });
  const post = (body: unknown) => api.postWebhook(typeof body === 'string' ? body : JSON.stringify(body));
  for (let i = 0; i < 3; i++) assert.equal((await post(freshEvent('PURCHASE_APPROVED', { transaction: `HPE${i}`, email: EMAIL, productId: PRODUCT }))).statusCode, 200);
  await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPESUB', email: EMAIL, productId: PRODUCT, subscriberCode: 'SERASE', offerCode: 'off3r' }));
  assert.equal((await post(freshEvent('PURCHASE_APPROVED', { transaction: 'HPEPARK', email: EMAIL, productId: UNMAPPED }))).body.status, 'unmapped');
  assert.equal((await post(JSON.stringify({ id: `q-${schoolId}`, event: 'PURCHASE_APPROVED', version: '9', hottok: TOKEN, data: { buyer: { email: EMAIL } } }))).statusCode, 202);
  const school = (await realDeps().schools.get(schoolId))!;
  const stores = realDeps().storesFor(`${schoolId}#${school.incarnation}`);
  const now = Date.now();
  assert.deepEqual(await stores.runs.start({ id: `run-${schoolId}`, trigger: 'api', status: 'running', from: now - 3_600_000, to: now, startedAt: now, leaseUntil: now + 60_000 }), { started: true });
  assert.equal(await createSchoolCredentialsStore(realDeps().db, config.tables.schools).put(schoolId, { clientId: 'client', sandbox: false, verifiedAt: now, sealed: 'c2VhbGVk' }), 'stored');
  return { api, school, prefix: `S#${schoolId}#${school.incarnation}#` };
}

const itemsOf = async (prefix: string, schoolId: string) =>
  (await scanAllTables()).filter((item) => String(item.pk).startsWith(prefix) || item.pk === `SCHOOL#${schoolId}`);
const tablesOf = (items: Record<string, unknown>[]) => [...new Set(items.map((item) => String(item.table).replace(/^.*-/, '')))].sort();
const snapshot = async (prefix: string, schoolId: string) => JSON.stringify((await itemsOf(prefix, schoolId)).map((item) => JSON.stringify(item)).sort());

/** The worker with its own launcher: the steps it hands over are queued here, for the test to run (or drop). */
function steppedWorker(cacheTtlMs: number) {
  const queue: SchoolErasureJob[] = [];
  const handler = eraseSchoolWorker(
    { eraser: createSchoolEraser(realDeps().db, config.tables, 5), schools: realDeps().schools, launch: async (job) => void queue.push(structuredClone(job)), cacheTtlMs },
    createLogger('erase-school', 'error'),
  );
  // A context with almost no time left: every step erases one page, then hands over the rest.
  const step = (job: unknown) => handler(job, lambdaContext(2)) as Promise<Record<string, any>>;
  return { queue, step };
}

describe('DELETE /schools/{schoolId}: the background erasure', () => {
  it('erases every item the school owned, in every table, and leaves another school byte for byte unchanged', async () => {
    const a = await populatedSchool('erase-a');
    await populatedSchool('erase-b');
    assert.deepEqual(tablesOf(await itemsOf(a.prefix, 'erase-a')), ['enrollments', 'events', 'mappings', 'quarantine', 'reconciliations', 'schools']);
    const before = await snapshot('S#erase-b#', 'erase-b');

    const deleted = await schoolsApi.delete('erase-a');
    assert.equal(deleted.statusCode, 202);
    assert.equal((await schoolsApi.get('erase-a')).statusCode, 404);
    await lambda.idle();

    assert.deepEqual(await itemsOf(a.prefix, 'erase-a'), [], 'items of the deleted school remain');
    assert.ok(lambda.invocations.filter((i) => i.functionName === WORKER).length > 2, 'the erasure went on in chained steps');
    assert.deepEqual(lambda.failures, []);
    assert.equal(await snapshot('S#erase-b#', 'erase-b'), before, 'school B changed');
    // The id is free: creating it again starts an empty school.
    assert.equal((await schoolsApi.put('erase-a')).statusCode, 201);
  });

  it('keeps the tombstone while a warm webhook may still write, and the sweep erases what came late, then the tombstone', async () => {
    const t = await populatedSchool('erase-t');
    const { queue, step } = steppedWorker(60_000);
    lambda.setMode('hold');
    assert.equal((await schoolsApi.delete('erase-t')).statusCode, 202);
    lambda.setMode('run');
    queue.push({ schoolId: 'erase-t', incarnation: t.school.incarnation });
    let last;
    while (queue.length) last = await step(queue.shift());
    assert.equal(last!.step, 'left-for-sweep');
    assert.deepEqual((await itemsOf(t.prefix, 'erase-t')).map((item) => item.pk), ['SCHOOL#erase-t'], 'only the tombstone stays');
    const tombstone = (await itemsOf(t.prefix, 'erase-t'))[0]!;
    assert.equal(tombstone.state, 'deleted');
    assert.ok(!('tokens' in tombstone) && !('credentials' in tombstone), 'token hashes and credentials went with the deletion');

    // A delivery a warm container accepted within its cache window.
    await realDeps().storesFor(`erase-t#${t.school.incarnation}`).quarantine.put({ id: 'late', receivedAt: Date.now(), reason: 'late', contentType: 'application/json', body: '{}' } as never);
    const sweeper = steppedWorker(0);
    assert.deepEqual(await sweeper.step({ sweep: true }), { launched: 1 });
    while (sweeper.queue.length) last = await sweeper.step(sweeper.queue.shift());
    assert.equal(last!.step, 'erased');
    assert.deepEqual(await itemsOf(t.prefix, 'erase-t'), []);
  });

  it('never touches a school created again under the same id while the old one is being erased', async () => {
    const old = await populatedSchool('erase-c');
    const { queue, step } = steppedWorker(0);
    lambda.setMode('hold');
    await schoolsApi.delete('erase-c');
    queue.push({ schoolId: 'erase-c', incarnation: old.school.incarnation });
    for (let i = 0; i < 3; i++) await step(queue.shift());
    const renewed = await populatedSchool('erase-c');
    lambda.setMode('run');
    assert.notEqual(renewed.school.incarnation, old.school.incarnation);
    const before = await snapshot(renewed.prefix, 'erase-c');
    const newItems = (await itemsOf(renewed.prefix, 'erase-c')).length;
    let last;
    while (queue.length) last = await step(queue.shift());
    assert.equal(last!.step, 'erased');
    assert.deepEqual((await itemsOf(old.prefix, 'erase-c')).filter((item) => item.pk !== 'SCHOOL#erase-c'), []);
    assert.equal((await itemsOf(renewed.prefix, 'erase-c')).length, newItems);
    assert.equal(await snapshot(renewed.prefix, 'erase-c'), before, 'the new school changed');
    assert.equal((await schoolsApi.get('erase-c')).statusCode, 200);
  });

  it('resumes an erasure killed midway: a step run twice deletes nothing twice, a lost step is started again by the sweep', async () => {
    const k = await populatedSchool('erase-k');
    const { queue, step } = steppedWorker(0);
    lambda.setMode('hold');
    await schoolsApi.delete('erase-k');
    lambda.setMode('run');
    queue.push({ schoolId: 'erase-k', incarnation: k.school.incarnation });
    for (let i = 0; i < 4; i++) {
      const job = queue.shift();
      await step(job);
      await step(job); // Lambda's retry of a step that died after deleting
      queue.splice(1);
    }
    const left = (await itemsOf(k.prefix, 'erase-k')).length;
    assert.ok(left > 1, 'the erasure was stopped before its end');
    queue.length = 0; // killed: the hand-over never happened
    assert.equal((await step({ sweep: true })).launched >= 1, true);
    let last;
    while (queue.length) last = await step(queue.shift());
    assert.equal(last!.step, 'erased');
    assert.deepEqual(await itemsOf(k.prefix, 'erase-k'), []);
  });
});
