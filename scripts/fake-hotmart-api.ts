import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';

/**
 * A stand-in for Hotmart's REST API (SPEC §8) on 127.0.0.1, for tests and local demos: the
 * token endpoint checks the Basic header and client credentials and issues bearer tokens that
 * expire; sales history filters by dates (ms), status and product and pages with `page_token`;
 * and it can be told to rate-limit (429 with rate-limit headers) or to time out on wide windows
 * (502), as Hotmart does.
 */
export type FakeSale = {
  product: { id: number; name: string };
  buyer: { name: string; email: string };
  purchase: { transaction: string; order_date: number; approved_date?: number; status: string; recurrency_number?: number; offer?: { code: string } };
};

export type FakeHotmartOptions = {
  clientId: string;
  clientSecret: string;
  pageSize?: number;
  tokenSeconds?: number;
  /** Every n-th API request answers 429 (0: never). */
  rateLimitEvery?: number;
  /** Windows wider than this answer 502, like a query Hotmart gives up on after 30 s. */
  maxWindowMs?: number;
};

export async function startFakeHotmartApi(options: FakeHotmartOptions) {
  const sales: FakeSale[] = [];
  const tokens = new Map<string, number>();
  const stats = { tokenRequests: 0, apiRequests: 0, rateLimited: 0, tooWide: 0, expired: 0 };
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'POST' && url.pathname === '/security/oauth/token') {
      stats.tokenRequests++;
      const ok =
        request.headers.authorization === `Basic ${basic}` &&
        url.searchParams.get('grant_type') === 'client_credentials' &&
        url.searchParams.get('client_id') === options.clientId &&
        url.searchParams.get('client_secret') === options.clientSecret;
      if (!ok) return send(response, 401, { error: 'unauthorized', error_description: 'Bad credentials' });
      const token = randomUUID();
      const seconds = options.tokenSeconds ?? 86_400;
      tokens.set(token, Date.now() + seconds * 1000);
      return send(response, 200, { access_token: token, token_type: 'bearer', expires_in: seconds, scope: 'read write', jti: randomUUID() });
    }

    if (request.method === 'GET' && url.pathname === '/payments/api/v1/sales/history') {
      stats.apiRequests++;
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const expiresAt = bearer ? tokens.get(bearer) : undefined;
      if (expiresAt === undefined || expiresAt < Date.now()) {
        stats.expired++;
        return send(response, 401, { error: expiresAt === undefined ? 'invalid_token' : 'token_expired' });
      }
      if (options.rateLimitEvery && stats.apiRequests % options.rateLimitEvery === 0) {
        stats.rateLimited++;
        return send(response, 429, { error: 'too_many_requests' }, { 'RateLimit-Limit': '500', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '0' });
      }
      const from = Number(url.searchParams.get('start_date') ?? 0);
      const to = Number(url.searchParams.get('end_date') ?? Date.now());
      if (options.maxWindowMs && to - from > options.maxWindowMs) {
        stats.tooWide++;
        return send(response, 502, { error: 'internal_server_error', error_description: 'query timeout' });
      }
      // Without a status filter Hotmart returns only approved and complete sales.
      const statuses = url.searchParams.getAll('transaction_status');
      const wanted = statuses.length ? statuses : ['APPROVED', 'COMPLETE'];
      const product = url.searchParams.get('product_id');
      const matching = sales.filter(
        (sale) =>
          wanted.includes(sale.purchase.status) &&
          sale.purchase.order_date >= from &&
          sale.purchase.order_date <= to &&
          (product === null || String(sale.product.id) === product),
      );
      const size = Math.min(Number(url.searchParams.get('max_results') ?? 50), options.pageSize ?? 3);
      const offset = url.searchParams.get('page_token') ? Number(Buffer.from(url.searchParams.get('page_token')!, 'base64url').toString()) : 0;
      if (!Number.isInteger(offset) || offset < 0) return send(response, 400, { error: 'invalid_token' });
      const items = matching.slice(offset, offset + size);
      const next = offset + size < matching.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
      return send(response, 200, { items, page_info: { total_results: matching.length, results_per_page: size, ...(next ? { next_page_token: next } : {}) } });
    }
    send(response, 404, { error: 'not_found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    tokenUrl: `${base}/security/oauth/token`,
    apiUrl: base,
    basic,
    sales,
    stats,
    /** Make every issued token expire now, as a long run would see. */
    expireTokens: () => tokens.forEach((_, token) => tokens.set(token, 0)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
