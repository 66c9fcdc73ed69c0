import { setTimeout as sleep } from 'node:timers/promises';
import type { Window as DateRange } from '../../domain/reconciliation.ts';
import type { HotmartApi, HotmartApiOptions, HotmartSubscriptionFilters } from './api-types.ts';
import { DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_PAGES, EARLIEST_ACCESSION } from './api-types.ts';
import { backoff, failureKind, HotmartApiError, HotmartReadError, isRefusal, rateLimitWait, readJson, refuseRedirect } from './answers.ts';
import { requestHotmartToken, safeErrorCode as safeErrorCodeOf } from './token-request.ts';

export { HotmartApiError, HotmartReadError } from './answers.ts';

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
export type { HotmartApi, HotmartApiOptions, HotmartCredentials, HotmartSubscriptionFilters } from './api-types.ts';
export { DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_PAGES, EARLIEST_ACCESSION } from './api-types.ts';

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

  const safeErrorCode = (response: Response) => safeErrorCodeOf(response, options.credentials, cached?.token);

  async function fetchToken(): Promise<string> {
    let answer: Awaited<ReturnType<typeof requestHotmartToken>>;
    try {
      answer = await requestHotmartToken(options, cached?.token);
    } catch (error) {
      if (isRefusal(error)) await options.onToken?.({ status: (error as HotmartApiError).status, code: (error as HotmartApiError).code });
      throw error;
    }
    await options.onToken?.();
    const { accessToken, expiresInSeconds } = answer;
    cached = { token: accessToken, expiresAt: now() + expiresInSeconds * 1000 - TOKEN_MARGIN_MS };
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
