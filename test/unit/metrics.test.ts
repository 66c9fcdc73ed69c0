import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, setLogContext, withInvocation } from '#lib/logger.ts';
import { count, createMetrics, emitFeedMetrics, METRICS, ms } from '#lib/observability/metrics.ts';
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
