import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { startLambdaStandIn } from '../helpers/lambda-stand-in.ts';
import { createSchool } from '../helpers/schools.ts';
import { captureLogs, createTestStack, route } from '../helpers/stack.ts';

process.env.LOG_LEVEL = 'INFO';
const { endpoint, tables } = await createTestStack();
// The redrive worker (functions/feed-redrive, built by the delivery's part) is a recording stand-in
// behind the Lambda Invoke API: what the routes asked it is what a test asserts.
const lambda = await startLambdaStandIn();
const asked: unknown[] = [];
lambda.register('test-feed-redrive', async (payload) => void asked.push(payload), { timeoutMs: 60_000, maximumRetryAttempts: 0 });
Object.assign(process.env, { LAMBDA_ENDPOINT: lambda.endpoint, FEED_REDRIVE_FUNCTION: 'test-feed-redrive' });
const { handler } = await import('../../functions/feed/handler.ts');
const { feedRoutes } = await import('../../functions/feed/routes.ts');
const { createFeedDeps } = await import('#lib/adapters/feed-admin.ts');
const { httpHandler } = await import('#lib/http/handler.ts');
const { createLogger } = await import('#lib/logger.ts');
const { loadConfig } = await import('#lib/config.ts');
const { localDevelopmentSealer } = await import('#lib/adapters/secrets/credential-sealer.ts');
const { pageCursors, schoolKeys } = await import('#lib/adapters/dynamodb/keys.ts');
const { createEventIdFactory } = await import('#lib/domain/feed/event-id.ts');
const { FEED_EVENT_TYPES } = await import('#lib/domain/feed/event-type.ts');
type FeedEventItem = import('#lib/adapters/dynamodb/feed-items.ts').FeedEventItem;
after(() => lambda.close());

/** The same routes as in AWS (no http to 127.0.0.1, public addresses only). */
const awsHandler = httpHandler(createLogger('feed', 'SILENT'), [], feedRoutes(createFeedDeps(loadConfig(), { local: false }), createLogger('feed', 'SILENT')));

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
const FEED = tables.FEED_TABLE!;
const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: typeof value === 'string' ? value : JSON.stringify(value) });
const api = (schoolId: string, fn: unknown = handler) => ({
  put: (body: unknown) => route(fn, 'PUT /schools/{schoolId}/feed', { schoolId }, json(body)),
  get: () => route(fn, 'GET /schools/{schoolId}/feed', { schoolId }),
  delete: () => route(fn, 'DELETE /schools/{schoolId}/feed', { schoolId }),
  rotate: () => route(fn, 'POST /schools/{schoolId}/feed/secret', { schoolId }),
  ping: () => route(fn, 'POST /schools/{schoolId}/feed/ping', { schoolId }),
  events: (query: Record<string, string> = {}) => route(fn, 'GET /schools/{schoolId}/feed/events', { schoolId }, { query }),
  replay: (body: unknown) => route(fn, 'POST /schools/{schoolId}/feed/replay', { schoolId }, json(body)),
});
const endpointItem = async (scope: string) => (await db.send(new GetCommand({ TableName: FEED, Key: schoolKeys(scope).keys.feedEndpoint }))).Item;
const disable = (scope: string) =>
  db.send(new UpdateCommand({ TableName: FEED, Key: schoolKeys(scope).keys.feedEndpoint, UpdateExpression: 'SET disabledAt = :at, disabledReason = :why', ExpressionAttributeValues: { ':at': Date.now(), ':why': 'HTTP 410' } }));

/** A receiver on 127.0.0.1 that records each request and answers `status`. */
async function receiver(status = 204) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received };
}

/** An enrollment as GET …/enrollments shows it (the envelope's `enrollment`); a non-ASCII note, to see the bodies kept byte for byte. */
const enrollmentView = (i: number, at: number) => {
  const iso = new Date(at).toISOString();
  return {
    email: `student${i}@example.com`,
    target: { type: 'course', id: 'c1' },
    status: 'active',
    hasAccess: true,
    accessUntil: null,
    subscriberCode: null,
    plan: null,
    productId: null,
    transactions: [],
    manual: { grantedAt: iso, note: 'ação ✓', until: null },
    createdAt: iso,
    updatedAt: iso,
    lastEventId: null,
  };
};

