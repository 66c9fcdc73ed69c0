import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { after, describe, it } from 'node:test';
import { createHotmartApi } from '#lib/adapters/hotmart/api-client.ts';
import { executeRun, startRun } from '#lib/services/reconciliation-runs.ts';
import { reconcileWindow } from '#lib/services/reconcile.ts';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';
import { CLIENT_ID, CLIENT_SECRET, clientFor, startReconciliationStack } from '../helpers/reconciliation.ts';
import { captureLogs, createTestStack, fixtureJson, freshEvent, loadHandlers, scanAllTables } from '../helpers/stack.ts';
import { storesOf } from '../helpers/schools.ts';

/**
 * Reconciliation end to end: `POST /reconciliations` and the hourly schedule, the runner reading
 * the fake Hotmart API (scripts/fake-hotmart-api.ts) through the real client, and everything
 * applied on DynamoDB Local through the webhook's code path.
 */
await createTestStack();
const recon = await startReconciliationStack({ pageSize: 2 });
const api = await loadHandlers();
await recon.connect(api.schoolId);
const deps = await storesOf(api.schoolId);

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const GRACE = 3 * DAY; // the default policy's graceDays
const iso = (ms: number) => new Date(ms).toISOString();
const lastDays = { from: iso(NOW - 3 * DAY), to: iso(NOW) };

const sale = (product: number, transaction: string, email: string, status: string, orderDate: number, extra: Record<string, unknown> = {}) => ({
  product: { id: product, name: 'Curso' },
  buyer: { name: 'Comprador', email },
  purchase: { transaction, order_date: orderDate, approved_date: orderDate, status, ...extra },
});

const subscription = (product: number, code: string, status: string, dates: { accession: number; nextCharge: number; ended?: number }) => ({
  subscriber_code: code,
  subscription_id: Math.floor(Math.random() * 1e6),
  status,
  accession_date: dates.accession,
  date_next_charge: dates.nextCharge,
  ...(dates.ended !== undefined ? { end_accession_date: dates.ended } : {}),
  trial: false,
  transaction: `HP${code}1`,
  plan: { name: 'Mensal', id: 845120, recurrency_period: 30 },
  product: { id: product, name: 'Assinatura', ucode: 'u-1' },
  price: { value: 49.9, currency_code: 'BRL' },
  subscriber: { name: 'Assinante', email: `${code.toLowerCase()}@example.com`, ucode: `u-${code}` },
});

async function webhook(body: unknown) {
  const response = await api.postWebhook(JSON.stringify(body));
  assert.equal(response.statusCode, 200, JSON.stringify(response.body));
  return response.body;
}

/** A run through the API, awaited to its end: the stored run as GET /reconciliations/{id} shows it. */
async function run(window: unknown = lastDays) {
  const started = await recon.start(window);
  assert.equal(started.statusCode, 202, JSON.stringify(started.body));
  assert.equal(started.headers.location, `/schools/${api.schoolId}/reconciliations/${started.body.id}`);
  await recon.idle();
  const stored = await recon.get(started.body.id);
  assert.equal(stored.statusCode, 200);
  return stored.body;
}

type Seen = { hasAccess: boolean; status: string; accessUntil: string | null };
async function seen(email: string): Promise<Seen | undefined> {
  const { body } = await api.enrollments({ email });
  const [item] = body.items;
  return item && { hasAccess: item.hasAccess, status: item.status, accessUntil: item.accessUntil };
}

