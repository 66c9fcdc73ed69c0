import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ConsumerState, SequencedEvent } from '#lib/domain/feed/consumer.ts';
import { applyIfNewer, enrollmentKeyOf } from '#lib/domain/feed/consumer.ts';
import type { FeedEnrollmentView } from '#lib/domain/feed/state.ts';
import { deliveredInAnyOrder, seededRandom } from '../helpers/feed.ts';

const empty: ConsumerState = new Map();
const enrollment = (email: string, course: string, status: FeedEnrollmentView['status'], hasAccess: boolean): FeedEnrollmentView => ({
  email,
  target: { type: 'course', id: course },
  status,
  hasAccess,
  accessUntil: null,
});
const event = (sequence: number, view: FeedEnrollmentView, schoolId = 'demo'): SequencedEvent => ({ schoolId, sequence, enrollment: view });

describe('a consumer that applies only higher sequences', () => {
  it('ignores an older event and a copy of the one it applied', () => {
    const granted = event(1, enrollment('ana@example.com', 'c1', 'active', true));
    const revoked = event(2, enrollment('ana@example.com', 'c1', 'revoked', false));
    const state = [revoked, granted, revoked].reduce(applyIfNewer, empty);
    assert.deepEqual([...state.values()], [{ sequence: 2, enrollment: revoked.enrollment }]);
  });

  it('keeps enrollments apart: another target, another student, another school', () => {
    const views = [enrollment('ana@example.com', 'c1', 'active', true), enrollment('ana@example.com', 'c2', 'active', true), enrollment('bia@example.com', 'c1', 'active', true)];
    const state = [...views.map((v) => event(1, v)), event(1, views[0]!, 'other')].reduce(applyIfNewer, empty);
    assert.equal(state.size, 4);
    assert.notEqual(enrollmentKeyOf(event(1, enrollment('a|b', 'c', 'active', true))), enrollmentKeyOf(event(1, enrollment('a', 'b|c', 'active', true))));
  });

  it('does not change the state it was given', () => {
    const before: ConsumerState = new Map();
    applyIfNewer(before, event(1, enrollment('ana@example.com', 'c1', 'active', true)));
    assert.equal(before.size, 0);
  });
});

describe('any delivery order, with copies', () => {
  const statuses = fc.constantFrom<FeedEnrollmentView['status']>('active', 'suspended', 'cancelled', 'revoked', 'switched');
  /** Per enrollment, its events with sequences 1..n, each a distinct state. */
  const timelines = fc.array(
    fc.record({ email: fc.constantFrom('ana@example.com', 'bia@example.com'), course: fc.constantFrom('c1', 'c2', 'c3'), states: fc.array(fc.tuple(statuses, fc.boolean()), { minLength: 1, maxLength: 8 }) }),
    { minLength: 1, maxLength: 6 },
  ).map((enrollments) => {
    const unique = new Map(enrollments.map((e) => [`${e.email} ${e.course}`, e]));
    return [...unique.values()].map(({ email, course, states }) => states.map(([status, hasAccess], i) => event(i + 1, { ...enrollment(email, course, status, hasAccess), accessUntil: `#${i}` })));
  });

  it('leaves the consumer at every enrollment’s last event', () => {
    fc.assert(
      fc.property(timelines, fc.integer(), (perEnrollment, seed) => {
        const deliveries = deliveredInAnyOrder(perEnrollment.flat(), seededRandom(seed));
        const state = deliveries.reduce(applyIfNewer, empty);
        assert.equal(state.size, perEnrollment.length);
        for (const events of perEnrollment) {
          const last = events.at(-1)!;
          assert.deepEqual(state.get(enrollmentKeyOf(last)), { sequence: last.sequence, enrollment: last.enrollment });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('delivers every event at least once, and only those', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), fc.integer(), (events, seed) => {
        const deliveries = deliveredInAnyOrder(events, seededRandom(seed));
        assert.deepEqual([...new Set(deliveries)].sort(), [...new Set(events)].sort());
        assert.ok(deliveries.length >= events.length && deliveries.length <= 3 * events.length);
      }),
    );
  });
});