/** Stored events, as the capture writes them (feed-items.ts), in emission order. */
let clock = Date.parse('2026-12-01T10:00:00Z');
const newId = createEventIdFactory(() => clock);
async function storeEvents(scope: string, schoolId: string, count: number, extra: (i: number) => Partial<FeedEventItem> = () => ({})) {
  const stored: FeedEventItem[] = [];
  for (let i = 0; i < count; i++) {
    clock += 1000;
    const id = newId();
    const body = JSON.stringify({ id, type: 'enrollment.granted', apiVersion: '2026-12-01', createdAt: new Date(clock).toISOString(), schoolId, sequence: 1, enrollment: enrollmentView(i, clock), previous: null, cause: { source: 'webhook' } });
    const item: FeedEventItem = { ...schoolKeys(scope).keys.feedEvent(id), id, type: 'enrollment.granted', createdAt: clock, sequence: 1, group: `g${i}`, previousEventId: null, body, expiresAt: Math.floor(clock / 1000) + 35 * 86400, ...extra(i) };
    await db.send(new PutCommand({ TableName: FEED, Item: item }));
    stored.push(item);
  }
  return stored;
}

describe('the school’s feed endpoint', () => {
  it('PUT: 201 with a whsec_ secret the first time, 200 without it later; GET never shows it; DELETE 204, and a PUT after it is a first one', async () => {
    const { scope } = await createSchool('feed-alpha');
    const feed = api('feed-alpha');
    const hook = await receiver();
    let first: Awaited<ReturnType<typeof feed.put>> | undefined;
    const logs = await captureLogs(async () => {
      first = await feed.put({ url: hook.url });
    });
    assert.equal(first!.statusCode, 201, first!.rawBody);
    assert.deepEqual(Object.keys(first!.body).sort(), ['createdAt', 'secret', 'types', 'url']);
    assert.match(first!.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(first!.body.types, [...FEED_EVENT_TYPES], 'every type by default');
    const secret: string = first!.body.secret;
    assert.ok(!logs.join('\n').includes(secret) && logs.some((line) => line.includes('feed endpoint stored')), 'no secret in a log');
    // Stored sealed for this school only.
    const item = await endpointItem(scope);
    assert.ok(!JSON.stringify(item).includes(secret.slice(6)));
    assert.equal(await localDevelopmentSealer.open('feed-alpha', item!.secrets[0].sealed), secret);
    await assert.rejects(localDevelopmentSealer.open('feed-beta', item!.secrets[0].sealed));

    const later = await feed.put({ url: `${hook.url}/v2`, types: ['enrollment.revoked', 'enrollment.granted', 'enrollment.granted'] });
    assert.equal(later.statusCode, 200, later.rawBody);
    assert.deepEqual(later.body, { url: `${hook.url}/v2`, types: ['enrollment.granted', 'enrollment.revoked'], createdAt: first!.body.createdAt });
    const read = await feed.get();
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.body, { url: `${hook.url}/v2`, types: ['enrollment.granted', 'enrollment.revoked'], state: 'active', failingSince: null, lastError: null, pending: 0, dead: 0 });
    assert.equal(await localDevelopmentSealer.open('feed-alpha', (await endpointItem(scope))!.secrets[0].sealed), secret, 'the secret is kept');

    assert.equal((await feed.delete()).statusCode, 204);
    assert.equal((await feed.get()).body.error.code, 'FEED.NOT_FOUND');
    assert.equal((await feed.get()).statusCode, 404);
    assert.equal((await feed.delete()).statusCode, 204, 'a DELETE is idempotent');
    const again = await feed.put({ url: hook.url });
    assert.equal(again.statusCode, 201);
    assert.notEqual(again.body.secret, secret, 'a new secret');
  });

  it('refuses what is not an endpoint: 400 naming the field (unknown type, unknown key, bad URL), 413 over 64 KiB, 404 for an unknown school', async () => {
    await createSchool('feed-rules');
    const feed = api('feed-rules');
    const unknownType = await feed.put({ url: 'http://127.0.0.1:9/', types: ['enrollment.granted', 'enrollment.exploded'] });
    assert.equal(unknownType.statusCode, 400);
    assert.deepEqual(unknownType.body.error.issues.map((i: { field: string }) => i.field), ['types.1']);
    const unknownKey = await feed.put({ url: 'http://127.0.0.1:9/', typs: ['enrollment.granted'] });
    assert.deepEqual(unknownKey.body.error.issues, [{ field: 'typs', message: 'unknown field' }]);
    assert.equal((await feed.put({ url: 'http://127.0.0.1:9/', types: [] })).statusCode, 400);
    assert.equal((await feed.put('{"url":')).body.error.code, 'REQUEST.INVALID_JSON');
    assert.equal((await feed.put({ url: `https://example.com/${'a'.repeat(70 * 1024)}` })).statusCode, 413);
    const unknownSchool = await api('feed-nobody').put({ url: 'http://127.0.0.1:9/' });
    assert.equal(unknownSchool.statusCode, 404);
    assert.equal(unknownSchool.body.error.code, 'SCHOOL.NOT_FOUND');
    for (const call of [api('feed-nobody').get, api('feed-nobody').ping, api('feed-nobody').events]) assert.equal((await call()).body.error.code, 'SCHOOL.NOT_FOUND');
    assert.equal((await feed.get()).statusCode, 404, 'nothing was stored');
  });

  it('accepts http to 127.0.0.1 only locally; in AWS only https to a public address (never loopback, private, link-local or the metadata address)', async () => {
    await createSchool('feed-urls');
    const local = api('feed-urls');
    const refusedLocally = await local.put({ url: 'http://example.com/hooks' });
    assert.equal(refusedLocally.statusCode, 400);
    assert.equal(refusedLocally.body.error.issues[0].field, 'url');
    assert.match(refusedLocally.body.error.message, /https, or http to 127\.0\.0\.1/);
    assert.equal((await local.put({ url: 'http://10.0.0.1/hooks' })).statusCode, 400);
    assert.equal((await local.put({ url: 'http://127.0.0.1:9/hooks' })).statusCode, 201);

    const aws = api('feed-urls', awsHandler);
    for (const url of ['http://127.0.0.1:9/hooks', 'https://169.254.169.254/latest/meta-data', 'https://10.1.2.3/', 'https://[::1]/', 'https://localhost/', 'https://user:pw@example.com/', 'ftp://example.com/', 'not a url']) {
      const answer = await aws.put({ url });
      assert.equal(answer.statusCode, 400, `${url}: ${answer.rawBody}`);
      assert.equal(answer.body.error.code, 'REQUEST.INVALID', url);
      assert.equal(answer.body.error.issues[0].field, 'url', url);
    }
    assert.match((await aws.put({ url: 'http://127.0.0.1:9/hooks' })).body.error.message, /must be https/);
    assert.match((await aws.put({ url: 'https://169.254.169.254/' })).body.error.message, /link-local/);
    assert.equal((await aws.put({ url: 'https://93.184.215.14/hooks' })).statusCode, 200, 'a public address is accepted (an existing endpoint: 200)');
  });

  it('GET: pending and dead counted from the indexes; failing while the oldest pending event has failed, with when and why; disabled after a 410', async () => {
    const { scope } = await createSchool('feed-state');
    const feed = api('feed-state');
    assert.equal((await feed.get()).statusCode, 404);
    await feed.put({ url: 'http://127.0.0.1:9/' });
    const { attributes } = schoolKeys(scope);
    await storeEvents(scope, 'feed-state', 3, () => ({ ...attributes.feedPending }));
    await storeEvents(scope, 'feed-state', 2, () => ({ ...attributes.feedDead, deadAt: clock, attempts: 30 }));
    await storeEvents(scope, 'feed-state', 2); // delivered: on neither index
    assert.deepEqual((await feed.get()).body, { url: 'http://127.0.0.1:9/', types: [...FEED_EVENT_TYPES], state: 'active', failingSince: null, lastError: null, pending: 3, dead: 2 });

    // The oldest pending event failed: failing, since its first failure. (A newer failing one alone would not count.)
    const [oldest] = await storeEvents(scope, 'feed-state', 1, () => ({ ...attributes.feedPending }));
    const failedAt = Date.parse('2026-12-01T11:00:00Z');
    const keyOf = (item: FeedEventItem) => ({ pk: item.pk, sk: item.sk });
    await db.send(new UpdateCommand({ TableName: FEED, Key: keyOf(oldest!), UpdateExpression: 'SET attempts = :n, firstFailedAt = :at, lastError = :e', ExpressionAttributeValues: { ':n': 2, ':at': failedAt, ':e': 'HTTP 503' } }));
    assert.equal((await feed.get()).body.state, 'active', 'the oldest pending one has not failed');

    const { scope: soloScope } = await createSchool('feed-failing');
    await api('feed-failing').put({ url: 'http://127.0.0.1:9/' });
    const [first] = await storeEvents(soloScope, 'feed-failing', 2, () => ({ ...schoolKeys(soloScope).attributes.feedPending }));
    await db.send(new UpdateCommand({ TableName: FEED, Key: keyOf(first!), UpdateExpression: 'SET attempts = :n, firstFailedAt = :at, lastError = :e', ExpressionAttributeValues: { ':n': 1, ':at': failedAt, ':e': 'no answer within 10000 ms' } }));
    assert.deepEqual((await api('feed-failing').get()).body, {
      url: 'http://127.0.0.1:9/',
      types: [...FEED_EVENT_TYPES],
      state: 'failing',
      failingSince: '2026-12-01T11:00:00.000Z',
      lastError: 'no answer within 10000 ms',
      pending: 2,
      dead: 0,
    });
    await disable(soloScope);
    assert.equal((await api('feed-failing').get()).body.state, 'disabled');
    // Another school's events are not counted.
    assert.deepEqual([(await feed.get()).body.pending, (await feed.get()).body.dead], [4, 2]);
  });

  it('a PUT on a disabled endpoint re-enables it and asks the redrive worker for the pending events; a PUT on an active one asks nothing', async () => {
    const { scope } = await createSchool('feed-redrive');
    const feed = api('feed-redrive');
    await feed.put({ url: 'http://127.0.0.1:9/' });
    await feed.put({ url: 'http://127.0.0.1:9/again' });
    await lambda.idle();
    assert.equal(asked.filter((request) => (request as { scope: string }).scope.startsWith('feed-redrive#')).length, 0);
    await disable(scope);
    assert.equal((await feed.get()).body.state, 'disabled');
    const enabled = await feed.put({ url: 'http://127.0.0.1:9/again' });
    assert.equal(enabled.statusCode, 200);
    assert.equal(enabled.body.secret, undefined);
    await lambda.idle();
    const pending = asked.filter((request) => (request as { scope: string }).scope === scope) as { nonce: string }[];
    assert.deepEqual(pending, [{ scope, mode: 'pending', nonce: pending[0]?.nonce }]);
    assert.match(pending[0]!.nonce, /^pending-/);
    assert.equal((await feed.get()).body.state, 'active');
    assert.equal((await endpointItem(scope))!.disabledAt, null);

    // The worker cannot be started: the PUT fails and the endpoint stays disabled, so the next PUT tries again.
    await disable(scope);
    lambda.setMode('refuse');
    const refused = await feed.put({ url: 'http://127.0.0.1:9/again' });
    lambda.setMode('run');
    assert.ok(refused.statusCode >= 500, refused.rawBody);
    assert.equal((await feed.get()).body.state, 'disabled');
    assert.equal((await feed.put({ url: 'http://127.0.0.1:9/again' })).statusCode, 200);
    await lambda.idle();
    assert.equal(asked.filter((request) => (request as { scope: string }).scope === scope).length, 2);
    assert.equal((await feed.get()).body.state, 'active');
  });
});

