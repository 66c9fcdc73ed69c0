import type { HotmartSource, SubscriptionFilters } from '../../services/ports.ts';

/** The Hotmart REST API client's options and port (the client: lib/adapters/hotmart/api-client.ts). */
export type HotmartCredentials = { clientId: string; clientSecret: string; basic: string };

/** The reconciliation port, with the subscriptions filter the API adds. */
export type HotmartApi = HotmartSource & { subscriptions(filters: HotmartSubscriptionFilters): AsyncIterable<Record<string, unknown>> };

export type HotmartApiOptions = {
  credentials: HotmartCredentials;
  /** Token endpoint, e.g. https://api-sec-vlc.hotmart.com/security/oauth/token */
  tokenUrl: string;
  /** API base, e.g. https://developers.hotmart.com (production) or https://sandbox.hotmart.com */
  apiUrl: string;
  /**
   * How the token request is sent. 'json' (default) is Hotmart's own sample: params in the query
   * string, `application/json`, no body. 'form' also puts them in an urlencoded body, as one SDK
   * does; both reportedly work (docs/hotmart.md, "REST API: credentials and token"), so this is a switch to flip if one stops working.
   */
  tokenContentType?: 'json' | 'form';
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /** Longest wait a 429 may impose before the call gives up. */
  maxRateLimitWaitMs?: number;
  pageSize?: number;
  /** Pages one read may take (its splits included) before it stops with an error. Default 1000. */
  maxPages?: number;
  /** Largest answer read, in bytes; a larger one is refused unread. Default 5 MB. */
  maxAnswerBytes?: number;
  now?: () => number;
  /** Told each time Hotmart issues a token, or refuses one (the HotmartApiError, 4xx but 429): a school's `credentials.lastError`. */
  onToken?: (refusal?: HotmartTokenRefusal) => Promise<void>;
};

export type HotmartTokenRefusal = { status: number; code: string };

export const DEFAULT_MAX_PAGES = 1000;
export const DEFAULT_MAX_ANSWER_BYTES = 5 * 1024 * 1024;

/**
 * The earliest accession asked for when a subscription read names none: Hotmart reportedly limits
 * a query without an accession filter to the last 30 days of accession (docs/hotmart.md, "REST API: subscriptions"), so every read
 * names one, reaching back before Hotmart existed (2011).
 */
export const EARLIEST_ACCESSION = Date.UTC(2010, 0, 1);

/** The port's filters, and one more the API offers. */
export type HotmartSubscriptionFilters = SubscriptionFilters & { subscriberCode?: string };
