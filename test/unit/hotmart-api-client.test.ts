import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createHotmartApi, HotmartApiError } from '../../lib/adapters/hotmart/api-client.ts';
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
});
