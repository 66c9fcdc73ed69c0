import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';

/**
 * A stand-in for Hotmart's REST API (docs/hotmart.md) on 127.0.0.1, for tests and local demos: the
 * token endpoint checks the Basic header and client credentials (from the query string or an
 * urlencoded body) and issues bearer tokens that expire; sales history filters by dates (ms),
 * status and product, subscriptions by status, product, subscriber and one of three date windows,
 * and both page with `page_token`; and it can be told to rate-limit (429 with rate-limit headers)
 * or to time out on wide windows (502), as Hotmart does.
 */
export type FakeSale = {
  product: { id: number; name: string };
  buyer: { name: string; email: string };
  purchase: { transaction: string; order_date: number; approved_date?: number; status: string; recurrency_number?: number; offer?: { code: string } };
};

/** An item of GET /subscriptions (docs/hotmart.md, "REST API: subscriptions"); dates in epoch ms. */
export type FakeSubscription = {
  subscriber_code: string;
  subscription_id: number;
  /** ACTIVE, INACTIVE, DELAYED, OVERDUE, STARTED, EXPIRED, CANCELLED_BY_CUSTOMER|SELLER|ADMIN (docs/hotmart.md, "Statuses") */
  status: string;
  accession_date: number;
  /** When the subscription was cancelled: what the cancelation_date filter looks at. */
  end_accession_date?: number;
  request_date?: number;
  date_next_charge?: number;
  trial: boolean;
  /** The transaction of the first purchase. */
  transaction: string;
  plan: { name: string; id: number; recurrency_period: number; max_charge_cycles?: number };
  product: { id: number; name: string; ucode: string };
  price: { value: number; currency_code: string };
  subscriber: { name: string; email: string; ucode: string };
};

type FakeAccount = { clientId: string; clientSecret: string; sales: FakeSale[]; subscriptions: FakeSubscription[] };

export type FakeHotmartOptions = {
  clientId: string;
  clientSecret: string;
  pageSize?: number;
  tokenSeconds?: number;
  /** Every n-th API request answers 429 (0: never). Sales and subscriptions share the count. */
  rateLimitEvery?: number;
  /**
   * A query whose narrowest date window is wider than this answers 502, like one Hotmart gives up
   * on after 30 s; one that names a subscriber or a transaction is selective enough never to.
   */
  maxWindowMs?: number;
  /** A token expires after serving this many API requests, as one would in the middle of a long run. */
  tokenRequestsLimit?: number;
  /** The transaction statuses the API knows (others: 400); sources disagree on DISPUTE vs PROTESTED. Default: any. */
  transactionStatuses?: readonly string[];
  /** RateLimit-Reset of a 429, in seconds (default 0). */
  rateLimitResetSeconds?: number;
};

const DAY_MS = 86_400_000;

/** The subscription date windows: query-param names and the date each filters on. */
const SUBSCRIPTION_WINDOWS: readonly (readonly [string, string, (subscription: FakeSubscription) => number | undefined])[] = [
  ['accession_date', 'end_accession_date', (subscription) => subscription.accession_date],
  ['cancelation_date', 'end_cancelation_date', (subscription) => subscription.end_accession_date],
  ['date_next_charge', 'end_date_next_charge', (subscription) => subscription.date_next_charge],
];

