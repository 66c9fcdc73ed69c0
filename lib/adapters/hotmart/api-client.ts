import { setTimeout as sleep } from 'node:timers/promises';
import type { Window as DateRange } from '../../domain/reconciliation.ts';
import type { HotmartSource, SubscriptionFilters } from '../../services/ports.ts';

/**
 * Hotmart's REST API (SPEC §8), for reconciliation: an OAuth client-credentials token fetched
 * with the Basic header and cached until shortly before it expires (refreshed once on a 401), and
 * paged reads that respect the documented limits — 429 waits as the rate-limit headers say, 502
 * (a query over 30 s) splits the time window, transient faults retry with backoff.
 */
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
   * does; both reportedly work (SPEC §8.1), so this is a switch to flip if one stops working.
   */
  tokenContentType?: 'json' | 'form';
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /** Longest wait a 429 may impose before the call gives up. */
  maxRateLimitWaitMs?: number;
  pageSize?: number;
  now?: () => number;
};

/** The port's filters, and one more the API offers. */
export type HotmartSubscriptionFilters = SubscriptionFilters & { subscriberCode?: string };

/** Carries only the HTTP status and Hotmart's error type: never a credential or token. Status 0: no answer. */
export class HotmartApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Hotmart API answered ${status}${code ? ` (${code})` : ''}`);
    this.name = 'HotmartApiError';
  }
}

/** The query took Hotmart over 30 s: ask again for a narrower window. */
class WindowTooWide extends Error {}

const TOKEN_MARGIN_MS = 60_000;
const MIN_WINDOW_MS = 60_000;

type Page<T> = { items?: T[]; page_info?: { next_page_token?: string } };

/** Query values; an array becomes a repeated param, undefined is left out. */
type Query = Record<string, string | number | readonly string[] | undefined>;

/** A date window and the names one endpoint gives its two bounds — the part a 502 makes us split. */
type Window = { fromParam: string; toParam: string } & DateRange;

/** The subscription date windows and their query-param names (SPEC §8.4). */
const SUBSCRIPTION_WINDOWS = [
  ['accession', 'accession_date', 'end_accession_date'],
  ['cancelation', 'cancelation_date', 'end_cancelation_date'],
  ['nextCharge', 'date_next_charge', 'end_date_next_charge'],
] as const;

export function createHotmartApi(options: HotmartApiOptions): HotmartApi {
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 4;
  let cached: { token: string; expiresAt: number } | undefined;

  /**
   * Hotmart's error type, dropped if it quotes a credential or token. Error types are fixed words,
   * so this only bites on a misbehaving server; a client id is an identifier rather than a secret
   * and is only matched when long enough not to hit ordinary words (test ids like "id").
   */
  async function safeErrorCode(response: Response): Promise<string> {
    const code = await errorCode(response);
    const { clientId, clientSecret, basic } = options.credentials;
    const secrets = [clientSecret, basic, cached?.token, clientId.length >= 8 ? clientId : undefined];
    return secrets.some((secret) => secret && code.includes(secret)) ? 'redacted' : code.slice(0, 64);
  }

  async function fetchToken(): Promise<string> {
    const { clientId, clientSecret, basic } = options.credentials;
    const params = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
    const form = options.tokenContentType === 'form';
    const url = new URL(options.tokenUrl);
    url.search = params;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
        ...(form ? { body: params } : {}),
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
      });
    } catch (error) {
      // Rethrow only the kind of failure: the request URL and body carry the client secret.
      throw new HotmartApiError(0, `token request failed: ${failureKind(error)}`);
    }
    if (!response.ok) throw new HotmartApiError(response.status, await safeErrorCode(response));
    // An unreadable answer is named, not quoted: SyntaxError messages quote the body.
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new HotmartApiError(response.status, 'no access_token');
    cached = { token: body.access_token, expiresAt: now() + (body.expires_in ?? 3600) * 1000 - TOKEN_MARGIN_MS };
    return cached.token;
  }

  const token = async (renew = false) => (!renew && cached && now() < cached.expiresAt ? cached.token : fetchToken());

  async function get<T>(path: string, query: Query, signal?: AbortSignal): Promise<T> {
    const url = new URL(path, options.apiUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (typeof value === 'string' || typeof value === 'number') url.searchParams.set(key, String(value));
      else for (const item of value) url.searchParams.append(key, item);
    }
    let renewed = false;
    const wait = (ms: number) => sleep(ms, undefined, signal ? { signal } : {});
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 30_000);
        response = await fetch(url, {
          headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        });
      } catch (error) {
        // A token refusal (bad credentials) will not get better by asking again; faults and 5xx may.
        if (attempt >= maxAttempts || isRefusal(error) || signal?.aborted) throw error;
        await wait(backoff(attempt));
        continue;
      }
      if (response.ok) return (await response.json()) as T;
      const code = await safeErrorCode(response);
      if (response.status === 401 && !renewed) {
        renewed = true;
        await token(true);
        continue;
      }
      if (response.status === 502) throw new WindowTooWide();
      if (response.status === 429 && attempt < maxAttempts) {
        const reset = rateLimitWait(response.headers);
        if (reset > (options.maxRateLimitWaitMs ?? 60_000)) throw new HotmartApiError(429, code);
        await wait(reset);
        continue;
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        await wait(backoff(attempt));
        continue;
      }
      throw new HotmartApiError(response.status, code);
    }
  }

  /**
   * Every item of a paged endpoint, splitting the date window in two when Hotmart times out (502).
   * A window's pages are buffered before any is yielded, so a 502 on a later page cannot leave
   * items already handed out that the halves would hand out again. Without a window a 502 is final.
   */
  async function* paged<T>(path: string, query: Query, window?: Window, signal?: AbortSignal): AsyncGenerator<T> {
    const bounds = window ? { [window.fromParam]: window.from, [window.toParam]: window.to } : {};
    const pages: T[][] = [];
    try {
      let pageToken: string | undefined;
      do {
        const page = await get<Page<T>>(path, { ...query, ...bounds, max_results: options.pageSize ?? 500, page_token: pageToken }, signal);
        pages.push(page.items ?? []);
        pageToken = page.page_info?.next_page_token;
      } while (pageToken);
    } catch (error) {
      if (!(error instanceof WindowTooWide)) throw error;
      if (!window) throw new HotmartApiError(502, 'query too slow and no date window to narrow');
      if (window.to - window.from <= MIN_WINDOW_MS) throw new HotmartApiError(502, 'query too slow even for one minute');
      const middle = window.from + Math.floor((window.to - window.from) / 2);
      yield* paged<T>(path, query, { ...window, to: middle }, signal);
      yield* paged<T>(path, query, { ...window, from: middle + 1 }, signal);
      return;
    }
    for (const page of pages) yield* page;
  }

  return {
    /** Sales in [from, to] (epoch ms) with one transaction status — Hotmart returns only APPROVED and COMPLETE unless asked. */
    salesHistory: (filters) =>
      paged<Record<string, unknown>>(
        '/payments/api/v1/sales/history',
        { transaction_status: filters.status, product_id: filters.productId },
        { fromParam: 'start_date', toParam: 'end_date', from: filters.from, to: filters.to },
        filters.signal,
      ),

    /**
     * Subscriptions matching the filters. Give at most one date window (throws RangeError at the
     * call otherwise): it is the one a 502 splits. Without a window and without a subscriber
     * filter Hotmart reportedly returns only accessions of the last 30 days (SPEC §8.4), so pass
     * an accession window to reach older subscribers.
     */
    subscriptions(filters: HotmartSubscriptionFilters) {
      const given = SUBSCRIPTION_WINDOWS.filter(([key]) => filters[key]);
      if (given.length > 1) throw new RangeError(`subscriptions: give at most one date window, got ${given.map(([key]) => key).join(', ')}`);
      const [key, fromParam, toParam] = given[0] ?? [];
      const range = key && filters[key];
      return paged<Record<string, unknown>>(
        '/payments/api/v1/subscriptions',
        { status: filters.statuses, product_id: filters.productId, subscriber_email: filters.subscriberEmail, subscriber_code: filters.subscriberCode },
        range && fromParam && toParam ? { fromParam, toParam, from: range.from, to: range.to } : undefined,
        filters.signal,
      );
    },
  };
}



const backoff = (attempt: number) => Math.min(8_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

/** A 4xx from the token endpoint other than 429: the credentials were refused. */
const isRefusal = (error: unknown) => error instanceof HotmartApiError && error.status >= 400 && error.status < 500 && error.status !== 429;

/** A network failure's kind (timeout, ECONNREFUSED, …) without its message, which may quote the request. */
function failureKind(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : error.name;
}

/** How long a 429 asks us to wait: RateLimit-Reset (seconds), else Retry-After, else a minute's share. */
function rateLimitWait(headers: Headers): number {
  const seconds = Number(headers.get('ratelimit-reset') ?? headers.get('retry-after') ?? 1);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

/** The body's `error` field, whole: cut it only after checking it for secrets. */
async function errorCode(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: string };
    return typeof body.error === 'string' ? body.error : '';
  } catch {
    return '';
  }
}
