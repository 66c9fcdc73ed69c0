import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { readServerlessYml } from '../../scripts/local/tables.ts';
import { createTestStack, fixture, freshEvent, lambdaContext, route } from '../helpers/stack.ts';

/**
 * Each function's role must grant exactly the DynamoDB actions its code issues: fewer and it
 * fails in AWS (DynamoDB Local enforces no IAM), more and it is not least privilege. The actions
 * are recorded from every DynamoDB call while each function serves all of its routes.
 */
const { tables } = await createTestStack();
const TABLES: Record<string, string> = Object.fromEntries(Object.entries(tables).map(([envVar, name]) => [name, envVar.replace(/_TABLE$/, '').toLowerCase()]));

const used: Record<string, Set<string>> = {};
let serving = '';
const record = (action: string, table: string, index?: string) => {
  (used[serving] ??= new Set()).add(`${TABLES[table] ?? table}${index ? '/index' : ''}:${action}`);
};
const TRANSACT_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
const original = DynamoDBDocumentClient.prototype.send;
DynamoDBDocumentClient.prototype.send = function (this: DynamoDBDocumentClient, command: any, ...rest: any[]) {
  const name: string = command.constructor.name.replace(/Command$/, '');
  const input = command.input;
  if (name === 'TransactWrite') {
    for (const item of input.TransactItems) {
      const [kind, request] = Object.entries(item)[0] as [string, { TableName: string }];
      record(TRANSACT_ACTIONS[kind]!, request.TableName);
    }
  } else if (name === 'BatchGet') {
    for (const table of Object.keys(input.RequestItems)) record('BatchGetItem', table);
  } else {
    record({ Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Query: 'Query', Scan: 'Scan' }[name] ?? name, input.TableName, input.IndexName);
  }
  return (original as any).call(this, command, ...rest);
} as typeof original;

const { loadHandlers } = await import('../helpers/stack.ts');
const { schoolsApi, storesOf } = await import('../helpers/schools.ts');
const api = await loadHandlers();
const applyParked = (await import('../../functions/apply-parked/handler.ts')).handler;
const { startReconciliationStack } = await import('../helpers/reconciliation.ts');
const recon = await startReconciliationStack();
const credentials = (await import('../../functions/credentials/handler.ts')).handler;
const { createSchool } = await import('../helpers/schools.ts');
const { CLIENT_ID, CLIENT_SECRET } = await import('../helpers/reconciliation.ts');
let brokenId = '';
let purchaseId = '';
const as = async <T>(fn: string, work: () => Promise<T>) => {
  serving = fn;
  try {
    return await work();
  } finally {
    serving = '';
  }
};

/** Granted DynamoDB actions per function, read from serverless.yml (the template test checks it packages the same). */
function granted(): Record<string, Set<string>> {
  const yml = readServerlessYml();
  const out: Record<string, Set<string>> = {};
  for (const [fn, definition] of Object.entries<any>(yml.functions)) {
    const role = yml.resources.Resources[definition.role];
    const grants = new Set<string>();
    for (const statement of role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)) {
      for (const resource of [statement.Resource].flat()) {
        const text = JSON.stringify(resource);
        const table = /"?(\w+)Table[."]/.exec(text)?.[1];
        if (!table) continue;
        for (const action of [statement.Action].flat()) grants.add(`${table.toLowerCase()}${text.includes('/index/') ? '/index' : ''}:${action.replace('dynamodb:', '')}`);
      }
    }
    out[fn] = grants;
  }
  return out;
}

