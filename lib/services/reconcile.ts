import type { HotmartEvent } from '../domain/hotmart/event.ts';
import { eventFromSale } from '../domain/hotmart/api-sales.ts';
import type { SubscriptionSnapshot } from '../domain/hotmart/api-subscriptions.ts';
import { eventsForSnapshot } from '../domain/subscription-snapshot.ts';
import { parseSubscription } from '../domain/hotmart/api-subscriptions.ts';
import type { ReconciliationReport, Window } from '../domain/reconciliation.ts';
import { CHANGES_LISTED, emptyReport, tallyOf } from '../domain/reconciliation.ts';
import type { ApplyDeps } from './apply-event.ts';
import { applyHotmartEvent } from './apply-event.ts';
import type { HotmartSource, SubscriptionFilters } from './ports.ts';

/**
 * Every sale status that changes access, asked for one by one: unasked, Hotmart returns only
 * approved and complete sales. Sources disagree on the API's name for a dispute (docs/hotmart.md, "Statuses"): if
 * Hotmart refuses one spelling as an invalid value, the next is asked.
 */
export const RECONCILED_STATUSES: readonly (readonly string[])[] = [['APPROVED'], ['COMPLETE'], ['CANCELLED'], ['REFUNDED'], ['CHARGEBACK'], ['DISPUTE', 'PROTESTED']];

const refusedAsInvalid = (error: unknown) => (error as { status?: unknown }).status === 400;

export type ReconcileOptions = {
  now?: () => number;
  /** Stop reading before this instant (the Lambda's own deadline); the report says where it stopped. */
  deadline?: number;
};

class OutOfTime extends Error {}

/** Subscription charges wait until their subscription is known, keyed by buyer and product. */
type Charges = Map<string, HotmartEvent[]>;
const byBuyer = (email: string, productId: string) => `${email}|${productId}`;

/** One run over a window: what it reads from, applies through, and reports. */
type RunContext = {
  window: Window;
  source: HotmartSource;
  deps: ApplyDeps;
  now: () => number;
  deadline: number | undefined;
  /** Also stops a read in the middle of its paging, retries or rate-limit waits. */
  signal: AbortSignal | undefined;
  report: ReconciliationReport;
  unmapped: Set<string>;
};

/**
 * Applies, through the webhook's own code path, everything in the window that Hotmart knows and
 * we do not:
 *
 * 1. every sale of each status of interest. A sale becomes the event its webhook would have been,
 *    with an id derived from transaction and status: a webhook that arrived already, or arrives
 *    later, is a duplicate of it, and a second run over the same window applies nothing new;
 * 2. subscriptions: those with a charge in the window (found by buyer and product, since sales
 *    history names no subscriber code), those started, cancelled or fallen due in the window.
 *    Their charges are applied as subscription events, then Hotmart's status and next charge date
 *    are compared with ours and the difference applied (lib/domain/hotmart-subscription.ts).
 *
 * A failure reading one status or one kind of subscription is reported and the rest goes on.
 */
export async function reconcileWindow(window: Window, source: HotmartSource, deps: ApplyDeps, options: ReconcileOptions = {}): Promise<ReconciliationReport> {
  const now = options.now ?? Date.now;
  const { deadline } = options;
  const signal = deadline === undefined ? undefined : AbortSignal.timeout(Math.max(0, deadline - now()));
  const run: RunContext = { window, source, deps, now, deadline, signal, report: emptyReport(), unmapped: new Set() };
  try {
    const charges: Charges = new Map();
    for (const spellings of RECONCILED_STATUSES) await readSales(run, spellings, charges);
    const snapshots = await readSubscriptions(run, charges);
    await applyCharges(run, charges, snapshots);
    await applySnapshots(run, snapshots);
  } catch (error) {
    if (!(error instanceof OutOfTime)) throw error;
    run.report.errors.push({ scope: 'run', message: 'stopped at the time limit before the window was done; run it again to finish (nothing applies twice)' });
  }
  run.report.skipped.unmappedProducts = [...run.unmapped].sort();
  return run.report;
}

/** Sales of one status (under its first spelling Hotmart accepts): one-time sales applied, subscription charges kept for later. */
async function readSales(run: RunContext, spellings: readonly string[], charges: Charges): Promise<void> {
  await guarded(run, `sales ${spellings.join('/')}`, async () => {
    for (const [i, status] of spellings.entries()) {
      try {
        for await (const item of run.source.salesHistory({ ...run.window, status, ...withSignal(run) })) {
          checkTime(run);
          run.report.checked.sales++;
          const sale = eventFromSale(item, run.now());
          if (!sale.ok) skip(run, sale.reason);
          else if (sale.subscriptionCharge) {
            const key = byBuyer(sale.event.buyerEmail!, sale.event.productId!);
            charges.set(key, [...(charges.get(key) ?? []), sale.event]);
          } else await guarded(run, `transaction ${sale.event.transaction}`, () => apply(run, sale.event));
        }
        return;
      } catch (error) {
        if (!refusedAsInvalid(error) || i === spellings.length - 1) throw error;
      }
    }
  });
}

