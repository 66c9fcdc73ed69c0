import * as z from 'zod';
import type { FeedState } from './state.ts';
import { sameFeedState } from './state.ts';

export const FEED_EVENT_TYPES = [
  'enrollment.suspended',
  'enrollment.restored',
  'enrollment.switched',
  'enrollment.granted',
  'enrollment.expired',
  'enrollment.revoked',
  'enrollment.updated',
] as const;
export type FeedEventType = (typeof FEED_EVENT_TYPES)[number];

export const FEED_CAUSE_SOURCES = ['webhook', 'reconciliation', 'manual', 'expiry', 'replay', 'mapping'] as const;

/** What made the enrollment change; the writers put it on the item as `lastCause`. */
export const FeedCauseSchema = z.strictObject({
  source: z.enum(FEED_CAUSE_SOURCES),
  eventId: z.string().min(1).optional(),
  hotmartEvent: z.string().min(1).optional(),
  transaction: z.string().min(1).optional(),
});
export type FeedCause = z.infer<typeof FeedCauseSchema>;

type Row = { type: FeedEventType; when: (previous: FeedState | null, current: FeedState, cause: Pick<FeedCause, 'source'>) => boolean };

const hadAccess = (previous: FeedState | null) => previous !== null && previous.hasAccess;

/** The table, in its order: the first row that matches gives the type (README: "Receive enrollment events"). */
const RULES: readonly Row[] = [
  { type: 'enrollment.suspended', when: (p, c) => c.status === 'suspended' && p?.status !== 'suspended' },
  { type: 'enrollment.restored', when: (p, c) => p?.status === 'suspended' && !p.hasAccess && c.hasAccess },
  { type: 'enrollment.switched', when: (p, c) => c.status === 'switched' && p?.status !== 'switched' },
  { type: 'enrollment.granted', when: (p, c) => c.hasAccess && !hadAccess(p) },
  { type: 'enrollment.expired', when: (p, c, cause) => hadAccess(p) && !c.hasAccess && cause.source === 'expiry' },
  { type: 'enrollment.revoked', when: (p, c) => hadAccess(p) && !c.hasAccess },
  // Access unchanged: a renewal, a cancellation at the end of the period, a grant on paid access —
  // and the first state of an enrollment that starts without access (a refund folded in first).
  { type: 'enrollment.updated', when: () => true },
];

/** The event a change of feed state is; null when (status, hasAccess, accessUntil, manual) did not change. */
export function eventTypeOf(previous: FeedState | null, current: FeedState, cause: Pick<FeedCause, 'source'>): FeedEventType | null {
  if (previous !== null && sameFeedState(previous, current)) return null;
  return RULES.find((row) => row.when(previous, current, cause))!.type;
}
