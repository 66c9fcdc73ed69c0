import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { StreamHandler } from '#lib/adapters/local/stream-poller.ts';
import type { Delivery } from '../helpers/feed-runtime.ts';
import { startReceiver, startTestFeedRuntime } from '../helpers/feed-runtime.ts';
import { freshEvent, loadHandlers, route } from '../helpers/stack.ts';

// Issue 13, end to end, through the real entry points in process: the schools, mappings, webhook,
// enrollments and feed functions' handlers (as API Gateway invokes them), and the feed's local
// runtime (scripts/local/feed-runtime.ts, as npm start runs it) with the real capture handler
// (functions/feed-capture) on the enrollments table's stream → enqueue → FIFO → sender → a
// platform's endpoint on 127.0.0.1, and the EventBridge stand-in.
const feed = await startTestFeedRuntime({
  // Imported at the first stream record: the handler reads its configuration (the test stack's tables) at import, as in Lambda.
  capture: (async (event) => (await import('../../functions/feed-capture/handler.ts')).handler(event)) as StreamHandler,
});
after(() => feed.stop());
const { handler: feedHandler } = await import('../../functions/feed/handler.ts');

const PRODUCT = 9_700_001;
const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
const feedApi = (schoolId: string) => ({
  put: (body: unknown) => route(feedHandler, 'PUT /schools/{schoolId}/feed', { schoolId }, json(body)),
  get: () => route(feedHandler, 'GET /schools/{schoolId}/feed', { schoolId }),
  events: () => route(feedHandler, 'GET /schools/{schoolId}/feed/events', { schoolId }),
});

/** A school with the product mapped and its feed PUT to a fresh receiver (verifying with the secret the PUT returned). */
async function school(types?: string[]) {
  const schoolId = `e2e-${randomUUID().slice(0, 8)}`;
  const api = await loadHandlers(schoolId);
  assert.equal((await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'e2e' }] })).statusCode, 201);
  // The URL is known once the receiver listens, the secret once the PUT answered: the receiver reads it at each delivery.
  let secret = '';
  const receiver = await startReceiver(() => secret);
  after(() => receiver.close());
  const put = await feedApi(schoolId).put({ url: receiver.url, ...(types ? { types } : {}) });
  assert.equal(put.statusCode, 201, put.rawBody);
  secret = put.body.secret;
  assert.match(secret, /^whsec_/);
  return { schoolId, api, receiver, verify: (d: Delivery) => new Webhook(secret).verify(d.body, d.headers) };
}

const post = async (api: Awaited<ReturnType<typeof loadHandlers>>, body: Record<string, any>) => {
  const answer = await api.postWebhook(JSON.stringify(body));
  assert.equal(answer.statusCode, 200, answer.rawBody);
  return body;
};
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('feed end to end: a purchase and its refund reach the platform, signed, in order, by push, pull and the bus', () => {
  it('granted then revoked: verified with standardwebhooks and the PUT secret, the exact envelope, the enrollment as GET …/enrollments shows it; the pull and the bus hold the same events', async () => {
    const { schoolId, api, receiver, verify } = await school();
    const email = `${randomUUID().slice(0, 8)}@example.com`;
    const approved = await post(api, freshEvent('PURCHASE_APPROVED', { transaction: 'HPE2E1', email, productId: PRODUCT }));
    await feed.settle();
    const grantedView = (await api.enrollments({ email })).body.items[0];
    assert.equal(grantedView.hasAccess, true);
    const refunded = await post(api, freshEvent('PURCHASE_REFUNDED', { transaction: 'HPE2E1', email, productId: PRODUCT }));
    await feed.settle();
    const revokedView = (await api.enrollments({ email })).body.items[0];
    assert.equal(revokedView.hasAccess, false);

    const accepted = receiver.accepted();
    assert.deepEqual(accepted.map((d) => [d.type, d.sequence]), [['enrollment.granted', 1], ['enrollment.revoked', 2]]);
    assert.ok(receiver.deliveries.every((d) => d.verified), 'every delivery verified with the secret the PUT returned');
    const bodies = accepted.map((d) => verify(d) as Record<string, any>);
    for (const d of accepted) {
      assert.equal(d.headers['content-type'], 'application/json');
      assert.equal(d.headers['webhook-id'], d.id);
      assert.throws(() => new Webhook('whsec_' + Buffer.from('a wrong secret').toString('base64')).verify(d.body, d.headers), 'a wrong secret fails');
    }
    const [granted, revoked] = bodies as [Record<string, any>, Record<string, any>];
    assert.match(granted.id, /^evt_/);
    assert.match(granted.createdAt, ISO);
    assert.deepEqual(granted, {
      id: granted.id,
      type: 'enrollment.granted',
      apiVersion: '2026-12-01',
      createdAt: granted.createdAt,
      schoolId,
      sequence: 1,
      enrollment: grantedView,
      previous: null,
      cause: { source: 'webhook', eventId: approved.id, hotmartEvent: 'PURCHASE_APPROVED', transaction: 'HPE2E1' },
    });
    assert.deepEqual(revoked, {
      id: revoked.id,
      type: 'enrollment.revoked',
      apiVersion: '2026-12-01',
      createdAt: revoked.createdAt,
      schoolId,
      sequence: 2,
      enrollment: revokedView,
      previous: { status: grantedView.status, hasAccess: true, accessUntil: grantedView.accessUntil },
      cause: { source: 'webhook', eventId: refunded.id, hotmartEvent: 'PURCHASE_REFUNDED', transaction: 'HPE2E1' },
    });
    assert.ok(revoked.id > granted.id, 'ids sort in emission order');

    const pulled = await feedApi(schoolId).events();
    assert.equal(pulled.statusCode, 200);
    assert.deepEqual(pulled.body, { items: bodies, nextCursor: null }, 'the pull returns the pushed bodies');

    const onBus = feed.runtime.bus.entries.filter((e) => bodies.some((b) => b.id === e.id));
    assert.deepEqual(onBus.map((e) => [e.source, e.detailType, JSON.parse(e.detail)]), bodies.map((b) => ['hotmart-enrollments', b.type, b]));

    const state = await feedApi(schoolId).get();
    assert.deepEqual({ state: state.body.state, pending: state.body.pending, dead: state.body.dead }, { state: 'active', pending: 0, dead: 0 });
  });

  it('an endpoint with types [enrollment.revoked] receives only the revoke; the pull lists both; the bus got both', async () => {
    const { schoolId, api, receiver, verify } = await school(['enrollment.revoked']);
    const email = `${randomUUID().slice(0, 8)}@example.com`;
    await post(api, freshEvent('PURCHASE_APPROVED', { transaction: 'HPE2E2', email, productId: PRODUCT }));
    await post(api, freshEvent('PURCHASE_REFUNDED', { transaction: 'HPE2E2', email, productId: PRODUCT }));
    await feed.settle();
    const pulled = (await feedApi(schoolId).events()).body.items as Record<string, any>[];
    assert.deepEqual(pulled.map((e) => [e.type, e.sequence]), [['enrollment.granted', 1], ['enrollment.revoked', 2]]);
    const accepted = receiver.accepted();
    assert.deepEqual(accepted.map((d) => [d.type, d.sequence]), [['enrollment.revoked', 2]]);
    assert.deepEqual(verify(accepted[0]!), pulled[1]);
    assert.deepEqual(feed.runtime.bus.entries.filter((e) => pulled.some((p) => p.id === e.id)).map((e) => e.detailType), ['enrollment.granted', 'enrollment.revoked']);
  });
});
