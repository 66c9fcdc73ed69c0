import { createHash } from 'node:crypto';
import * as z from 'zod';
import { EmailSchema } from './email.ts';

/**
 * One Hotmart delivery, reduced to what enrollment needs. v2 JSON bodies and v1 form
 * postbacks both become this shape; personal data beyond e-mail and name (document/CPF,
 * phones, address, IP), producer, commissions, affiliates and the body hottok are dropped here,
 * so nothing downstream can store them.
 */
export type HotmartEvent = {
  id: string;
  event: string;
  /** Webhook version; `api` for an event reconstructed from Hotmart's REST API by reconciliation. */
  version: '2.0.0' | '1.0.0' | 'api';
  /** Event time at Hotmart, epoch ms. */
  creationDate: number;
  productId?: string;
  productName?: string;
  offerCode?: string;
  transaction?: string;
  purchaseStatus?: string;
  buyerEmail?: string;
  buyerName?: string;
  subscriberCode?: string;
  planId?: string;
  planName?: string;
  recurrenceNumber?: number;
  approvedDate?: number;
  dateNextCharge?: number;
  /** SUBSCRIPTION_CANCELLATION: when the subscriber cancelled. */
  cancellationDate?: number;
  /** SWITCH_PLAN: the offer of the plan left behind. */
  previousOfferCode?: string;
  /** Hotmart panel "send test" delivery (product id 0). */
  test: boolean;
};

export type ParseResult = { ok: true; event: HotmartEvent } | { ok: false; reason: string };

export const PURCHASE_EVENTS = [
  'PURCHASE_APPROVED',
  'PURCHASE_COMPLETE',
  'PURCHASE_CANCELED',
  'PURCHASE_BILLET_PRINTED',
  'PURCHASE_PROTEST',
  'PURCHASE_REFUNDED',
  'PURCHASE_CHARGEBACK',
  'PURCHASE_EXPIRED',
  'PURCHASE_DELAYED',
] as const;

export const KNOWN_EVENTS = [
  ...PURCHASE_EVENTS,
  'PURCHASE_OUT_OF_SHOPPING_CART',
  'SUBSCRIPTION_CANCELLATION',
  'SWITCH_PLAN',
  'UPDATE_SUBSCRIPTION_CHARGE_DATE',
  'CLUB_FIRST_ACCESS',
  'CLUB_MODULE_COMPLETED',
  'ORDER_FULFILLMENT',
] as const;

const MS_IN_SECOND = 1000;
/** Below this a number is a date in seconds (Hotmart's own samples sometimes send 10 digits). */
const SECONDS_CUTOFF = 100_000_000_000;

/** Epoch ms from ms, seconds, a numeric string or an ISO-8601 string. */
export function toEpochMs(value: number | string): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return Math.round(value < SECONDS_CUTOFF ? value * MS_IN_SECOND : value);
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return toEpochMs(Number(trimmed));
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? undefined : parsed;
}

const EpochMsSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = toEpochMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'not a date (epoch ms or ISO-8601)' });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A product id as every key holds it: its digits without leading zeros ("03412911" and 3412911
 * are one product, "00000" is 0). The one normaliser for webhooks, Hotmart's API and the
 * mappings API, so a mapping always matches its product's purchases.
 */
export const canonicalProductId = (digits: string | number): string => String(digits).replace(/^0+(?=\d)/, '');

/** Product ids are numbers, but strings in CLUB_MODULE_COMPLETED ("00000" in club tests). */
const ProductIdSchema = z
  .union([z.number().int().nonnegative(), z.string().trim().regex(/^\d{1,20}$/, 'not a numeric id')])
  .transform(canonicalProductId);

const IdSchema = z.union([z.number(), z.string()]).transform(String);
const TextSchema = z.string().max(500);

/** Every e-mail key is normalised in one place (email.ts); re-exported for the readers that import it from here. */
export { EmailSchema };

const ProductSchema = z.object({ id: ProductIdSchema, name: TextSchema.optional() });
const PlanSchema = z.object({ id: IdSchema.optional(), name: TextSchema.optional() });