describe('the feed’s secret rotation and ping', () => {
  it('rotation: a new secret, the previous one valid 24 h more; both sign a ping (standardwebhooks verifies each, a wrong secret fails); at most two sign', async () => {
    const { scope } = await createSchool('feed-rotate');
    const feed = api('feed-rotate');
    assert.equal((await feed.rotate()).statusCode, 404);
    const hook = await receiver(200);
    const first: string = (await feed.put({ url: hook.url })).body.secret;
    const rotated = await feed.rotate();
    assert.equal(rotated.statusCode, 200, rotated.rawBody);
    assert.deepEqual(Object.keys(rotated.body).sort(), ['previousValidUntil', 'secret']);
    const second: string = rotated.body.secret;
    assert.match(second, /^whsec_/);
    assert.notEqual(second, first);
    const validFor = Date.parse(rotated.body.previousValidUntil) - Date.now();
    assert.ok(validFor > 23.9 * 3600_000 && validFor <= 24 * 3600_000, String(validFor));
    assert.equal((await feed.get()).body.secret, undefined);
    assert.ok(!(await feed.get()).rawBody.includes('whsec_'));

    const ping = await feed.ping();
    assert.equal(ping.statusCode, 200, ping.rawBody);
    const [delivery] = hook.received.splice(0);
    const signatures = String(delivery!.headers['webhook-signature']).split(' ');
    assert.equal(signatures.length, 2);
    assert.ok(signatures.every((entry) => entry.startsWith('v1,')));
    for (const secret of [first, second]) assert.deepEqual((new Webhook(secret).verify(delivery!.body, delivery!.headers as Record<string, string>) as { type: string }).type, 'ping');
    assert.throws(() => new Webhook(`whsec_${Buffer.from('not the secret').toString('base64')}`).verify(delivery!.body, delivery!.headers as Record<string, string>));

    // A second rotation within the 24 h: the first secret stops signing; two sign, never three.
    const third: string = (await feed.rotate()).body.secret;
    await feed.ping();
    const [next] = hook.received.splice(0);
    assert.equal(String(next!.headers['webhook-signature']).split(' ').length, 2);
    for (const secret of [second, third]) new Webhook(secret).verify(next!.body, next!.headers as Record<string, string>);
    assert.throws(() => new Webhook(first).verify(next!.body, next!.headers as Record<string, string>));
    assert.equal((await endpointItem(scope))!.secrets.length, 2);
  });

  it('ping: sent at once to the endpoint, answered with its status and latency; a closed port is status null with why; no ping is stored or pulled', async () => {
    await createSchool('feed-ping');
    const feed = api('feed-ping');
    assert.equal((await feed.ping()).body.error.code, 'FEED.NOT_FOUND');
    const hook = await receiver(418);
    await feed.put({ url: hook.url });
    const answered = await feed.ping();
    assert.equal(answered.statusCode, 200);
    assert.equal(answered.body.status, 418);
    assert.equal(typeof answered.body.latencyMs, 'number');
    assert.equal(answered.body.error, 'HTTP 418');
    const [delivery] = hook.received;
    assert.equal(delivery!.headers['content-type'], 'application/json');
    const ping = JSON.parse(delivery!.body);
    assert.deepEqual(Object.keys(ping).sort(), ['apiVersion', 'createdAt', 'id', 'schoolId', 'type']);
    assert.equal(ping.type, 'ping');
    assert.equal(ping.schoolId, 'feed-ping');
    assert.equal(delivery!.headers['webhook-id'], ping.id);
    assert.equal(hook.received.length, 1, 'not retried');

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await feed.put({ url: `http://127.0.0.1:${port}/` });
    const refused = await feed.ping();
    assert.equal(refused.statusCode, 200);
    assert.equal(refused.body.status, null);
    assert.match(refused.body.error, /connection failed \(ECONNREFUSED\)/);
    assert.deepEqual((await feed.events()).body, { items: [], nextCursor: null }, 'pings are not in the pull');
  });
});

