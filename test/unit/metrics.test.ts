import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, setLogContext, withInvocation } from '#lib/logger.ts';
import { count, createMetrics, emitFeedMetrics, METRICS, ms } from '#lib/observability/metrics.ts';
import { reconciliationMetrics } from '#lib/observability/reconciliation-metrics.ts';
import { webhookMetrics } from '#lib/observability/webhook-metrics.ts';

const capture = () => {
  const lines: any[] = [];
  return { lines, sink: (line: string) => lines.push(JSON.parse(line)) };
};

describe('CloudWatch embedded metric format', () => {
  it('writes one EMF line: the stage namespace, no dimension, each value with its unit', () => {
    const { lines, sink } = capture();
    createMetrics('hotmart-enrollments/prod', 'webhook', sink).emit({ [METRICS.delivery.processed]: count(), [METRICS.webhookLatency]: ms(12.4) }, { statusCode: 200 });
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.deepEqual(line._aws.CloudWatchMetrics, [
      { Namespace: 'hotmart-enrollments/prod', Dimensions: [[]], Metrics: [{ Name: 'DeliveryProcessed', Unit: 'Count' }, { Name: 'WebhookLatency', Unit: 'Milliseconds' }] },
    ]);
    assert.equal(typeof line._aws.Timestamp, 'number');
    assert.equal(line.DeliveryProcessed, 1);
    assert.equal(line.WebhookLatency, 12);
    assert.equal(line.statusCode, 200);
  });

  it('never names a school as a dimension, but carries it (and the request id, cold start, outcome) as a property', () => {
    const { lines, sink } = capture();
    withInvocation('req-1', () => {
      setLogContext({ schoolId: 'escola-a', outcome: 'processed' });
      createMetrics('ns', 'webhook', sink).emit(webhookMetrics(200, 5));
    });
    const [line] = lines;
    assert.deepEqual(line._aws.CloudWatchMetrics[0].Dimensions, [[]]);
    assert.equal(line.schoolId, 'escola-a');
    assert.equal(line.requestId, 'req-1');
    assert.equal(typeof line.coldStart, 'boolean');
    assert.equal(line.DeliveryProcessed, 1);
  });

  it('counts a refusal by its status, and every 5xx', () => {
    assert.deepEqual(Object.keys(webhookMetrics(401, 1)).sort(), ['DeliveryRefused401', 'WebhookLatency']);
    assert.deepEqual(Object.keys(webhookMetrics(503, 1)).sort(), ['DeliveryRefused503', 'Webhook5xx', 'WebhookLatency']);
    assert.deepEqual(Object.keys(webhookMetrics(500, 1)).sort(), ['Webhook5xx', 'WebhookLatency']);
  });

  it('gives the feed’s sender its names: delivered, failed, dead, endpoint disabled, latency', () => {
    const { lines, sink } = capture();
    const metrics = createMetrics('ns', 'feed-sender', sink);
    emitFeedMetrics(metrics, 'delivered', 40);
    emitFeedMetrics(metrics, 'dead');
    emitFeedMetrics(metrics, 'endpointDisabled');
    assert.deepEqual(lines.map((l) => l._aws.CloudWatchMetrics[0].Metrics.map((m: any) => m.Name)), [['FeedDelivered', 'FeedDeliveryLatency'], ['FeedDead'], ['FeedEndpointDisabled']]);
  });
});

describe('log lines of an invocation', () => {
  it('carry the request id, the cold-start flag (true only for the first), the school and the outcome', () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => { out.push(chunk); return true; }) as typeof process.stdout.write;
    try {
      const logger = createLogger('t');
      withInvocation('a', () => logger.info('one'));
      withInvocation('b', () => {
        setLogContext({ schoolId: 'escola-b' });
        logger.info('two');
        setLogContext({ outcome: 'duplicate' });
        logger.info('three');
      });
    } finally {
      process.stdout.write = write;
    }
    const [one, two, three] = out.map((l) => JSON.parse(l));
    assert.equal(one.requestId, 'a');
    assert.equal(two.requestId, 'b');
    assert.equal(two.coldStart, false);
    assert.equal(two.schoolId, 'escola-b');
    assert.equal(three.outcome, 'duplicate');
  });
});

describe('a finished reconciliation run’s metrics', () => {
  const NOW = Date.UTC(2026, 11, 1, 12);
  const HOUR = 3600_000;
  const run = (status: 'succeeded' | 'failed', grants: number) =>
    ({
      id: 'r', trigger: 'schedule', status, from: NOW - 72 * HOUR, to: NOW, startedAt: NOW - 5000, finishedAt: NOW, leaseUntil: NOW,
      report: { checked: { sales: 3, subscriptions: 0 }, alreadyKnown: 0, applied: { grants, revocations: 0, other: 0 }, skipped: { unmapped: 0, unmappedProducts: [], other: 0, reasons: {} }, errors: [] },
    }) as any;

  it('counts a failed run and the lost webhooks a run found', () => {
    const failed = reconciliationMetrics(run('failed', 2), { lastDeliveryAt: NOW - HOUR, oldestWaitingAt: null }, NOW);
    assert.equal(failed.ReconciliationFailed!.value, 1);
    assert.equal(failed.ReconciliationSucceeded, undefined);
    assert.equal(failed.ReconciliationLostWebhooks!.value, 2);
    assert.equal(failed.WebhookSilence, undefined, 'a delivery came an hour ago: not silent');
  });

  it('reports webhook silence when lost webhooks were found and no delivery came for 24 h (or ever)', () => {
    assert.equal(reconciliationMetrics(run('succeeded', 1), { lastDeliveryAt: NOW - 25 * HOUR, oldestWaitingAt: null }, NOW).WebhookSilence!.value, 1);
    assert.equal(reconciliationMetrics(run('succeeded', 1), { lastDeliveryAt: null, oldestWaitingAt: null }, NOW).WebhookSilence!.value, 1);
    assert.equal(reconciliationMetrics(run('succeeded', 0), { lastDeliveryAt: null, oldestWaitingAt: null }, NOW).WebhookSilence, undefined, 'nothing lost: a quiet school, not a silent webhook');
  });

  it('gives the age of the oldest purchase waiting for a mapping, in seconds (0 when none waits)', () => {
    assert.deepEqual(reconciliationMetrics(run('succeeded', 0), { lastDeliveryAt: NOW, oldestWaitingAt: NOW - 2 * HOUR }, NOW).WaitingForMappingAgeSeconds, { value: 7200, unit: 'Seconds' });
    assert.equal(reconciliationMetrics(run('succeeded', 0), { lastDeliveryAt: NOW, oldestWaitingAt: null }, NOW).WaitingForMappingAgeSeconds!.value, 0);
  });
});
