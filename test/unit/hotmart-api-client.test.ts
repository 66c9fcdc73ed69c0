import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createHotmartApi, HotmartApiError, HotmartReadError } from '#lib/adapters/hotmart/api-client.ts';
import type { FakeSubscription } from '../../scripts/fake-hotmart-api.ts';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';

const DAY = 24 * 3600 * 1000;
const credentials = { clientId: 'client-id', clientSecret: 'client-secret' };

function sales(count: number, start: number, status = 'APPROVED') {
  return Array.from({ length: count }, (_, i) => ({
    product: { id: 3412911, name: 'Workshop' },
    buyer: { name: 'Buyer', email: `buyer-${i}@example.com` },
    purchase: { transaction: `HPAPI${status}${i}`, order_date: start + i * 3600_000, approved_date: start + i * 3600_000, status },
  }));
}

function subscription(code: string, accession: number, status = 'ACTIVE', extra: Partial<FakeSubscription> = {}): FakeSubscription {
  return {
    subscriber_code: code,
    subscription_id: Number.parseInt(code.replace(/\D/g, '') || '0', 10),
    status,
    accession_date: accession,
    trial: false,
    transaction: `HP${code}`,
    plan: { name: 'Monthly', id: 77, recurrency_period: 30 },
    product: { id: 3412911, name: 'Club', ucode: 'product-ucode' },
    price: { value: 49.9, currency_code: 'BRL' },
    subscriber: { name: 'Subscriber', email: `${code.toLowerCase()}@example.com`, ucode: `ucode-${code}` },
    ...extra,
  };
}

const codes = (items: Record<string, unknown>[]) => items.map((item) => String(item.subscriber_code)).sort();

/** Every way an error could surface in a log: message, stack, inspection, JSON and cause. */
const rendered = (error: unknown) => [String(error), (error as Error).stack, inspect(error, { depth: 5 }), JSON.stringify(error)].join('\n');

