import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFormDelivery } from '#lib/domain/hotmart/webhook-v1.ts';
import { parseJsonDelivery } from '#lib/domain/hotmart/webhook-v2.ts';
import { toEpochMs } from '#lib/domain/hotmart/fields.ts';
import { fixture } from '../helpers/stack.ts';

const RECEIVED = 1_800_000_000_000;
const parse = (name: string) => {
  const result = parseJsonDelivery(fixture(`${name}.json`), RECEIVED);
  assert.ok(result.ok, `${name}: ${result.ok ? '' : result.reason}`);
  return result.event;
};

describe('parsing Hotmart v2.0.0 deliveries', () => {
  it('reads a purchase approval with its subscription, plan and dates', () => {
    assert.deepEqual(parse('PURCHASE_APPROVED'), {
      id: 'bd2fec05-f471-4162-99b5-d22e2df0baec',
      event: 'PURCHASE_APPROVED',
      version: '2.0.0',
      creationDate: 1768226597000,
      productId: '3412907',
      productName: 'Curso Exemplo de Fotografia (Assinatura)',
      offerCode: 'm3xq8k2p',
      transaction: 'HP2604117733',
      purchaseStatus: 'APPROVED',
      buyerEmail: 'mariana.teste@example.com',
      buyerName: 'Mariana Teste Souza',
      subscriberCode: 'K7TQ2M4X',
      planId: '845120',
      planName: 'Plano Mensal',
      recurrenceNumber: 1,
      approvedDate: 1768226595000,
      dateNextCharge: 1770897600000,
      test: false,
    });
  });

  it('keeps no document, phone, address, producer, commission, affiliate or token', () => {
    for (const name of ['PURCHASE_APPROVED', 'PURCHASE_CHARGEBACK', 'UPDATE_SUBSCRIPTION_CHARGE_DATE', 'SUBSCRIPTION_CANCELLATION']) {
      const text = JSON.stringify(parse(name));
      for (const secret of ['12345678909', 'CPF', '987654321', 'Rua Fict', '01000000', 'Escola Exemplo', 'FAKE-HOTTOK', 'MARKETPLACE']) {
        assert.ok(!text.includes(secret), `${name} kept ${secret}`);
      }
    }
  });

  it('accepts status COMPLETED on PURCHASE_COMPLETE', () => {
    const event = parse('PURCHASE_COMPLETE');
    assert.equal(event.event, 'PURCHASE_COMPLETE');
    assert.equal(event.purchaseStatus, 'COMPLETED');
  });

  it('reads creationDate (camelCase) on CLUB_FIRST_ACCESS', () => {
    assert.equal(parse('CLUB_FIRST_ACCESS').creationDate, 1768227000000);
  });

  it('reads a string product id on CLUB_MODULE_COMPLETED', () => {
    assert.equal(parse('CLUB_MODULE_COMPLETED').productId, '3412907');
  });

  it('reads date_next_charge given as an ISO string', () => {
    assert.equal(parse('UPDATE_SUBSCRIPTION_CHARGE_DATE').dateNextCharge, Date.parse('2026-03-05T12:00:00.000Z'));
  });

  it('finds the subscriber code on each of its three paths', () => {
    assert.equal(parse('PURCHASE_APPROVED').subscriberCode, 'K7TQ2M4X');
    assert.equal(parse('SUBSCRIPTION_CANCELLATION').subscriberCode, 'K7TQ2M4X');
    assert.equal(parse('UPDATE_SUBSCRIPTION_CHARGE_DATE').subscriberCode, 'Z4HN6C0V');
    assert.equal(parse('SWITCH_PLAN').subscriberCode, 'P2WX8R1D');
  });

  it('takes the current plan of SWITCH_PLAN', () => {
    const event = parse('SWITCH_PLAN');
    assert.equal(event.planName, 'Plano Anual');
    assert.equal(event.offerCode, 'y7ann01q');
  });

  it('accepts unpaid events without approved_date', () => {
    for (const name of ['PURCHASE_CANCELED', 'PURCHASE_BILLET_PRINTED', 'PURCHASE_EXPIRED', 'PURCHASE_DELAYED']) {
      assert.equal(parse(name).approvedDate, undefined);
    }
  });

  it('parses every fixture', () => {
    for (const name of [
      'PURCHASE_APPROVED.subscription-renewal', 'PURCHASE_BILLET_PRINTED', 'PURCHASE_CANCELED', 'PURCHASE_CHARGEBACK',
      'PURCHASE_DELAYED', 'PURCHASE_EXPIRED', 'PURCHASE_OUT_OF_SHOPPING_CART', 'PURCHASE_PROTEST', 'PURCHASE_REFUNDED',
    ]) {
      assert.equal(parse(name).version, '2.0.0');
    }
  });

  it('tolerates unknown extra fields and normalises the buyer e-mail', () => {
    const body = JSON.parse(fixture('PURCHASE_APPROVED.json'));
    body.data.purchase.variants = [{ any: 'thing' }];
    body.data.brand_new_field = { nested: true };
    body.data.buyer.email = '  Mariana.Teste@EXAMPLE.com ';
    const result = parseJsonDelivery(JSON.stringify(body), RECEIVED);
    assert.ok(result.ok);
    assert.equal(result.event.buyerEmail, 'mariana.teste@example.com');
  });

  it('gives one e-mail in NFC and in NFD the same key, in JSON and v1 form deliveries', () => {
    const composed = 'José.Ñúñez@Example.com';
    const keys = [composed.normalize('NFC'), composed.normalize('NFD')].flatMap((email) => {
      const body = JSON.parse(fixture('PURCHASE_APPROVED.json'));
      body.data.buyer.email = email;
      const json = parseJsonDelivery(JSON.stringify(body), RECEIVED);
      const form = new URLSearchParams(fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim());
      form.set('email', email);
      const v1 = parseFormDelivery(form, RECEIVED);
      assert.ok(json.ok && v1.ok);
      return [json.event.buyerEmail, v1.event.buyerEmail];
    });
    assert.deepEqual(new Set(keys), new Set(['josé.ñúñez@example.com'.normalize('NFC')]));
  });

  it('marks panel test deliveries (product id 0)', () => {
    const body = JSON.parse(fixture('PURCHASE_APPROVED.json'));
    body.data.product.id = 0;
    const result = parseJsonDelivery(JSON.stringify(body), RECEIVED);
    assert.ok(result.ok);
    assert.equal(result.event.test, true);
  });

  it('reads unknown event names without rejecting them', () => {
    const result = parseJsonDelivery(JSON.stringify({ id: 'x1', event: 'SOMETHING_NEW', version: '2.0.0', creation_date: 1, data: { foo: 1 } }), RECEIVED);
    assert.ok(result.ok);
    assert.equal(result.event.event, 'SOMETHING_NEW');
  });

  it('gives a reason for what it cannot understand', () => {
    const cases: [string, RegExp][] = [
      ['{not json', /not valid JSON/],
      ['[1,2]', /not a JSON object/],
      ['"text"', /not a JSON object/],
      [JSON.stringify({ event: 'PURCHASE_APPROVED', version: '2.0.0', data: {} }), /^id:/],
      [JSON.stringify({ id: 'a', version: '2.0.0', data: {} }), /event:/],
      [JSON.stringify({ id: 'a', event: 'PURCHASE_APPROVED', version: '3.1.0', data: {} }), /unsupported version "3.1.0"/],
      [JSON.stringify({ id: 'a', event: 'PURCHASE_APPROVED', version: '2.0.0', data: { product: { id: 1 } } }), /data\.buyer/],
    ];
    for (const [body, reason] of cases) {
      const result = parseJsonDelivery(body, RECEIVED);
      assert.equal(result.ok, false, body);
      if (!result.ok) assert.match(result.reason, reason);
    }
  });

  it('reads dates in ms, seconds, numeric strings and ISO-8601', () => {
    assert.equal(toEpochMs(1770897600000), 1770897600000);
    assert.equal(toEpochMs(1770897600), 1770897600000);
    assert.equal(toEpochMs('1770897600000'), 1770897600000);
    assert.equal(toEpochMs('2026-03-05T12:00:00.000Z'), 1772712000000);
    assert.equal(toEpochMs('tomorrow'), undefined);
  });
});

