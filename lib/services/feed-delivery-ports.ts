/**
 * The ports of the feed's delivery (lib/services/feed-delivery.ts: enqueue, send, redrive).
 * Adapters: lib/adapters/dynamodb/feed-delivery-store.ts, lib/adapters/eventbridge/event-bus.ts
 * (LocalEventBus locally), the DeliveryQueue of ports.ts (SQS FIFO; LocalFifoQueue locally),
 * lib/adapters/webhooks/send.ts, and the CredentialSealer the endpoint's secrets are sealed with.
 */
import type { FeedEventType } from '../domain/feed/event-type.ts';

/** A stored feed event as delivery sees it (lib/adapters/dynamodb/feed-items.ts FeedEventItem). */
export type StoredFeedEvent = {
  id: string;
  type: FeedEventType;
  /** The item's sort key: emission order. */
  sk: string;
  group: string;
  previousEventId: string | null;
  body: string;
  pending: boolean;
  dead: boolean;
  attempts: number;
  firstFailedAt?: number;
  /** Epoch ms: when the event was emitted (the delivery latency's start). */
  createdAt?: number;
};

export type SealedSecret = { sealed: string; createdAt: number; validUntil: number | null };

/** The school's push endpoint (secrets still sealed). */
export type FeedEndpoint = { url: string; types: FeedEventType[]; secrets: SealedSecret[]; disabledAt: number | null };

export type FeedEventPage = { events: StoredFeedEvent[]; next: string | null };

/** One school's feed items, for delivery. Every key is under that school's scope. */
export interface FeedDeliveryStore {
  readEvent(id: string): Promise<StoredFeedEvent | null>;
  /** Delivered (2xx): no longer pending, nor dead (a replayed dead event). */
  markDelivered(id: string, at: number): Promise<void>;
  /** A failed attempt: attempts + 1, firstFailedAt if not set, lastError; answers the counts after it. */
  markFailed(id: string, at: number, error: string): Promise<{ attempts: number; firstFailedAt: number }>;
  /** Retries ran out (or the event can never be sent): dead, no longer pending. */
  markDead(id: string, at: number, error: string): Promise<void>;
  /** Not to be pushed (no endpoint, or its type filtered): no longer pending. */
  notPushed(id: string): Promise<void>;
  readEndpoint(): Promise<FeedEndpoint | null>;
  /** A 410: pushing stops until the next PUT of the endpoint. */
  disableEndpoint(at: number, reason: string): Promise<void>;
  /** Pending events in emission order, after the cursor `after` (a page's `next`). */
  pendingPage(options: { after?: string; limit: number }): Promise<FeedEventPage>;
  /** Events whose id is in [fromId, toId), in emission order, after the cursor `after`. */
  rangePage(options: { fromId: string; toId: string; after?: string; limit: number }): Promise<FeedEventPage>;
  /** These events (missing ones left out), in emission order. */
  eventsByIds(ids: string[]): Promise<StoredFeedEvent[]>;
}

/**
 * One push attempt's result, for the stage-wide metrics (lib/observability/metrics.ts
 * emitFeedMetrics; no per-school dimension): `delivered` (a 2xx; `latencyMs` from the event's
 * createdAt, first pushes only, not replays), `failed` (to be retried), `dead` (retries ran out, or
 * a body that can never be sent), `endpointDisabled` (a 410 switched the school's endpoint off).
 */
export type FeedOutcome = 'delivered' | 'failed' | 'dead' | 'endpointDisabled';
export type FeedOutcomeObserver = (outcome: FeedOutcome, latencyMs?: number) => void;

/** The stage's EventBridge bus (source `hotmart-enrollments`, detail-type = type, detail = the envelope). */
export interface EventBus {
  put(events: { id: string; type: FeedEventType; detail: string }[]): Promise<void>;
}

/** One signed POST of an event (lib/adapters/webhooks/send.ts). */
export type WebhookSender = (delivery: { url: string; id: string; body: string; secrets: string[] }) => Promise<{
  outcome: 'delivered' | 'gone' | 'retry';
  status: number | null;
  error?: string;
}>;

/** Opens a sealed secret of the school (CredentialSealer.open). */
export type SecretOpener = (schoolId: string, sealed: string) => Promise<string>;

/** A redrive job: what a re-enabled endpoint is owed (`pending`), or an operator's replay. */
export type FeedRedriveJob =
  | { scope: string; mode: 'pending'; nonce: string; after?: string }
  | { scope: string; mode: 'replay'; nonce: string; from: string; to?: string; after?: string }
  | { scope: string; mode: 'replay'; nonce: string; eventIds: string[]; after?: string };

/** Starts a redrive step asynchronously (functions/feed-redrive). */
export type FeedRedriveLauncher = (job: FeedRedriveJob) => Promise<void>;
