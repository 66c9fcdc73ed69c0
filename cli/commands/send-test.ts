import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { ApiError, UsageError } from '../errors.ts';
import { fields } from '../output.ts';

/** The API routes these commands call (the CLI and docs/openapi.json cover the same routes). */
export const routes = [
  'POST /schools/{schoolId}/webhooks/hotmart',
] as const;

/** The purchase status Hotmart sends with each purchase event (test/fixtures, Hotmart's documentation). */
export const PURCHASE_STATUS = {
  PURCHASE_APPROVED: 'APPROVED',
  PURCHASE_COMPLETE: 'COMPLETED',
  PURCHASE_CANCELED: 'CANCELED',
  PURCHASE_REFUNDED: 'REFUNDED',
  PURCHASE_CHARGEBACK: 'CHARGEBACK',
  PURCHASE_PROTEST: 'DISPUTE',
  PURCHASE_DELAYED: 'DELAYED',
  PURCHASE_EXPIRED: 'EXPIRED',
  PURCHASE_BILLET_PRINTED: 'BILLET_PRINTED',
} as const;

type EventName = keyof typeof PURCHASE_STATUS;

export type TestDelivery = { event: EventName; product: string; email: string; name: string; transaction?: string; offer?: string; price: number; subscriber?: string };

/** A v2.0.0 delivery as Hotmart would post it (cli/templates/purchase.json), with the operator's real values. */
export function buildDelivery(input: TestDelivery, now = Date.now()) {
  const body = JSON.parse(readFileSync(new URL('../templates/purchase.json', import.meta.url), 'utf8'));
  body.id = randomUUID();
  body.creation_date = now;
  body.event = input.event;
  body.data.product.id = Number(input.product);
  const [first = input.name, ...rest] = input.name.split(' ');
  Object.assign(body.data.buyer, { email: input.email, name: input.name, first_name: first, last_name: rest.join(' ') });
  const purchase = body.data.purchase;
  purchase.transaction = input.transaction ?? `HPTEST${now.toString(36).toUpperCase()}`;
  purchase.status = PURCHASE_STATUS[input.event];
  purchase.order_date = now - 5000;
  purchase.approved_date = now - 2000;
  for (const price of [purchase.price, purchase.full_price, purchase.original_offer_price]) price.value = input.price;
  if (input.offer) purchase.offer = { code: input.offer };
  else delete purchase.offer;
  if (input.subscriber) {
    body.data.subscription = { status: 'ACTIVE', plan: { id: 1, name: 'Plano' }, subscriber: { code: input.subscriber } };
    purchase.recurrence_number = 1;
    purchase.date_next_charge = now + 30 * 24 * 3600_000;
  }
  return body;
}

const eventName = (value: string): EventName => {
  if (!(value in PURCHASE_STATUS)) throw new InvalidArgumentError(`one of ${Object.keys(PURCHASE_STATUS).join(', ')}`);
  return value as EventName;
};

/** send-test: checks a deployment end to end, as Hotmart's "send test" would, but with real values (a product id 0 changes nothing). */
export function registerSendTest(program: Command, context: Context): void {
  program.command('send-test <webhookUrl>').description('posts a realistic Hotmart delivery to a school’s webhook URL and prints the answer (no --url/--stage needed)')
    .option('--token <token>', 'the school’s Hotmart token (default: $HOTMART_HOTTOK)')
    .option('--event <name>', 'the purchase event', eventName, 'PURCHASE_APPROVED' as EventName)
    .option('--product <id>', 'the Hotmart product id (0: Hotmart’s own test, which changes nothing)', '0')
    .option('--email <email>', 'the buyer’s e-mail', 'test.buyer@example.com')
    .option('--name <name>', 'the buyer’s name', 'Test Buyer')
    .option('--transaction <code>', 'the transaction (default: a new HPTEST…); the same one again for a refund of it')
    .option('--offer <code>', 'the offer code')
    .option('--price <value>', 'the price', (v) => Number(v), 97)
    .option('--subscriber <code>', 'a subscription’s subscriber code (makes it a subscription charge)')
    .option('--print', 'print the delivery it would send instead of sending it')
    .action(action(context, async (ctx, command, url: string, options: Omit<TestDelivery, never> & { token?: string; print?: boolean }) => {
      const out = ctx.out(command);
      if (!/^\d{1,20}$/.test(options.product)) throw new UsageError('--product is a Hotmart product id (digits)');
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        throw new UsageError(`${url} is not a URL (the school's webhook URL: …/schools/<school>/webhooks/hotmart)`);
      }
      const delivery = buildDelivery(options);
      if (options.print) return out.result(delivery, () => `${JSON.stringify(delivery, null, 2)}\n`);
      const token = options.token ?? ctx.io.env.HOTMART_HOTTOK;
      if (!token) throw new UsageError('give --token <token> or set HOTMART_HOTTOK');
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hotmart-hottok': token }, body: JSON.stringify(delivery) });
      const text = await response.text();
      let answer: unknown = text;
      try {
        answer = JSON.parse(text);
      } catch {
        // not JSON
      }
      if (response.status >= 400) throw new ApiError(response.status, answer);
      const sent = { id: delivery.id, event: delivery.event, transaction: delivery.data.purchase.transaction, product: options.product, email: options.email };
      out.result({ status: response.status, sent, answer }, () => `sent\n${fields(sent)}answered ${response.status}\n${typeof answer === 'object' && answer ? fields(answer as Record<string, unknown>) : `${text}\n`}`);
    }));
}
