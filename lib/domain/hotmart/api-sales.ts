import * as z from 'zod';
import type { HotmartEvent } from './event.ts';
import { EmailSchema, ProductIdSchema, derivedId, toEpochMs } from './fields.ts';
import { apiStatusEvent } from './vocabulary.ts';

/**
 * A sale from Hotmart's sales-history API, turned into the event its webhook would have been, so
 * that reconciliation applies it through the same code path. The API speaks another vocabulary
 * (docs/hotmart.md, "REST API: sales history" and "Statuses"): CANCELLED, COMPLETE, PRINTED_BILLET,
 * DISPUTE or PROTESTED, recurrency_number; the spellings are in vocabulary.ts.
 */
const SaleSchema = z.object({
  product: z.object({ id: ProductIdSchema, name: z.string().optional() }),
  buyer: z.object({ email: EmailSchema, name: z.string().optional() }),
  purchase: z.object({
    transaction: z.string().min(1).max(64),
    status: z.string().transform((status) => status.trim().toUpperCase()),
    order_date: z.union([z.number(), z.string()]).optional(),
    approved_date: z.union([z.number(), z.string()]).optional(),
    recurrency_number: z.number().optional(),
    recurrence_number: z.number().optional(),
    is_subscription: z.boolean().optional(),
    offer: z.object({ code: z.string().optional() }).optional(),
  }),
});

/**
 * A subscription charge comes back without its subscriber code (sales history names none): the
 * caller finds the subscription and completes the event, since a charge applied as a one-time
 * purchase would grant access for good.
 */
export type SaleResult = { ok: true; event: HotmartEvent; subscriptionCharge: boolean } | { ok: false; reason: string };

/** The reconciled event's id: the same (transaction, status) always gives the same id. */
export const reconciliationId = (transaction: string, event: string): string => derivedId('recon', transaction, event);

/** Statuses whose time the API gives: the sale's approval (or order). The others happened later, at a time it does not say. */
const DATED_BY_SALE = new Set(['PURCHASE_APPROVED', 'PURCHASE_COMPLETE', 'PURCHASE_BILLET_PRINTED']);

/**
 * `observedAt`: when the run read the sale. A refund, chargeback, dispute or cancellation is
 * dated then (the API gives no date for it), so that for a subscription it folds in after the
 * charges that preceded it — as its webhook, sent when it happened, would have.
 */
export function eventFromSale(item: unknown, observedAt?: number): SaleResult {
  const parsed = SaleSchema.safeParse(item);
  if (!parsed.success) return { ok: false, reason: `unreadable sale: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` };
  const { product, buyer, purchase } = parsed.data;
  const event = apiStatusEvent(purchase.status);
  if (!event) return { ok: false, reason: `status ${purchase.status.slice(0, 32)} changes no access` };
  const recurrence = purchase.recurrency_number ?? purchase.recurrence_number;
  const subscriptionCharge = purchase.is_subscription === true || recurrence !== undefined;
  const sold = [purchase.approved_date, purchase.order_date].map((d) => (d === undefined ? undefined : toEpochMs(d))).find((d) => d !== undefined);
  if (sold === undefined) return { ok: false, reason: 'sale without a date' };
  const when = DATED_BY_SALE.has(event) || observedAt === undefined ? sold : Math.max(sold, observedAt);
  return {
    ok: true,
    subscriptionCharge,
    event: {
      id: reconciliationId(purchase.transaction, event),
      event,
      version: 'api',
      creationDate: when,
      productId: product.id,
      ...(product.name ? { productName: product.name } : {}),
      ...(purchase.offer?.code ? { offerCode: purchase.offer.code } : {}),
      transaction: purchase.transaction,
      purchaseStatus: purchase.status,
      buyerEmail: buyer.email,
      ...(buyer.name ? { buyerName: buyer.name } : {}),
      ...(recurrence !== undefined ? { recurrenceNumber: recurrence } : {}),
      ...(purchase.approved_date !== undefined && toEpochMs(purchase.approved_date) !== undefined ? { approvedDate: toEpochMs(purchase.approved_date)! } : {}),
      test: product.id === '0',
    },
  };
}