/** A bare HTTP server answering with `handle`, for what the fake API will not do (echo secrets, record requests). */
async function startStub(handle: (request: IncomingMessage, body: string, response: ServerResponse) => void) {
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    handle(request, body, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe('Hotmart API client against the fake API', async () => {
  const fake = await startFakeHotmartApi({ ...credentials, pageSize: 3 });
  after(() => fake.close());
  const start = Date.UTC(2026, 10, 1);
  fake.sales.push(...sales(10, start), ...sales(2, start, 'REFUNDED'));
  const api = () =>
    createHotmartApi({ credentials: { ...credentials, basic: fake.basic }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl, maxRateLimitWaitMs: 2000 });

  it('pages through every sale of a window with one cached token, asking for each status explicitly', async () => {
    const client = api();
    const before = { ...fake.stats };
    const approved = await collect(client.salesHistory({ from: start, to: start + DAY, status: 'APPROVED' }));
    const refunded = await collect(client.salesHistory({ from: start, to: start + DAY, status: 'REFUNDED' }));
    assert.equal(approved.length, 10);
    assert.equal(refunded.length, 2);
    assert.equal(fake.stats.apiRequests - before.apiRequests, 4 + 1, 'pages of 3');
    assert.equal(fake.stats.tokenRequests - before.tokenRequests, 1);
  });

  it('fetches a new token once when the cached one expired mid-run', async () => {
    const client = api();
    await collect(client.salesHistory({ from: start, to: start + DAY, status: 'REFUNDED' }));
    fake.expireTokens();
    const before = { ...fake.stats };
    assert.equal((await collect(client.salesHistory({ from: start, to: start + DAY, status: 'APPROVED' }))).length, 10);
    assert.equal(fake.stats.tokenRequests - before.tokenRequests, 1);
    assert.equal(fake.stats.expired - before.expired, 1);
  });

  it('refuses wrong credentials with an error naming the status, not the secret', async () => {
    const client = createHotmartApi({ credentials: { ...credentials, basic: 'wrong' }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl });
    await assert.rejects(collect(client.salesHistory({ from: start, to: start + DAY, status: 'APPROVED' })), (error: Error) => {
      assert.ok(error instanceof HotmartApiError && error.status === 401);
      assert.ok(!error.message.includes('client-secret') && !error.message.includes(fake.basic));
      return true;
    });
  });

  it('waits out 429s and splits a window Hotmart times out on', async () => {
    const limited = await startFakeHotmartApi({ ...credentials, pageSize: 4, rateLimitEvery: 3, maxWindowMs: 4 * 3600_000 });
    try {
      limited.sales.push(...sales(10, start));
      const client = createHotmartApi({ credentials: { ...credentials, basic: limited.basic }, tokenUrl: limited.tokenUrl, apiUrl: limited.apiUrl, maxAttempts: 5 });
      const found = await collect(client.salesHistory({ from: start, to: start + 10 * 3600_000, status: 'APPROVED' }));
      assert.deepEqual(found.map((s: any) => s.purchase.transaction).sort(), sales(10, start).map((s) => s.purchase.transaction).sort());
      assert.ok(limited.stats.rateLimited > 0 && limited.stats.tooWide > 0, JSON.stringify(limited.stats));
    } finally {
      await limited.close();
    }
  });

  it('waits as long as RateLimit-Reset says, and stops waiting when the run is out of time', async () => {
    const limited = await startFakeHotmartApi({ ...credentials, pageSize: 50, rateLimitEvery: 2, rateLimitResetSeconds: 1 });
    try {
      limited.sales.push(...sales(3, start));
      const client = createHotmartApi({ credentials: { ...credentials, basic: limited.basic }, tokenUrl: limited.tokenUrl, apiUrl: limited.apiUrl });
      const began = Date.now();
      assert.equal((await collect(client.salesHistory({ from: start, to: start + DAY, status: 'APPROVED' }))).length, 3); // request 1
      const waited = Date.now();
      assert.equal((await collect(client.salesHistory({ from: start, to: start + DAY, status: 'APPROVED' }))).length, 3); // 2: 429, 3: ok
      assert.ok(waited - began < 900, 'no wait without a 429');
      assert.ok(Date.now() - waited >= 1000, `waited ${Date.now() - waited} ms for a RateLimit-Reset of 1 s`);

      // 4: 429 with a 1 s reset; the signal ends the wait well before.
      const aborted = Date.now();
      await assert.rejects(collect(client.salesHistory({ from: start, to: start + DAY, status: 'APPROVED', signal: AbortSignal.timeout(100) })));
      assert.ok(Date.now() - aborted < 800, `stopped after ${Date.now() - aborted} ms`);
    } finally {
      await limited.close();
    }
  });

  describe('subscriptions', () => {
    const HOUR = 3600_000;
    const NEXT = start + 30 * DAY;
    // 7 active (product 3412911, charged next month), 3 delayed (product 5550001), 2 cancelled a day
    // after joining, and one active subscriber who joined two months before the others.
    fake.subscriptions.push(
      ...Array.from({ length: 7 }, (_, i) => subscription(`ACT${i}`, start + i * HOUR, 'ACTIVE', { date_next_charge: NEXT + i * HOUR })),
      ...Array.from({ length: 3 }, (_, i) =>
        subscription(`DEL${i}`, start + (7 + i) * HOUR, 'DELAYED', { date_next_charge: start + 5 * DAY, product: { id: 5550001, name: 'Other', ucode: 'other' } }),
      ),
      ...Array.from({ length: 2 }, (_, i) => subscription(`CAN${i}`, start + (10 + i) * HOUR, 'CANCELLED_BY_CUSTOMER', { end_accession_date: start + 2 * DAY + i * HOUR })),
      subscription('OLD0', start - 60 * DAY, 'ACTIVE', { date_next_charge: start + 10 * DAY }),
    );
    const day = { from: start, to: start + DAY };

    it('pages through every subscription of the statuses asked for, each sent as its own status param', async () => {
      const client = api();
      const before = { ...fake.stats };
      const found = await collect(client.subscriptions({ statuses: ['ACTIVE', 'DELAYED'], accession: day }));
      assert.deepEqual(codes(found), ['ACT0', 'ACT1', 'ACT2', 'ACT3', 'ACT4', 'ACT5', 'ACT6', 'DEL0', 'DEL1', 'DEL2']);
      assert.equal(fake.stats.subscriptionRequests - before.subscriptionRequests, 4, '10 in pages of 3');
      assert.equal(fake.stats.apiRequests - before.apiRequests, 4, 'the shared request count sees them');
      assert.equal(fake.stats.tokenRequests - before.tokenRequests, 1);
      assert.deepEqual(codes(await collect(client.subscriptions({ statuses: ['CANCELLED_BY_CUSTOMER'], accession: day }))), ['CAN0', 'CAN1']);
      assert.equal(fake.stats.tokenRequests - before.tokenRequests, 1, 'the token is cached across endpoints');
    });

    it('filters on the one date window given: accession, cancellation or next charge', async () => {
      const client = api();
      assert.equal((await collect(client.subscriptions({ accession: day }))).length, 12, 'every status without a status filter');
      assert.deepEqual(codes(await collect(client.subscriptions({ accession: { from: start - 61 * DAY, to: start - 59 * DAY } }))), ['OLD0']);
      assert.deepEqual(codes(await collect(client.subscriptions({ cancelation: { from: start + DAY, to: start + 3 * DAY } }))), ['CAN0', 'CAN1']);
      assert.deepEqual(codes(await collect(client.subscriptions({ cancelation: { from: start + 2 * DAY + 1, to: start + 3 * DAY } }))), ['CAN1']);
      assert.deepEqual(codes(await collect(client.subscriptions({ nextCharge: { from: NEXT, to: NEXT + 3 * HOUR } }))), ['ACT0', 'ACT1', 'ACT2', 'ACT3']);
      assert.deepEqual(codes(await collect(client.subscriptions({ nextCharge: { from: start + 4 * DAY, to: start + 11 * DAY } }))), ['DEL0', 'DEL1', 'DEL2', 'OLD0']);
    });

    it('filters on product, subscriber email and subscriber code', async () => {
      const client = api();
      assert.deepEqual(codes(await collect(client.subscriptions({ productId: '5550001', accession: day }))), ['DEL0', 'DEL1', 'DEL2']);
      assert.deepEqual(codes(await collect(client.subscriptions({ productId: '3412911', statuses: ['ACTIVE'], accession: day }))), ['ACT0', 'ACT1', 'ACT2', 'ACT3', 'ACT4', 'ACT5', 'ACT6']);
      // A subscriber filter needs no window: the fake, like Hotmart reportedly, then drops its 30-day default.
      assert.deepEqual(codes(await collect(client.subscriptions({ subscriberEmail: 'old0@example.com' }))), ['OLD0']);
      assert.deepEqual(codes(await collect(client.subscriptions({ subscriberCode: 'ACT3' }))), ['ACT3']);
      assert.deepEqual(codes(await collect(client.subscriptions({ subscriberEmail: 'nobody@example.com' }))), []);
    });

    it('reaches subscribers who joined years ago though Hotmart defaults to 30 days of accessions without an accession filter', async () => {
      const recent = await startFakeHotmartApi({ ...credentials });
      try {
        const old = { subscriber: { name: 'Old', email: 'old.subscriber@example.com', ucode: 'u-old' } };
        recent.subscriptions.push(subscription('NEW0', Date.now() - DAY), subscription('NEW1', Date.now() - 29 * DAY), subscription('OLD1', Date.now() - 31 * DAY, 'ACTIVE', old), subscription('OLD2', Date.UTC(2013, 4, 1), 'ACTIVE', old));
        // The fake applies the default to any query without accession_date (the strictest reading)…
        const raw = async (query: string) => {
          const token = ((await (await fetch(`${recent.tokenUrl}?grant_type=client_credentials&client_id=client-id&client_secret=client-secret`, { method: 'POST', headers: { authorization: `Basic ${recent.basic}` } })).json()) as { access_token: string }).access_token;
          const page = (await (await fetch(`${recent.apiUrl}/payments/api/v1/subscriptions?max_results=50&${query}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: Record<string, unknown>[] };
          return codes(page.items);
        };
        assert.deepEqual(await raw('subscriber_email=old.subscriber%40example.com'), []);
        assert.deepEqual(await raw(''), ['NEW0', 'NEW1']);
        // …and the client always names an accession window, so it sees every subscriber.
        const client = createHotmartApi({ credentials: { ...credentials, basic: recent.basic }, tokenUrl: recent.tokenUrl, apiUrl: recent.apiUrl });
        assert.deepEqual(codes(await collect(client.subscriptions({ subscriberEmail: 'old.subscriber@example.com', productId: '3412911' }))), ['OLD1', 'OLD2']);
        assert.deepEqual(codes(await collect(client.subscriptions({}))), ['NEW0', 'NEW1', 'OLD1', 'OLD2']);
        assert.deepEqual(codes(await collect(client.subscriptions({ statuses: ['ACTIVE'], nextCharge: { from: 0, to: Date.now() + 365 * DAY } }))), [], 'no next charge date in these');
        assert.deepEqual(codes(await collect(client.subscriptions({ accession: { from: Date.now() - 40 * DAY, to: Date.now() } }))), ['NEW0', 'NEW1', 'OLD1']);
      } finally {
        await recent.close();
      }
    });

    it('refuses two date windows at once, before asking Hotmart anything', () => {
      const before = fake.stats.apiRequests;
      assert.throws(() => api().subscriptions({ accession: day, nextCharge: day }), RangeError);
      assert.equal(fake.stats.apiRequests, before);
    });

    it('splits a subscription window Hotmart times out on, through 429s, with nothing missed or repeated', async () => {
      const limited = await startFakeHotmartApi({ ...credentials, pageSize: 4, rateLimitEvery: 3, maxWindowMs: 4 * HOUR });
      try {
        const all = Array.from({ length: 10 }, (_, i) =>
          subscription(`SPL${i}`, start + i * HOUR, i % 2 ? 'ACTIVE' : 'CANCELLED_BY_SELLER', { end_accession_date: start + DAY + i * HOUR, date_next_charge: NEXT + i * HOUR }),
        );
        limited.subscriptions.push(...all);
        const client = createHotmartApi({ credentials: { ...credentials, basic: limited.basic }, tokenUrl: limited.tokenUrl, apiUrl: limited.apiUrl, maxAttempts: 5 });
        const expected = codes(all as unknown as Record<string, unknown>[]);
        for (const filters of [
          { accession: { from: start, to: start + 10 * HOUR } },
          { cancelation: { from: start + DAY, to: start + DAY + 10 * HOUR } },
          { nextCharge: { from: NEXT, to: NEXT + 10 * HOUR } },
        ]) {
          const before = limited.stats.tooWide;
          assert.deepEqual(codes(await collect(client.subscriptions(filters))), expected, JSON.stringify(filters));
          assert.ok(limited.stats.tooWide > before, `${JSON.stringify(filters)} was split`);
        }
        const statusSplit = await collect(client.subscriptions({ statuses: ['ACTIVE', 'CANCELLED_BY_SELLER'], accession: { from: start, to: start + 10 * HOUR } }));
        assert.deepEqual(codes(statusSplit), expected, 'split windows keep the repeated status params');
        assert.ok(limited.stats.rateLimited > 0, JSON.stringify(limited.stats));
        // With no window there is nothing to narrow: the fake's 30-day default is too wide, and that is final.
        await assert.rejects(collect(client.subscriptions({ statuses: ['ACTIVE'] })), (error: Error) => error instanceof HotmartApiError && error.status === 502);
      } finally {
        await limited.close();
      }
    });
  });

  describe('token request', () => {
    it('sends the params as a urlencoded body too when asked, and the fake API accepts it', async () => {
      const client = createHotmartApi({ credentials: { ...credentials, basic: fake.basic }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl, tokenContentType: 'form' });
      const before = { ...fake.stats };
      assert.equal((await collect(client.subscriptions({ subscriberCode: 'ACT0' }))).length, 1);
      assert.equal(fake.stats.tokenRequests - before.tokenRequests, 1);
      assert.equal(fake.stats.formTokenRequests - before.formTokenRequests, 1);
      // The default stays JSON.
      await collect(api().subscriptions({ subscriberCode: 'ACT0' }));
      assert.equal(fake.stats.formTokenRequests - before.formTokenRequests, 1);
    });

    it('the fake API takes the params from a form body alone, and still checks them', async () => {
      const post = (body: string) =>
        fetch(fake.tokenUrl, { method: 'POST', headers: { authorization: `Basic ${fake.basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
      const ok = await post(new URLSearchParams({ grant_type: 'client_credentials', client_id: 'client-id', client_secret: 'client-secret' }).toString());
      assert.equal(ok.status, 200);
      assert.ok(((await ok.json()) as { access_token?: string }).access_token);
      const wrong = await post(new URLSearchParams({ grant_type: 'client_credentials', client_id: 'client-id', client_secret: 'not-it' }).toString());
      assert.equal(wrong.status, 401);
      await wrong.body?.cancel();
    });

    it('puts exactly the query-string params in the body in form mode, and sends no body by default', async () => {
      const seen: { contentType?: string; query: string; body: string }[] = [];
      const stub = await startStub((request, body, response) => {
        if (request.method === 'POST') {
          seen.push({ contentType: request.headers['content-type'], query: new URL(request.url ?? '/', 'http://x').search.slice(1), body });
          return json(response, 200, { access_token: 'stub-token', expires_in: 3600 });
        }
        json(response, 200, { items: [] });
      });
      try {
        for (const tokenContentType of ['form', 'json', undefined] as const) {
          const client = createHotmartApi({ credentials: { ...credentials, basic: 'basic' }, tokenUrl: `${stub.url}/token`, apiUrl: stub.url, tokenContentType });
          await collect(client.subscriptions({ subscriberCode: 'X' }));
        }
        const params = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'client-id', client_secret: 'client-secret' }).toString();
        assert.deepEqual(seen, [
          { contentType: 'application/x-www-form-urlencoded', query: params, body: params },
          { contentType: 'application/json', query: params, body: '' },
          { contentType: 'application/json', query: params, body: '' },
        ]);
      } finally {
        await stub.close();
      }
    });
  });

  describe('secrets in errors', () => {
    it('refuses wrong credentials once, without retrying and without the secret in the error', async () => {
      const before = fake.stats.tokenRequests;
      const client = createHotmartApi({ credentials: { ...credentials, basic: 'wrong' }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl, tokenContentType: 'form' });
      await assert.rejects(collect(client.subscriptions({ accession: { from: start, to: start + DAY } })), (error: Error) => {
        assert.ok(error instanceof HotmartApiError && error.status === 401);
        for (const secret of ['client-secret', 'wrong', fake.basic]) assert.ok(!rendered(error).includes(secret), secret);
        return true;
      });
      assert.equal(fake.stats.tokenRequests - before, 1, 'a refused secret is not tried again');
    });

    it('keeps a secret or token the server echoes back out of the error', async () => {
      const token = 'stub-access-token-4f1c9e';
      const stub = await startStub((request, _body, response) => {
        if (request.method === 'POST' && request.url?.startsWith('/echo?')) return json(response, 401, { error: `bad client_secret=client-secret for ${request.headers.authorization}` });
        if (request.method === 'POST') return json(response, 200, { access_token: token, expires_in: 3600 });
        json(response, 403, { error: `forbidden for ${request.headers.authorization}` });
      });
      try {
        const refused = createHotmartApi({ credentials: { ...credentials, basic: 'c2VjcmV0LWJhc2lj' }, tokenUrl: `${stub.url}/echo`, apiUrl: stub.url });
        await assert.rejects(collect(refused.subscriptions({ subscriberCode: 'X' })), (error: Error) => {
          assert.ok(error instanceof HotmartApiError && error.status === 401 && error.code === 'redacted', inspect(error));
          for (const secret of ['client-secret', 'c2VjcmV0LWJhc2lj']) assert.ok(!rendered(error).includes(secret), secret);
          return true;
        });
        const forbidden = createHotmartApi({ credentials: { ...credentials, basic: 'c2VjcmV0LWJhc2lj' }, tokenUrl: `${stub.url}/token`, apiUrl: stub.url });
        await assert.rejects(collect(forbidden.salesHistory({ from: start, to: start + DAY, status: 'APPROVED' })), (error: Error) => {
          assert.ok(error instanceof HotmartApiError && error.status === 403);
          assert.ok(!rendered(error).includes(token), inspect(error));
          return true;
        });
      } finally {
        await stub.close();
      }
    });

    it('reports an unreachable token endpoint by the kind of failure, not by the request it made', async () => {
      const gone = await startStub(() => undefined);
      await gone.close();
      const client = createHotmartApi({ credentials: { ...credentials, basic: fake.basic }, tokenUrl: `${gone.url}/token`, apiUrl: fake.apiUrl, maxAttempts: 1 });
      await assert.rejects(collect(client.subscriptions({ subscriberCode: 'X' })), (error: Error) => {
        assert.ok(error instanceof HotmartApiError && error.status === 0, inspect(error));
        assert.match(error.message, /token request failed: ECONNREFUSED/);
        for (const secret of ['client-secret', fake.basic]) assert.ok(!rendered(error).includes(secret), secret);
        return true;
      });
    });
  });

  describe('bounded reads', () => {
    /** A stub whose token endpoint works and whose API answers `page(request)`. */
    const stubApi = async (page: (request: IncomingMessage, response: ServerResponse) => void) => {
      let requests = 0;
      const stub = await startStub((request, _body, response) => {
        if (request.method === 'POST') return json(response, 200, { access_token: 'stub-token', expires_in: 3600 });
        requests++;
        page(request, response);
      });
      return { ...stub, requests: () => requests };
    };
    const clientOf = (url: string, extra: Partial<Parameters<typeof createHotmartApi>[0]> = {}) =>
      createHotmartApi({ credentials: { ...credentials, basic: 'basic' }, tokenUrl: `${url}/token`, apiUrl: url, maxAttempts: 1, ...extra });
    const window = { from: start, to: start + DAY, status: 'APPROVED' };
    const MARKER = 'BODY-TEXT-7f3a';

    it('hands out one page at a time: the next page is asked for only once this one is taken', async () => {
      const client = api();
      const before = fake.stats.apiRequests;
      const items = client.salesHistory(window)[Symbol.asyncIterator]();
      await items.next();
      assert.equal(fake.stats.apiRequests - before, 1, 'one page asked for');
      await items.next();
      await items.next();
      assert.equal(fake.stats.apiRequests - before, 1, 'the three items of the first page, still one request');
      await items.next();
      assert.equal(fake.stats.apiRequests - before, 2, 'the second page when its first item is wanted');
      await items.return?.(undefined);
    });

    it('stops a read past its page cap, saying so', async () => {
      const client = createHotmartApi({ credentials: { ...credentials, basic: fake.basic }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl, maxPages: 3 });
      await assert.rejects(collect(client.salesHistory(window)), (error: Error) => error instanceof HotmartReadError && /after 3 pages/.test(error.message));
      assert.equal((await collect(createHotmartApi({ credentials: { ...credentials, basic: fake.basic }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl, maxPages: 4 }).salesHistory(window))).length, 10);
    });

    it('notices a page token it was given before, and stops', async () => {
      let n = 0;
      const stub = await stubApi((_request, response) => json(response, 200, { items: [{ n: n++ }], page_info: { next_page_token: n % 2 ? 'A' : 'B' } }));
      try {
        await assert.rejects(collect(clientOf(stub.url).salesHistory(window)), (error: Error) => error instanceof HotmartReadError && /page-token loop/.test(error.message));
        assert.equal(stub.requests(), 3, 'A, B, then A again');
      } finally {
        await stub.close();
      }
    });

    it('refuses an answer over its size limit, declared or streamed, without reading it all', async () => {
      const big = JSON.stringify({ items: [{ filler: 'x'.repeat(6 * 1024 * 1024) }] });
      const stub = await stubApi((request, response) => {
        const chunked = request.url?.includes('status=CHUNKED');
        response.writeHead(200, { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(big)) }) });
        if (chunked) for (let i = 0; i < big.length; i += 65_536) response.write(big.slice(i, i + 65_536));
        response.end(chunked ? undefined : big);
      });
      try {
        for (const status of ['APPROVED', 'CHUNKED']) {
          await assert.rejects(collect(clientOf(stub.url).salesHistory({ ...window, status })), (error: Error) => {
            assert.ok(error instanceof HotmartApiError && error.status === 200, inspect(error));
            assert.match(error.message, /answer over 5242880 bytes/);
            return true;
          }, status);
        }
        const small = clientOf(stub.url, { maxAnswerBytes: 1000 });
        await assert.rejects(collect(small.salesHistory(window)), /answer over 1000 bytes/);
      } finally {
        await stub.close();
      }
    });

    it('refuses an answer that is not JSON, or is broken JSON, naming the type and never quoting it', async () => {
      const stub = await stubApi((request, response) => {
        const status = new URL(request.url ?? '/', 'http://x').searchParams.get('transaction_status');
        if (status === 'HTML') {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return response.end(`<html><body>${MARKER} maintenance</body></html>`);
        }
        if (status === 'NONE') {
          response.writeHead(200);
          return response.end(`${MARKER}`);
        }
        if (status === 'PROSE') return json(response, 400, { error: `${MARKER} is not a valid value` });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`{"items": [${MARKER}`);
      });
      try {
        const cases = [
          ['HTML', 200, 'Hotmart API answered 200 (not JSON: text/html)'],
          ['NONE', 200, 'Hotmart API answered 200 (not JSON: no content-type)'],
          ['BROKEN', 200, 'Hotmart API answered 200 (unreadable JSON)'],
          ['PROSE', 400, 'Hotmart API answered 400'],
        ] as const;
        for (const [status, code, message] of cases) {
          await assert.rejects(collect(clientOf(stub.url).salesHistory({ ...window, status })), (error: Error) => {
            assert.ok(error instanceof HotmartApiError && error.status === code, inspect(error));
            assert.equal(error.message, message);
            assert.ok(!rendered(error).includes(MARKER), inspect(error));
            return true;
          }, status);
        }
      } finally {
        await stub.close();
      }
    });
  });

  describe('where the credentials go', () => {
    it('refuses plain http to any host but this machine', () => {
      const make = (apiUrl: string, tokenUrl = 'https://api-sec-vlc.hotmart.com/security/oauth/token') => () =>
        createHotmartApi({ credentials: { ...credentials, basic: 'b' }, apiUrl, tokenUrl });
      assert.throws(make('http://developers.hotmart.com'), /must be https/);
      assert.throws(make('https://developers.hotmart.com', 'http://evil.example/token'), /token URL must be https/);
      assert.throws(make('ftp://developers.hotmart.com'), /must be https/);
      for (const ok of ['https://developers.hotmart.com', 'http://127.0.0.1:8080', 'http://localhost:8080']) assert.doesNotThrow(make(ok), ok);
    });

    it('never follows a redirect of the token request or of an API request, so no credential goes elsewhere', async () => {
      const elsewhere: string[] = [];
      const evil = await startStub((request, _body, response) => {
        elsewhere.push(`${request.method} ${request.headers.authorization ?? ''}`);
        json(response, 200, { access_token: 'stolen', expires_in: 3600, items: [] });
      });
      const redirecting = await startStub((request, _body, response) => {
        const tokenRedirects = request.url?.startsWith('/redirect-token');
        if (request.method === 'POST' && !tokenRedirects) return json(response, 200, { access_token: 'stub-token', expires_in: 3600 });
        response.writeHead(request.method === 'POST' ? 307 : 302, { location: `${evil.url}${request.url}` });
        response.end();
      });
      try {
        const client = (tokenPath: string) =>
          createHotmartApi({ credentials: { ...credentials, basic: 'c2VjcmV0' }, tokenUrl: `${redirecting.url}${tokenPath}`, apiUrl: redirecting.url, maxAttempts: 1 });
        await assert.rejects(collect(client('/redirect-token').subscriptions({ subscriberCode: 'X' })), (error: Error) => {
          assert.ok(error instanceof HotmartApiError && error.status === 307 && /redirect refused/.test(error.message), inspect(error));
          return true;
        });
        await assert.rejects(collect(client('/token').subscriptions({ subscriberCode: 'X' })), (error: Error) => {
          assert.ok(error instanceof HotmartApiError && error.status === 302 && /redirect refused/.test(error.message), inspect(error));
          return true;
        });
        assert.deepEqual(elsewhere, [], 'nothing reached the other host');
      } finally {
        await Promise.all([evil.close(), redirecting.close()]);
      }
    });
  });
});
