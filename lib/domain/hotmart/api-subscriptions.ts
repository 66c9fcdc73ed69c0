import * as z from 'zod';
import { EmailSchema, LenientDateSchema, ProductIdSchema } from './fields.ts';

/**
 * A subscription as Hotmart's subscriptions API reports it, read into a snapshot that
 * subscription-snapshot.ts compares with ours (docs/hotmart.md, "REST API: subscriptions").
 */
export type SubscriptionSnapshot = {
  subscriberCode: string;
  status: string;
  productId: string;
  productName?: string;
  email: string;
  name?: string;
  planId?: string;
  planName?: string;
  /** The transaction that started the subscription. */
  transaction?: string;
  accessionDate?: number;
  /** When it ended (end_accession_date), for a cancelled or expired subscription. */
  endDate?: number;
  requestDate?: number;
  dateNextCharge?: number;
};

const ItemSchema = z.object({
  subscriber_code: z.string().min(1).max(64),
  status: z.string().transform((status) => status.trim().toUpperCase()),
  accession_date: LenientDateSchema,
  end_accession_date: LenientDateSchema,
  request_date: LenientDateSchema,
  date_next_charge: LenientDateSchema,
  transaction: z.string().min(1).max(64).nullish(),
  plan: z.object({ id: z.union([z.number(), z.string()]).nullish(), name: z.string().nullish() }).nullish(),
  product: z.object({ id: ProductIdSchema, name: z.string().nullish() }),
  subscriber: z.object({ email: EmailSchema, name: z.string().nullish() }),
});

export function parseSubscription(item: unknown): { ok: true; snapshot: SubscriptionSnapshot } | { ok: false; reason: string } {
  const parsed = ItemSchema.safeParse(item);
  if (!parsed.success) return { ok: false, reason: `unreadable subscription: ${[...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ')}` };
  const s = parsed.data;
  const snapshot: SubscriptionSnapshot = {
    subscriberCode: s.subscriber_code,
    status: s.status,
    productId: s.product.id,
    email: s.subscriber.email,
    ...(s.product.name ? { productName: s.product.name } : {}),
    ...(s.subscriber.name ? { name: s.subscriber.name } : {}),
    ...(s.plan?.id !== undefined && s.plan?.id !== null ? { planId: String(s.plan.id) } : {}),
    ...(s.plan?.name ? { planName: s.plan.name } : {}),
    ...(s.transaction ? { transaction: s.transaction } : {}),
    ...(s.accession_date ? { accessionDate: s.accession_date } : {}),
    ...(s.end_accession_date ? { endDate: s.end_accession_date } : {}),
    ...(s.request_date ? { requestDate: s.request_date } : {}),
    ...(s.date_next_charge ? { dateNextCharge: s.date_next_charge } : {}),
  };
  return { ok: true, snapshot };
}

/** Hotmart's subscription statuses (docs/hotmart.md, "Statuses"), by what they mean for access. */
const STANDINGS: Readonly<Record<string, SubscriptionStanding>> = {
  ACTIVE: 'paying',
  DELAYED: 'late',
  OVERDUE: 'late',
  ...Object.fromEntries(
    ['CANCELLED_BY_CUSTOMER', 'CANCELLED_BY_SELLER', 'CANCELLED_BY_ADMIN', 'CANCELED_BY_CUSTOMER', 'CANCELED_BY_SELLER', 'CANCELED_BY_ADMIN', 'EXPIRED', 'INACTIVE'].map(
      (status) => [status, 'ended'],
    ),
  ),
};

export type SubscriptionStanding = 'paying' | 'late' | 'ended';

/** What a reported status means for access; undefined for one that changes none (STARTED, …). */
export const subscriptionStanding = (status: string): SubscriptionStanding | undefined => (Object.hasOwn(STANDINGS, status) ? STANDINGS[status] : undefined);
