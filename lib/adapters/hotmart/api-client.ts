import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Hotmart's REST API (SPEC §8), for reconciliation: an OAuth client-credentials token fetched
 * with the Basic header and cached until shortly before it expires (refreshed once on a 401), and
 * paged reads that respect the documented limits — 429 waits as the rate-limit headers say, 502
 * (a query over 30 s) splits the time window, transient faults retry with backoff.
 */
export type HotmartCredentials = { clientId: string; clientSecret: string; basic: string };

export type HotmartApiOptions = {
  credentials: HotmartCredentials;
  /** Token endpoint, e.g. https://api-sec-vlc.hotmart.com/security/oauth/token */
  tokenUrl: string;
  /** API base, e.g. https://developers.hotmart.com (production) or https://sandbox.hotmart.com */
  apiUrl: string;
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /** Longest wait a 429 may impose before the call gives up. */
  maxRateLimitWaitMs?: number;
  pageSize?: number;
  now?: () => number;
};

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

export function createHotmartApi(options: HotmartApiOptions) {
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 4;
  let cached: { token: string; expiresAt: number } | undefined;

  async function fetchToken(): Promise<string> {
    const { clientId, clientSecret, basic } = options.credentials;
    const url = new URL(options.tokenUrl);
    url.search = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
    });
    if (!response.ok) throw new HotmartApiError(response.status, await errorCode(response));
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new HotmartApiError(response.status, 'no access_token');
    cached = { token: body.access_token, expiresAt: now() + (body.expires_in ?? 3600) * 1000 - TOKEN_MARGIN_MS };
    return cached.token;
  }

  const token = async (renew = false) => (!renew && cached && now() < cached.expiresAt ? cached.token : fetchToken());

  async function get<T>(path: string, query: Record<string, string | number | undefined>): Promise<T> {
    const url = new URL(path, options.apiUrl);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
        });
      } catch (error) {
        if (attempt >= maxAttempts) throw error;
        await sleep(backoff(attempt));
        continue;
      }
      if (response.ok) return (await response.json()) as T;
      const code = await errorCode(response);
      if (response.status === 401 && !renewed) {
        renewed = true;
        await token(true);
        continue;
      }
      if (response.status === 502) throw new WindowTooWide();
      if (response.status === 429 && attempt < maxAttempts) {
        const wait = rateLimitWait(response.headers);
        if (wait > (options.maxRateLimitWaitMs ?? 60_000)) throw new HotmartApiError(429, code);
        await sleep(wait);
        continue;
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        await sleep(backoff(attempt));
        continue;
      }
      throw new HotmartApiError(response.status, code);
    }
  }

  /** Every item of a paged endpoint between two dates, splitting the window when Hotmart times out. */
  async function* paged<T>(path: string, query: Record<string, string | number | undefined>, from: number, to: number): AsyncGenerator<T> {
    const pages: T[][] = [];
    try {
      let pageToken: string | undefined;
      do {
        const page = await get<Page<T>>(path, { ...query, start_date: from, end_date: to, max_results: options.pageSize ?? 500, page_token: pageToken });
        pages.push(page.items ?? []);
        pageToken = page.page_info?.next_page_token;
      } while (pageToken);
    } catch (error) {
      if (!(error instanceof WindowTooWide)) throw error;
      if (to - from <= MIN_WINDOW_MS) throw new HotmartApiError(502, 'query too slow even for one minute');
      const middle = from + Math.floor((to - from) / 2);
      yield* paged<T>(path, query, from, middle);
      yield* paged<T>(path, query, middle + 1, to);
      return;
    }
    for (const page of pages) yield* page;
  }

  return {
    /** Sales in [from, to] (epoch ms) with one transaction status — Hotmart returns only APPROVED and COMPLETE unless asked. */
    salesHistory: (filters: { from: number; to: number; status: string; productId?: string }) =>
      paged<Record<string, unknown>>('/payments/api/v1/sales/history', { transaction_status: filters.status, product_id: filters.productId }, filters.from, filters.to),
  };
}

export type HotmartApi = ReturnType<typeof createHotmartApi>;

const backoff = (attempt: number) => Math.min(8_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

/** How long a 429 asks us to wait: RateLimit-Reset (seconds), else Retry-After, else a minute's share. */
function rateLimitWait(headers: Headers): number {
  const seconds = Number(headers.get('ratelimit-reset') ?? headers.get('retry-after') ?? 1);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

async function errorCode(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: string };
    return typeof body.error === 'string' ? body.error.slice(0, 64) : '';
  } catch {
    return '';
  }
}
