import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { HotmartEvent } from './hotmart/event.ts';
import type { TxStatus } from './transaction-status.ts';
import type { Outcome } from './write-plan.ts';
import type { SubscriptionStatus } from './subscription-rules.ts';
import { subscriptionFact } from './subscription-rules.ts';

/**
 * Reconciliation runs: what one run covers, what it reports, and the rules of its lifecycle.
 * A run reads Hotmart's API for a window of time and applies, through the webhook's own code
 * path, whatever the webhooks never delivered (lib/services/reconcile.ts).
 */

export type Window = { from: number; to: number };
export type Trigger = 'schedule' | 'api';

/**
 * `running` until it ends as `succeeded` (every record of the window checked, no error) or
 * `failed` (its report says what failed; running the window again is always safe). A run whose
 * Lambda died is `abandoned` once its lease has expired.
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';

export type ReconciliationReport = {
  /** Records read from Hotmart: sales (every status asked for) and subscriptions. */
  checked: { sales: number; subscriptions: number };
  /** Records whose effect was already here: their webhook arrived, or an earlier run applied them. */
  alreadyKnown: number;
  applied: {
    /** Access given that a lost webhook would have given. */
    grants: number;
    /** Access removed (refund, chargeback, cancelled payment, suspension) that a lost webhook would have removed. */
    revocations: number;
    /** Other changes: a subscription's cancellation or next charge date, a completed sale, a dispute kept. */
    other: number;
  };
  /**
   * Which students those grants and revocations reached: the ids of the events the run applied
   * (the first CHANGES_LISTED of each; `GET /events/{id}` names the buyer and the targets). Ids,
   * not e-mails: a run's record is no place for a buyer's personal data.
   */
  changes: { grants: string[]; revocations: string[] };
  skipped: {
    /** Purchases of products with no mapping: they wait, as a webhook would, and apply when the mapping is created. */
    unmapped: number;
    unmappedProducts: string[];
    /** Records that change no access (e.g. a printed billet), or that could not be read; counted per reason. */
    other: number;
    reasons: Record<string, number>;
  };
  errors: { scope: string; message: string }[];
};

export type ReconciliationRun = {
  id: string;
  trigger: Trigger;
  status: RunStatus;
  from: number;
  to: number;
  startedAt: number;
  finishedAt?: number;
  /** Until then no other run may start; a run that died releases the lease by letting it expire. */
  leaseUntil: number;
  /** The runner invocation executing it, once claimed. */
  executor?: string;
  report?: ReconciliationReport;
  /** It finished after its lease had expired and another run had taken over. */
  lateFinish?: boolean;
};

/** How many event ids of each kind a report lists (the counts in `applied` go on). */
export const CHANGES_LISTED = 100;

export const emptyReport = (): ReconciliationReport => ({
  checked: { sales: 0, subscriptions: 0 },
  alreadyKnown: 0,
  applied: { grants: 0, revocations: 0, other: 0 },
  changes: { grants: [], revocations: [] },
  skipped: { unmapped: 0, unmappedProducts: [], other: 0, reasons: {} },
  errors: [],
});

/** Run ids sort by start time, to the millisecond: `r-20261128T120000123Z-1a2b3c4d`. */
export function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:.]/g, '');
  return `r-${stamp}-${randomBytes(4).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^r-\d{8}T\d{9}Z-[0-9a-f]{8}$/;

/** The longest window one run may cover: Hotmart keeps webhook history for 60 days, and a wider backfill is a series of runs. */
export const MAX_WINDOW_MS = 62 * 24 * 3600_000;

const IsoDate = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

/** `POST /reconciliations` body: ISO dates, from before to, not in the future, at most MAX_WINDOW_MS wide. */
export function windowSchema(now: number) {
  return z
    .object({ from: IsoDate, to: IsoDate.optional() })
    .strict()
    .transform(({ from, to }) => ({ from, to: to ?? now }))
    .refine(({ from, to }) => from < to, { message: '`from` must be before `to`', path: ['from'] })
    .refine(({ to }) => to <= now + 60_000, { message: '`to` must not be in the future', path: ['to'] })
    .refine(({ from, to }) => to - from <= MAX_WINDOW_MS, { message: 'a run covers at most 62 days; split a longer backfill', path: ['from'] });
}

/** The scheduled run's window: the last `hours` hours. */
export const slidingWindow = (now: number, hours: number): Window => ({ from: now - hours * 3600_000, to: now });

/** A run that still says `running` after its lease expired died with its Lambda. */
export function effectiveStatus(run: Pick<ReconciliationRun, 'status' | 'leaseUntil'>, now: number): RunStatus {
  return run.status === 'running' && run.leaseUntil < now ? 'abandoned' : run.status;
}

/**
 * What a status leaves of the access it is about: `given` (paid, active), `withdrawn`
 * (suspended by a dispute or an overdue charge, or ended by a refund, chargeback or cancelled
 * payment), `kept` (a cancelled subscription, until its paid period ends), `none` (a
 * subscription not paid yet). Exhaustive: a new status does not compile until it is placed here.
 */
const ACCESS: Readonly<Record<TxStatus | SubscriptionStatus, 'given' | 'withdrawn' | 'kept' | 'none'>> = {
  APPROVED: 'given',
  COMPLETE: 'given',
  active: 'given',
  DISPUTE: 'withdrawn',
  CANCELED: 'withdrawn',
  REFUNDED: 'withdrawn',
  CHARGEBACK: 'withdrawn',
  suspended: 'withdrawn',
  revoked: 'withdrawn',
  cancelled: 'kept',
  pending: 'none',
};

const accessOf = (status: string | null) => (status === null ? undefined : ACCESS[status as keyof typeof ACCESS]);

/** Where one record a run applied counts in its report. */
export type Tally = 'alreadyKnown' | 'unmapped' | 'skipped' | 'grants' | 'revocations' | 'other';

/**
 * How an applied record counts, from its outcome's effect (access before and after):
 * a grant gives access that was not given (or, for a subscription's new charge, a new paid
 * period even while active); a revocation withdraws access from a record we knew in another
 * state (a refund of a sale we never knew records it, and removes nothing); the rest is other.
 */
export function tallyOf(outcome: Outcome, event: HotmartEvent): Tally {
  if (outcome.status === 'duplicate') return 'alreadyKnown';
  if (outcome.status === 'unmapped') return 'unmapped';
  if (outcome.status !== 'processed') return 'skipped';
  const effect = outcome.effects?.[0];
  if (effect === undefined || effect.targets.length === 0) return 'other';
  const before = accessOf(effect.from);
  const after = accessOf(effect.to);
  const newCharge = subscriptionFact(event)?.kind === 'charge';
  if (after === 'given' && (before !== 'given' || newCharge)) return 'grants';
  if (after === 'withdrawn' && effect.from !== null && effect.from !== effect.to) return 'revocations';
  return 'other';
}
