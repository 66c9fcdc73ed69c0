import { setTimeout as sleep } from 'node:timers/promises';
import type { Window as DateRange } from '../../domain/reconciliation.ts';
import type { HotmartSource, SubscriptionFilters } from '../../services/ports.ts';

/**
 * Hotmart's REST API (docs/hotmart.md), for reconciliation: an OAuth client-credentials token fetched
 * with the Basic header and cached until shortly before it expires (refreshed once on a 401), and
 * paged reads that respect the documented limits — 429 waits as the rate-limit headers say, 502
 * (a query over 30 s) splits the time window, transient faults retry with backoff.
 *
 * What it will not do, whatever the other end answers: send a credential over plain http (only
 * to 127.0.0.1/localhost) or after a redirect (a 3xx is an error); read an answer that is not
 * JSON or is larger than `maxAnswerBytes`; read more than `maxPages` pages in one read, or a page
 * token it was given before. Pages are handed out as they come, one at a time. Its errors carry
 * the HTTP status and Hotmart's `error` type at most, never a piece of the answer.
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
};

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

/** A read stopped by one of the client's own bounds (pages, page-token loop, shape). */
export class HotmartReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HotmartReadError';
  }
}

/** The query took Hotmart over 30 s: ask again for a narrower window. */
class WindowTooWide extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or plain http to this machine only (the fake API, a local stand-in). */
export function isAllowedHotmartUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

const TOKEN_MARGIN_MS = 60_000;
const MIN_WINDOW_MS = 60_000;

type Page<T> = { items?: T[]; page_info?: { next_page_token?: string } };

/** Query values; an array becomes a repeated param, undefined is left out. */
type Query = Record<string, string | number | readonly string[] | undefined>;

/** A date window and the names one endpoint gives its two bounds — the part a 502 makes us split. */
type Window = { fromParam: string; toParam: string } & DateRange;

/** The subscription date windows and their query-param names (docs/hotmart.md, "REST API: subscriptions"). */
const SUBSCRIPTION_WINDOWS = [
  ['accession', 'accession_date', 'end_accession_date'],
  ['cancelation', 'cancelation_date', 'end_cancelation_date'],
  ['nextCharge', 'date_next_charge', 'end_date_next_charge'],
] as const;

export function createHotmartApi(options: HotmartApiOptions): HotmartApi {
  for (const [name, url] of [['token URL', options.tokenUrl], ['API URL', options.apiUrl]] as const) {
    if (!isAllowedHotmartUrl(url)) throw new RangeError(`Hotmart ${name} must be https (plain http only to 127.0.0.1 or localhost)`);
  }
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 4;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
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
    if (secrets.some((secret) => secret && code.includes(secret))) return 'redacted';
    // An error type is one word (invalid_token, too_many_requests): anything else is not quoted.
    return ERROR_TYPE.test(code) ? code : '';
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
        redirect: 'manual',
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
      });
    } catch (error) {
      // Rethrow only the kind of failure: the request URL and body carry the client secret.
      throw new HotmartApiError(0, `token request failed: ${failureKind(error)}`);
    }
    refuseRedirect(response);
    if (!response.ok) throw new HotmartApiError(response.status, await safeErrorCode(response));
    const body = (await readJson(response, TOKEN_ANSWER_BYTES)) as { access_token?: unknown; expires_in?: number } | null;
    if (typeof body?.access_token !== 'string' || !body.access_token) throw new HotmartApiError(response.status, 'no access_token');
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
          redirect: 'manual',
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        });
      } catch (error) {
        // A token refusal (bad credentials) will not get better by asking again; faults and 5xx may.
        if (isRefusal(error) || signal?.aborted) throw error;
        if (attempt >= maxAttempts) throw error instanceof HotmartApiError ? error : new HotmartApiError(0, `request failed: ${failureKind(error)}`);
        await wait(backoff(attempt));
        continue;
      }
      refuseRedirect(response);
      if (response.ok) return (await readJson(response, maxAnswerBytes)) as T;
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
   * Every item of a paged endpoint, page by page as Hotmart answers: the next page is asked for
   * only once the caller has taken every item of this one, so one page is held at a time. When
   * Hotmart times out (502) on a window's first page, the window is split in two and each half
   * read; a 502 after items were handed out cannot be split without handing them out again, and
   * is reported. Without a window a 502 is final. `budget` counts pages across the splits.
   */
  async function* paged<T>(path: string, query: Query, window: Window | undefined, signal: AbortSignal | undefined, budget = { pages: 0 }): AsyncGenerator<T> {
    const bounds = window ? { [window.fromParam]: window.from, [window.toParam]: window.to } : {};
    const tokens = new Set<string>();
    let pageToken: string | undefined;
    let handedOut = false;
    do {
      if (++budget.pages > maxPages) throw new HotmartReadError(`read stopped after ${maxPages} pages (the client's cap): run a narrower window`);
      let page: Page<T>;
      try {
        page = await get<Page<T>>(path, { ...query, ...bounds, max_results: options.pageSize ?? 500, page_token: pageToken }, signal);
      } catch (error) {
        if (!(error instanceof WindowTooWide)) throw error;
        if (handedOut) throw new HotmartApiError(502, 'query too slow after its first page');
        if (!window) throw new HotmartApiError(502, 'query too slow and no date window to narrow');
        if (window.to - window.from <= MIN_WINDOW_MS) throw new HotmartApiError(502, 'query too slow even for one minute');
        const middle = window.from + Math.floor((window.to - window.from) / 2);
        yield* paged<T>(path, query, { ...window, to: middle }, signal, budget);
        yield* paged<T>(path, query, { ...window, from: middle + 1 }, signal, budget);
        return;
      }
      const items = page?.items ?? [];
      const next = page?.page_info?.next_page_token;
      if (!Array.isArray(items) || (next !== undefined && next !== null && typeof next !== 'string')) throw new HotmartReadError('Hotmart answered a page of an unexpected shape');
      pageToken = next || undefined;
      if (pageToken !== undefined) {
        if (tokens.has(pageToken)) throw new HotmartReadError('Hotmart gave a page token it had given before: read stopped (page-token loop)');
        tokens.add(pageToken);
      }
      for (const item of items) {
        handedOut = true;
        yield item;
      }
    } while (pageToken);
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
     * call otherwise): it is the one a 502 splits. A read without an accession window still sends
     * one, from EARLIEST_ACCESSION to now, so Hotmart's reported 30-day default never applies.
     */
    subscriptions(filters: HotmartSubscriptionFilters) {
      const given = SUBSCRIPTION_WINDOWS.filter(([key]) => filters[key]);
      if (given.length > 1) throw new RangeError(`subscriptions: give at most one date window, got ${given.map(([key]) => key).join(', ')}`);
      const [key, fromParam, toParam] = given[0] ?? [];
      const range = key && filters[key];
      // Without an accession window, every accession since EARLIEST_ACCESSION (not split on a 502):
      // right whether or not Hotmart applies its reported 30-day default.
      const accession = key === 'accession' ? {} : { accession_date: EARLIEST_ACCESSION, end_accession_date: now() };
      return paged<Record<string, unknown>>(
        '/payments/api/v1/subscriptions',
        { status: filters.statuses, product_id: filters.productId, subscriber_email: filters.subscriberEmail, subscriber_code: filters.subscriberCode, ...accession },
        range && fromParam && toParam ? { fromParam, toParam, from: range.from, to: range.to } : undefined,
        filters.signal,
      );
    },
  };
}



