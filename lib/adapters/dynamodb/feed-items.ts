import { createHash } from 'node:crypto';
import type { FeedEventType } from '../../domain/feed/event-type.ts';
import type { FeedState } from '../../domain/feed/state.ts';
import type { Target } from '../../domain/mapping.ts';

/**
 * The feed table's three kinds of item (serverless.yml FeedTable), in one place: the capture and
 * the expiry sweep write events and feed states; the enqueue, the sender and the feed's routes read
 * and mark events; the feed's routes own the endpoint, the sender reads it and disables it on a 410.
 * Keys: lib/adapters/dynamodb/keys.ts (`feedEvent`, `feedState`, `feedEndpoint`); dates are epoch ms.
 */

/** How long stored events are kept (their `expiresAt`): at least the 30 days the pull promises. */
export const FEED_RETENTION_DAYS = 35;

/**
 * One emitted event. `body` is the envelope's JSON exactly as it is pushed and pulled (every
 * attempt sends these bytes). While it waits for the school's endpoint it carries the sparse
 * `pendingKey` (`feedPending` index); delivered, dead or not to be pushed (no endpoint, or its
 * type filtered) it has none; dead, it carries `deadKey` (`feedDead` index).
 */
export type FeedEventItem = {
  pk: string;
  sk: string;
  id: string;
  type: FeedEventType;
  createdAt: number;
  sequence: number;
  /** The enrollment's message group on the delivery queue: feedGroupOf(scope, email, target). */
  group: string;
  /** The same enrollment's event before this one (null for sequence 1): delivery waits until it is delivered or dead. */
  previousEventId: string | null;
  body: string;
  /** attributes.student(email): the student's erasure finds the event through `byStudent`. */
  studentKey?: string;
  pendingKey?: string;
  deadKey?: string;
  /** Failed push attempts so far, the first failure, and the last one's error (never a secret). */
  attempts?: number;
  firstFailedAt?: number;
  lastError?: string;
  deliveredAt?: number;
  deadAt?: number;
  /** Epoch seconds (DynamoDB TTL): createdAt + FEED_RETENTION_DAYS. */
  expiresAt: number;
};

/**
 * The last state emitted for one enrollment and its sequence; keyed like the enrollment (its
 * erasure moves it to the pseudonym with its sequence). While access may end by time it carries
 * accessEndsAttributes (keys.ts) for the expiry sweep.
 */
export type FeedStateItem = {
  pk: string;
  sk: string;
  schoolId: string;
  scope: string;
  email: string;
  target: Target;
  sequence: number;
  state: FeedState;
  lastEventId: string;
  updatedAt: number;
  accessEndsKey?: string;
  accessEndsAt?: number;
};

/** A signing secret, sealed (lib/services/credential-ports.ts CredentialSealer, the feed's own KMS key); `validUntil` null = current. */
export type SealedFeedSecret = { sealed: string; createdAt: number; validUntil: number | null };

/** The school's push endpoint. `disabledAt` set: a 410 switched pushing off until the next PUT. */
export type FeedEndpointItem = {
  pk: string;
  sk: string;
  url: string;
  types: FeedEventType[];
  /** The current secret first; at most one previous one, until its validUntil. */
  secrets: SealedFeedSecret[];
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
  disabledReason: string | null;
};

/**
 * The message group of one enrollment's deliveries (SQS FIFO MessageGroupId, ≤ 128 chars): the
 * same for every event of the enrollment, different across enrollments, free of the e-mail.
 */
export function feedGroupOf(scope: string, email: string, target: Target): string {
  return createHash('sha256').update(`${scope}\u0000${email}\u0000${target.type}\u0000${target.id}`).digest('hex').slice(0, 40);
}

/** A delivery queue message's body: which event to push (`replay`: an operator's replay, sent again even if delivered). */
export type FeedDeliveryMessage = { scope: string; schoolId: string; eventId: string; replay?: string };
