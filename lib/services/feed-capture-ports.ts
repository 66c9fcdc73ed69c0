import type { FeedEvent } from '../domain/feed/envelope.ts';
import type { FeedCause } from '../domain/feed/event-type.ts';
import type { FeedState } from '../domain/feed/state.ts';
import type { Target } from '../domain/mapping.ts';
import type { EnrollmentView } from './enrollments.ts';
import type { EnrollmentRecord } from './ports.ts';

/** The storage the feed's capture and expiry sweep need (lib/adapters/dynamodb/feed-capture-store.ts). */

/** One enrollment of one school: `scope` is `<schoolId>#<incarnation>`. */
export type EnrollmentRef = { scope: string; email: string; target: Target };

/** An enrollment's last emitted feed state (its feed-state item). */
export type StoredFeedState = { sequence: number; state: FeedState; lastEventId: string; accessEndsAt: number | null };

/** What one emission writes, atomically: the event, and the feed state it moves to (`previous` as read: the write's condition). */
export type FeedEmission = EnrollmentRef & {
  event: FeedEvent<EnrollmentView>;
  previous: StoredFeedState | null;
  state: FeedState;
  accessEndsAt: number | null;
};

export interface FeedCaptureStore {
  /** The enrollment's feed state, strongly consistent; null before its first event. */
  readState(ref: EnrollmentRef): Promise<StoredFeedState | null>;
  /** Writes the event and the feed state together; false when the feed state is no longer `previous` (a concurrent emission). */
  emit(emission: FeedEmission): Promise<boolean>;
  /** Moves (or, null, clears) when the expiry sweep looks at the enrollment again; false when its sequence moved meanwhile. */
  watch(ref: EnrollmentRef, sequence: number, accessEndsAt: number | null): Promise<boolean>;
}

/** The enrollment as its school's keys read it (strongly consistent); null when it no longer exists. */
export type EnrollmentSource = (ref: EnrollmentRef) => Promise<EnrollmentRecord | null>;

/** The enrollments whose access may end by `now` (the cross-school index), a page of them per shard. */
export type AccessEndsIndex = (now: number) => AsyncIterable<EnrollmentRef>;

/** One change of an enrollment, as the capture receives it: the item as written and who wrote it. */
export type EnrollmentChange = { scope: string; record: EnrollmentRecord; cause: FeedCause };
