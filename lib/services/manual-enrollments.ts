import { AppError } from '../domain/errors.ts';
import type { Target } from '../domain/mapping.ts';
import type { Clock, EnrollmentView } from './enrollments.ts';
import { viewEnrollment } from './enrollments.ts';
import type { ManualGrantStore } from './ports.ts';

export type ManualDeps = { manualGrants: ManualGrantStore; clock?: Clock };

/** What an operator asks for: a note (≤ 500 characters) and an end (epoch ms, exclusive), both optional. */
export type ManualGrantInput = { note?: string; until?: number };

/**
 * Grants a student access to a target by hand (the review student; complimentary or corrective
 * access), replacing a grant already there. `by` is who granted (the caller's IAM principal),
 * kept on the item for audit. An end already past is refused: it would grant nothing.
 */
export async function grantManualEnrollment(
  email: string,
  target: Target,
  input: ManualGrantInput,
  by: string,
  deps: ManualDeps,
): Promise<{ created: boolean; enrollment: EnrollmentView }> {
  const now = (deps.clock ?? Date.now)();
  if (input.until !== undefined && input.until <= now) {
    throw new AppError('REQUEST.INVALID', 'invalid body', [{ field: 'until', message: 'must be in the future (it is exclusive): remove the grant instead' }]);
  }
  const grant = { grantedAt: now, note: input.note ?? null, until: input.until ?? null };
  const { created, record } = await deps.manualGrants.grant(email, target, grant, by, now);
  return { created, enrollment: viewEnrollment(record, now) };
}

/** Removes a manual grant, and only it: access a purchase pays for stays. */
export async function revokeManualEnrollment(email: string, target: Target, deps: ManualDeps): Promise<void> {
  const removed = await deps.manualGrants.revoke(email, target, (deps.clock ?? Date.now)());
  if (!removed) throw new AppError('ENROLLMENT.MANUAL_NOT_FOUND', `${target.type} ${target.id} has no manual grant for this student`);
}