describe('reconciliation through POST /reconciliations and the schedule', () => {
  after(() => recon.close());

  it('grants lost purchases and revokes lost refunds and chargebacks; late webhooks and repeated runs change nothing', async () => {
    const P = 9_600_001;
    await api.putMapping(String(P), { targets: [{ type: 'course', id: 'recon-onetime' }] });
    const at = (hoursAgo: number) => NOW - hoursAgo * HOUR;
    // Webhooks that did arrive: approvals of the sales that were later refunded, charged back, completed, or simply known.
    for (const [transaction, email, hoursAgo] of [['HPR2', 'r.refund@example.com', 50], ['HPR3', 'r.chargeback@example.com', 40], ['HPR4', 'r.complete@example.com', 30], ['HPR5', 'r.known@example.com', 20]] as const) {
      await webhook(freshEvent('PURCHASE_APPROVED', { transaction, email, productId: P, creationDate: at(hoursAgo) }));
    }
    assert.equal((await seen('r.refund@example.com'))?.hasAccess, true);
    recon.fake.sales.push(
      sale(P, 'HPR1', 'r.lost@example.com', 'APPROVED', at(60)),
      sale(P, 'HPR2', 'r.refund@example.com', 'REFUNDED', at(50)),
      sale(P, 'HPR3', 'r.chargeback@example.com', 'CHARGEBACK', at(40)),
      sale(P, 'HPR4', 'r.complete@example.com', 'COMPLETE', at(30)),
      sale(P, 'HPR5', 'r.known@example.com', 'APPROVED', at(20)),
      sale(P, 'HPR6', 'r.unknown.cancel@example.com', 'CANCELLED', at(10)),
      sale(9_600_999, 'HPR7', 'r.unmapped@example.com', 'APPROVED', at(5)),
      sale(P, 'HPR8', 'r.billet@example.com', 'PRINTED_BILLET', at(4)), // never asked for: changes no access
      sale(P, 'HPR9', 'r.too.old@example.com', 'APPROVED', at(80)), // outside the window
    );

    const first = await run();
    assert.equal(first.status, 'succeeded', JSON.stringify(first.report));
    assert.equal(first.trigger, 'api');
    assert.deepEqual(first.report.checked, { sales: 7, subscriptions: 0 });
    assert.deepEqual(first.report.applied, { grants: 1, revocations: 2, other: 2 }, 'other: HPR4 completed, HPR6 (never approved) recorded as cancelled');
    assert.equal(first.report.alreadyKnown, 1, 'HPR5');
    assert.deepEqual(first.report.skipped, { unmapped: 1, unmappedProducts: ['9600999'], other: 0, reasons: {} });
    assert.deepEqual(first.report.errors, []);

    assert.equal((await seen('r.lost@example.com'))?.hasAccess, true);
    // An operator can tell where the access came from.
    const lastEventId = (await api.enrollments({ email: 'r.lost@example.com' })).body.items[0].lastEventId;
    const recovered = (await api.event(lastEventId)).body;
    assert.deepEqual([recovered.source, recovered.version, recovered.event, recovered.transaction], ['reconciliation', 'api', 'PURCHASE_APPROVED', 'HPR1']);
    // Which students the run granted and revoked: the events it applied, each naming its buyer.
    const buyersOf = async (ids: string[]) => Promise.all(ids.map(async (id) => (await api.event(id)).body.buyerEmail)).then((emails) => emails.sort());
    assert.deepEqual(await buyersOf(first.report.changes.grants), ['r.lost@example.com']);
    assert.deepEqual(await buyersOf(first.report.changes.revocations), ['r.chargeback@example.com', 'r.refund@example.com']);
    assert.equal((await seen('r.refund@example.com'))?.hasAccess, false);
    assert.equal((await seen('r.chargeback@example.com'))?.hasAccess, false);
    assert.equal((await seen('r.complete@example.com'))?.hasAccess, true);
    assert.equal(await seen('r.too.old@example.com'), undefined);
    assert.equal(await seen('r.billet@example.com'), undefined);

    // Webhooks that arrive after the run are duplicates of what it applied.
    for (const [name, transaction, email] of [['PURCHASE_APPROVED', 'HPR1', 'r.lost@example.com'], ['PURCHASE_REFUNDED', 'HPR2', 'r.refund@example.com']] as const) {
      const late = await webhook(freshEvent(name, { transaction, email, productId: P }));
      assert.equal(late.status, 'duplicate', `${name} ${transaction}`);
    }
    assert.equal((await seen('r.refund@example.com'))?.hasAccess, false);

    // The same window again applies nothing new.
    const again = await run();
    assert.equal(again.status, 'succeeded');
    assert.deepEqual(again.report.applied, { grants: 0, revocations: 0, other: 0 });
    assert.deepEqual(again.report.changes, { grants: [], revocations: [] });
    assert.equal(again.report.alreadyKnown, 7, 'all seven, the unmapped one still waiting for its mapping');

    // Mapping the unmapped product applies the purchase the run found, as for a webhook.
    const mapped = await api.putMapping('9600999', { targets: [{ type: 'course', id: 'recon-late-mapping' }] });
    assert.equal(mapped.body.appliedEvents, 1);
    assert.equal((await seen('r.unmapped@example.com'))?.hasAccess, true);
  });

  it('subscriptions: applies lost charges, renewals, refunds, delays and cancellations, and agrees with Hotmart afterwards', async () => {
    const P = 9_600_002;
    recon.fake.sales.length = 0; // this test's Hotmart knows only these subscribers
    await api.putMapping(String(P), { targets: [{ type: 'plan', id: 'recon-mensal' }] });
    const code = (n: number) => `RSUB${n}${String(NOW).slice(-4)}`;
    const email = (n: number) => `${code(n).toLowerCase()}@example.com`;
    const charge = (n: number, recurrence: number, created: number, nextCharge: number) => {
      const body = freshEvent('PURCHASE_APPROVED', { transaction: `HP${code(n)}${recurrence}`, email: email(n), productId: P, creationDate: created, subscriberCode: code(n) });
      Object.assign(body.data.purchase, { recurrence_number: recurrence, date_next_charge: nextCharge });
      return body;
    };
    const subCharge = (n: number, recurrence: number, status: string, orderDate: number) =>
      sale(P, `HP${code(n)}${recurrence}`, email(n), status, orderDate, { is_subscription: true, recurrency_number: recurrence });

    // 1: the first charge's webhook was lost.
    recon.fake.sales.push(subCharge(1, 1, 'APPROVED', NOW - 10 * HOUR));
    recon.fake.subscriptions.push(subscription(P, code(1), 'ACTIVE', { accession: NOW - 10 * HOUR, nextCharge: NOW + 30 * DAY }));
    // 2: a renewal's webhook was lost; access had lapsed.
    await webhook(charge(2, 1, NOW - 40 * DAY, NOW - 10 * DAY));
    recon.fake.sales.push(subCharge(2, 2, 'APPROVED', NOW - 20 * HOUR));
    recon.fake.subscriptions.push(subscription(P, code(2), 'ACTIVE', { accession: NOW - 40 * DAY, nextCharge: NOW + 20 * DAY }));
    // 3: the cancellation's webhook was lost.
    await webhook(charge(3, 1, NOW - 20 * DAY, NOW + 10 * DAY));
    recon.fake.subscriptions.push(subscription(P, code(3), 'CANCELLED_BY_CUSTOMER', { accession: NOW - 20 * DAY, nextCharge: NOW + 10 * DAY, ended: NOW - 5 * HOUR }));
    // 4: the renewal fell due two days ago and the delay's webhook was lost.
    await webhook(charge(4, 1, NOW - 32 * DAY, NOW - 2 * DAY));
    recon.fake.subscriptions.push(subscription(P, code(4), 'DELAYED', { accession: NOW - 32 * DAY, nextCharge: NOW - 2 * DAY }));
    // 5: a renewal was refunded and only the API knows.
    await webhook(charge(5, 1, NOW - 32 * DAY, NOW - 2 * DAY));
    await webhook(charge(5, 2, NOW - 2 * DAY, NOW + 28 * DAY));
    recon.fake.sales.push(subCharge(5, 2, 'REFUNDED', NOW - 2 * DAY));
    recon.fake.subscriptions.push(subscription(P, code(5), 'ACTIVE', { accession: NOW - 32 * DAY, nextCharge: NOW + 28 * DAY }));

    assert.deepEqual((await seen(email(2)))?.hasAccess, false, 'lapsed before the run');
    assert.deepEqual((await seen(email(4)))?.hasAccess, true, 'still in its grace days before the run');

    const first = await run();
    assert.equal(first.status, 'succeeded', JSON.stringify(first.report));
    assert.deepEqual(first.report.checked, { sales: 3, subscriptions: 5 });
    assert.deepEqual(first.report.applied, { grants: 2, revocations: 2, other: 1 }, 'grants: 1, 2; revocations: 4, 5; other: 3 cancelled');
    // Hotmart still lists 5 as ACTIVE: a refund recorded here is not undone, and the report says so.
    assert.deepEqual(first.report.skipped.reasons, { 'Hotmart reports ACTIVE a subscription revoked here': 1 });
    assert.deepEqual(first.report.errors, []);

    assert.deepEqual(await seen(email(1)), { hasAccess: true, status: 'active', accessUntil: iso(NOW + 30 * DAY + GRACE) });
    assert.deepEqual(await seen(email(2)), { hasAccess: true, status: 'active', accessUntil: iso(NOW + 20 * DAY + GRACE) });
    assert.deepEqual(await seen(email(3)), { hasAccess: true, status: 'cancelled', accessUntil: iso(NOW + 10 * DAY) });
    assert.deepEqual(await seen(email(4)), { hasAccess: false, status: 'suspended', accessUntil: iso(NOW - 2 * DAY + GRACE) });
    assert.equal((await seen(email(5)))?.hasAccess, false);
    assert.equal((await seen(email(5)))?.status, 'revoked');

    // Agreed with Hotmart: the same window again, and the hourly schedule, apply nothing.
    const again = await run();
    assert.deepEqual(again.report.applied, { grants: 0, revocations: 0, other: 0 });
    const scheduled = await recon.scheduled();
    assert.equal(scheduled.executed, true);
    const latest = (await recon.list({ limit: '1' })).body.items[0];
    assert.equal(latest.id, scheduled.runId);
    assert.equal(latest.trigger, 'schedule');
    assert.equal(Date.parse(latest.to) - Date.parse(latest.from), 72 * HOUR, 'the schedule covers the last 72 hours');
    // The daily schedule's input widens the window.
    const daily = await recon.scheduled(900_000, { windowHours: 720 });
    const wide = (await recon.get(daily.runId as string)).body;
    assert.equal(Date.parse(wide.to) - Date.parse(wide.from), 720 * HOUR);
    assert.deepEqual(wide.report.applied, { grants: 0, revocations: 0, other: 0 });
    assert.deepEqual(latest.report.applied, { grants: 0, revocations: 0, other: 0 });

    // Late webhooks: the lost first charge is a duplicate; the lost cancellation changes nothing.
    assert.equal((await webhook(charge(1, 1, NOW - 10 * HOUR, NOW + 30 * DAY))).status, 'duplicate');
    const cancel = fixtureJson('SUBSCRIPTION_CANCELLATION');
    Object.assign(cancel, { id: randomUUID(), creation_date: NOW - 5 * HOUR });
    Object.assign(cancel.data, { date_next_charge: NOW + 10 * DAY, cancellation_date: NOW - 5 * HOUR - 1000 });
    Object.assign(cancel.data.subscriber, { code: code(3), email: email(3) });
    cancel.data.product.id = P;
    await webhook(cancel);
    assert.deepEqual(await seen(email(3)), { hasAccess: true, status: 'cancelled', accessUntil: iso(NOW + 10 * DAY) });
  });

  it('pages through many pages, renews an expired token, waits out 429s and splits windows on 502', async (t) => {
    const hostile = await startFakeHotmartApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, pageSize: 2, rateLimitEvery: 4, maxWindowMs: DAY, tokenRequestsLimit: 6 });
    const client = clientFor(hostile);
    try {
      const P = 9_600_003;
      await api.putMapping(String(P), { targets: [{ type: 'course', id: 'recon-many' }] });
      for (let i = 0; i < 30; i++) hostile.sales.push(sale(P, `HPMANY${i}`, `many.${i}@example.com`, i % 10 === 9 ? 'REFUNDED' : 'APPROVED', NOW - (i * 2 + 1) * HOUR));
      const window = { from: NOW - 3 * DAY, to: NOW };
      const report = await reconcileWindow(window, client, deps);
      assert.deepEqual(report.errors, []);
      assert.equal(report.checked.sales, 30);
      assert.equal(report.applied.grants, 27);
      assert.equal(report.skipped.other, 0);
      assert.ok(hostile.stats.tooWide > 0, '502s answered and split');
      assert.ok(hostile.stats.rateLimited > 0, '429s answered and waited out');
      assert.ok(hostile.stats.expired > 0 && hostile.stats.tokenRequests > 1, 'a token expired mid-run and was renewed');
      t.diagnostic(`fake Hotmart API: ${JSON.stringify(hostile.stats)}`);
      const access = await Promise.all(Array.from({ length: 30 }, (_, i) => seen(`many.${i}@example.com`)));
      assert.equal(access.filter((a) => a?.hasAccess === false).length, 3, 'the three refunds of unknown sales are recorded and grant nothing');
      assert.equal(access.filter((a) => a?.hasAccess).length, 27);
      const again = await reconcileWindow(window, client, deps);
      assert.deepEqual(again.applied, { grants: 0, revocations: 0, other: 0 });
      assert.equal(again.alreadyKnown, 30);
    } finally {
      await hostile.close();
    }
  });

  it('never overlaps runs: a second start is refused while one holds the lease, and a crashed run can simply run again', async () => {
    // A run that holds the lease and whose runner died at once (it never reports).
    const crashed = await startRun({ from: NOW - DAY, to: NOW }, 'api', 300, deps);
    assert.ok(crashed.started);
    const refused = await recon.start(lastDays);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.body.error.code, 'RECONCILIATION.IN_PROGRESS');
    assert.equal(refused.body.error.run.id, crashed.run.id);
    assert.equal((await recon.scheduled()).executed, false, 'the hourly run skips too');
    assert.equal((await recon.get(crashed.run.id)).body.status, 'running');

    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await recon.get(crashed.run.id)).body.status, 'abandoned', 'its lease expired');
    assert.equal((await recon.invokeRunner({ schoolId: api.schoolId, runId: crashed.run.id })).executed, false, 'a late retry of the dead run does not run it');
    const rerun = await run({ from: iso(NOW - DAY), to: iso(NOW) });
    assert.equal(rerun.status, 'succeeded');

    // Two starts at the same moment: exactly one wins.
    const both = await Promise.all([recon.start(lastDays), recon.start(lastDays)]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [202, 409]);
    await recon.idle();
  });

  it('executes a run once, however often its runner is invoked, and never hides an overlap', async () => {
    // Lambda may deliver one asynchronous invocation twice: only one claims the run.
    recon.setMode('hold');
    const started = await recon.start(lastDays);
    assert.equal(started.statusCode, 202);
    recon.setMode('run');
    const invocations = await Promise.all([recon.invokeRunner({ schoolId: api.schoolId, runId: started.body.id }), recon.invokeRunner({ schoolId: api.schoolId, runId: started.body.id })]);
    assert.deepEqual(invocations.map((i) => i.executed).sort(), [false, true]);
    assert.equal((await recon.get(started.body.id)).body.status, 'succeeded');
    assert.equal((await recon.invokeRunner({ schoolId: api.schoolId, runId: started.body.id })).executed, false, 'a retry after the end does nothing');

    // A run that outlives its lease: another run takes over, and the late finish keeps the report but not the status.
    const slow = await startRun({ from: NOW - DAY, to: NOW }, 'api', 60_000, deps);
    assert.ok(slow.started);
    assert.equal(await deps.runs.claim(slow.run.id, 'slow-runner', Date.now(), Date.now() + 200), true);
    assert.equal(await deps.runs.claim(slow.run.id, 'other-runner', Date.now(), Date.now() + 200), false, 'claimed once');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const takeover = await recon.scheduled();
    assert.equal(takeover.executed, true);
    const report = { ...(await recon.get(takeover.runId as string)).body.report };
    await deps.runs.finish(slow.run.id, 'slow-runner', 'succeeded', report, Date.now());
    const late = (await recon.get(slow.run.id)).body;
    assert.equal(late.status, 'abandoned');
    assert.equal(late.lateFinish, true);
    assert.deepEqual(late.report, report);
    assert.equal((await run()).status, 'succeeded', 'and the lease is not left with the late run');
  });

  it('stops at its deadline, even in the middle of a rate-limit wait, and says so', async () => {
    const slow = await startFakeHotmartApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rateLimitEvery: 1, rateLimitResetSeconds: 30 });
    try {
      const client = clientFor(slow);
      const began = Date.now();
      const report = await reconcileWindow({ from: NOW - DAY, to: NOW }, client, deps, { deadline: began + 300 });
      assert.ok(Date.now() - began < 2000, `took ${Date.now() - began} ms`);
      assert.deepEqual(report.errors.map((e) => e.scope), ['run']);
      assert.match(report.errors[0]!.message, /time limit/);
    } finally {
      await slow.close();
    }
  });

  it('asks for disputes under the other spelling when Hotmart refuses one', async () => {
    const protested = await startFakeHotmartApi({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      transactionStatuses: ['APPROVED', 'COMPLETE', 'CANCELLED', 'REFUNDED', 'CHARGEBACK', 'PROTESTED'],
    });
    try {
      const P = 9_600_004;
      await api.putMapping(String(P), { targets: [{ type: 'course', id: 'recon-dispute' }], policy: { onDispute: 'suspend' } });
      await webhook(freshEvent('PURCHASE_APPROVED', { transaction: 'HPDISP1', email: 'r.dispute@example.com', productId: P, creationDate: NOW - 5 * HOUR }));
      protested.sales.push(sale(P, 'HPDISP1', 'r.dispute@example.com', 'PROTESTED', NOW - 5 * HOUR));
      const client = clientFor(protested);
      const report = await reconcileWindow({ from: NOW - DAY, to: NOW }, client, deps);
      assert.deepEqual(report.errors, []);
      assert.equal(report.applied.revocations, 1);
      assert.deepEqual(await seen('r.dispute@example.com'), { hasAccess: false, status: 'suspended', accessUntil: null });
    } finally {
      await protested.close();
    }
  });

  it('reports a run that cannot start or cannot reach Hotmart, and releases the lease', async () => {
    recon.setMode('refuse');
    const refused = await recon.start(lastDays);
    recon.setMode('run');
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.body.error.code, 'RECONCILIATION.NOT_STARTED');
    const failed = (await recon.list({ limit: '1' })).body.items[0];
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.report.errors, [{ scope: 'run', message: 'the runner could not be started' }]);

    // Wrong credentials: the run fails and says why, without the secret.
    const wrong = clientFor(recon.fake, { clientSecret: 'not-the-secret', basic: 'bm90LXRoZS1zZWNyZXQ=' });
    const started = await startRun({ from: NOW - DAY, to: NOW }, 'api', 60_000, deps);
    assert.ok(started.started);
    const finished = (await executeRun(started.run, { ...deps, hotmart: async () => wrong }, { executor: 'test', leaseMs: 60_000 }))!;
    assert.equal(finished.status, 'failed');
    assert.ok(finished.report!.errors.length > 0);
    assert.ok(finished.report!.errors.every((e) => /401/.test(e.message) && !/not-the-secret|bm90LXRoZS1zZWNyZXQ/.test(e.message)), JSON.stringify(finished.report!.errors));

    // The lease is free again.
    assert.equal((await run()).status, 'succeeded');
  });

  it('keeps no piece of a Hotmart answer in the report: status and error type at most', async () => {
    const MARKER = 'ANSWER-BODY-5d1e';
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      if (request.method === 'POST') {
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ access_token: 'stub-token', expires_in: 3600 }));
      }
      const status = url.searchParams.get('transaction_status');
      if (status === 'APPROVED') {
        response.writeHead(200, { 'content-type': 'text/html' });
        return response.end(`<html><body>${MARKER}: buyer maria@example.com</body></html>`);
      }
      if (status === 'REFUNDED') {
        response.writeHead(500, { 'content-type': 'text/html' });
        return response.end(`<pre>${MARKER} stack trace</pre>`);
      }
      if (status === 'CHARGEBACK') {
        response.writeHead(400, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ error: `${MARKER} is wrong`, error_description: MARKER }));
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(url.pathname.endsWith('/subscriptions') ? `{"items":[${MARKER}` : JSON.stringify({ items: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const client = createHotmartApi({ credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, basic: 'b' }, tokenUrl: `${base}/token`, apiUrl: base, maxAttempts: 1 });
      const started = await startRun({ from: NOW - DAY, to: NOW }, 'api', 60_000, deps);
      assert.ok(started.started);
      await executeRun(started.run, { ...deps, hotmart: async () => client }, { executor: 'test', leaseMs: 60_000 });
      const stored = (await recon.get(started.run.id)).body;
      assert.equal(stored.status, 'failed');
      const messages = Object.fromEntries(stored.report.errors.map((e: { scope: string; message: string }) => [e.scope, e.message]));
      assert.equal(messages['sales APPROVED'], 'Hotmart API answered 200 (not JSON: text/html)');
      assert.equal(messages['sales REFUNDED'], 'Hotmart API answered 500');
      assert.equal(messages['sales CHARGEBACK'], 'Hotmart API answered 400');
      assert.equal(messages['subscriptions started'], 'Hotmart API answered 200 (unreadable JSON)');
      assert.ok(!JSON.stringify(await scanAllTables()).includes(MARKER), 'no piece of an answer stored');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a bad window with the reason, and lists runs newest first, page by page', async () => {
    const cases: [unknown, string][] = [
      [{}, 'from'],
      [{ from: 'yesterday' }, 'from'],
      [{ from: iso(NOW), to: iso(NOW - DAY) }, 'from'],
      [{ from: iso(NOW - 90 * DAY), to: iso(NOW) }, 'from'],
      [{ from: iso(NOW - DAY), to: iso(NOW + 10 * DAY) }, 'to'],
      [{ from: iso(NOW - DAY), extra: true }, ''],
    ];
    for (const [body, field] of cases) {
      const response = await recon.start(body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.body.error.code, 'REQUEST.INVALID');
      if (field) assert.ok(response.body.error.issues.some((i: { field: string }) => i.field === field), JSON.stringify(response.body));
    }
    assert.equal((await recon.start('{not json')).statusCode, 400);
    assert.equal((await recon.get('r-20990101T000000000Z-00000000')).statusCode, 404);
    assert.equal((await recon.get('nope')).statusCode, 400);

    const first = await recon.list({ limit: '2' });
    assert.equal(first.statusCode, 200);
    assert.equal(first.body.items.length, 2);
    const second = await recon.list({ limit: '2', cursor: first.body.nextCursor });
    const ids = [...first.body.items, ...second.body.items].map((r: { id: string }) => r.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');
    assert.equal(new Set(ids).size, ids.length);
  });

  it('never logs or stores the credentials or the access token', async () => {
    const lines = await captureLogs(async () => {
      await run();
      await recon.scheduled();
      // The secret rotated in Hotmart but not here: the run fails, and says so without quoting anything.
      recon.fake.rotateSecret('rotated-secret-1234567890');
      const failed = await run();
      recon.fake.rotateSecret();
      assert.equal(failed.status, 'failed');
      assert.match(failed.report.errors[0].message, /401/);
      await recon.invokeRunner({ schoolId: api.schoolId, runId: failed.id }); // refused: already finished
    });
    assert.ok(lines.some((line) => line.includes('"level":"WARN"') && line.includes('reconciliation finished')), 'the failed run was logged');
    assert.ok(lines.some((line) => line.includes('reconciliation finished')), 'the runner logged its runs');
    const secrets = [CLIENT_ID, CLIENT_SECRET, recon.fake.basic, ...recon.fake.issuedTokens()];
    assert.ok(recon.fake.issuedTokens().length > 0);
    const stored = JSON.stringify(await scanAllTables());
    for (const secret of secrets) {
      assert.ok(!lines.some((line) => line.includes(secret)), 'a credential or token in the logs');
      // The client id is an identifier the school's registry item shows (GET …/hotmart-credentials); the rest never is stored.
      if (secret !== CLIENT_ID) assert.ok(!stored.includes(secret), 'a credential or token in a table');
    }
  });
});