export async function startFakeHotmartApi(options: FakeHotmartOptions) {
  const sales: FakeSale[] = [];
  const subscriptions: FakeSubscription[] = [];
  const tokens = new Map<string, number>();
  const uses = new Map<string, number>();
  /** apiRequests counts every call to either endpoint (the rate limit's count); the others say where it went. */
  const stats = { tokenRequests: 0, formTokenRequests: 0, apiRequests: 0, subscriptionRequests: 0, rateLimited: 0, tooWide: 0, expired: 0 };
  /**
   * Each credential is a Hotmart account of its own: its tokens read only its sales and
   * subscriptions. The options' credential reads `sales` and `subscriptions`; `account()` adds others.
   */
  const main: FakeAccount = { clientId: options.clientId, clientSecret: options.clientSecret, sales, subscriptions };
  const accounts = new Map<string, FakeAccount>([[main.clientId, main]]);
  const tokenAccount = new Map<string, FakeAccount>();
  /** API requests per client id: which credential read what. */
  const requestsBy = new Map<string, number>();
  const basicOf = (account: FakeAccount = main) => Buffer.from(`${account.clientId}:${account.clientSecret}`).toString('base64');
  const basic = basicOf();

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  /** The checks every API call passes first: a live bearer token, then the rate limit. The token's account, or undefined once it has answered. */
  const admit = (request: IncomingMessage, response: ServerResponse): FakeAccount | undefined => {
    stats.apiRequests++;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const expiresAt = bearer ? tokens.get(bearer) : undefined;
    if (bearer && expiresAt !== undefined && options.tokenRequestsLimit) {
      uses.set(bearer, (uses.get(bearer) ?? 0) + 1);
      if (uses.get(bearer)! > options.tokenRequestsLimit) tokens.set(bearer, 0);
    }
    if (expiresAt === undefined || tokens.get(bearer!)! < Date.now()) {
      stats.expired++;
      send(response, 401, { error: expiresAt === undefined ? 'invalid_token' : 'token_expired' });
      return undefined;
    }
    if (options.rateLimitEvery && stats.apiRequests % options.rateLimitEvery === 0) {
      stats.rateLimited++;
      send(response, 429, { error: 'too_many_requests' }, { 'RateLimit-Limit': '500', 'RateLimit-Remaining': '0', 'RateLimit-Reset': String(options.rateLimitResetSeconds ?? 0) });
      return undefined;
    }
    const account = tokenAccount.get(bearer!)!;
    requestsBy.set(account.clientId, (requestsBy.get(account.clientId) ?? 0) + 1);
    return account;
  };

  /** A date window from two query params: a missing start means the epoch, a missing end now. */
  const windowOf = (query: URLSearchParams, fromParam: string, toParam: string) => ({
    from: Number(query.get(fromParam) ?? 0),
    to: Number(query.get(toParam) ?? Date.now()),
  });

  /** Answers 400 for a bound that is not a number, 502 for a window Hotmart would time out on; true once it has answered. */
  const refuseWindows = (response: ServerResponse, windows: readonly { from: number; to: number }[], selective = false): boolean => {
    if (windows.some(({ from, to }) => !Number.isFinite(from) || !Number.isFinite(to))) {
      send(response, 400, { error: 'invalid_value_parameter', error_description: 'dates are epoch milliseconds' });
      return true;
    }
    const narrowest = Math.min(...windows.map(({ from, to }) => to - from));
    if (options.maxWindowMs && !selective && narrowest > options.maxWindowMs) {
      stats.tooWide++;
      send(response, 502, { error: 'internal_server_error', error_description: 'query timeout' });
      return true;
    }
    return false;
  };

  /** One page of the matches. The cursor is an opaque offset; anything that does not decode to one is 400 invalid_token (docs/hotmart.md, "Paging, limits and errors"). */
  const sendPage = (response: ServerResponse, query: URLSearchParams, matching: readonly unknown[]) => {
    const size = Math.min(Number(query.get('max_results') ?? 50), options.pageSize ?? 3);
    if (!Number.isInteger(size) || size < 1) return send(response, 400, { error: 'invalid_value_parameter', error_description: 'max_results' });
    const cursor = query.get('page_token');
    const offset = cursor === null ? 0 : Number(/^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())?.[1] ?? NaN);
    if (!Number.isInteger(offset) || offset > matching.length) return send(response, 400, { error: 'invalid_token' });
    const items = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? Buffer.from(`o:${offset + size}`).toString('base64url') : undefined;
    return send(response, 200, { items, page_info: { total_results: matching.length, results_per_page: size, ...(next ? { next_page_token: next } : {}) } });
  };

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = url.searchParams;

    if (request.method === 'POST' && url.pathname === '/security/oauth/token') {
      stats.tokenRequests++;
      // Hotmart's sample passes the params in the query string; one SDK posts them as a form (docs/hotmart.md, "REST API: credentials and token"): take either.
      const form = /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '') ? new URLSearchParams(await readBody(request)) : undefined;
      if (form) stats.formTokenRequests++;
      const param = (name: string) => query.get(name) ?? form?.get(name) ?? null;
      const account = accounts.get(param('client_id') ?? '');
      const ok =
        account !== undefined &&
        request.headers.authorization === `Basic ${basicOf(account)}` &&
        param('grant_type') === 'client_credentials' &&
        param('client_secret') === account.clientSecret;
      if (!ok) return send(response, 401, { error: 'unauthorized', error_description: 'Bad credentials' });
      const token = randomUUID();
      const seconds = options.tokenSeconds ?? 86_400;
      tokens.set(token, Date.now() + seconds * 1000);
      tokenAccount.set(token, account);
      return send(response, 200, { access_token: token, token_type: 'bearer', expires_in: seconds, scope: 'read write', jti: randomUUID() });
    }

    if (request.method === 'GET' && url.pathname === '/payments/api/v1/sales/history') {
      const account = admit(request, response);
      if (!account) return;
      const { from, to } = windowOf(query, 'start_date', 'end_date');
      if (refuseWindows(response, [{ from, to }])) return;
      // Without a status filter Hotmart returns only approved and complete sales.
      const statuses = query.getAll('transaction_status');
      const unknown = statuses.find((status) => options.transactionStatuses && !options.transactionStatuses.includes(status));
      if (unknown) return send(response, 400, { error: 'invalid_value_parameter', error_description: `transaction_status ${unknown}` });
      const wanted = statuses.length ? statuses : ['APPROVED', 'COMPLETE'];
      const product = query.get('product_id');
      const matching = account.sales.filter(
        (sale) =>
          wanted.includes(sale.purchase.status) &&
          sale.purchase.order_date >= from &&
          sale.purchase.order_date <= to &&
          (product === null || String(sale.product.id) === product),
      );
      return sendPage(response, query, matching);
    }

    if (request.method === 'GET' && url.pathname === '/payments/api/v1/subscriptions') {
      stats.subscriptionRequests++;
      const account = admit(request, response);
      if (!account) return;
      // A window counts as given when either bound is; every given window must hold.
      const windows = SUBSCRIPTION_WINDOWS.filter(([fromParam, toParam]) => query.has(fromParam) || query.has(toParam)).map(([fromParam, toParam, date]) => ({
        ...windowOf(query, fromParam, toParam),
        date,
      }));
      // Without an accession filter Hotmart reportedly looks at accessions of the last 30 days
      // (docs/hotmart.md, "REST API: subscriptions"); the fake takes the strictest reading: whatever the other filters.
      if (!query.has('accession_date') && !query.has('end_accession_date')) {
        windows.push({ from: Date.now() - 30 * DAY_MS, to: Date.now(), date: (subscription) => subscription.accession_date });
      }
      const selective = ['subscriber_code', 'subscriber_email', 'transaction'].some((name) => query.has(name));
      if (refuseWindows(response, windows, selective)) return;
      const statuses = query.getAll('status');
      const product = query.get('product_id');
      const email = query.get('subscriber_email')?.toLowerCase();
      const code = query.get('subscriber_code');
      const transaction = query.get('transaction');
      const matching = account.subscriptions.filter((subscription) => {
        const inWindows = windows.every(({ from, to, date }) => {
          const at = date(subscription);
          return at !== undefined && at >= from && at <= to;
        });
        return (
          inWindows &&
          (!statuses.length || statuses.includes(subscription.status)) &&
          (product === null || String(subscription.product.id) === product) &&
          (email === undefined || subscription.subscriber.email.toLowerCase() === email) &&
          (code === null || subscription.subscriber_code === code) &&
          (transaction === null || subscription.transaction === transaction)
        );
      });
      return sendPage(response, query, matching);
    }
    send(response, 404, { error: 'not_found' });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else send(response, 500, { error: 'internal_server_error' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    tokenUrl: `${base}/security/oauth/token`,
    apiUrl: base,
    basic,
    sales,
    subscriptions,
    stats,
    /** The secret rotated in Hotmart's panel (old credentials refused from now on); no argument restores it. */
    rotateSecret: (secret = options.clientSecret) => {
      main.clientSecret = secret;
      tokens.forEach((_, token) => tokens.set(token, 0));
    },
    /** Another Hotmart account: its credential's tokens read only its own sales and subscriptions. */
    account: (clientId: string, clientSecret: string) => {
      const account: FakeAccount = { clientId, clientSecret, sales: [], subscriptions: [] };
      accounts.set(clientId, account);
      return {
        clientId,
        clientSecret,
        sales: account.sales,
        subscriptions: account.subscriptions,
        basic: basicOf(account),
        /** This credential's secret rotated in Hotmart's panel (its tokens expire); no argument restores it. */
        rotateSecret: (secret = clientSecret) => {
          account.clientSecret = secret;
          tokenAccount.forEach((owner, token) => owner === account && tokens.set(token, 0));
        },
      };
    },
    /** API requests (sales, subscriptions) each client id's tokens made. */
    requestsBy: (clientId: string) => requestsBy.get(clientId) ?? 0,
    /** Every access token issued so far (to check none was logged or stored). */
    issuedTokens: () => [...tokens.keys()],
    /** Make every issued token expire now, as a long run would see. */
    expireTokens: () => tokens.forEach((_, token) => tokens.set(token, 0)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A small request body as text; a token request has no business sending more than a few hundred bytes. */
async function readBody(request: IncomingMessage): Promise<string> {
  request.setEncoding('utf8');
  let body = '';
  for await (const chunk of request) {
    body += chunk as string;
    if (body.length > 16_384) throw new Error('request body too large');
  }
  return body;
}

/**
 * A few records for a local demo (`HOTMART_API=fake npm start`), all of product 3412911 and all
 * within the last 72 hours: the README's fixture purchase (its webhook can be posted, and the run
 * then finds it already known), and sales and subscriptions whose webhooks never came.
 */
export type FakeHotmart = Awaited<ReturnType<typeof startFakeHotmartApi>>;

export function seedDemo(fake: Pick<FakeHotmart, 'sales' | 'subscriptions'>, now: number) {
  const HOUR = 3_600_000;
  const product = { id: 3412911, name: 'Curso de Fotografia' };
  const sale = (transaction: string, email: string, status: string, hoursAgo: number, extra: Partial<FakeSale['purchase']> = {}): FakeSale => ({
    product,
    buyer: { name: 'Demo', email },
    purchase: { transaction, order_date: now - hoursAgo * HOUR, approved_date: now - hoursAgo * HOUR, status, ...extra },
  });
  fake.sales.push(
    sale('HP2604122001', 'lucas.exemplo@example.com', 'APPROVED', 2),
    sale('HPDEMO0001', 'demo.lost.purchase@example.com', 'APPROVED', 5),
    sale('HPDEMO0002', 'demo.refunded@example.com', 'REFUNDED', 30),
    sale('HPDEMO0003', 'demo.completed@example.com', 'COMPLETE', 50),
    sale('HPDEMO0004', 'demo.billet@example.com', 'PRINTED_BILLET', 8),
    sale('HPDEMOS11', 'demo.subscriber@example.com', 'APPROVED', 10, { recurrency_number: 1 }),
  );
  const subscription = (code: string, email: string, status: string, accessionHoursAgo: number, nextChargeHours: number, endedHoursAgo?: number): FakeSubscription => ({
    subscriber_code: code,
    subscription_id: 1000 + fake.subscriptions.length,
    status,
    accession_date: now - accessionHoursAgo * HOUR,
    date_next_charge: now + nextChargeHours * HOUR,
    ...(endedHoursAgo !== undefined ? { end_accession_date: now - endedHoursAgo * HOUR } : {}),
    trial: false,
    transaction: `HP${code}1`,
    plan: { name: 'Mensal', id: 845120, recurrency_period: 30 },
    product: { ...product, ucode: 'demo-product' },
    price: { value: 49.9, currency_code: 'BRL' },
    subscriber: { name: 'Demo', email, ucode: `demo-${code}` },
  });
  fake.subscriptions.push(
    subscription('DEMOS1', 'demo.subscriber@example.com', 'ACTIVE', 10, 30 * 24),
    subscription('DEMOS2', 'demo.cancelled@example.com', 'CANCELLED_BY_CUSTOMER', 20 * 24, 10 * 24, 3),
  );
}
