import { isExhausted, retryDelaySeconds } from '../domain/feed/retry.ts';
import type { FeedEndpoint, FeedDeliveryStore, EventBus, FeedOutcomeObserver, SecretOpener, StoredFeedEvent, WebhookSender } from './feed-delivery-ports.ts';
import type { DeliveryQueue } from './ports.ts';

/**
 * The feed's push path (docs/feed-design.md): `enqueueFeedEvents` on the feed table's stream puts
 * every new event on the bus and queues it for the school's endpoint; `sendFeedDeliveries` on the
 * FIFO queue signs and POSTs, retrying on the queue's visibility (never a sleep).
 */

/** A delivery queue message's body (lib/adapters/dynamodb/feed-items.ts FeedDeliveryMessage). */
export type FeedDelivery = { scope: string; schoolId: string; eventId: string; replay?: string };

export type DeliveryLog = (message: string, fields: Record<string, string | number | boolean | null>) => void;

export type FeedDeliveryDeps = {
  storeFor: (scope: string) => FeedDeliveryStore;
  queue: DeliveryQueue;
  /** Epoch ms: the retry schedule's clock. */
  now: () => number;
  log: DeliveryLog;
  /** Each attempt's result, for the metrics (functions/feed-sender, feed-enqueue: EMF lines). */
  observe?: FeedOutcomeObserver;
};

const schoolIdOf = (scope: string) => scope.split('#')[0]!;

/** The queue message of one event (`nonce`: a redrive's, so that SQS's 5-minute dedup does not swallow it). */
export function deliveryMessage(scope: string, event: Pick<StoredFeedEvent, 'id' | 'group'>, options: { nonce?: string; replay?: boolean } = {}) {
  const body: FeedDelivery = { scope, schoolId: schoolIdOf(scope), eventId: event.id, ...(options.replay && options.nonce ? { replay: options.nonce } : {}) };
  return { groupId: event.group, dedupId: options.nonce ? `${event.id}:${options.nonce}` : event.id, body: JSON.stringify(body) };
}

const pushable = (endpoint: FeedEndpoint | null, event: Pick<StoredFeedEvent, 'type'>) => endpoint !== null && endpoint.types.includes(event.type);

/** One stream record: a new feed event (`event` null: the record is not one). */
export type EnqueueRecord = { recordId: string; scope: string; event: StoredFeedEvent | null };

/**
 * For each new event, in stream order: on the bus, then queued for the endpoint (exists, not
 * disabled, type wanted); no endpoint or type filtered: no longer pending; disabled: stays pending
 * for the next PUT. An event whose body is not JSON can never be sent: dead at once, visibly. A
 * failure stops the batch there (`failedAt`): the stream retries from that record.
 */