describe('parsing Hotmart v1.0.0 form postbacks', () => {
  const v1 = () => new URLSearchParams(fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim());

  it('becomes the same internal event as its v2 twin', () => {
    const result = parseFormDelivery(v1(), RECEIVED);
    assert.ok(result.ok);
    const twin = parse('PURCHASE_APPROVED');
    for (const field of ['event', 'transaction', 'productId', 'offerCode', 'buyerEmail', 'buyerName', 'subscriberCode'] as const) {
      assert.equal(result.event[field], twin[field], field);
    }
    assert.equal(result.event.version, '1.0.0');
    assert.equal(result.event.creationDate, Date.parse('2026-01-12T14:03:15Z'));
  });

  it('derives a stable id from transaction and status, so a resent postback is a duplicate', () => {
    const first = parseFormDelivery(v1(), RECEIVED);
    const again = parseFormDelivery(v1(), RECEIVED + 60_000);
    const refunded = v1();
    refunded.set('status', 'refunded');
    const refund = parseFormDelivery(refunded, RECEIVED);
    assert.ok(first.ok && again.ok && refund.ok);
    assert.equal(first.event.id, again.event.id);
    assert.notEqual(first.event.id, refund.event.id);
    assert.equal(refund.event.event, 'PURCHASE_REFUNDED');
  });

  it('maps each v1 status to its v2 event', () => {
    const expected: Record<string, string> = {
      approved: 'PURCHASE_APPROVED', completed: 'PURCHASE_COMPLETE', canceled: 'PURCHASE_CANCELED', refunded: 'PURCHASE_REFUNDED',
      chargeback: 'PURCHASE_CHARGEBACK', dispute: 'PURCHASE_PROTEST', billet_printed: 'PURCHASE_BILLET_PRINTED', expired: 'PURCHASE_EXPIRED',
      delayed: 'PURCHASE_DELAYED', wayting_payment: 'V1_WAYTING_PAYMENT',
    };
    for (const [status, event] of Object.entries(expected)) {
      const form = v1();
      form.set('status', status.toUpperCase());
      const result = parseFormDelivery(form, RECEIVED);
      assert.ok(result.ok);
      assert.equal(result.event.event, event, status);
    }
  });

  it('keeps neither the token nor personal data', () => {
    const result = parseFormDelivery(v1(), RECEIVED);
    const text = JSON.stringify(result);
    for (const secret of ['FAKE-HOTTOK', '12345678909', '987654321', 'Rua', '01000000', 'Escola']) assert.ok(!text.includes(secret), secret);
  });

  it('gives a reason when the postback lacks what a grant needs', () => {
    const form = v1();
    form.delete('transaction');
    const result = parseFormDelivery(form, RECEIVED);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, /transaction/);
  });
});