const EnvelopeSchema = z.object({
  id: z.string().trim().min(1).max(128),
  event: z.string().trim().min(1).max(64),
  version: z.unknown().optional(),
  creation_date: EpochMsSchema.optional(),
  creationDate: EpochMsSchema.optional(),
  data: z.record(z.string(), z.unknown()),
});

const PurchaseDataSchema = z.object({
  product: ProductSchema,
  buyer: z.object({ email: EmailSchema, name: TextSchema.optional() }),
  purchase: z.object({
    transaction: z.string().trim().min(1).max(64),
    status: z.string().max(64).optional(),
    approved_date: EpochMsSchema.optional(),
    offer: z.object({ code: z.string().max(64).optional() }).optional(),
    recurrence_number: z.number().int().optional(),
    date_next_charge: EpochMsSchema.optional(),
  }),
  subscription: z
    .object({ plan: PlanSchema.optional(), subscriber: z.object({ code: z.string().max(64).optional() }).optional() })
    .optional(),
});

const CartDataSchema = z.object({
  product: ProductSchema,
  buyer: z.object({ email: EmailSchema.optional(), name: TextSchema.optional() }).optional(),
  offer: z.object({ code: z.string().max(64).optional() }).optional(),
});

const CancellationDataSchema = z.object({
  product: ProductSchema,
  subscriber: z.object({ code: z.string().min(1).max(64), name: TextSchema.optional(), email: EmailSchema.optional() }),
  subscription: z.object({ plan: PlanSchema.optional() }).optional(),
  date_next_charge: EpochMsSchema.optional(),
  cancellation_date: EpochMsSchema.optional(),
});

const SwitchPlanDataSchema = z.object({
  subscription: z.object({
    subscriber_code: z.string().min(1).max(64),
    product: ProductSchema,
    user: z.object({ email: EmailSchema.optional() }).optional(),
  }),
  plans: z.array(
    z.object({
      id: IdSchema.optional(),
      name: TextSchema.optional(),
      offer: z.object({ key: z.string().max(64).optional() }).optional(),
      current: z.boolean().optional(),
    }),
  ),
});

const ChargeDateDataSchema = z.object({
  subscriber: z.object({ code: z.string().min(1).max(64), name: TextSchema.optional(), email: EmailSchema.optional() }),
  subscription: z.object({ product: ProductSchema, date_next_charge: EpochMsSchema.optional() }),
  plan: z
    .object({ id: IdSchema.optional(), name: TextSchema.optional(), offer: z.object({ code: z.string().max(64).optional() }).optional() })
    .optional(),
});

const ClubDataSchema = z.object({
  product: ProductSchema,
  user: z.object({ email: EmailSchema, name: TextSchema.optional() }),
});

/** Unknown events: keep what can be read, reject nothing. */
const UnknownDataSchema = z.object({ product: z.object({ id: ProductIdSchema }).optional() });

type Envelope = z.infer<typeof EnvelopeSchema>;
type Fields = Omit<HotmartEvent, 'id' | 'event' | 'version' | 'creationDate' | 'test'>;

