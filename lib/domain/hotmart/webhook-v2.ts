import * as z from 'zod';
import type { HotmartEvent, ParseResult } from './event.ts';
import { EmailSchema, EpochMsSchema, IdSchema, ProductIdSchema, TextSchema, describeIssues, withoutUndefined } from './fields.ts';
import type { PayloadFamily } from './vocabulary.ts';
import { payloadFamily } from './vocabulary.ts';

/**
 * The v2.0.0 webhook: a JSON envelope (id, event, creation_date) around a `data` object whose
 * shape depends on the event's payload family (docs/hotmart.md, "Payloads and quirks").
 */

const ProductSchema = z.object({ id: ProductIdSchema, name: TextSchema.optional() });
const PlanSchema = z.object({ id: IdSchema.optional(), name: TextSchema.optional() });
const OfferSchema = z.object({ code: z.string().max(64).optional() }).optional();
const SubscriberSchema = z.object({ code: z.string().min(1).max(64), name: TextSchema.optional(), email: EmailSchema.optional() });

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
    offer: OfferSchema,
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
  offer: OfferSchema,
});

const CancellationDataSchema = z.object({
  product: ProductSchema,
  subscriber: SubscriberSchema,
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
  subscriber: SubscriberSchema,
  subscription: z.object({ product: ProductSchema, date_next_charge: EpochMsSchema.optional() }),
  plan: z
    .object({ id: IdSchema.optional(), name: TextSchema.optional(), offer: OfferSchema })
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
type Reader = (data: unknown) => z.ZodSafeParseResult<Fields>;

const read =
  <S extends z.ZodType>(schema: S, map: (d: z.infer<S>) => Fields): Reader =>
  (data: unknown) =>
    schema.transform(map).safeParse(data) as z.ZodSafeParseResult<Fields>;

const product = (p: { id: string; name?: string | undefined }) => ({ productId: p.id, productName: p.name });
const person = (p: { email?: string | undefined; name?: string | undefined } | undefined) => ({ buyerEmail: p?.email, buyerName: p?.name });
const plan = (p: { id?: string | undefined; name?: string | undefined } | undefined) => ({ planId: p?.id, planName: p?.name });

/** Per payload family: the data schema and how its fields map onto a HotmartEvent. */
const READERS: Readonly<Record<PayloadFamily, Reader>> = {
  purchase: read(PurchaseDataSchema, (d) => ({
    ...product(d.product),
    offerCode: d.purchase.offer?.code,
    transaction: d.purchase.transaction,
    purchaseStatus: d.purchase.status,
    ...person(d.buyer),
    subscriberCode: d.subscription?.subscriber?.code,
    ...plan(d.subscription?.plan),
    recurrenceNumber: d.purchase.recurrence_number,
    approvedDate: d.purchase.approved_date,
    dateNextCharge: d.purchase.date_next_charge,
  })),
  cart: read(CartDataSchema, (d) => ({
    ...product(d.product),
    offerCode: d.offer?.code,
    ...person(d.buyer),
  })),
  cancellation: read(CancellationDataSchema, (d) => ({
    ...product(d.product),
    ...person(d.subscriber),
    subscriberCode: d.subscriber.code,
    ...plan(d.subscription?.plan),
    dateNextCharge: d.date_next_charge,
    cancellationDate: d.cancellation_date,
  })),
  switchPlan: read(SwitchPlanDataSchema, (d) => {
    const current = d.plans.find((p) => p.current);
    const previous = d.plans.find((p) => !p.current);
    return {
      ...product(d.subscription.product),
      offerCode: current?.offer?.key,
      previousOfferCode: previous?.offer?.key,
      buyerEmail: d.subscription.user?.email,
      subscriberCode: d.subscription.subscriber_code,
      ...plan(current),
    };
  }),
  chargeDate: read(ChargeDateDataSchema, (d) => ({
    ...product(d.subscription.product),
    offerCode: d.plan?.offer?.code,
    ...person(d.subscriber),
    subscriberCode: d.subscriber.code,
    ...plan(d.plan),
    dateNextCharge: d.subscription.date_next_charge,
  })),
  club: read(ClubDataSchema, (d) => ({
    ...product(d.product),
    ...person(d.user),
  })),
  other: read(UnknownDataSchema, (d) => ({ productId: d.product?.id })),
};

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
  const fields = READERS[payloadFamily(env.event)](env.data);
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
