import { eventFromSale } from '../domain/hotmart-sale.ts';
import type { ApplyDeps } from './apply-event.ts';
import { applyHotmartEvent } from './apply-event.ts';

/** What a reconciliation run reads from Hotmart: sales with one status in a window. */
export type SalesSource = {
  salesHistory(filters: { from: number; to: number; status: string }): AsyncIterable<Record<string, unknown>>;
};

/** Every status that changes access, asked for one by one: unasked, Hotmart returns only approved and complete sales. */
export const RECONCILED_STATUSES = ['APPROVED', 'COMPLETE', 'CANCELLED', 'REFUNDED', 'CHARGEBACK', 'DISPUTE'] as const;

export type ReconciliationReport = {
  from: number;
  to: number;
  checked: number;
  alreadyKnown: number;
  applied: { grants: number; revocations: number; other: number };
  skipped: { unmapped: number; unmappedProducts: string[]; subscriptions: number; other: number };
  errors: { status: string; message: string }[];
};

/**
 * Applies, through the webhook's own code path, every sale of the window whose webhook never
 * arrived. Each sale becomes the event its webhook would have been, with an id derived from
 * transaction and status: a webhook that arrived already, or arrives later, is a duplicate of it,
 * and a second run over the same window applies nothing new.
 */
export async function reconcileWindow(window: { from: number; to: number }, source: SalesSource, deps: ApplyDeps): Promise<ReconciliationReport> {
  const report: ReconciliationReport = {
    ...window,
    checked: 0,
    alreadyKnown: 0,
    applied: { grants: 0, revocations: 0, other: 0 },
    skipped: { unmapped: 0, unmappedProducts: [], subscriptions: 0, other: 0 },
    errors: [],
  };
  const unmapped = new Set<string>();
  for (const status of RECONCILED_STATUSES) {
    try {
      for await (const sale of source.salesHistory({ ...window, status })) {
        report.checked++;
        const converted = eventFromSale(sale);
        if (!converted.ok) {
          if (/subscription/.test(converted.reason)) report.skipped.subscriptions++;
          else report.skipped.other++;
          continue;
        }
        const outcome = await applyHotmartEvent(converted.event, deps, { receivedAt: Date.now() });
        if (outcome.status === 'duplicate') report.alreadyKnown++;
        else if (outcome.status === 'unmapped') {
          report.skipped.unmapped++;
          unmapped.add(converted.event.productId!);
        } else {
          const effect = outcome.effects?.[0];
          const granted = effect && (effect.to === 'APPROVED' || effect.to === 'COMPLETE') && effect.from === null;
          const revoked = effect && ['REFUNDED', 'CHARGEBACK', 'CANCELED'].includes(effect.to) && effect.targets.length > 0;
          if (granted) report.applied.grants++;
          else if (revoked) report.applied.revocations++;
          else report.applied.other++;
        }
      }
    } catch (error) {
      // One status failing (after the client's own retries) does not hide the others; the run reports it.
      report.errors.push({ status, message: (error as Error).message.slice(0, 200) });
    }
  }
  report.skipped.unmappedProducts = [...unmapped].sort();
  return report;
}