/** Per event family: the data schema and how its fields map onto a HotmartEvent. */
function dataReader(event: string): (data: unknown) => z.ZodSafeParseResult<Fields> {
  const read = <S extends z.ZodType>(schema: S, map: (d: z.infer<S>) => Fields) => (data: unknown) =>
    schema.transform(map).safeParse(data) as z.ZodSafeParseResult<Fields>;

  if ((PURCHASE_EVENTS as readonly string[]).includes(event)) {
    return read(PurchaseDataSchema, (d) => ({
      productId: d.product.id,
      productName: d.product.name,
      offerCode: d.purchase.offer?.code,
      transaction: d.purchase.transaction,
      purchaseStatus: d.purchase.status,
      buyerEmail: d.buyer.email,
      buyerName: d.buyer.name,
      subscriberCode: d.subscription?.subscriber?.code,
      planId: d.subscription?.plan?.id,
      planName: d.subscription?.plan?.name,
      recurrenceNumber: d.purchase.recurrence_number,
      approvedDate: d.purchase.approved_date,
      dateNextCharge: d.purchase.date_next_charge,
    }));
  }
  switch (event) {
    case 'PURCHASE_OUT_OF_SHOPPING_CART':
      return read(CartDataSchema, (d) => ({
        productId: d.product.id,
        productName: d.product.name,
        offerCode: d.offer?.code,
        buyerEmail: d.buyer?.email,
        buyerName: d.buyer?.name,
      }));
    case 'SUBSCRIPTION_CANCELLATION':
      return read(CancellationDataSchema, (d) => ({
        productId: d.product.id,
        productName: d.product.name,
        buyerEmail: d.subscriber.email,
        buyerName: d.subscriber.name,
        subscriberCode: d.subscriber.code,
        planId: d.subscription?.plan?.id,
        planName: d.subscription?.plan?.name,
        dateNextCharge: d.date_next_charge,
        cancellationDate: d.cancellation_date,
      }));
    case 'SWITCH_PLAN':
      return read(SwitchPlanDataSchema, (d) => {
        const current = d.plans.find((plan) => plan.current);
        const previous = d.plans.find((plan) => !plan.current);
        return {
          productId: d.subscription.product.id,
          productName: d.subscription.product.name,
          offerCode: current?.offer?.key,
          previousOfferCode: previous?.offer?.key,
          buyerEmail: d.subscription.user?.email,
          subscriberCode: d.subscription.subscriber_code,
          planId: current?.id,
          planName: current?.name,
        };
      });
    case 'UPDATE_SUBSCRIPTION_CHARGE_DATE':
      return read(ChargeDateDataSchema, (d) => ({
        productId: d.subscription.product.id,
        productName: d.subscription.product.name,
        offerCode: d.plan?.offer?.code,
        buyerEmail: d.subscriber.email,
        buyerName: d.subscriber.name,
        subscriberCode: d.subscriber.code,
        planId: d.plan?.id,
        planName: d.plan?.name,
        dateNextCharge: d.subscription.date_next_charge,
      }));
    case 'CLUB_FIRST_ACCESS':
    case 'CLUB_MODULE_COMPLETED':
      return read(ClubDataSchema, (d) => ({
        productId: d.product.id,
        productName: d.product.name,
        buyerEmail: d.user.email,
        buyerName: d.user.name,
      }));
    default:
      return read(UnknownDataSchema, (d) => ({ productId: d.product?.id }));
  }
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('; ');
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A v2.0.0 JSON delivery. Never throws: what cannot be understood comes back with a reason. */
export function parseJsonDelivery(raw: string, receivedAt: number): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'body is not a JSON object' };
  }
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, reason: describeIssues(envelope.error, '') };
  const env: Envelope = envelope.data;
  if (env.version !== '2.0.0') {
    const shown = typeof env.version === 'string' ? `"${env.version.replace(/[^\w.-]/g, '').slice(0, 16)}"` : 'missing';
    return { ok: false, reason: `unsupported version ${shown} (expected "2.0.0")` };
  }
  const fields = dataReader(env.event)(env.data);
  if (!fields.success) return { ok: false, reason: describeIssues(fields.error, 'data') };
  return {
    ok: true,
    event: withoutUndefined({
      id: env.id,
      event: env.event,
      version: '2.0.0',
      creationDate: env.creation_date ?? env.creationDate ?? receivedAt,
      ...fields.data,
      test: fields.data.productId === '0',
    }),
  };
}

/** v1.0.0 purchase postback `status` → the v2 event it stands for. */
const V1_STATUS_EVENTS: Record<string, string> = {
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
};

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
  const event = V1_STATUS_EVENTS[f.status] ?? `V1_${f.status.toUpperCase()}`;
  const when = [f.confirmation_purchase_date, f.purchase_date]
    .map((value) => (value === undefined ? undefined : toEpochMs(value)))
    .find((value) => value !== undefined);
  return {
    ok: true,
    event: withoutUndefined({
      id: `v1-${createHash('sha256').update(`${f.transaction}|${event}`).digest('hex').slice(0, 32)}`,
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
