import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CLIENT_ID, startReconciliationStack } from '../helpers/reconciliation.ts';
import { createSchool } from '../helpers/schools.ts';
import { createTestStack, loadHandlers, schoolRoute } from '../helpers/stack.ts';

/**
 * Reconciliation per school: the schedules' fan-out (functions/reconcile-fanout) starts one run
 * per school with credentials, each under its own lease, each reading the fake Hotmart API with
 * that school's own credential (the fake tells credentials apart: each sees its own sales), in
 * steps of a small page of the registry, every step invoking the next through the Lambda stand-in.
 */
const { endpoint, tables } = await createTestStack();
const recon = await startReconciliationStack({ fanOutPageSize: 2 });
const alpha = await loadHandlers('recon-alpha');
const beta = await loadHandlers('recon-beta');
await createSchool('recon-none'); // no credentials: the fan-out skips it
const reconciliations = (await import('../../functions/reconciliations/handler.ts')).handler;
after(() => recon.close());

const BETA = recon.fake.account('beta-client-id-7a1c', 'beta-client-secret-0b9e8d7c');
const DELTA = recon.fake.account('delta-client-id-3f2e', 'delta-client-secret-6a5b4c3d');
await recon.connect('recon-alpha');
await recon.connect('recon-beta', { clientId: BETA.clientId, clientSecret: BETA.clientSecret });

const NOW = Date.now();
const HOUR = 3600_000;
const PRODUCT = 9_700_001; // the same Hotmart product id in every school: unrelated facts
const sale = (transaction: string, email: string) => ({
  product: { id: PRODUCT, name: 'Curso' },
  buyer: { name: 'Comprador', email },
  purchase: { transaction, order_date: NOW - HOUR, approved_date: NOW - HOUR, status: 'APPROVED' },
});

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
const credentialsOf = async (schoolId: string) => (await db.send(new GetCommand({ TableName: tables.SCHOOLS_TABLE!, Key: { pk: `SCHOOL#${schoolId}` } }))).Item?.credentials;

/** A school's runs, newest first, as GET /schools/{schoolId}/reconciliations shows them. */
const runsOf = async (schoolId: string) => (await schoolRoute(schoolId)(reconciliations, 'GET /reconciliations', {}, { query: { limit: '100' } })).body.items as any[];
const emailsOf = async (api: typeof alpha) => ((await api.enrollments({ targetType: 'course', targetId: 'recon-course' })).body.items as any[]).map((item) => item.email).sort();

