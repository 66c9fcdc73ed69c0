import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createDynamoDeps } from '../../lib/adapters/dynamodb/index.ts';
import { createHotmartApi } from '../../lib/adapters/hotmart/api-client.ts';
import { loadConfig } from '../../lib/config.ts';
import { reconcileWindow } from '../../lib/services/reconcile.ts';
import { startFakeHotmartApi } from '../../scripts/fake-hotmart-api.ts';
import { createTestStack, freshEvent, loadHandlers } from '../helpers/stack.ts';

await createTestStack();
const api = await loadHandlers();
const deps = createDynamoDeps(loadConfig());
const fake = await startFakeHotmartApi({ clientId: 'id', clientSecret: 'secret', pageSize: 2 });
const hotmart = createHotmartApi({ credentials: { clientId: 'id', clientSecret: 'secret', basic: fake.basic }, tokenUrl: fake.tokenUrl, apiUrl: fake.apiUrl });
const PRODUCT = 9_500_001;
const start = Date.UTC(2026, 10, 20);
const window = { from: start, to: start + 3 * 24 * 3600_000 };
await api.putMapping(String(PRODUCT), { targets: [{ type: 'course', id: 'recon' }] });

const sale = (transaction: string, email: string, status: string, hour: number, product = PRODUCT) => ({
  product: { id: product, name: 'Workshop' },
  buyer: { name: 'Buyer', email },
  purchase: { transaction, order_date: start + hour * 3600_000, approved_date: start + hour * 3600_000, status },
});
const access = async (email: string) => (await api.enrollments({ email })).body.items.map((e: any) => [e.target.id, e.hasAccess]);

describe('reconciliation against the (fake) Hotmart API', () => {
  after(() => fake.close());

  it('grants what was paid and revokes what was refunded when the webhooks never came, and a later webhook has no second effect', async () => {
    fake.sales.push(
      sale('HPRECON1', 'lost.purchase@example.com', 'APPROVED', 1),
      sale('HPRECON2', 'lost.refund@example.com', 'REFUNDED', 2),
      sale('HPRECON3', 'paid.twice@example.com', 'COMPLETE', 3),
      sale('HPRECON4', 'unmapped@example.com', 'APPROVED', 4, 9_500_999),
      { ...sale('HPRECON5', 'subscriber@example.com', 'APPROVED', 5), purchase: { ...sale('HPRECON5', 'x@example.com', 'APPROVED', 5).purchase, recurrency_number: 2 } },
    );
    // The refunded sale had been approved through a webhook that did arrive.
    await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPRECON2', email: 'lost.refund@example.com', productId: PRODUCT })));
    assert.deepEqual(await access('lost.refund@example.com'), [['recon', true]]);

    const report = await reconcileWindow(window, hotmart, deps);
    assert.equal(report.checked, 5);
    assert.deepEqual(report.applied, { grants: 2, revocations: 1, other: 0 });
    assert.deepEqual(report.skipped, { unmapped: 1, unmappedProducts: ['9500999'], subscriptions: 1, other: 0 });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(await access('lost.purchase@example.com'), [['recon', true]]);
    assert.deepEqual(await access('paid.twice@example.com'), [['recon', true]]);
    assert.deepEqual(await access('lost.refund@example.com'), [['recon', false]]);

    // The webhook that arrives after the run changes nothing.
    const late = await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: 'HPRECON1', email: 'lost.purchase@example.com', productId: PRODUCT })));
    assert.equal(late.body.status, 'duplicate');

    // A run repeated over the same window applies nothing new.
    const again = await reconcileWindow(window, hotmart, deps);
    assert.deepEqual(again.applied, { grants: 0, revocations: 0, other: 0 });
    assert.equal(again.alreadyKnown, 4, 'three applied, one waiting for its mapping');
  });
});
