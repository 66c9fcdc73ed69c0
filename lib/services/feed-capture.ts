import { feedEvent } from '../domain/feed/envelope.ts';
import type { FeedEvent } from '../domain/feed/envelope.ts';
import type { FeedCause } from '../domain/feed/event-type.ts';
import { eventTypeOf } from '../domain/feed/event-type.ts';
import { accessEndsAt, feedStateOf } from '../domain/feed/state.ts';
import type { EnrollmentView } from './enrollments.ts';
import { viewEnrollment } from './enrollments.ts';
import type { EnrollmentChange, EnrollmentRef, FeedCaptureStore } from './feed-capture-ports.ts';
import type { EnrollmentRecord } from './ports.ts';

export type CaptureDeps = { feed: FeedCaptureStore; clock: () => number; newEventId: () => string };

/** Emissions that lost a race (the expiry sweep, another copy of the record) are retried on a fresh read this many times. */
const MAX_ATTEMPTS = 5;

/** The school's id, from its scope `<schoolId>#<incarnation>`. */
export const schoolIdOf = (scope: string) => scope.slice(0, scope.lastIndexOf('#'));

/**
 * Turns one enrollment's current state into its next feed event, if its feed state
 * (status, hasAccess, accessUntil, manual) changed: the event and the new feed state are written
 * together, under the condition that the feed state is still the one read, so the enrollment's
 * sequence has no gaps and no repeats. Returns the event emitted, or null when nothing changed.
 */
export async function emitFor(ref: EnrollmentRef, record: EnrollmentRecord, cause: FeedCause, deps: CaptureDeps): Promise<FeedEvent<EnrollmentView> | null> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const now = deps.clock();
    const view = viewEnrollment(record, now);
    const state = feedStateOf(view);
    const ends = accessEndsAt(state, now);
    const previous = await deps.feed.readState(ref);
    if (eventTypeOf(previous?.state ?? null, state, cause) === null) {
      // Nothing to announce; a sweep that found the enrollment early (access kept by another source) looks again later.
      if (previous === null || previous.accessEndsAt === ends || (await deps.feed.watch(ref, previous.sequence, ends))) return null;
      continue;
    }
    const event = feedEvent({
      id: deps.newEventId(),
      createdAt: now,
      schoolId: schoolIdOf(ref.scope),
      sequence: (previous?.sequence ?? 0) + 1,
      enrollment: view,
      previous: previous?.state ?? null,
      cause,
    });
    if (await deps.feed.emit({ ...ref, event, previous, state, accessEndsAt: ends })) return event;
  }
  throw new Error('feed state contention: the enrollment kept changing; the record is retried');
}

/** The capture of one enrollment change (the enrollments table's stream). */
export function captureChange(change: EnrollmentChange, deps: CaptureDeps): Promise<FeedEvent<EnrollmentView> | null> {
  const { scope, record, cause } = change;
  return emitFor({ scope, email: record.email, target: record.target }, record, cause, deps);
}
