import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FeedCause } from '#lib/domain/feed/event-type.ts';
import { FEED_CAUSE_SOURCES, FeedCauseSchema, eventTypeOf } from '#lib/domain/feed/event-type.ts';
import type { FeedState, ManualGrant } from '#lib/domain/feed/state.ts';

const DAY = 24 * 60 * 60 * 1000;
const T = Date.UTC(2027, 0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const state = (extra: Partial<FeedState> = {}): FeedState => ({ status: 'active', hasAccess: true, accessUntil: null, manual: null, ...extra });
const paid = (until: number) => state({ accessUntil: iso(until) });
const grant = (until: number | null = null): ManualGrant => ({ grantedAt: iso(T), note: null, until: until === null ? null : iso(until) });
const none = state({ status: 'revoked', hasAccess: false });
const webhook = { source: 'webhook' } as const;
const expiry = { source: 'expiry' } as const;

describe('the type of a feed event: the first matching row of the issue’s table', () => {
  it('emits nothing when status, access, paid period and manual grant are unchanged', () => {
    assert.equal(eventTypeOf(paid(T), paid(T), webhook), null);
    assert.equal(eventTypeOf(state({ manual: grant() }), state({ manual: grant() }), { source: 'manual' }), null);
  });

  it('suspended: a dispute under onDispute suspend, an overdue renewal under onDelayed suspend', () => {
    assert.equal(eventTypeOf(paid(T), state({ status: 'suspended', hasAccess: false, accessUntil: iso(T) }), webhook), 'enrollment.suspended');
    // Row 1 wins over row 6: access ended, but by a suspension.
    assert.equal(eventTypeOf(paid(T), state({ status: 'suspended', hasAccess: false, accessUntil: iso(T + DAY) }), webhook), 'enrollment.suspended');
    assert.equal(eventTypeOf(null, state({ status: 'suspended', hasAccess: false }), webhook), 'enrollment.suspended');
  });

  it('restored: a suspended enrollment gets its access back (a dispute settled, the overdue charge paid)', () => {
    const suspended = state({ status: 'suspended', hasAccess: false, accessUntil: iso(T) });
    assert.equal(eventTypeOf(suspended, paid(T), webhook), 'enrollment.restored');
    assert.equal(eventTypeOf(suspended, paid(T + 30 * DAY), webhook), 'enrollment.restored');
    // Row 2 wins over row 4: a manual grant on a suspended enrollment gives its access back.
    assert.equal(eventTypeOf(suspended, { ...suspended, hasAccess: true, manual: grant() }, { source: 'manual' }), 'enrollment.restored');
  });

  it('updated, not revoked, when a suspended enrollment is charged back: it had no access left to lose', () => {
    const suspended = state({ status: 'suspended', hasAccess: false, accessUntil: iso(T) });
    assert.equal(eventTypeOf(suspended, state({ status: 'revoked', hasAccess: false }), webhook), 'enrollment.updated');
  });

  it('switched: the plan was switched away from this target, with or without access', () => {
    assert.equal(eventTypeOf(paid(T), state({ status: 'switched', hasAccess: false, accessUntil: iso(T) }), webhook), 'enrollment.switched');
    assert.equal(eventTypeOf(null, state({ status: 'switched', hasAccess: false }), webhook), 'enrollment.switched');
  });

  it('granted: a first purchase, a re-purchase after a refund, a manual grant on an enrollment without access', () => {
    assert.equal(eventTypeOf(null, state(), webhook), 'enrollment.granted');
    assert.equal(eventTypeOf(null, paid(T + 30 * DAY), webhook), 'enrollment.granted');
    assert.equal(eventTypeOf(none, state(), webhook), 'enrollment.granted');
    assert.equal(eventTypeOf(none, { ...none, hasAccess: true, status: 'active', manual: grant(T + DAY) }, { source: 'manual' }), 'enrollment.granted');
    assert.equal(eventTypeOf(null, state({ manual: grant() }), { source: 'manual' }), 'enrollment.granted');
    // A paid period that ran out, renewed late.
    assert.equal(eventTypeOf(state({ hasAccess: false, accessUntil: iso(T) }), paid(T + 30 * DAY), webhook), 'enrollment.granted');
  });

  it('expired: access ends by time, a paid period or a manual grant’s until passed', () => {
    assert.equal(eventTypeOf(state({ status: 'cancelled', accessUntil: iso(T) }), state({ status: 'cancelled', hasAccess: false, accessUntil: iso(T) }), expiry), 'enrollment.expired');
    assert.equal(eventTypeOf(paid(T), state({ hasAccess: false, accessUntil: iso(T) }), expiry), 'enrollment.expired');
    assert.equal(eventTypeOf(state({ manual: grant(T) }), state({ hasAccess: false, manual: grant(T) }), expiry), 'enrollment.expired');
  });

  it('revoked: access ends by an event — refund, chargeback, immediate cancellation, a removed manual grant', () => {
    assert.equal(eventTypeOf(state(), none, webhook), 'enrollment.revoked');
    assert.equal(eventTypeOf(paid(T), state({ status: 'cancelled', hasAccess: false, accessUntil: iso(T - 1) }), webhook), 'enrollment.revoked');
    assert.equal(eventTypeOf(state({ hasAccess: true, manual: grant() }), state({ hasAccess: false, status: 'revoked' }), { source: 'manual' }), 'enrollment.revoked');
    for (const source of ['reconciliation', 'replay', 'mapping'] as const) assert.equal(eventTypeOf(state(), none, { source }), 'enrollment.revoked');
  });

  it('updated: access unchanged — a renewal, a cancellation at the end of the period, a manual grant on paid access', () => {
    assert.equal(eventTypeOf(paid(T), paid(T + 30 * DAY), webhook), 'enrollment.updated');
    assert.equal(eventTypeOf(paid(T), state({ status: 'cancelled', accessUntil: iso(T) }), webhook), 'enrollment.updated');
    assert.equal(eventTypeOf(paid(T), { ...paid(T), manual: grant(T + DAY) }, { source: 'manual' }), 'enrollment.updated');
    // The expiry sweep ran but access did not end (a renewal landed first): not an expiry.
    assert.equal(eventTypeOf(paid(T), paid(T + 30 * DAY), expiry), 'enrollment.updated');
    // An enrollment whose first known state has no access (a refund folded in before its purchase).
    assert.equal(eventTypeOf(null, none, webhook), 'enrollment.updated');
  });

  it('reads the cause the writers put on the item, and refuses an unknown source or key', () => {
    const cause: FeedCause = { source: 'webhook', eventId: 'e1', hotmartEvent: 'PURCHASE_APPROVED', transaction: 'HP1' };
    assert.deepEqual(FeedCauseSchema.parse(cause), cause);
    assert.ok(!FeedCauseSchema.safeParse({ source: 'cron' }).success);
    assert.ok(!FeedCauseSchema.safeParse({ source: 'webhook', buyer: 'x' }).success);
  });
});

describe('event types over any pair of feed states', () => {
  const states = fc.record({
    status: fc.constantFrom('active', 'suspended', 'cancelled', 'revoked', 'switched'),
    hasAccess: fc.boolean(),
    accessUntil: fc.option(fc.constantFrom(iso(T), iso(T + DAY))),
    manual: fc.option(fc.constantFrom(grant(), grant(T))),
  }) as fc.Arbitrary<FeedState>;
  const causes = fc.constantFrom(...FEED_CAUSE_SOURCES).map((source) => ({ source }));

  it('emits exactly when the state changed, and says truly whether access began, ended or stayed', () => {
    fc.assert(
      fc.property(fc.option(states), states, causes, (previous, current, cause) => {
        const type = eventTypeOf(previous, current, cause);
        const changed = previous === null || JSON.stringify(previous) !== JSON.stringify(current);
        assert.equal(type !== null, changed);
        const before = previous?.hasAccess ?? false;
        if (type === 'enrollment.granted' || type === 'enrollment.restored') assert.ok(!before && current.hasAccess);
        if (type === 'enrollment.expired' || type === 'enrollment.revoked') assert.ok(before && !current.hasAccess);
        if (type === 'enrollment.expired') assert.equal(cause.source, 'expiry');
        if (type === 'enrollment.updated') assert.equal(current.hasAccess, before);
        if (before !== current.hasAccess && type !== null) {
          assert.ok(['enrollment.suspended', 'enrollment.switched', 'enrollment.granted', 'enrollment.restored', 'enrollment.expired', 'enrollment.revoked'].includes(type));
        }
      }),
      { numRuns: 500 },
    );
  });
});
