import type { Answer } from '../domain/school-status.ts';
import type { LogFields } from '../logger.ts';
import { invocationContext } from '../logger.ts';

/**
 * The service's CloudWatch metrics, as embedded metric format (EMF) lines written to the log:
 * CloudWatch turns each line into metric values, with no API call and no library (BENCHMARKS.md,
 * "Logs and metrics"). One namespace per stage (METRICS_NAMESPACE), no dimension at all: every
 * metric is stage-wide; a school's own figures live in its status (GET /schools/{schoolId}).
 * The line is also the invocation's summary log line (request id, cold start, school, outcome).
 * serverless.yml's alarms and dashboard name these metrics (README, "Runbook").
 */
export const METRICS = {
  /** Deliveries the webhook answered, by outcome (lib/domain/school-status.ts ANSWERS). */
  delivery: {
    processed: 'DeliveryProcessed',
    duplicate: 'DeliveryDuplicate',
    unmapped: 'DeliveryUnmapped',
    ignored: 'DeliveryIgnored',
    test: 'DeliveryTest',
    quarantined: 'DeliveryQuarantined',
  } satisfies Record<Answer, string>,
  /** Deliveries the webhook refused, by status. */
  refused: { 401: 'DeliveryRefused401', 404: 'DeliveryRefused404', 413: 'DeliveryRefused413', 415: 'DeliveryRefused415', 503: 'DeliveryRefused503' },
  /** Every 5xx the webhook answered (503 included: Hotmart retries, but students wait). */
  webhook5xx: 'Webhook5xx',
  /** Milliseconds from the webhook's invocation to its answer. */
  webhookLatency: 'WebhookLatency',
  reconciliation: {
    succeeded: 'ReconciliationSucceeded',
    failed: 'ReconciliationFailed',
    /** What a run applied that no webhook had delivered (grants + revocations + other). */
    lostWebhooks: 'ReconciliationLostWebhooks',
    /** 1 per school whose run found lost webhooks while no delivery had arrived for 24 h. */
    webhookSilence: 'WebhookSilence',
    /** The age, in seconds, of the school's oldest purchase waiting for a mapping (statistic: Maximum). */
    waitingForMappingAge: 'WaitingForMappingAgeSeconds',
    duration: 'ReconciliationDuration',
  },
  /** The feed's sender (functions/feed-sender): emitFeedMetrics. */
  feed: {
    delivered: 'FeedDelivered',
    failed: 'FeedFailed',
    dead: 'FeedDead',
    endpointDisabled: 'FeedEndpointDisabled',
    latency: 'FeedDeliveryLatency',
  },
} as const;

export type Unit = 'Count' | 'Milliseconds' | 'Seconds';
export type MetricValues = Record<string, { value: number; unit: Unit }>;

/** Where the line goes (stdout in Lambda: CloudWatch Logs extracts the metrics). */
export type MetricSink = (line: string) => void;
const stdout: MetricSink = (line) => process.stdout.write(`${line}\n`);

export type Metrics = {
  /** One EMF line holding these values and the summary fields (never a secret or personal data). */
  emit(values: MetricValues, fields?: LogFields): void;
};

export function createMetrics(namespace: string, service: string, sink: MetricSink = stdout): Metrics {
  return {
    emit(values, fields = {}) {
      const names = Object.keys(values);
      if (names.length === 0) return;
      const line: Record<string, unknown> = {
        level: 'INFO',
        time: new Date().toISOString(),
        service,
        ...invocationContext(),
        message: 'metrics',
        ...fields,
        _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[]], Metrics: names.map((Name) => ({ Name, Unit: values[Name]!.unit })) }] },
      };
      for (const name of names) line[name] = values[name]!.value;
      sink(JSON.stringify(line));
    },
  };
}

export const count = (n = 1) => ({ value: n, unit: 'Count' as const });
export const ms = (n: number) => ({ value: Math.round(n), unit: 'Milliseconds' as const });

/** For the feed's sender: one delivery attempt's result, and its latency when it was answered. */
export function emitFeedMetrics(metrics: Metrics, result: 'delivered' | 'failed' | 'dead' | 'endpointDisabled', latencyMs?: number): void {
  metrics.emit({ [METRICS.feed[result]]: count(), ...(latencyMs === undefined ? {} : { [METRICS.feed.latency]: ms(latencyMs) }) }, { outcome: result });
}

/** The feed functions' `observe` port (lib/services/feed-delivery-ports.ts FeedOutcomeObserver): one EMF line per attempt. */
export const feedOutcomeMetrics = (metrics: Metrics) => (result: 'delivered' | 'failed' | 'dead' | 'endpointDisabled', latencyMs?: number) => emitFeedMetrics(metrics, result, latencyMs);
