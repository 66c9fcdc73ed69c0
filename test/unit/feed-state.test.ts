import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeedState, ManualGrant } from '#lib/domain/feed/state.ts';
import { accessEndsAt, feedStateOf, sameFeedState } from '#lib/domain/feed/state.ts';
import type { EnrollmentRecord } from '#lib/services/ports.ts';
import { viewEnrollment } from '#lib/services/enrollments.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2027, 0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const record = (extra: Partial<EnrollmentRecord> = {}): EnrollmentRecord => ({
  email: 'ana@example.com',
  target: { type: 'course', id: 'c1' },
  productId: '1',
  transactions: [],
  subscriptions: [],
  createdAt: NOW - DAY,
  updatedAt: NOW - DAY,
  lastEventId: 'e1',
  ...extra,
});
const subscription = (status: 'active' | 'cancelled' | 'suspended' | 'revoked', accessUntil: number | null) => ({
  subscriberCode: 'S1',
  status,
  accessUntil,
  charges: [{ transaction: 'HP2', status: 'APPROVED' as const }],
});
const state = (extra: Partial<FeedState> = {}): FeedState => ({ status: 'active', hasAccess: true, accessUntil: null, manual: null, ...extra });
const grant = (until: number | null): ManualGrant => ({ grantedAt: iso(NOW - DAY), note: 'support ticket 42', until: until === null ? null : iso(until) });

describe('the feed state of an enrollment', () => {
  it('takes status, access and paid period from the view GET …/enrollments shows, with no manual grant when the view has none', () => {
    const view = viewEnrollment(record({ subscriptions: [subscription('active', NOW + 30 * DAY)] }), NOW);
    assert.deepEqual(feedStateOf(view), { status: 'active', hasAccess: true, accessUntil: iso(NOW + 30 * DAY), manual: null });
  });

  it('shows a refunded one-time purchase as revoked, without access', () => {
    const view = viewEnrollment(record({ transactions: [{ transaction: 'HP1', status: 'REFUNDED' }] }), NOW);
    assert.deepEqual(feedStateOf(view), { status: 'revoked', hasAccess: false, accessUntil: null, manual: null });
  });

  it('keeps a manual grant the view carries, and reads a null one as none', () => {
    const view = viewEnrollment(record(), NOW);
    assert.deepEqual(feedStateOf({ ...view, hasAccess: true, status: 'active', manual: grant(NOW + DAY) }).manual, grant(NOW + DAY));
    assert.equal(feedStateOf({ ...view, manual: null }).manual, null);
  });

  it('is the same state only when status, access, paid period and manual grant are all the same', () => {
    assert.ok(sameFeedState(state({ manual: grant(null) }), state({ manual: grant(null) })));
    assert.ok(!sameFeedState(state(), state({ status: 'cancelled' })));
    assert.ok(!sameFeedState(state(), state({ hasAccess: false })));
    assert.ok(!sameFeedState(state({ accessUntil: iso(NOW) }), state({ accessUntil: iso(NOW + 1) })));
    assert.ok(!sameFeedState(state(), state({ manual: grant(null) })));
    assert.ok(!sameFeedState(state({ manual: grant(null) }), state({ manual: grant(NOW) })));
    assert.ok(!sameFeedState(state({ manual: grant(null) }), state({ manual: { ...grant(null), note: 'another' } })));
  });
});

describe('when the expiry sweep must look at an enrollment', () => {
  it('at the end of the paid period of a subscription that gives access', () => {
    assert.equal(accessEndsAt(state({ accessUntil: iso(NOW + DAY) }), NOW), NOW + DAY);
    assert.equal(accessEndsAt(state({ status: 'cancelled', accessUntil: iso(NOW + DAY) }), NOW), NOW + DAY);
  });

  it('never, without access', () => {
    assert.equal(accessEndsAt(state({ hasAccess: false, status: 'revoked', accessUntil: iso(NOW + DAY) }), NOW), null);
    assert.equal(accessEndsAt(state({ hasAccess: false, status: 'suspended', manual: grant(NOW + DAY) }), NOW), null);
  });

  it('never, for access with no end: a one-time purchase, a subscription with no date yet', () => {
    assert.equal(accessEndsAt(state(), NOW), null);
  });

  it('at a manual grant’s until when only the grant gives access, never for a grant without until', () => {
    assert.equal(accessEndsAt(state({ manual: grant(NOW + 3 * DAY) }), NOW), NOW + 3 * DAY);
    assert.equal(accessEndsAt(state({ manual: grant(null), accessUntil: iso(NOW + DAY) }), NOW), null);
  });

  it('at the later of a paid period and a manual grant’s until, whichever is later', () => {
    assert.equal(accessEndsAt(state({ accessUntil: iso(NOW + DAY), manual: grant(NOW + 5 * DAY) }), NOW), NOW + 5 * DAY);
    assert.equal(accessEndsAt(state({ accessUntil: iso(NOW + 5 * DAY), manual: grant(NOW + DAY) }), NOW), NOW + 5 * DAY);
  });

  it('at the grant’s until when the paid period already ended, and at the paid period’s end when the grant’s did', () => {
    assert.equal(accessEndsAt(state({ status: 'cancelled', accessUntil: iso(NOW - DAY), manual: grant(NOW + DAY) }), NOW), NOW + DAY);
    assert.equal(accessEndsAt(state({ accessUntil: iso(NOW + DAY), manual: grant(NOW - DAY) }), NOW), NOW + DAY);
  });

  it('no longer, once every end has passed and access still holds: it comes from a purchase with no end', () => {
    // A one-time purchase next to a subscription shows the subscription's period; when it passes, access stays.
    const both = viewEnrollment(record({ transactions: [{ transaction: 'HP1', status: 'APPROVED' }], subscriptions: [subscription('cancelled', NOW - DAY)] }), NOW);
    assert.equal(both.hasAccess, true);
    assert.equal(accessEndsAt(feedStateOf(both), NOW), null);
    assert.equal(accessEndsAt(state({ accessUntil: iso(NOW - DAY), manual: grant(NOW - 1) }), NOW), null);
  });

  it('not at an end that is now: access ends at accessUntil itself', () => {
    assert.equal(accessEndsAt(state({ accessUntil: iso(NOW) }), NOW), null);
    assert.equal(accessEndsAt(state({ accessUntil: iso(NOW) }), NOW - 1), NOW);
  });
});
