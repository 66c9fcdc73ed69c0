import type { FeedEventType } from '../domain/feed/event-type.ts';

/**
 * The ports of a school's feed routes (lib/services/feed-admin.ts). Adapters:
 * lib/adapters/dynamodb/feed-endpoint-store.ts, lib/adapters/dynamodb/feed-event-reader.ts,
 * lib/adapters/lambda/feed-redrive-launcher.ts, lib/adapters/webhooks/{send,endpoint-guard}.ts.
 */

/** A signing secret as stored: only inside `sealed` (CredentialSealer, the feed's own KMS key); `validUntil` null = current. */
export type SealedSecret = { sealed: string; createdAt: number; validUntil: number | null };

/** The school's push endpoint (the feed-endpoint item without its keys). Dates epoch ms. */
export type FeedEndpoint = {
  url: string;
  types: FeedEventType[];
  secrets: SealedSecret[];
  createdAt: number;
  updatedAt: number;
  /** Set when the endpoint answered 410: nothing is pushed until the next PUT. */
  disabledAt: number | null;
  disabledReason: string | null;
};

/** One school's endpoint item. */
export interface FeedEndpointStore {
  get(): Promise<FeedEndpoint | null>;
  /** Creates it; 'exists' when one exists already (a concurrent first PUT). */
  create(endpoint: FeedEndpoint): Promise<'created' | 'exists'>;
  /** Sets url and types and re-enables it; the endpoint as it was before, or null when there is none. */
  update(change: { url: string; types: FeedEventType[]; updatedAt: number }): Promise<FeedEndpoint | null>;
  /** Disables it again as it was (a re-enabling PUT whose redrive could not start), unless it changed meanwhile. */
  restoreDisabled(updatedAt: number, disabledAt: number, disabledReason: string | null): Promise<void>;
  /** Replaces the secrets if the current one is still `currentSealed`; false if it was rotated or removed meanwhile. */
  replaceSecrets(currentSealed: string, secrets: SealedSecret[], updatedAt: number): Promise<boolean>;
  remove(): Promise<void>;
}

/** What the feedPending / feedDead indexes say: counts, and the oldest pending event's failures. */
export type FeedDeliveryCounts = {
  pending: number;
  dead: number;
  oldestPending: { attempts: number; firstFailedAt: number | null; lastError: string | null } | null;
};

export interface FeedEventReader {
  deliveryCounts(): Promise<FeedDeliveryCounts>;
  /** A page of the school's events in emission order: their stored bodies, parsed. */
  page(limit: number, cursor: string | undefined): Promise<{ items: unknown[]; nextCursor: string | null }>;
}

/**
 * What the redrive worker (functions/feed-redrive) is asked to send: `pending`, every pending
 * event in emission order (an endpoint re-enabled); `replay`, the events emitted in [from, to)
 * (epoch ms; to null: up to now) or the ones named, sent again with the replay's id as the nonce.
 * Either way respecting the endpoint's `types`.
 */
export type FeedRedriveRequest = { schoolId: string; scope: string } & (
  | { mode: 'pending' }
  | { mode: 'replay'; replay: string; from: number; to: number | null }
  | { mode: 'replay'; replay: string; eventIds: string[] }
);

/** Hands a redrive to the worker, asynchronously (in AWS an async Lambda invocation, retried, then its on-failure queue). */
export interface FeedRedriveLauncher {
  launch(request: FeedRedriveRequest): Promise<void>;
}

/** One signed POST of `body` to `url` (the ping): the endpoint's status (null: no answer), the time it took, why it failed. */
export type FeedPinger = (delivery: { url: string; id: string; body: string; secrets: string[] }) => Promise<{ status: number | null; latencyMs: number; error?: string }>;

/** May this URL be an endpoint (https, a public address; locally http to 127.0.0.1 too)? */
export type EndpointUrlCheck = (url: string) => Promise<{ ok: true } | { ok: false; reason: string }>;
