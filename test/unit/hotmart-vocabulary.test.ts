import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFormDelivery } from '../../lib/domain/hotmart/webhook-v1.ts';
import type { PayloadFamily } from '../../lib/domain/hotmart/vocabulary.ts';
import {
  API_STATUS_EVENTS,
  EVENTS,
  FACT_KINDS,
  KNOWN_EVENTS,
  TRANSACTION_EVENTS,
  V1_STATUS_EVENTS,
  payloadFamily,
} from '../../lib/domain/hotmart/vocabulary.ts';
import { sameData } from '../../lib/domain/same-data.ts';
import { TX_STATUSES } from '../../lib/domain/transaction-status.ts';

const FAMILIES: readonly PayloadFamily[] = ['purchase', 'cart', 'cancellation', 'switchPlan', 'chargeDate', 'club', 'other'];
const FACT_KIND_NAMES = ['charge', 'complete', 'dispute', 'delayed', 'refund', 'failed', 'cancel', 'chargeDate', 'switch'];

describe('the Hotmart vocabulary', () => {
  it('has a complete row for every known event', () => {
    assert.equal(KNOWN_EVENTS.length, 16);
    for (const event of KNOWN_EVENTS) {
      const row = EVENTS[event];
      assert.deepEqual(Object.keys(row).sort(), ['api', 'fact', 'family', 'relevant', 'transaction', 'v1'], event);
      assert.ok(FAMILIES.includes(row.family), `${event}: family ${row.family}`);
      assert.ok(row.transaction === null || TX_STATUSES.includes(row.transaction), `${event}: transaction ${row.transaction}`);
      assert.ok(row.fact === null || FACT_KIND_NAMES.includes(row.fact.kind), `${event}: fact`);
      assert.ok(row.fact?.chargeStatus === undefined || TX_STATUSES.includes(row.fact.chargeStatus), `${event}: charge status`);
      for (const spelling of row.v1) assert.match(spelling, /^[a-z_]+$/, `${event}: v1 ${spelling}`);
      for (const spelling of row.api) assert.match(spelling, /^[A-Z_]+$/, `${event}: api ${spelling}`);
      assert.equal(typeof row.relevant, 'boolean');
    }
  });

  it('gives every spelling one event only', () => {
    const v1 = KNOWN_EVENTS.flatMap((e) => EVENTS[e].v1);
    const api = KNOWN_EVENTS.flatMap((e) => EVENTS[e].api);
    assert.equal(new Set(v1).size, v1.length);
    assert.equal(new Set(api).size, api.length);
  });

  // The tables each file kept before there was one vocabulary, copied as they were: the derived ones must equal them.
  it('derives the tables the parser, the rules and the API readers used before', () => {
    assert.deepEqual(KNOWN_EVENTS, [
      'PURCHASE_APPROVED',
      'PURCHASE_COMPLETE',
      'PURCHASE_CANCELED',
      'PURCHASE_BILLET_PRINTED',
      'PURCHASE_PROTEST',
      'PURCHASE_REFUNDED',
      'PURCHASE_CHARGEBACK',
      'PURCHASE_EXPIRED',
      'PURCHASE_DELAYED',
      'PURCHASE_OUT_OF_SHOPPING_CART',
      'SUBSCRIPTION_CANCELLATION',
      'SWITCH_PLAN',
      'UPDATE_SUBSCRIPTION_CHARGE_DATE',
      'CLUB_FIRST_ACCESS',
      'CLUB_MODULE_COMPLETED',
      'ORDER_FULFILLMENT',
    ]);
    assert.deepEqual({ ...V1_STATUS_EVENTS }, {
      approved: 'PURCHASE_APPROVED',
      completed: 'PURCHASE_COMPLETE',
      complete: 'PURCHASE_COMPLETE',
      canceled: 'PURCHASE_CANCELED',
      cancelled: 'PURCHASE_CANCELED',
      refunded: 'PURCHASE_REFUNDED',
      chargeback: 'PURCHASE_CHARGEBACK',
      dispute: 'PURCHASE_PROTEST',
      billet_printed: 'PURCHASE_BILLET_PRINTED',
      expired: 'PURCHASE_EXPIRED',
      delayed: 'PURCHASE_DELAYED',
    });
    assert.deepEqual({ ...TRANSACTION_EVENTS }, {
      PURCHASE_APPROVED: 'APPROVED',
      PURCHASE_PROTEST: 'DISPUTE',
      PURCHASE_COMPLETE: 'COMPLETE',
      PURCHASE_REFUNDED: 'REFUNDED',
      PURCHASE_CHARGEBACK: 'CHARGEBACK',
      PURCHASE_CANCELED: 'CANCELED',
    });
    assert.deepEqual({ ...FACT_KINDS }, {
      PURCHASE_APPROVED: { kind: 'charge', chargeStatus: 'APPROVED' },
      PURCHASE_COMPLETE: { kind: 'complete', chargeStatus: 'COMPLETE' },
      PURCHASE_PROTEST: { kind: 'dispute', chargeStatus: 'DISPUTE' },
      PURCHASE_DELAYED: { kind: 'delayed' },
      PURCHASE_REFUNDED: { kind: 'refund', chargeStatus: 'REFUNDED' },
      PURCHASE_CHARGEBACK: { kind: 'refund', chargeStatus: 'CHARGEBACK' },
      PURCHASE_CANCELED: { kind: 'failed', chargeStatus: 'CANCELED' },
      SUBSCRIPTION_CANCELLATION: { kind: 'cancel' },
      UPDATE_SUBSCRIPTION_CHARGE_DATE: { kind: 'chargeDate' },
      SWITCH_PLAN: { kind: 'switch' },
    });
    assert.deepEqual({ ...API_STATUS_EVENTS }, {
      APPROVED: 'PURCHASE_APPROVED',
      COMPLETE: 'PURCHASE_COMPLETE',
      COMPLETED: 'PURCHASE_COMPLETE',
      CANCELLED: 'PURCHASE_CANCELED',
      CANCELED: 'PURCHASE_CANCELED',
      REFUNDED: 'PURCHASE_REFUNDED',
      CHARGEBACK: 'PURCHASE_CHARGEBACK',
      DISPUTE: 'PURCHASE_PROTEST',
      PROTESTED: 'PURCHASE_PROTEST',
      PRINTED_BILLET: 'PURCHASE_BILLET_PRINTED',
      BILLET_PRINTED: 'PURCHASE_BILLET_PRINTED',
      EXPIRED: 'PURCHASE_EXPIRED',
    });
  });

  it('reads each event with the payload schema the parser dispatched it to before', () => {
    const before: Record<string, PayloadFamily> = {
      PURCHASE_OUT_OF_SHOPPING_CART: 'cart',
      SUBSCRIPTION_CANCELLATION: 'cancellation',
      SWITCH_PLAN: 'switchPlan',
      UPDATE_SUBSCRIPTION_CHARGE_DATE: 'chargeDate',
      CLUB_FIRST_ACCESS: 'club',
      CLUB_MODULE_COMPLETED: 'club',
    };
    for (const event of KNOWN_EVENTS) assert.equal(payloadFamily(event), before[event] ?? (event.startsWith('PURCHASE_') ? 'purchase' : 'other'), event);
    assert.equal(payloadFamily('SOMETHING_NEW'), 'other');
    assert.equal(payloadFamily('constructor'), 'other');
  });

  it('names a v1 status that is no event as itself, even one an object inherits', () => {
    for (const status of ['constructor', '__proto__', 'hasownproperty']) {
      const form = new URLSearchParams({ status, transaction: 'HP1', prod: '1', email: 'a@example.com' });
      const parsed = parseFormDelivery(form, 1_800_000_000_000);
      assert.ok(parsed.ok);
      assert.equal(parsed.event.event, `V1_${status.toUpperCase()}`);
    }
  });
});

describe('comparing stored data', () => {
  it('is equal whatever the key order, with undefined as absent, and arrays in order', () => {
    assert.ok(sameData({ a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 }));
    assert.ok(sameData({ a: 1, b: undefined }, { a: 1 }));
    assert.ok(!sameData({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!sameData({ c: [1, 2] }, { c: [2, 1] }));
    assert.ok(!sameData({ a: null }, { a: 0 }));
    assert.ok(!sameData([], {}));
  });
});
