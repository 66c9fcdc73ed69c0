import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { FEED_RETENTION_DAYS, feedGroupOf } from '#lib/adapters/dynamodb/feed-items.ts';
import type { FeedEndpointItem, FeedEventItem } from '#lib/adapters/dynamodb/feed-items.ts';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { localDevelopmentSealer } from '#lib/adapters/secrets/credential-sealer.ts';
import { feedEvent } from '#lib/domain/feed/envelope.ts';
import { createEventIdFactory } from '#lib/domain/feed/event-id.ts';
import type { FeedEventType } from '#lib/domain/feed/event-type.ts';
import { FEED_EVENT_TYPES } from '#lib/domain/feed/event-type.ts';
import { feedStateOf } from '#lib/domain/feed/state.ts';
import type { Target } from '#lib/domain/mapping.ts';
import { viewEnrollment } from '#lib/services/enrollments.ts';

/**
 * Feed items written as the capture (events) and the feed's routes (the endpoint) write them
 * (lib/adapters/dynamodb/feed-items.ts), for the delivery tests: events' bodies from feedEvent,
 * the endpoint's secrets sealed with localDevelopmentSealer.
 */
export const newScope = (name = 'feed') => `${name}-${randomBytes(4).toString('hex')}#${randomBytes(5).toString('hex')}`;
const nextId = createEventIdFactory(Date.now);

export function feedStore(db: DynamoDBDocumentClient, table: string) {
  const put = (Item: object) => db.send(new PutCommand({ TableName: table, Item }));

  return {
    /** The school's endpoint: `secrets` plaintext, current first; a second one is the previous, valid until `previousValidUntil`. */
    async putEndpoint(scope: string, endpoint: { url: string; secrets: string[]; types?: FeedEventType[]; disabledAt?: number | null; previousValidUntil?: number }) {
      const schoolId = scope.split('#')[0]!;
      const now = Date.now();
      const secrets = await Promise.all(
        endpoint.secrets.map(async (secret, index) => ({ sealed: await localDevelopmentSealer.seal(schoolId, secret), createdAt: now - index, validUntil: index === 0 ? null : (endpoint.previousValidUntil ?? now + 86_400_000) })),
      );
      const item: FeedEndpointItem = {
        ...schoolKeys(scope).keys.feedEndpoint,
        url: endpoint.url,
        types: endpoint.types ?? [...FEED_EVENT_TYPES],
        secrets,
        createdAt: now,
        updatedAt: now,
        disabledAt: endpoint.disabledAt ?? null,
        disabledReason: endpoint.disabledAt ? 'the endpoint answered 410 Gone' : null,
      };
      await put(item);
    },

    /**
     * `count` events of one enrollment, in order: granted, revoked, granted… (sequence 1…count,
     * each naming the one before), as the capture emits them. Answers their ids.
     */
    async putEnrollmentEvents(scope: string, email: string, count: number, options: { target?: Target; startSequence?: number; previousEventId?: string | null } = {}) {
      const target = options.target ?? { type: 'course', id: 'c1' };
      const { attributes } = schoolKeys(scope);
      const ids: string[] = [];
      let previousEventId = options.previousEventId ?? null;
      let previous = null as ReturnType<typeof feedStateOf> | null;
      for (let i = 0; i < count; i++) {
        const sequence = (options.startSequence ?? 1) + i;
        const granted = sequence % 2 === 1;
        const now = Date.now();
        const view = viewEnrollment(
          { email, target, productId: '1', transactions: [{ transaction: 'HP1', status: granted ? 'APPROVED' : 'REFUNDED' }], subscriptions: [], createdAt: now, updatedAt: now, lastEventId: 'e1' },
          now,
        );
        if (previous === null && sequence > 1) previous = feedStateOf({ ...view, status: granted ? 'revoked' : 'active', hasAccess: !granted } as typeof view);
        const id = nextId();
        const event = feedEvent({ id, createdAt: now, schoolId: scope.split('#')[0]!, sequence, enrollment: view, previous, cause: { source: 'webhook', eventId: `e${sequence}` } });
        await put(this.eventItem(scope, { id, type: event.type, sequence, group: feedGroupOf(scope, email, target), previousEventId, body: JSON.stringify(event), createdAt: now, ...attributes.student(email) }));
        ids.push(id);
        previousEventId = id;
        previous = feedStateOf(view);
      }
      return ids;
    },

    /** An event item as capture writes it (pending), with any body: a poison one too. */
    eventItem(scope: string, fields: Pick<FeedEventItem, 'id' | 'type' | 'sequence' | 'group' | 'previousEventId' | 'body' | 'createdAt'> & { studentKey?: string }): FeedEventItem {
      const { keys, attributes } = schoolKeys(scope);
      return { ...keys.feedEvent(fields.id), ...fields, ...attributes.feedPending, expiresAt: Math.floor(fields.createdAt / 1000) + FEED_RETENTION_DAYS * 86_400 };
    },
    put,
    nextId,
  };
}