const backoff = (attempt: number) => Math.min(8_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

/** A token endpoint's answer that asking again will not change: credentials refused (4xx but 429), a redirect, an answer that is no token. */
const isRefusal = (error: unknown) => error instanceof HotmartApiError && error.status >= 200 && error.status < 500 && error.status !== 429;

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

/** Hotmart's error types are single words; anything else in `error` is not quoted. */
const ERROR_TYPE = /^[A-Za-z0-9_.:-]{1,64}$/;
const TOKEN_ANSWER_BYTES = 64 * 1024;
const ERROR_ANSWER_BYTES = 64 * 1024;

/** A redirect is refused, never followed: the request carries a credential. */
function refuseRedirect(response: Response) {
  if (response.status >= 300 && response.status < 400) {
    void response.body?.cancel().catch(() => undefined);
    throw new HotmartApiError(response.status, 'redirect refused');
  }
}

/** The media type, as a word safe to name in an error (never a piece of the answer). */
function mediaType(response: Response): string {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9.+-]{1,40}\/[a-z0-9.+-]{1,60}$/.test(type) ? type : type ? 'unrecognised type' : 'no content-type';
}

/**
 * The answer as JSON, refusing one that says it is not JSON or is over `limit` bytes — the body
 * is read as a stream and dropped as soon as it passes the limit. Errors name what was wrong
 * (status, media type, size), never what the answer said: a parser's message would quote it.
 */
async function readJson(response: Response, limit: number): Promise<unknown> {
  const type = mediaType(response);
  if (!/^application\/([a-z0-9.-]+\+)?json$/.test(type)) {
    void response.body?.cancel().catch(() => undefined);
    throw new HotmartApiError(response.status, `not JSON: ${type}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const tooLarge = () => new HotmartApiError(response.status, `answer over ${limit} bytes`);
  if (declared > limit) {
    void response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch {
    throw new HotmartApiError(response.status, 'unreadable JSON');
  }
}

/** The body's `error` field, whole: cut it only after checking it for secrets. */
async function errorCode(response: Response): Promise<string> {
  try {
    const body = (await readJson(response, ERROR_ANSWER_BYTES)) as { error?: unknown } | null;
    return typeof body?.error === 'string' ? body.error : '';
  } catch {
    return '';
  }
}
