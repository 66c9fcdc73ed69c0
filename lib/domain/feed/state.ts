import type { EnrollmentStatus } from '../access.ts';
import type { Target } from '../mapping.ts';

/**
 * An enrollment's feed state (issue 13): the four fields whose change is an event. Anything else
 * (a COMPLETE that only moves a transaction forward, a new `updatedAt`) emits nothing.
 */

/** A manual grant as the enrollment view shows it (ISO dates; `until` null = no end). */
export type ManualGrant = { grantedAt: string; note: string | null; until: string | null };

/**
 * What the feed needs of the item GET …/enrollments returns (lib/services/enrollments.ts
 * `EnrollmentView`), declared structurally so the domain does not import a service. `manual` is
 * optional: a view without it has no manual grant.
 */
export type FeedEnrollmentView = {
  email: string;
  target: Target;
  status: EnrollmentStatus;
  hasAccess: boolean;
  accessUntil: string | null;
  manual?: ManualGrant | null;
};

export type FeedState = {
  status: EnrollmentStatus;
  hasAccess: boolean;
  accessUntil: string | null;
  manual: ManualGrant | null;
};

export function feedStateOf(view: FeedEnrollmentView): FeedState {
  const manual = view.manual ? { grantedAt: view.manual.grantedAt, note: view.manual.note ?? null, until: view.manual.until ?? null } : null;
  return { status: view.status, hasAccess: view.hasAccess, accessUntil: view.accessUntil, manual };
}

/** Dates compare as written: views and stored feed states both come from `toISOString`. */
export function sameFeedState(a: FeedState, b: FeedState): boolean {
  return (
    a.status === b.status &&
    a.hasAccess === b.hasAccess &&
    a.accessUntil === b.accessUntil &&
    (a.manual === b.manual ||
      (a.manual !== null && b.manual !== null && a.manual.grantedAt === b.manual.grantedAt && a.manual.note === b.manual.note && a.manual.until === b.manual.until))
  );
}

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/**
 * When the expiry sweep must look at this enrollment again (epoch ms), or null when access cannot
 * end by time. Access ends at the LATER of the time bounds of the sources that give it at `now`: a
 * paid period (`accessUntil`) and a manual grant (`until`); a source without end (a one-time purchase,
 * a manual grant without `until`) means access does not end by time.
 *
 * The state cannot show every source (a one-time purchase next to a subscription shows only the
 * subscription's `accessUntil`), so the answer is the earliest instant access MAY end: the sweep
 * re-derives the state then, and emits only if it changed. A state whose bounds have all passed
 * while access holds gets its access from a source without end: null, so the sweep stops watching.
 */
export function accessEndsAt(state: FeedState, now: number): number | null {
  if (!state.hasAccess) return null;
  if (state.manual && state.manual.until === null) return null;
  const bounds = [ms(state.accessUntil), ms(state.manual?.until ?? null)].filter((t): t is number => t !== null && t > now);
  return bounds.length === 0 ? null : Math.max(...bounds);
}
