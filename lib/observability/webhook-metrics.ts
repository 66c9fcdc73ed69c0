import { ANSWERS } from '../domain/school-status.ts';
import type { Answer } from '../domain/school-status.ts';
import { invocationContext } from '../logger.ts';
import type { MetricValues } from './metrics.ts';
import { count, METRICS, ms } from './metrics.ts';

const REFUSED = METRICS.refused as Record<number, string>;

/** One webhook request's metrics: its outcome (or the refusal's status), a 5xx, and its latency. */
export function webhookMetrics(statusCode: number, durationMs: number): MetricValues {
  const values: MetricValues = { [METRICS.webhookLatency]: ms(durationMs) };
  const outcome = invocationContext()?.outcome;
  if (outcome && (ANSWERS as readonly string[]).includes(outcome)) values[METRICS.delivery[outcome as Answer]] = count();
  const refused = REFUSED[statusCode];
  if (refused) values[refused] = count();
  if (statusCode >= 500) values[METRICS.webhook5xx] = count();
  return values;
}
