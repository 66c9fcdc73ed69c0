import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planEvent } from '#lib/domain/plan-event.ts';
import { eventFromSale, reconciliationId } from '#lib/domain/hotmart/api-sales.ts';

const sale = (status: string, extra: Record<string, unknown> = {}) => ({
  product: { id: 3412911, name: 'Workshop' },
  buyer: { name: 'Lucas', email: ' Lucas.Exemplo@Example.com ' },
  producer: { name: 'Escola', ucode: 'x' },
  purchase: { transaction: 'HP2604122001', order_date: 1768312990000, approved_date: 1768312995000, status, price: { value: 197, currency_code: 'BRL' }, offer: { code: 'q4lz7n0c' }, ...extra },
});

describe('a sale from Hotmart’s API, as the webhook event it stands for', () => {
  it('maps both status vocabularies onto the webhook events', () => {
    const expected: Record<string, string> = {
      APPROVED: 'PURCHASE_APPROVED', COMPLETE: 'PURCHASE_COMPLETE', COMPLETED: 'PURCHASE_COMPLETE', CANCELLED: 'PURCHASE_CANCELED', CANCELED: 'PURCHASE_CANCELED',
      REFUNDED: 'PURCHASE_REFUNDED', CHARGEBACK: 'PURCHASE_CHARGEBACK', DISPUTE: 'PURCHASE_PROTEST', PROTESTED: 'PURCHASE_PROTEST', PRINTED_BILLET: 'PURCHASE_BILLET_PRINTED',
    };
    for (const [status, event] of Object.entries(expected)) {
      const result = eventFromSale(sale(status));
      assert.ok(result.ok, status);
      assert.equal(result.event.event, event, status);
    }
  });

  it('gives the same id to the same transaction and status, and keeps only what enrollment needs', () => {
    const a = eventFromSale(sale('REFUNDED'));
    const b = eventFromSale(sale('REFUNDED'));
    assert.ok(a.ok && b.ok);
    assert.equal(a.event.id, b.event.id);
    assert.equal(a.event.id, reconciliationId('HP2604122001', 'PURCHASE_REFUNDED'));
    assert.deepEqual(a.event, {
      id: a.event.id, event: 'PURCHASE_REFUNDED', version: 'api', creationDate: 1768312995000, productId: '3412911', productName: 'Workshop',
      offerCode: 'q4lz7n0c', transaction: 'HP2604122001', purchaseStatus: 'REFUNDED', buyerEmail: 'lucas.exemplo@example.com', buyerName: 'Lucas', approvedDate: 1768312995000, test: false,
    });
    assert.equal(a.subscriptionCharge, false);
    // Applied like its webhook: a refund revokes what the transaction granted.
    assert.equal(planEvent(a.event, { mappings: { product: null, offers: [] }, tx: null }).writeTx?.status, 'REFUNDED');
  });

  it('dates a sale’s approval or completion at the sale, and what came after it (refund, dispute…) when the run saw it', () => {
    const seen = 1768312995000 + 9 * 86_400_000;
    for (const status of ['APPROVED', 'COMPLETE']) {
      const result = eventFromSale(sale(status), seen);
      assert.ok(result.ok && result.event.creationDate === 1768312995000, status);
    }
    for (const status of ['REFUNDED', 'CHARGEBACK', 'DISPUTE', 'CANCELLED']) {
      const result = eventFromSale(sale(status), seen);
      assert.ok(result.ok && result.event.creationDate === seen, status);
    }
  });

  it('marks subscription charges, which need their subscriber code, and says why it skips a sale', () => {
    for (const [extra, recurrence] of [[{ is_subscription: true }, undefined], [{ recurrency_number: 2 }, 2], [{ recurrence_number: 3 }, 3]] as const) {
      const result = eventFromSale(sale('APPROVED', extra));
      assert.ok(result.ok && result.subscriptionCharge, JSON.stringify(extra));
      assert.equal(result.event.recurrenceNumber, recurrence);
      assert.equal(result.event.subscriberCode, undefined, 'sales history names no subscriber code');
    }
    const blocked = eventFromSale(sale('BLOCKED'));
    assert.ok(!blocked.ok && /changes no access/.test(blocked.reason));
    const broken = eventFromSale({ purchase: {} });
    assert.ok(!broken.ok && /unreadable/.test(broken.reason));
  });
});