describe('reconciliation per school: the schedules’ fan-out', () => {
  it('starts one run per school with credentials; each applies only its own sales, read with its own credential; a school without credentials is skipped', async () => {
    for (const api of [alpha, beta]) assert.equal((await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'recon-course' }] })).statusCode, 201);
    recon.fake.sales.push(sale('HPALPHA1', 'alpha.buyer@example.com'));
    BETA.sales.push(sale('HPBETA1', 'beta.buyer@example.com'));

    await recon.fanOut();

    const [alphaRuns, betaRuns, noneRuns] = await Promise.all([runsOf('recon-alpha'), runsOf('recon-beta'), runsOf('recon-none')]);
    for (const runs of [alphaRuns, betaRuns]) {
      assert.equal(runs.length, 1, JSON.stringify(runs));
      assert.equal(runs[0].trigger, 'schedule');
      assert.equal(runs[0].status, 'succeeded', JSON.stringify(runs[0].report));
      assert.deepEqual(runs[0].report.checked.sales, 1, 'each run saw only its own account’s sale');
      assert.equal(runs[0].report.applied.grants, 1);
    }
    assert.deepEqual(noneRuns, [], 'no run for a school without credentials');
    assert.deepEqual(await emailsOf(alpha), ['alpha.buyer@example.com']);
    assert.deepEqual(await emailsOf(beta), ['beta.buyer@example.com']);
    assert.ok(recon.fake.requestsBy(CLIENT_ID) > 0 && recon.fake.requestsBy(BETA.clientId) > 0, 'each school read Hotmart with its own credential');
  });

  it('POST /schools/{schoolId}/reconciliations runs one school’s window with that school’s credentials', async () => {
    const before = { alpha: recon.fake.requestsBy(CLIENT_ID), beta: recon.fake.requestsBy(BETA.clientId) };
    const started = await schoolRoute('recon-beta')(reconciliations, 'POST /reconciliations', {}, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: new Date(NOW - 3 * HOUR).toISOString(), to: new Date().toISOString() }) });
    assert.equal(started.statusCode, 202, started.rawBody);
    await recon.idle();
    const [run] = await runsOf('recon-beta');
    assert.equal(run.id, started.body.id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.report));
    assert.equal(run.report.checked.sales, 1);
    assert.equal(run.report.alreadyKnown, 1, 'its own sale, applied by the scheduled run');
    assert.ok(recon.fake.requestsBy(BETA.clientId) > before.beta);
    assert.equal(recon.fake.requestsBy(CLIENT_ID), before.alpha, 'no request with another school’s credential');
    assert.equal((await runsOf('recon-alpha')).length, 1, 'no run in another school');
  });

  it('a credential Hotmart refuses fails that school’s run and sets its lastError, the other schools’ runs succeed; the next token clears it', async () => {
    await createSchool('recon-delta');
    await recon.connect('recon-delta', { clientId: DELTA.clientId, clientSecret: DELTA.clientSecret });
    DELTA.rotateSecret('rotated-in-hotmart-only');

    await recon.fanOut();

    const [delta] = await runsOf('recon-delta');
    assert.equal(delta.status, 'failed');
    assert.ok(delta.report.errors.some((error: { message: string }) => /401/.test(error.message)), JSON.stringify(delta.report.errors));
    const refused = await credentialsOf('recon-delta');
    assert.equal(refused.lastError, 'Hotmart refused the credential: 401 unauthorized');
    assert.ok(!/secret|rotated/.test(refused.lastError));
    for (const schoolId of ['recon-alpha', 'recon-beta']) {
      const [latest] = await runsOf(schoolId);
      assert.equal(latest.status, 'succeeded', `${schoolId}: ${JSON.stringify(latest.report)}`);
    }
    assert.equal((await credentialsOf('recon-alpha')).lastError, undefined);

    DELTA.rotateSecret(); // the school's stored credential works again
    await recon.fanOut();
    assert.equal((await runsOf('recon-delta'))[0].status, 'succeeded');
    assert.equal((await credentialsOf('recon-delta')).lastError, undefined, 'cleared on the next token Hotmart issues');
  });

  it('steps through the registry a page at a time and reaches every school with credentials', async () => {
    const extra = ['recon-e1', 'recon-e2', 'recon-e3', 'recon-e4'];
    for (const schoolId of extra) {
      await createSchool(schoolId);
      await recon.connect(schoolId);
    }
    const stepsBefore = recon.invocations.filter((call) => call.functionName.endsWith('fanout')).length;

    const first = await recon.fanOut();

    assert.equal(first.continued, true, 'the first step handed the rest to the next');
    const steps = recon.invocations.filter((call) => call.functionName.endsWith('fanout')).length - stepsBefore;
    assert.ok(steps >= 3, `8 schools in pages of 2: at least 3 more steps, got ${steps}`);
    for (const schoolId of ['recon-alpha', 'recon-beta', 'recon-delta', ...extra]) {
      const runs = await runsOf(schoolId);
      assert.ok(runs.length >= 1 && runs[0].status === 'succeeded', `${schoolId}: ${JSON.stringify(runs[0])}`);
    }
    for (const schoolId of extra) assert.equal((await runsOf(schoolId)).length, 1, `${schoolId}: one run`);
    assert.deepEqual(await runsOf('recon-none'), []);
  });
});