export async function enqueueFeedEvents(records: EnqueueRecord[], deps: FeedDeliveryDeps & { bus: EventBus }): Promise<{ failedAt: string | null }> {
  for (const { recordId, scope, event } of records) {
    if (!event) continue;
    try {
      const store = deps.storeFor(scope);
      if (!isJson(event.body)) {
        await store.markDead(event.id, deps.now(), 'the stored body is not JSON');
        deps.log('feed event dead: unparseable body', { eventId: event.id });
        deps.observe?.('dead');
        continue;
      }
      await deps.bus.put([{ id: event.id, type: event.type, detail: event.body }]);
      const endpoint = await store.readEndpoint();
      if (!pushable(endpoint, event)) await store.notPushed(event.id);
      else if (endpoint!.disabledAt === null) await deps.queue.send([deliveryMessage(scope, event)]);
    } catch (error) {
      deps.log('feed enqueue failed', { eventId: event.id, error: (error as Error).name });
      return { failedAt: recordId };
    }
  }
  return { failedAt: null };
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

export type SenderDeps = FeedDeliveryDeps & { send: WebhookSender; openSecret: SecretOpener; endpointCacheMs?: number };

/** One received message. */
export type ReceivedDelivery = { messageId: string; receiptHandle: string; groupId: string; body: string; receiveCount: number; firstReceivedAt: number };

type Outcome = 'done' | 'failed';

/** Events of the enrollment delivered inline before this one when they are still pending (their message lags behind). */
const MAX_CHAIN = 3;
/** A replay's or a waiting predecessor's retry when nothing better is known. */
const SHORT_DELAY_SECONDS = 5;

/**
 * The sender (functions/feed-sender). Groups (enrollments) go in parallel, each group's messages
 * in order; once one fails, its group's later messages are reported failed unprocessed (FIFO keeps
 * them behind it). Answers the failed message ids (ReportBatchItemFailures).
 */
export function feedSender(deps: SenderDeps) {
  const cache = new Map<string, { at: number; endpoint: FeedEndpoint | null; secrets: string[] }>();
  const cacheMs = deps.endpointCacheMs ?? 5000;

  async function endpointOf(scope: string, fresh: boolean) {
    const hit = cache.get(scope);
    if (hit && !fresh && deps.now() - hit.at < cacheMs) return hit;
    const endpoint = await deps.storeFor(scope).readEndpoint();
    const now = deps.now();
    const valid = (endpoint?.secrets ?? []).filter((s) => s.validUntil === null || s.validUntil > now).slice(0, 2);
    const secrets = await Promise.all(valid.map((s) => deps.openSecret(schoolIdOf(scope), s.sealed)));
    const entry = { at: now, endpoint, secrets };
    cache.set(scope, entry);
    return entry;
  }

  /** The endpoint to push this event to, or why not (a cached "no" is read again: a PUT may just have re-enabled it). */
  async function targetOf(scope: string, event: StoredFeedEvent) {
    let entry = await endpointOf(scope, false);
    const usable = (e: typeof entry) => e.endpoint !== null && e.endpoint.disabledAt === null && pushable(e.endpoint, event) && e.secrets.length > 0;
    if (!usable(entry)) entry = await endpointOf(scope, true);
    return usable(entry) ? { url: entry.endpoint!.url, secrets: entry.secrets } : entry.endpoint?.disabledAt != null ? 'disabled' : entry.endpoint ? 'filtered' : 'none';
  }

  /** One attempt of one event; `fail` carries the retry delay. */
  async function attempt(scope: string, event: StoredFeedEvent, replay: boolean): Promise<{ kind: 'ok' | 'drop' } | { kind: 'fail'; delay: number }> {
    const store = deps.storeFor(scope);
    const target = await targetOf(scope, event);
    if (target === 'disabled') return { kind: 'drop' }; // stays pending until the next PUT
    if (target === 'none' || target === 'filtered') {
      if (!replay && event.pending) await store.notPushed(event.id);
      return { kind: 'drop' };
    }
    const result = await deps.send({ url: target.url, id: event.id, body: event.body, secrets: target.secrets });
    const now = deps.now();
    if (result.outcome === 'delivered') {
      if (event.pending || event.dead) await store.markDelivered(event.id, now);
      deps.observe?.('delivered', replay || event.createdAt === undefined ? undefined : Math.max(0, now - event.createdAt));
      return { kind: 'ok' };
    }
    if (result.outcome === 'gone') {
      await store.disableEndpoint(now, 'the endpoint answered 410 Gone');
      cache.delete(scope);
      deps.log('feed endpoint disabled (410)', { schoolId: schoolIdOf(scope), eventId: event.id });
      deps.observe?.('endpointDisabled');
      return { kind: 'drop' };
    }
    if (replay && !event.pending) {
      deps.observe?.('failed');
      return { kind: 'fail', delay: SHORT_DELAY_SECONDS };
    }
    const failed = await store.markFailed(event.id, now, result.error ?? 'not delivered');
    if (isExhausted(failed.attempts, failed.firstFailedAt, now)) {
      await store.markDead(event.id, now, result.error ?? 'not delivered');
      deps.log('feed event dead: retries exhausted', { eventId: event.id, attempts: failed.attempts });
      deps.observe?.('dead');
      return { kind: 'drop' };
    }
    deps.observe?.('failed');
    return { kind: 'fail', delay: retryDelaySeconds(failed.attempts) };
  }

  /** The pending predecessors of `event` (oldest first, at most MAX_CHAIN), then the event. */
  async function chainOf(store: FeedDeliveryStore, event: StoredFeedEvent): Promise<StoredFeedEvent[]> {
    const chain = [event];
    let previousId = event.previousEventId;
    while (previousId && chain.length <= MAX_CHAIN) {
      const previous = await store.readEvent(previousId);
      if (!previous?.pending) break;
      chain.unshift(previous);
      previousId = previous.previousEventId;
    }
    return chain;
  }

  async function handle(message: ReceivedDelivery): Promise<Outcome> {
    let delivery: FeedDelivery;
    try {
      delivery = JSON.parse(message.body) as FeedDelivery;
      if (typeof delivery.scope !== 'string' || typeof delivery.eventId !== 'string') throw new Error('not a delivery');
    } catch {
      deps.log('feed delivery dropped: not a delivery message', { messageId: message.messageId });
      return 'done';
    }
    const store = deps.storeFor(delivery.scope);
    const event = await store.readEvent(delivery.eventId);
    if (!event) return 'done'; // expired or erased
    const replay = delivery.replay !== undefined;
    if (replay) {
      const result = await attempt(delivery.scope, event, true);
      if (result.kind !== 'fail') return 'done';
      if (isExhausted(message.receiveCount, message.firstReceivedAt, deps.now())) return 'done';
      await deps.queue.changeVisibility(message.receiptHandle, retryDelaySeconds(message.receiveCount));
      return 'failed';
    }
    if (!event.pending) return 'done';
    for (const next of await chainOf(store, event)) {
      const result = await attempt(delivery.scope, next, false);
      if (result.kind === 'drop' && next !== event && (await store.readEvent(next.id))?.pending) return 'done'; // disabled: nothing more goes
      if (result.kind === 'fail') {
        await deps.queue.changeVisibility(message.receiptHandle, next === event ? result.delay : Math.max(SHORT_DELAY_SECONDS, result.delay));
        return 'failed';
      }
    }
    return 'done';
  }

  return async (messages: ReceivedDelivery[]): Promise<{ failed: string[] }> => {
    const groups = new Map<string, ReceivedDelivery[]>();
    for (const message of messages) groups.set(message.groupId, [...(groups.get(message.groupId) ?? []), message]);
    const failed: string[] = [];
    await Promise.all(
      [...groups.values()].map(async (group) => {
        for (const [index, message] of group.entries()) {
          let outcome: Outcome;
          try {
            outcome = await handle(message);
          } catch (error) {
            deps.log('feed delivery failed', { messageId: message.messageId, error: (error as Error).name });
            outcome = 'failed';
          }
          if (outcome === 'failed') {
            failed.push(...group.slice(index).map((m) => m.messageId));
            return;
          }
        }
      }),
    );
    return { failed };
  };
}
