import * as z from 'zod';
import type { ParseResult } from './event.ts';
import { EmailSchema, ProductIdSchema, TextSchema, derivedId, describeIssues, toEpochMs, withoutUndefined } from './fields.ts';
import { v1StatusEvent } from './vocabulary.ts';

/**
 * The v1.0.0 webhook: a form postback of purchase fields, whose `status` names the event
 * (docs/hotmart.md, "Payloads and quirks").
 */

const V1FormSchema = z.object({
  status: z.string().trim().toLowerCase().regex(/^[a-z_]{1,32}$/, 'not a v1 status'),
  transaction: z.string().trim().min(1).max(64),
  prod: ProductIdSchema,
  email: EmailSchema,
  prod_name: TextSchema.optional(),
  off: z.string().max(64).optional(),
  name: TextSchema.optional(),
  subscriber_code: z.string().max(64).optional(),
  name_subscription_plan: TextSchema.optional(),
  recurrency: z.string().regex(/^\d+$/).transform(Number).optional(),
  confirmation_purchase_date: z.string().optional(),
  purchase_date: z.string().optional(),
});

/**
 * A v1.0.0 form postback. v1 carries no event id or name: the event is its status's v2 twin,
 * and the id is derived from (transaction, event) so a resent postback is the same delivery.
 */
export function parseFormDelivery(form: URLSearchParams, receivedAt: number): ParseResult {
  const fields: Record<string, string> = {};
  for (const [key, value] of form) if (value !== '' && !(key in fields)) fields[key] = value;
  const parsed = V1FormSchema.safeParse(fields);
  if (!parsed.success) return { ok: false, reason: `v1 postback: ${describeIssues(parsed.error, '')}` };
  const f = parsed.data;
  const event = v1StatusEvent(f.status) ?? `V1_${f.status.toUpperCase()}`;
  const when = [f.confirmation_purchase_date, f.purchase_date]
    .map((value) => (value === undefined ? undefined : toEpochMs(value)))
    .find((value) => value !== undefined);
  return {
    ok: true,
    event: withoutUndefined({
      id: derivedId('v1', f.transaction, event),
      event,
      version: '1.0.0',
      creationDate: when ?? receivedAt,
      productId: f.prod,
      productName: f.prod_name,
      offerCode: f.off,
      transaction: f.transaction,
      purchaseStatus: f.status.toUpperCase(),
      buyerEmail: f.email,
      buyerName: f.name,
      subscriberCode: f.subscriber_code,
      planName: f.name_subscription_plan,
      recurrenceNumber: f.recurrency,
      test: f.prod === '0',
    }),
  };
}