describe('least privilege, from what each function does', () => {
  it('grants each function exactly the DynamoDB actions it issues while serving every route', async () => {
    await as('schools', async () => {
      await schoolsApi.put('iam-school', { name: 'IAM' });
      await schoolsApi.put('iam-school', { name: 'IAM renamed' });
      await schoolsApi.get('iam-school');
      await schoolsApi.list();
      await schoolsApi.putToken('iam-school', 'iam-token-1');
      await schoolsApi.putToken('iam-school', 'iam-token-2');
      await schoolsApi.dropPrevious('iam-school');
      await schoolsApi.delete('iam-school');
      await schoolsApi.put('iam-school', { name: 'IAM again' }); // a creation over the tombstone
    });
    await as('mappings', async () => {
      await api.putMapping('9400001', { targets: [{ type: 'course', id: 'iam' }] });
      await api.putOffer('9400001', 'vip', { targets: [{ type: 'class', id: 'iam-vip' }] });
      await api.getMapping('9400001');
      await api.getOffer('9400001', 'vip');
      await api.listMappings();
      await api.deleteOffer('9400001', 'vip');
    });
    await as('webhook', async () => {
      for (const name of ['PURCHASE_APPROVED', 'PURCHASE_APPROVED.subscription-renewal', 'PURCHASE_COMPLETE', 'PURCHASE_DELAYED', 'PURCHASE_REFUNDED', 'PURCHASE_CANCELED', 'SUBSCRIPTION_CANCELLATION', 'SWITCH_PLAN', 'CLUB_FIRST_ACCESS']) {
        await api.postWebhook(fixture(`${name}.json`));
      }
      const purchase = freshEvent('PURCHASE_APPROVED', { transaction: 'HPIAM1', email: 'iam@example.com', productId: 9400001 });
      purchaseId = purchase.id;
      await api.postWebhook(JSON.stringify(purchase));
      await api.postWebhook(JSON.stringify(purchase));
      await api.postWebhook(JSON.stringify({ ...purchase, id: 'iam-copy' }));
      await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPIAM1', email: 'iam@example.com', productId: 9400001 })));
      // Two purchases wait for a mapping; one of them is refunded meanwhile.
      await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPIAM2', email: 'iam@example.com', productId: 9400002 })));
      await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPIAM4', email: 'iam@example.com', productId: 9400002 })));
      await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_REFUNDED', { transaction: 'HPIAM2', email: 'iam@example.com', productId: 9400002 })));
      brokenId = (await api.postWebhook('{"id":"broken", "email": "iam@example.com"')).body.quarantineId;
      // A subscription's charges and a one-time purchase (refunded meanwhile) wait for the mapping of 9400003.
      for (const [name, overrides] of [
        ['PURCHASE_APPROVED', { subscriberCode: 'IAMBG1', transaction: 'HPIAMBG1' }],
        ['PURCHASE_APPROVED.subscription-renewal', { subscriberCode: 'IAMBG1', transaction: 'HPIAMBG2' }],
        ['PURCHASE_APPROVED', { transaction: 'HPIAMBG3' }],
        ['PURCHASE_REFUNDED', { transaction: 'HPIAMBG3' }],
      ] as const) {
        await api.postWebhook(JSON.stringify(freshEvent(name, { ...overrides, email: 'iam.bg@example.com', productId: 9400003 })));
      }
    });
    // The background worker, as the asynchronous invocation a mapping PUT out of time starts.
    const { MappingInputSchema } = await import('#lib/domain/mapping.ts');
    serving = 'setup';
    const stores = await storesOf(api.schoolId);
    await stores.mappingStore.put({ productId: '9400003' }, MappingInputSchema.parse({ targets: [{ type: 'course', id: 'iam-bg' }] }));
    await as('applyParked', () => applyParked({ scope: stores.scope, productId: '9400003' }, lambdaContext(300_000)));
    await as('mappings', async () => {
      await api.putMapping('9400002', { targets: [{ type: 'course', id: 'iam-late' }] }); // applies both waiting purchases
      await api.putMapping('3412907', { targets: [{ type: 'course', id: 'fotografia' }] });
      await api.deleteMapping('9400002');
    });
    await as('manualEnrollments', async () => {
      await api.grantManual('iam@example.com', 'course', 'iam', { note: 'review' }); // beside a purchase
      await api.grantManual('iam.review@example.com', 'course', 'iam', {}); // a manual-only enrollment
      await api.revokeManual('iam.review@example.com', 'course', 'iam'); // goes with its grant
      await api.revokeManual('iam@example.com', 'course', 'iam'); // the purchase stays
      await api.revokeManual('iam@example.com', 'course', 'iam'); // 404: no grant
    });
    await as('enrollments', async () => {
      await api.enrollments({ email: 'iam@example.com' });
      await api.enrollments({ subscriberCode: 'K7TQ2M4X' });
      await api.enrollments({ targetType: 'course', targetId: 'iam' });
      await api.event(JSON.parse(fixture('PURCHASE_APPROVED.json')).id);
      const events = (await import('../../functions/enrollments/handler.ts')).handler;
      const at = (query: Record<string, string>) => route(events, 'GET /schools/{schoolId}/events', { schoolId: api.schoolId }, { query });
      assert.ok((await at({ transaction: 'HPIAM1' })).body.items.length > 0, 'the events of a transaction are read');
      await at({ email: 'iam@example.com' });
    });
    await as('recovery', async () => {
      await api.quarantine();
      const body = JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPIAM3', email: 'iam@example.com', productId: 9400001 }));
      const quarantined = await (async () => {
        const id = createHash('sha256').update(body).digest('hex');
        serving = 'setup';
        await stores.quarantine.put({ id, reason: 'older parser', contentType: 'application/json', body, receivedAt: Date.now(), expiresAt: 2e9 });
        serving = 'recovery';
        return id;
      })();
      await api.replayQuarantined(quarantined);
      await api.replayQuarantined(brokenId); // still not understood: kept
      await api.replayEvent(purchaseId); // a one-time purchase: checks its transaction
      await api.replayEvent(JSON.parse(fixture('PURCHASE_APPROVED.json')).id);
      await api.replayEvent(JSON.parse(fixture('SUBSCRIPTION_CANCELLATION.json')).id);
      // What the feed's capture (another function) stored for the student: the erasure rewrites it.
      serving = 'setup';
      await seedFeedOfStudent(stores.scope, 'iam@example.com');
      serving = 'recovery';
      await api.eraseStudent('iam@example.com');
    });

    // The school reconciles with its own credentials, stored through the credentials route.
    serving = 'setup';
    await recon.connect(api.schoolId);
    // Reconciliation: runs started (one refused by the lease, one whose runner cannot start), listed and read…
    const now = Date.now();
    const window = { from: new Date(now - 3600_000).toISOString(), to: new Date(now).toISOString() };
    const started = await as('reconciliations', async () => {
      recon.setMode('hold');
      const accepted = await recon.start(window);
      await recon.start(window); // 409: the first holds the lease
      await recon.list();
      await recon.get(accepted.body.id);
      return accepted.body.id as string;
    });
    // …then executed by the runner against Hotmart's API: lost purchases, a lost refund, an unmapped
    // product, a subscription's lost charge and its lost cancellation.
    const sale = (product: number, transaction: string, status: string, extra: Record<string, unknown> = {}) => ({
      product: { id: product, name: 'IAM' },
      buyer: { name: 'IAM', email: 'iam.recon@example.com' },
      purchase: { transaction, order_date: now - 600_000, approved_date: now - 600_000, status, ...extra },
    });
    recon.fake.sales.push(
      sale(9400001, 'HPIAMR1', 'APPROVED'),
      sale(9400001, 'HPIAM1', 'REFUNDED'), // refunded by webhook already: a duplicate
      sale(9400001, 'HPIAMR3', 'CHARGEBACK'),
      sale(9400077, 'HPIAMR2', 'APPROVED'),
      sale(9400001, 'HPIAMS1', 'APPROVED', { is_subscription: true, recurrency_number: 1 }),
    );
    const subscription = { status: 'ACTIVE', accession_date: now - 600_000, date_next_charge: now + 30 * 86_400_000, trial: false, plan: { name: 'IAM', id: 1, recurrency_period: 30 }, price: { value: 1, currency_code: 'BRL' } };
    recon.fake.subscriptions.push(
      { ...subscription, subscriber_code: 'IAMSUB1', subscription_id: 1, transaction: 'HPIAMS1', product: { id: 9400001, name: 'IAM', ucode: 'u' }, subscriber: { name: 'IAM', email: 'iam.recon@example.com', ucode: 'u' } },
      { ...subscription, status: 'CANCELLED_BY_CUSTOMER', end_accession_date: now - 60_000, subscriber_code: 'IAMSUB2', subscription_id: 2, transaction: 'HPIAMS2', product: { id: 9400001, name: 'IAM', ucode: 'u' }, subscriber: { name: 'IAM', email: 'iam.recon2@example.com', ucode: 'u' } },
    );
    await as('reconcile', async () => {
      recon.release();
      await recon.idle();
      await recon.scheduled(); // starts its own run: takes the free lease
      // Hotmart refuses the school's credential (lastError set), then issues a token again (cleared).
      recon.fake.rotateSecret('rotated-in-hotmart');
      await recon.scheduled();
      recon.fake.rotateSecret();
      await recon.scheduled();
    });
    // The schedules' fan-out starts the runs of the schools with credentials (the runner's part held, then run as the runner's).
    await as('reconcileFanout', async () => {
      recon.setMode('refuse');
      await recon.fanOut(); // the runner cannot start: the run is closed as failed
      recon.setMode('hold');
      await recon.fanOut();
    });
    recon.setMode('run');
    await as('reconcile', async () => {
      recon.release();
      await recon.idle();
    });
    const executed = await as('reconciliations', async () => {
      const run = (await recon.get(started)).body;
      recon.setMode('refuse');
      await recon.start(window); // 503: the runner cannot start; the run is closed as failed
      recon.setMode('run');
      return run;
    });
    assert.equal(executed.status, 'succeeded', JSON.stringify(executed.report));
    assert.ok(executed.report.applied.grants >= 2 && executed.report.alreadyKnown >= 1 && executed.report.skipped.unmapped === 1, JSON.stringify(executed.report));
    // A school (made through the schools route) connects, reads and removes its Hotmart credentials.
    serving = 'setup';
    await createSchool('iam-school');
    await as('credentials', async () => {
      const path = '/schools/{schoolId}/hotmart-credentials';
      const stored = await route(credentials, `PUT ${path}`, { schoolId: 'iam-school' }, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }) });
      assert.equal(stored.statusCode, 200, stored.rawBody);
      await route(credentials, `PUT ${path}`, { schoolId: 'iam-nobody' }, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }) });
      await route(credentials, `GET ${path}`, { schoolId: 'iam-school' });
      await route(credentials, `DELETE ${path}`, { schoolId: 'iam-school' });
    });
    // The school's feed: every route (the replay's worker is not configured here: its DynamoDB reads are what counts).
    const feed = (await import('../../functions/feed/handler.ts')).handler;
    await as('feed', async () => {
      const at = (routeKey: string, body?: unknown) =>
        route(feed, routeKey, { schoolId: 'iam-school' }, body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await at('GET /schools/{schoolId}/feed')).statusCode, 404);
      assert.equal((await at('PUT /schools/{schoolId}/feed', { url: 'http://127.0.0.1:9/' })).statusCode, 201);
      assert.equal((await at('PUT /schools/{schoolId}/feed', { url: 'http://127.0.0.1:9/', types: ['enrollment.granted'] })).statusCode, 200);
      assert.equal((await at('GET /schools/{schoolId}/feed')).statusCode, 200);
      assert.equal((await at('POST /schools/{schoolId}/feed/secret')).statusCode, 200);
      assert.equal((await at('POST /schools/{schoolId}/feed/ping')).statusCode, 200);
      assert.equal((await at('GET /schools/{schoolId}/feed/events')).statusCode, 200);
      await at('POST /schools/{schoolId}/feed/replay', { from: '2026-12-01T00:00:00Z' });
      assert.equal((await at('DELETE /schools/{schoolId}/feed')).statusCode, 204);
    });

    await recon.close();

    const roles = granted();
    for (const fn of ['schools', 'webhook', 'mappings', 'applyParked', 'enrollments', 'manualEnrollments', 'recovery', 'reconciliations', 'reconcile', 'reconcileFanout', 'credentials', 'feed']) {
      assert.deepEqual([...(used[fn] ?? [])].sort(), [...roles[fn]!].sort(), `${fn}: issued (actual) vs granted (expected)`);
    }
  });
});

/** One feed state and one stored event of a student, in the shapes the capture writes (lib/adapters/dynamodb/feed-items.ts). */
async function seedFeedOfStudent(scope: string, email: string) {
  const { keys, attributes } = schoolKeys(scope);
  const target = { type: 'course' as const, id: 'iam' };
  const state = { status: 'active' as const, hasAccess: true, accessUntil: null, manual: null };
  const db = createDocumentClient({ region: 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT!, requestTimeoutMs: 10_000 });
  const id = 'evt_iam_seed';
  const body = JSON.stringify({ id, type: 'enrollment.granted', enrollment: { email, target, ...state } });
  await db.send(new PutCommand({ TableName: tables.FEED_TABLE!, Item: { ...keys.feedState(email, target), schoolId: scope.split('#')[0], scope, email, target, sequence: 1, state, lastEventId: id, updatedAt: Date.now() } }));
  await db.send(new PutCommand({ TableName: tables.FEED_TABLE!, Item: { ...keys.feedEvent(id), id, type: 'enrollment.granted', createdAt: Date.now(), sequence: 1, group: 'g', previousEventId: null, body, ...attributes.student(email), expiresAt: 2e9 } }));
  db.destroy();
}
