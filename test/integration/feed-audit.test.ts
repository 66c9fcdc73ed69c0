import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { startLambdaStandIn } from '../helpers/lambda-stand-in.ts';
import { createSchool } from '../helpers/schools.ts';
import { createTestStack, route } from '../helpers/stack.ts';

await createTestStack();
// The redrive worker a replay starts: a recording stand-in behind the Lambda Invoke API.
const lambda = await startLambdaStandIn();
lambda.register('test-feed-redrive', async () => {}, { timeoutMs: 60_000, maximumRetryAttempts: 0 });
Object.assign(process.env, { LAMBDA_ENDPOINT: lambda.endpoint, FEED_REDRIVE_FUNCTION: 'test-feed-redrive' });
const feed = (await import('../../functions/feed/handler.ts')).handler;
const audit = (await import('../../functions/audit/handler.ts')).handler;
const { createEventIdFactory } = await import('#lib/domain/feed/event-id.ts');

// The platform's endpoint (pings answered 200); its URL carries a credential of the platform in its query.
const platform = createServer((_request, response) => response.writeHead(200).end());
await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
const BASE = `http://127.0.0.1:${(platform.address() as AddressInfo).port}/hooks`;
const URL_SECRET = 'platform-query-credential-8c1d';
after(async () => {
  await lambda.close();
  await new Promise<void>((resolve) => platform.close(() => resolve()));
});

const SCHOOL = 'feed-audit';
await createSchool(SCHOOL);
let principals = 0;
const principal = () => `arn:aws:iam::123456789012:user/feed-operator-${++principals}`;
const call = (routeKey: string, by: string, body?: unknown) =>
  route(feed, routeKey, { schoolId: SCHOOL }, { authorizer: { iam: { userArn: by, userId: 'AIDAEXAMPLE' } }, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
async function trail(): Promise<any[]> {
  const page = await route(audit, 'GET /schools/{schoolId}/audit', { schoolId: SCHOOL }, { query: { limit: '100' } });
  assert.equal(page.statusCode, 200, page.rawBody);
  return page.body.items;
}
const recordsBy = async (by: string) => (await trail()).filter((record) => record.by === by);

describe('the feed’s administrative writes in the audit trail', () => {
  const secrets: string[] = [];
  const eventIds = [0, 1].map(() => createEventIdFactory(Date.now)());
  const writes: { name: string; routeKey: string; body?: unknown; status: number; expect: (record: any, answer: any) => void }[] = [
    {
      name: 'first PUT',
      routeKey: 'PUT /schools/{schoolId}/feed',
      body: { url: `${BASE}?key=${URL_SECRET}`, types: ['enrollment.granted'] },
      status: 201,
      expect: (record) => {
        assert.equal(record.action, 'feed.create');
        assert.deepEqual(record.change, { url: BASE, types: ['enrollment.granted'], secret: 'created' });
      },
    },
    {
      name: 'later PUT',
      routeKey: 'PUT /schools/{schoolId}/feed',
      body: { url: BASE },
      status: 200,
      expect: (record) => assert.deepEqual([record.action, record.change.secret, record.change.url], ['feed.update', 'kept', BASE]),
    },
    {
      name: 'secret rotation',
      routeKey: 'POST /schools/{schoolId}/feed/secret',
      status: 200,
      expect: (record, answer) => {
        assert.equal(record.action, 'feed.rotateSecret');
        assert.deepEqual(record.change, { secret: 'rotated', previousValidUntil: answer.previousValidUntil });
      },
    },
    {
      name: 'replay of a range',
      routeKey: 'POST /schools/{schoolId}/feed/replay',
      body: { from: '2026-11-30T00:00:00Z', to: '2026-12-01T00:00:00Z' },
      status: 202,
      expect: (record, answer) => {
        assert.deepEqual([record.action, record.ids], ['feed.replay', { replay: answer.replay }]);
        assert.deepEqual(record.change, { from: '2026-11-30T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
      },
    },
    {
      name: 'replay of event ids',
      routeKey: 'POST /schools/{schoolId}/feed/replay',
      body: { eventIds },
      status: 202,
      expect: (record, answer) => assert.deepEqual([record.action, record.ids, record.change], ['feed.replay', { replay: answer.replay }, { eventIds }]),
    },
    { name: 'DELETE', routeKey: 'DELETE /schools/{schoolId}/feed', status: 204, expect: (record) => assert.deepEqual([record.action, record.change], ['feed.delete', { endpoint: 'removed' }]) },
  ];

  it('PUT, DELETE, secret rotation and replay each leave one record with the IAM principal, the route and what changed', async () => {
    for (const write of writes) {
      const by = principal();
      const answer = await call(write.routeKey, by, write.body);
      assert.equal(answer.statusCode, write.status, `${write.name}: ${answer.rawBody}`);
      if (answer.body?.secret) secrets.push(answer.body.secret);
      const records = await recordsBy(by);
      assert.equal(records.length, 1, `${write.name}: ${JSON.stringify(records)}`);
      assert.equal(records[0].route, write.routeKey, write.name);
      write.expect(records[0], answer.body);
    }
    assert.equal(secrets.length, 2, 'the first PUT and the rotation showed a secret');
  });

  it('no record holds the feed’s signing secret or the credential in the endpoint URL’s query', async () => {
    const text = JSON.stringify(await trail());
    for (const secret of [...secrets, ...secrets.map((s) => s.replace(/^whsec_/, '')), URL_SECRET]) assert.ok(!text.includes(secret), secret);
  });

  it('a ping is not a write (it stores nothing): no record; a refused write leaves none either', async () => {
    const by = principal();
    assert.equal((await call('PUT /schools/{schoolId}/feed', principal(), { url: BASE })).statusCode, 201);
    const ping = await call('POST /schools/{schoolId}/feed/ping', by);
    assert.equal(ping.statusCode, 200, ping.rawBody);
    assert.equal(ping.body.status, 200);
    const refused = await call('POST /schools/{schoolId}/feed/replay', by, { from: '2026-11-30T00:00:00Z', eventIds });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(await recordsBy(by), []);
  });
});
