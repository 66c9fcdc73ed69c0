import type { Outcome } from '../domain/write-plan.ts';
import type { HotmartEvent } from '../domain/hotmart/event.ts';
import { eventFromSale } from '../domain/hotmart/api-sales.ts';
import type { SubscriptionSnapshot } from '../domain/hotmart/api-subscriptions.ts';
import { eventsForSnapshot } from '../domain/subscription-snapshot.ts';
import { parseSubscription } from '../domain/hotmart/api-subscriptions.ts';
import type { ReconciliationReport, Window } from '../domain/reconciliation.ts';
import { emptyReport } from '../domain/reconciliation.ts';
import type { ApplyDeps } from './apply-event.ts';
import { applyHotmartEvent } from './apply-event.ts';
import type { HotmartSource, SubscriptionFilters } from './ports.ts';

/**
 * Every sale status that changes access, asked for one by one: unasked, Hotmart returns only
 * approved and complete sales. Sources disagree on the API's name for a dispute (SPEC §6.1): if
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

const GRANTED = new Set(['APPROVED', 'COMPLETE', 'active']);
// A one-time dispute has an effect only when the policy suspends access (onDispute: suspend).
const REVOKED = new Set(['REFUNDED', 'CHARGEBACK', 'CANCELED', 'DISPUTE', 'revoked', 'suspended']);

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
  const report = emptyReport();
  const unmapped = new Set<string>();
  const skip = (reason: string) => {
    report.skipped.other++;
    const key = reason.replace(/: .*/, '').slice(0, 80);
    report.skipped.reasons[key] = (report.skipped.reasons[key] ?? 0) + 1;
  };
  const checkTime = () => {
    if (options.deadline !== undefined && now() >= options.deadline) throw new OutOfTime();
  };
  // Also stops a read in the middle of its paging, retries or rate-limit waits.
  const signal = options.deadline === undefined ? undefined : AbortSignal.timeout(Math.max(0, options.deadline - now()));
  const apply = async (event: HotmartEvent) => {
    count(await applyHotmartEvent(event, deps, { receivedAt: now() }), event);
  };
  const count = (outcome: Outcome, event: HotmartEvent) => {
    if (outcome.status === 'duplicate') report.alreadyKnown++;
    else if (outcome.status === 'unmapped') {
      report.skipped.unmapped++;
      unmapped.add(event.productId!);
    } else if (outcome.status !== 'processed') skip(`${outcome.status} event`);
    else {
      const effect = outcome.effects?.[0];
      const touches = effect !== undefined && effect.targets.length > 0;
      // A subscription's new charge gives a paid period even when the subscription was already active.
      const newCharge = event.subscriberCode !== undefined && event.event === 'PURCHASE_APPROVED';
      const wasGranted = effect?.from != null && GRANTED.has(effect.from);
      if (touches && GRANTED.has(effect.to) && (!wasGranted || newCharge)) report.applied.grants++;
      // Revoked only what had been given: a refund of a sale we never knew records it, and removes nothing.
      else if (touches && REVOKED.has(effect.to) && effect.from !== null && effect.from !== effect.to) report.applied.revocations++;
      else report.applied.other++;
    }
  };
  /** One source read; its failure is reported, not thrown, so the other reads still run. */
  const guarded = async (scope: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof OutOfTime || signal?.aborted) throw new OutOfTime();
      report.errors.push({ scope, message: (error as Error).message.slice(0, 200) });
    }
  };

  // Subscription charges wait until their subscription is known, keyed by buyer and product.
  const charges = new Map<string, HotmartEvent[]>();
  const byBuyer = (email: string, productId: string) => `${email}|${productId}`;

  try {
    for (const spellings of RECONCILED_STATUSES) {
      await guarded(`sales ${spellings.join('/')}`, async () => {
        for (const [i, status] of spellings.entries()) {
          try {
            for await (const item of source.salesHistory({ ...window, status, ...(signal ? { signal } : {}) })) {
              checkTime();
              report.checked.sales++;
              const sale = eventFromSale(item, now());
              if (!sale.ok) skip(sale.reason);
              else if (sale.subscriptionCharge) {
                const key = byBuyer(sale.event.buyerEmail!, sale.event.productId!);
                charges.set(key, [...(charges.get(key) ?? []), sale.event]);
              } else await guarded(`transaction ${sale.event.transaction}`, () => apply(sale.event));
            }
            return;
          } catch (error) {
            if (!refusedAsInvalid(error) || i === spellings.length - 1) throw error;
          }
        }
      });
    }

    const snapshots = new Map<string, SubscriptionSnapshot>();
    const read = (scope: string, filters: SubscriptionFilters) =>
      guarded(scope, async () => {
        for await (const item of source.subscriptions({ ...filters, ...(signal ? { signal } : {}) })) {
          checkTime();
          const parsed = parseSubscription(item);
          if (!parsed.ok) {
            report.checked.subscriptions++;
            skip(parsed.reason);
          } else if (!snapshots.has(parsed.snapshot.subscriberCode)) {
            report.checked.subscriptions++;
            snapshots.set(parsed.snapshot.subscriberCode, parsed.snapshot);
          }
        }
      });
    for (const key of charges.keys()) {
      const [subscriberEmail, productId] = key.split('|') as [string, string];
      await read('subscriptions of a charged buyer', { subscriberEmail, productId });
    }
    await read('subscriptions started', { accession: window });
    await read('subscriptions cancelled', { cancelation: window });
    await read('subscriptions fallen due', { statuses: ['DELAYED', 'OVERDUE'], nextCharge: window });

    // Each charge, completed with its subscription's code, is applied as its webhook would have been.
    const all = [...snapshots.values()];
    for (const [key, events] of charges) {
      const candidates = all.filter((s) => byBuyer(s.email, s.productId) === key);
      const latest = Math.max(...events.filter((e) => e.event === 'PURCHASE_APPROVED').map((e) => e.recurrenceNumber ?? 0));
      for (const event of events) {
        checkTime();
        const subscription = subscriptionOf(event, candidates);
        if (!subscription) {
          skip('subscription charge whose subscription Hotmart did not list');
          continue;
        }
        if (event.event === 'PURCHASE_APPROVED' && subscription.dateNextCharge === undefined) {
          skip('subscription charge without a next charge date: not applied, its access would have no end');
          continue;
        }
        // The latest charge paid until Hotmart's next charge date (for a late subscription: the date it missed).
        const isLatest = event.event === 'PURCHASE_APPROVED' && (event.recurrenceNumber ?? 0) === latest;
        await guarded(`subscription ${subscription.subscriberCode}`, () =>
          apply({ ...event, subscriberCode: subscription.subscriberCode, ...(isLatest ? { dateNextCharge: subscription.dateNextCharge } : {}) }),
        );
      }
    }

    // Then Hotmart's status and next charge date against ours: the difference is applied.
    for (const snapshot of all) {
      checkTime();
      await guarded(`subscription ${snapshot.subscriberCode}`, async () => {
        const plan = eventsForSnapshot(snapshot, await deps.events.getSubscription(snapshot.subscriberCode), now());
        if ('skip' in plan) return skip(plan.skip);
        if (plan.events.length === 0) report.alreadyKnown++;
        for (const event of plan.events) await apply(event);
      });
    }
  } catch (error) {
    if (!(error instanceof OutOfTime)) throw error;
    report.errors.push({ scope: 'run', message: 'stopped at the time limit before the window was done; run it again to finish (nothing applies twice)' });
  }
  report.skipped.unmappedProducts = [...unmapped].sort();
  return report;
}

/**
 * The subscription a charge belongs to, among the buyer's subscriptions of that product: the one
 * it started, else the latest started before it was paid.
 */
function subscriptionOf(charge: HotmartEvent, candidates: SubscriptionSnapshot[]): SubscriptionSnapshot | undefined {
  const started = candidates.find((s) => s.transaction === charge.transaction);
  if (started) return started;
  const before = candidates.filter((s) => (s.accessionDate ?? 0) <= charge.creationDate).sort((a, b) => (b.accessionDate ?? 0) - (a.accessionDate ?? 0));
  return before[0] ?? (candidates.length === 1 ? candidates[0] : undefined);
}
