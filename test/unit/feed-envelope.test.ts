import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeedEvent } from '#lib/domain/feed/envelope.ts';
import { FEED_API_VERSION, assertEnvelope, feedEvent, pingEvent } from '#lib/domain/feed/envelope.ts';
import { feedStateOf } from '#lib/domain/feed/state.ts';
import type { EnrollmentView } from '#lib/services/enrollments.ts';
import { viewEnrollment } from '#lib/services/enrollments.ts';

const T = Date.UTC(2027, 0, 10, 12);
const view = (extra: Partial<EnrollmentView> = {}): EnrollmentView => ({
  ...viewEnrollment(
    {
      email: 'ana@example.com',
      target: { type: 'course', id: 'c1' },
      productId: '1',
      transactions: [{ transaction: 'HP1', status: 'APPROVED' }],
      subscriptions: [],
      createdAt: T,
      updatedAt: T,
      lastEventId: 'e1',
    },
    T,
  ),
  ...extra,
});
const revokedView = view({ status: 'revoked', hasAccess: false, transactions: [{ transaction: 'HP1', status: 'REFUNDED' }] });
const input = { id: 'evt_1', createdAt: T, schoolId: 'demo', sequence: 1, enrollment: view(), previous: null, cause: { source: 'webhook' as const, eventId: 'e1', hotmartEvent: 'PURCHASE_APPROVED', transaction: 'HP1' } };

describe('the feed event envelope', () => {
  it('is exactly the issue’s shape, carrying the enrollment as GET …/enrollments shows it', () => {
    const event = feedEvent(input);
    assert.deepEqual(Object.keys(event), ['id', 'type', 'apiVersion', 'createdAt', 'schoolId', 'sequence', 'enrollment', 'previous', 'cause']);
    assert.deepEqual(event, {
      id: 'evt_1',
      type: 'enrollment.granted',
      apiVersion: '2026-12-01',
      createdAt: '2027-01-10T12:00:00.000Z',
      schoolId: 'demo',
      sequence: 1,
      enrollment: view(),
      previous: null,
      cause: input.cause,
    });
    assert.equal(FEED_API_VERSION, '2026-12-01');
  });

  it('reduces previous to status, access and paid period, and types the change from it', () => {
    const previous = { ...feedStateOf(view()), manual: { grantedAt: new Date(T).toISOString(), note: 'n', until: null } };
    const event = feedEvent({ ...input, sequence: 2, enrollment: revokedView, previous, cause: { source: 'webhook', eventId: 'e2' } });
    assert.equal(event.type, 'enrollment.revoked');
    assert.deepEqual(event.previous, { status: 'active', hasAccess: true, accessUntil: null });
    assert.deepEqual(event.cause, { source: 'webhook', eventId: 'e2' });
  });

  it('leaves unset cause fields out rather than writing them as undefined', () => {
    const event = feedEvent({ ...input, cause: { source: 'expiry', eventId: undefined } });
    assert.deepEqual(Object.keys(event.cause), ['source']);
  });

  it('refuses to build an event when nothing changed, or with a sequence that is not 1, 2, 3…', () => {
    assert.throws(() => feedEvent({ ...input, sequence: 2, previous: feedStateOf(view()) }), /did not change/);
    for (const sequence of [0, 1.5, -1]) assert.throws(() => feedEvent({ ...input, sequence }), /starts at 1/);
  });

  it('refuses an enrollment carrying personal data: a CPF, a phone, an address', () => {
    for (const extra of [{ cpf: '12345678909' }, { buyer: { phone: '+55 11 9999' } }, { address: 'Rua A' }, { document: '123' }]) {
      assert.throws(() => feedEvent({ ...input, enrollment: { ...view(), ...extra } }), /personal|not a feed event/);
    }
  });

  it('refuses an envelope with keys the contract does not document', () => {
    const event = feedEvent(input);
    assert.throws(() => assertEnvelope({ ...event, data: {} } as unknown as FeedEvent), /keys/);
    assert.throws(() => assertEnvelope({ ...event, previous: { ...feedStateOf(view()) } } as unknown as FeedEvent), /previous keys/);
    assert.throws(() => assertEnvelope({ ...event, cause: { source: 'webhook', email: 'x' } } as unknown as FeedEvent), /cause\.email/);
    assert.doesNotThrow(() => assertEnvelope(JSON.parse(JSON.stringify(event)) as FeedEvent));
  });

  it('builds a ping with no sequence, no enrollment, signed like any event', () => {
    assert.deepEqual(pingEvent({ id: 'evt_2', createdAt: T, schoolId: 'demo' }), {
      id: 'evt_2',
      type: 'ping',
      apiVersion: '2026-12-01',
      createdAt: '2027-01-10T12:00:00.000Z',
      schoolId: 'demo',
    });
  });
});
