import type { FeedEnrollmentView } from './state.ts';

/**
 * The platform's side of the ordering rule (issue 13), as a pure model for the property tests: a
 * consumer applies an event only when its sequence is higher than the last one it applied for that
 * enrollment, and so ends in the current state whatever order and however often events arrive.
 */

export type SequencedEvent<E extends FeedEnrollmentView = FeedEnrollmentView> = { schoolId: string; sequence: number; enrollment: E };

export type ConsumerState<E extends FeedEnrollmentView = FeedEnrollmentView> = ReadonlyMap<string, { sequence: number; enrollment: E }>;

/** An enrollment is (school, student, target). */
export const enrollmentKeyOf = (event: SequencedEvent): string =>
  JSON.stringify([event.schoolId, event.enrollment.email, event.enrollment.target.type, event.enrollment.target.id]);

export function applyIfNewer<E extends FeedEnrollmentView>(state: ConsumerState<E>, event: SequencedEvent<E>): ConsumerState<E> {
  const key = enrollmentKeyOf(event);
  const applied = state.get(key);
  if (applied && applied.sequence >= event.sequence) return state;
  return new Map(state).set(key, { sequence: event.sequence, enrollment: event.enrollment });
}