/** The subscriptions of every charged buyer, then those started, cancelled or fallen due in the window; each once. */
async function readSubscriptions(run: RunContext, charges: Charges): Promise<SubscriptionSnapshot[]> {
  const snapshots = new Map<string, SubscriptionSnapshot>();
  const read = (scope: string, filters: SubscriptionFilters) =>
    guarded(run, scope, async () => {
      for await (const item of run.source.subscriptions({ ...filters, ...withSignal(run) })) {
        checkTime(run);
        const parsed = parseSubscription(item);
        if (!parsed.ok) {
          run.report.checked.subscriptions++;
          skip(run, parsed.reason);
        } else if (!snapshots.has(parsed.snapshot.subscriberCode)) {
          run.report.checked.subscriptions++;
          snapshots.set(parsed.snapshot.subscriberCode, parsed.snapshot);
        }
      }
    });
  for (const key of charges.keys()) {
    const [subscriberEmail, productId] = key.split('|') as [string, string];
    await read('subscriptions of a charged buyer', { subscriberEmail, productId });
  }
  await read('subscriptions started', { accession: run.window });
  await read('subscriptions cancelled', { cancelation: run.window });
  await read('subscriptions fallen due', { statuses: ['DELAYED', 'OVERDUE'], nextCharge: run.window });
  return [...snapshots.values()];
}

/** Each charge, completed with its subscription's code, is applied as its webhook would have been. */
async function applyCharges(run: RunContext, charges: Charges, snapshots: readonly SubscriptionSnapshot[]): Promise<void> {
  for (const [key, events] of charges) {
    const candidates = snapshots.filter((s) => byBuyer(s.email, s.productId) === key);
    const latest = Math.max(...events.filter((e) => e.event === 'PURCHASE_APPROVED').map((e) => e.recurrenceNumber ?? 0));
    for (const event of events) {
      checkTime(run);
      const subscription = subscriptionOf(event, candidates);
      if (!subscription) {
        skip(run, 'subscription charge whose subscription Hotmart did not list');
        continue;
      }
      if (event.event === 'PURCHASE_APPROVED' && subscription.dateNextCharge === undefined) {
        skip(run, 'subscription charge without a next charge date: not applied, its access would have no end');
        continue;
      }
      // The latest charge paid until Hotmart's next charge date (for a late subscription: the date it missed).
      const isLatest = event.event === 'PURCHASE_APPROVED' && (event.recurrenceNumber ?? 0) === latest;
      await guarded(run, `subscription ${subscription.subscriberCode}`, () =>
        apply(run, { ...event, subscriberCode: subscription.subscriberCode, ...(isLatest ? { dateNextCharge: subscription.dateNextCharge } : {}) }),
      );
    }
  }
}

/** Hotmart's status and next charge date of each subscription against ours: the difference is applied. */
async function applySnapshots(run: RunContext, snapshots: readonly SubscriptionSnapshot[]): Promise<void> {
  for (const snapshot of snapshots) {
    checkTime(run);
    await guarded(run, `subscription ${snapshot.subscriberCode}`, async () => {
      const plan = eventsForSnapshot(snapshot, await run.deps.events.getSubscription(snapshot.subscriberCode), run.now());
      if ('skip' in plan) return skip(run, plan.skip);
      if (plan.events.length === 0) run.report.alreadyKnown++;
      for (const event of plan.events) await apply(run, event);
    });
  }
}

/** Applies one event through the webhook's code path and counts it in the report (lib/domain/reconciliation.ts, tallyOf). */
async function apply(run: RunContext, event: HotmartEvent): Promise<void> {
  const outcome = await applyHotmartEvent(event, run.deps, { receivedAt: run.now(), source: 'reconciliation' });
  const tally = tallyOf(outcome, event);
  if (tally === 'alreadyKnown') run.report.alreadyKnown++;
  else if (tally === 'unmapped') {
    run.report.skipped.unmapped++;
    run.unmapped.add(event.productId!);
  } else if (tally === 'skipped') skip(run, `${outcome.status} event`);
  else {
    run.report.applied[tally]++;
    if (tally !== 'other' && run.report.changes[tally].length < CHANGES_LISTED) run.report.changes[tally].push(event.id);
  }
}

function skip(run: RunContext, reason: string): void {
  run.report.skipped.other++;
  const key = reason.replace(/: .*/, '').slice(0, 80);
  run.report.skipped.reasons[key] = (run.report.skipped.reasons[key] ?? 0) + 1;
}

function checkTime(run: RunContext): void {
  if (run.deadline !== undefined && run.now() >= run.deadline) throw new OutOfTime();
}

const withSignal = (run: RunContext) => (run.signal ? { signal: run.signal } : {});

/** One source read; its failure is reported, not thrown, so the other reads still run. */
async function guarded(run: RunContext, scope: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof OutOfTime || run.signal?.aborted) throw new OutOfTime();
    run.report.errors.push({ scope, message: (error as Error).message.slice(0, 200) });
  }
}

/**
 * The subscription a charge belongs to, among the buyer's subscriptions of that product: the one
 * it started, else the latest started before it was paid.
 */
function subscriptionOf(charge: HotmartEvent, candidates: readonly SubscriptionSnapshot[]): SubscriptionSnapshot | undefined {
  const started = candidates.find((s) => s.transaction === charge.transaction);
  if (started) return started;
  const before = candidates.filter((s) => (s.accessionDate ?? 0) <= charge.creationDate).sort((a, b) => (b.accessionDate ?? 0) - (a.accessionDate ?? 0));
  return before[0] ?? (candidates.length === 1 ? candidates[0] : undefined);
}