describe('the feed’s pull and replay', () => {
  it('GET …/feed/events: every event of the school in emission order with the exact stored bodies, page by page; nextCursor null on the last page', async () => {
    const { scope } = await createSchool('feed-pull');
    const { scope: otherScope } = await createSchool('feed-pull-other');
    const stored = await storeEvents(scope, 'feed-pull', 7);
    await storeEvents(otherScope, 'feed-pull-other', 2);
    const feed = api('feed-pull');
    const pages: unknown[][] = [];
    let cursor: string | null | undefined;
    do {
      const page = await feed.events({ limit: '3', ...(cursor ? { after: cursor } : {}) });
      assert.equal(page.statusCode, 200, page.rawBody);
      pages.push(page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(pages.map((page) => page.length), [3, 3, 1]);
    assert.deepEqual(pages.flat().map((event) => JSON.stringify(event)), stored.map((item) => item.body), 'the bodies that are pushed, in emission order');
    // A page that ends exactly at the last event says so.
    const exact = await feed.events({ limit: '7' });
    assert.equal(exact.body.items.length, 7);
    assert.equal(exact.body.nextCursor, null);
    assert.equal((await feed.events()).body.items.length, 7, 'at most 50 by default');
  });

  it('GET …/feed/events refuses a cursor of another list or an altered one, and a bad limit or unknown parameter (400)', async () => {
    const { scope } = await createSchool('feed-cursor');
    await storeEvents(scope, 'feed-cursor', 3);
    const feed = api('feed-cursor');
    const next = (await feed.events({ limit: '1' })).body.nextCursor as string;
    assert.equal((await feed.events({ after: next })).body.items.length, 2);
    const otherList = pageCursors(loadConfig().cursorSecret).encode('mappings', { pk: schoolKeys(scope).keys.feedEventsPartition, sk: 'EVT#' })!;
    for (const after of [otherList, `${next.slice(0, -2)}AA`, 'nonsense']) {
      const answer = await feed.events({ after });
      assert.equal(answer.statusCode, 400, after);
      assert.equal(answer.body.error.issues[0].field, 'cursor');
    }
    assert.equal((await feed.events({ limit: '0' })).statusCode, 400);
    assert.equal((await feed.events({ limit: '101' })).statusCode, 400);
    assert.deepEqual((await feed.events({ cursor: next })).body.error.issues, [{ field: 'cursor', message: 'unknown field' }]);
  });

  it('POST …/feed/replay: 202 and the redrive worker asked exactly that range or those ids; 400 for what is not one of the two forms; 404 without endpoint; 409 while disabled', async () => {
    const { scope } = await createSchool('feed-replay');
    const feed = api('feed-replay');
    assert.equal((await feed.replay({ from: '2026-12-01T00:00:00Z' })).statusCode, 404);
    await feed.put({ url: 'http://127.0.0.1:9/' });
    const mine = () => asked.filter((request) => (request as { scope: string }).scope === scope);

    const range = await feed.replay({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00-03:00' });
    assert.equal(range.statusCode, 202, range.rawBody);
    assert.match(range.body.replay, /^rpl_[0-9a-f]{24}$/);
    assert.deepEqual(range.body, { replay: range.body.replay, from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T03:00:00.000Z' });
    const open = await feed.replay({ from: '2026-12-01T00:00:00Z' });
    assert.equal(open.body.to, null);
    const [stored] = await storeEvents(scope, 'feed-replay', 1);
    const byId = await feed.replay({ eventIds: [stored!.id] });
    assert.equal(byId.statusCode, 202);
    assert.equal(byId.body.eventIds, 1);
    await lambda.idle();
    assert.deepEqual(mine(), [
      { scope, mode: 'replay', nonce: range.body.replay, from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T03:00:00.000Z' },
      { scope, mode: 'replay', nonce: open.body.replay, from: '2026-12-01T00:00:00.000Z' },
      { scope, mode: 'replay', nonce: byId.body.replay, eventIds: [stored!.id] },
    ]);
    assert.notEqual(range.body.replay, open.body.replay, 'each replay its own id (the redrive’s nonce)');

    const invalid: [unknown, string][] = [
      [{}, 'from'],
      [{ from: '2026-12-01T00:00:00Z', eventIds: [stored!.id] }, 'eventIds'],
      [{ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'to'],
      [{ from: '2026-12-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'to'],
      [{ eventIds: [stored!.id], to: '2026-12-01T00:00:00Z' }, 'to'],
      [{ eventIds: [] }, 'eventIds'],
      [{ eventIds: ['evt_nope'] }, 'eventIds.0'],
      [{ eventIds: Array.from({ length: 1001 }, () => stored!.id) }, 'eventIds'],
      [{ from: 'yesterday' }, 'from'],
      [{ from: '2026-12-01T00:00:00Z', form: 'x' }, 'form'],
    ];
    for (const [body, field] of invalid) {
      const answer = await feed.replay(body);
      assert.equal(answer.statusCode, 400, JSON.stringify(body));
      assert.ok(answer.body.error.issues.some((issue: { field: string }) => issue.field === field), `${JSON.stringify(body).slice(0, 80)}: ${answer.rawBody.slice(0, 300)}`);
    }
    await disable(scope);
    const disabled = await feed.replay({ from: '2026-12-01T00:00:00Z' });
    assert.equal(disabled.statusCode, 409);
    assert.equal(disabled.body.error.code, 'FEED.DISABLED');
    await lambda.idle();
    assert.equal(mine().length, 3, 'nothing more was asked');
  });
});
