import type { SubscriptionMirror } from './subscription-rules.ts';
import { subscriptionHasAccess } from './subscription-rules.ts';
import type { TxStatus } from './transaction-status.ts';
import { isPaid } from './transaction-status.ts';

/**
 * Read-time access (README: "Rules"): an enrollment's status and access are derived when read
 * from the transactions and subscriptions behind it, so access ends by itself when a paid period
 * does, with no scheduled job.
 */

export type EnrollmentStatus = 'active' | 'suspended' | 'cancelled' | 'revoked' | 'switched';

/**
 * An operator's manual grant (the review student; complimentary or corrective access): epoch ms,
 * `until` exclusive, null for no end.
 */
export type ManualGrant = { grantedAt: number; note: string | null; until: number | null };

/** A manual grant gives access from when it is made until `until` (exclusive), or for good. */
export const manualGrantValid = (manual: ManualGrant | null | undefined, now: number): boolean =>
  manual !== null && manual !== undefined && (manual.until === null || now < manual.until);

/**
 * An enrollment's status and access, derived when read from what lies behind it. A valid manual
 * grant gives status active and access whatever the purchases say — a revoked (refunded) or a
 * suspended (disputed) one included: it is an operator's explicit decision, and removing it gives
 * the purchases' answer back. An expired grant gives nothing. The subscription shown stays the
 * purchases' (its `accessUntil` is the paid period's end, not the grant's).
 */
export function enrollmentAccess(
  transactions: readonly { status: TxStatus }[],
  subscriptions: readonly SubscriptionMirror[],
  now: number,
  manual: ManualGrant | null = null,
): { status: EnrollmentStatus; hasAccess: boolean; subscription?: SubscriptionMirror } {
  const purchased = purchasedAccess(transactions, subscriptions, now);
  return manualGrantValid(manual, now) ? { ...purchased, status: 'active', hasAccess: true } : purchased;
}

function purchasedAccess(
  transactions: readonly { status: TxStatus }[],
  subscriptions: readonly SubscriptionMirror[],
  now: number,
): { status: EnrollmentStatus; hasAccess: boolean; subscription?: SubscriptionMirror } {
  const oneTimePaid = transactions.some((t) => isPaid(t.status));
  const withAccess = subscriptions.find((s) => subscriptionHasAccess(s, now));
  // Show the subscription that gives access, else the one most likely to: the latest paid period.
  const shown = withAccess ?? [...subscriptions].sort((a, b) => (b.accessUntil ?? 0) - (a.accessUntil ?? 0))[0];
  if (oneTimePaid) return { status: 'active', hasAccess: true, ...(shown ? { subscription: shown } : {}) };
  if (shown) return { status: shown.status, hasAccess: withAccess !== undefined, subscription: shown };
  return { status: transactions.some((t) => t.status === 'DISPUTE') ? 'suspended' : 'revoked', hasAccess: false };
}
