import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { newSecret } from '#lib/adapters/webhooks/sign.ts';
import { createMetrics, feedOutcomeMetrics, METRICS } from '#lib/observability/metrics.ts';
import { startReceiver, startTestFeedRuntime } from '../helpers/feed-runtime.ts';
import { newScope } from '../helpers/feed-store.ts';

const HOUR = 3_600_000;
/** serverless.yml's generated alarms (a plain .mjs plugin, untyped). */
const PLUGIN: string = '../../.serverless-plugins/operations.mjs';
const { ALARMS } = (await import(PLUGIN)) as { ALARMS: { id: string; metric: string }[] };
const NAMESPACE = 'hotmart-enrollments/test';
/** The EMF lines the sender and the enqueue write, wired as functions/feed-sender/handler.ts wires them. */
const lines: any[] = [];
const metrics = createMetrics(NAMESPACE, 'feed-sender', (line) => void lines.push(JSON.parse(line)));
let feed: Awaited<ReturnType<typeof startTestFeedRuntime>>;
before(async () => (feed = await startTestFeedRuntime({ observe: feedOutcomeMetrics(metrics) })));
after(() => feed.stop());
beforeEach(() => void (lines.length = 0));

/** Each line's metric names (in order), the latency left out. */
const names = () => lines.map((l) => l._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).filter((n: string) => n !== METRICS.feed.latency).join());

describe('the feed’s metrics (CloudWatch EMF), one line per push attempt, on the local runtime', () => {
  it('a 2xx is FeedDelivered with FeedDeliveryLatency (ms from the event’s createdAt), stage-wide: no dimension, no school', async () => {
    const scope = newScope();
    const secret = newSecret();
    const receiver = await startReceiver(secret);
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    await feed.store.putEnrollmentEvents(scope, 'lia@example.com', 2);
    await feed.settle(HOUR);
    assert.deepEqual(names(), ['FeedDelivered', 'FeedDelivered']);
    for (const line of lines) {
      assert.deepEqual(line._aws.CloudWatchMetrics[0].Namespace, NAMESPACE);
      assert.deepEqual(line._aws.CloudWatchMetrics[0].Dimensions, [[]]);
      assert.deepEqual(line._aws.CloudWatchMetrics[0].Metrics, [{ Name: 'FeedDelivered', Unit: 'Count' }, { Name: 'FeedDeliveryLatency', Unit: 'Milliseconds' }]);
      assert.equal(line.FeedDelivered, 1);
      assert.ok(Number.isInteger(line.FeedDeliveryLatency) && line.FeedDeliveryLatency >= 0);
      assert.equal(line.outcome, 'delivered');
      assert.equal(line.schoolId, undefined, 'no school on a stage-wide line');
    }
    await receiver.close();
  });

  it('a refused attempt is FeedFailed (no latency), then its retry’s 2xx FeedDelivered', async () => {
    const scope = newScope();
    const secret = newSecret();
    const receiver = await startReceiver(secret, (_event, count) => (count === 0 ? 503 : 200));
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    await feed.store.putEnrollmentEvents(scope, 'mel@example.com', 1);
    await feed.settle(HOUR);
    assert.deepEqual(names(), ['FeedFailed', 'FeedDelivered']);
    assert.equal(lines[0].FeedDeliveryLatency, undefined);
    assert.equal(lines[0].outcome, 'failed');
    await receiver.close();
  });

  it('an endpoint that never recovers: FeedFailed on each retry, then FeedDead once; an unparseable body is FeedDead at once', async () => {
    const scope = newScope();
    const secret = newSecret();
    const receiver = await startReceiver(secret, () => 500);
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    await feed.store.putEnrollmentEvents(scope, 'nina@example.com', 1);
    await feed.settle(60 * HOUR);
    const seen = names();
    assert.equal(seen.at(-1), 'FeedDead');
    assert.deepEqual(new Set(seen.slice(0, -1)), new Set(['FeedFailed']));
    assert.equal(seen.length, receiver.deliveries.length, 'one line per attempt');

    lines.length = 0;
    await feed.store.put(feed.store.eventItem(scope, { id: feed.store.nextId(), type: 'enrollment.granted', sequence: 1, group: 'poison', previousEventId: null, body: '{"id": "evt_', createdAt: Date.now() }));
    await feed.runtime.drained();
    assert.deepEqual(names(), ['FeedDead']);
    await receiver.close();
  });

  it('a 410 is FeedEndpointDisabled, once: nothing more is pushed', async () => {
    const scope = newScope();
    const secret = newSecret();
    const receiver = await startReceiver(secret, () => 410);
    await feed.store.putEndpoint(scope, { url: receiver.url, secrets: [secret] });
    await feed.store.putEnrollmentEvents(scope, 'otto@example.com', 1);
    await feed.settle(HOUR);
    assert.deepEqual(names(), ['FeedEndpointDisabled']);
    assert.equal(lines[0].outcome, 'endpointDisabled');
    await feed.store.putEnrollmentEvents(scope, 'pia@example.com', 1);
    await feed.settle(HOUR);
    assert.deepEqual(names(), ['FeedEndpointDisabled'], 'the next event is not pushed: no second line');
    assert.equal(receiver.deliveries.length, 1);
    await receiver.close();
  });

  it('the alarms on dead events and disabled endpoints name the metrics the sender emits', () => {
    const alarmed = Object.fromEntries(ALARMS.map((a) => [a.id, a.metric]));
    assert.equal(alarmed.FeedDead, METRICS.feed.dead);
    assert.equal(alarmed.FeedEndpointDisabled, METRICS.feed.endpointDisabled);
  });
});
