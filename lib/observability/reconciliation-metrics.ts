import type { ReconciliationRun } from '../domain/reconciliation.ts';
import { DAY_MS, lostWebhooksOf } from '../domain/school-status.ts';
import type { MetricValues } from './metrics.ts';
import { count, METRICS, ms } from './metrics.ts';

/** What the runner read of the school after its run (lib/services/school-ports.ts StatusReader). */
export type SchoolHealth = { lastDeliveryAt: number | null; oldestWaitingAt: number | null };

/**
 * One finished run's metrics: succeeded or failed, the lost webhooks it found, its duration, the
 * age of the school's oldest purchase waiting for a mapping, and webhook silence — lost webhooks
 * found while no delivery arrived for 24 h: every new sale of a school whose Hotmart still
 * delivered would have come by webhook first, so this is a school whose webhook Hotmart stopped.
 */
export function reconciliationMetrics(run: ReconciliationRun, health: SchoolHealth, now: number): MetricValues {
  const lost = lostWebhooksOf(run);
  const values: MetricValues = {
    [run.status === 'succeeded' ? METRICS.reconciliation.succeeded : METRICS.reconciliation.failed]: count(),
    [METRICS.reconciliation.lostWebhooks]: count(lost),
    [METRICS.reconciliation.duration]: ms((run.finishedAt ?? now) - run.startedAt),
    [METRICS.reconciliation.waitingForMappingAge]: { value: health.oldestWaitingAt === null ? 0 : Math.max(0, Math.round((now - health.oldestWaitingAt) / 1000)), unit: 'Seconds' },
  };
  if (lost > 0 && (health.lastDeliveryAt === null || now - health.lastDeliveryAt >= DAY_MS)) values[METRICS.reconciliation.webhookSilence] = count();
  return values;
}
