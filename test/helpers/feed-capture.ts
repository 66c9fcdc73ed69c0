import { createDocumentClient } from '#lib/adapters/dynamodb/client.ts';
import { createAccessEndsIndex, createEnrollmentSource, createFeedCaptureStore } from '#lib/adapters/dynamodb/feed-capture-store.ts';
import type { FeedEventItem, FeedStateItem } from '#lib/adapters/dynamodb/feed-items.ts';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { readAllItems } from '#lib/adapters/dynamodb/paging.ts';
import type { StreamFailure } from '#lib/adapters/local/stream-poller.ts';
import { LocalStreamPoller } from '#lib/adapters/local/stream-poller.ts';
import { loadConfig } from '#lib/config.ts';
import type { FeedEvent } from '#lib/domain/feed/envelope.ts';
import { createEventIdFactory } from '#lib/domain/feed/event-id.ts';
import type { Target } from '#lib/domain/mapping.ts';
import { createLogger } from '#lib/logger.ts';
import type { EnrollmentView } from '#lib/services/enrollments.ts';
import { sweepExpired } from '#lib/services/feed-expiry.ts';
import { captureWorker } from '../../functions/feed-capture/worker.ts';

/**
 * The feed's capture as it runs in AWS, on the test stack: the real handler (functions/feed-capture)
 * fed by LocalStreamPoller from the enrollments table's stream, on a clock the test may set.
 * `drain()` resolves once everything written before the call was captured. Call after createTestStack.
 * Also: the expiry sweep on the same clock, and the stored events and feed states of a school.
 */
export async function startFeedCapture(options: { clock?: () => number; maximumRetryAttempts?: number } = {}) {
  const config = loadConfig();
  const db = createDocumentClient({ region: config.region, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}), requestTimeoutMs: 10_000 });
  const clock = options.clock ?? Date.now;
  const newEventId = createEventIdFactory(clock);
  const feed = createFeedCaptureStore(db, config.tables);
  const failures: StreamFailure[] = [];
  const handler = captureWorker({ feed, clock, newEventId }, createLogger('feed-capture', config.logLevel));
  const poller = new LocalStreamPoller({
    endpoint: config.dynamodbEndpoint!,
    tableName: config.tables.enrollments,
    handler,
    maximumRetryAttempts: options.maximumRetryAttempts ?? 2,
    onFailure: (failure) => void failures.push(failure),
    quietMs: 300,
  });
  await poller.start();
  const expiry = { feed, clock, newEventId, due: createAccessEndsIndex(db, config.tables), enrollment: createEnrollmentSource(db, config.tables) };

  /** Every stored event of the school (scope), in emission order, with its envelope parsed. */
  const events = async (scope: string) => {
    const { keys } = schoolKeys(scope);
    const query = { TableName: config.tables.feed, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)', ExpressionAttributeValues: { ':pk': keys.feedEventsPartition, ':evt': keys.feedEventSortPrefix }, ConsistentRead: true };
    const items = (await readAllItems(db, { query })) as FeedEventItem[];
    return items.map((item) => ({ item, event: JSON.parse(item.body) as FeedEvent<EnrollmentView> }));
  };
  const feedState = async (scope: string, email: string, target: Target) => {
    const items = await readAllItems(db, { query: { TableName: config.tables.feed, KeyConditionExpression: 'pk = :pk AND sk = :sk', ExpressionAttributeValues: { ':pk': schoolKeys(scope).keys.feedState(email, target).pk, ':sk': schoolKeys(scope).keys.feedState(email, target).sk }, ConsistentRead: true } });
    return items[0] as FeedStateItem | undefined;
  };
  return {
    handler,
    failures,
    drain: () => poller.idle(),
    /** One run of the every-minute expiry sweep (functions/feed-expiry), at the clock's time. */
    sweep: () => sweepExpired(expiry),
    events,
    feedState,
    async stop() {
      await poller.stop();
      db.destroy();
    },
  };
}

export type FeedCapture = Awaited<ReturnType<typeof startFeedCapture>>;
