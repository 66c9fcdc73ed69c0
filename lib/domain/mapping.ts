import * as z from 'zod';
import { canonicalProductId } from './hotmart/fields.ts';

export const TARGET_TYPES = ['course', 'class', 'plan'] as const;

/**
 * A target id is safe in the platform's URLs and in our keys: a letter or digit, then up to 127
 * letters, digits, `.`, `_` or `-` ("turma-2026-1", "fotografia"). No `/`, `#`, `%`, spaces.
 */
export const TARGET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const TargetIdSchema = z
  .string()
  .trim()
  .regex(TARGET_ID_PATTERN, 'must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const TargetSchema = z.strictObject({
  type: z.enum(TARGET_TYPES),
  id: TargetIdSchema,
});
export type Target = z.infer<typeof TargetSchema>;

/** How access follows disputes, overdue charges and cancellations; platforms legitimately differ. */
export const PolicySchema = z
  .object({
    onDispute: z.enum(['keep', 'suspend']).default('keep'),
    onDelayed: z.enum(['suspend', 'keep']).default('suspend'),
    onSubscriptionCancel: z.enum(['endOfPeriod', 'immediate']).default('endOfPeriod'),
    graceDays: z.number().int().min(0).max(30).default(3),
  })
  .strict();
export type Policy = z.infer<typeof PolicySchema>;
export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

/** What an operator sends for a product or one of its offers; an unknown key is refused, not ignored. */
export const MappingInputSchema = z.strictObject({
  targets: z
    .array(TargetSchema)
    .min(1)
    .max(25)
    .refine((targets) => new Set(targets.map(targetKey)).size === targets.length, 'targets must not repeat'),
  salesUrl: z.url({ protocol: /^https$/, hostname: z.regexes.domain }).max(2048).optional(),
  price: z
    .strictObject({
      value: z.number().positive().max(1_000_000_000),
      currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as BRL'),
    })
    .optional(),
  policy: PolicySchema.optional(),
});
export type MappingInput = z.infer<typeof MappingInputSchema>;

export type Mapping = Omit<MappingInput, 'policy'> & {
  productId: string;
  /** Set on an offer override; absent on the product's own mapping. */
  offerCode?: string;
  policy: Policy;
  version: number;
  createdAt: number;
  updatedAt: number;
};

/**
 * A product with offer overrides but no mapping of its own: listed and readable (its offers'
 * purchases are applied; its other offers' wait), with `targets: null`.
 */
export type OffersOnlyProduct = { productId: string; targets: null };

/** A product's mapping and its offer overrides, as read together. */
export type ProductMappings = { product: Mapping | null; offers: Mapping[] };

/** A product id in a path: digits, read as the webhook reads them ("03412911" is product 3412911). */
export const ProductIdParamSchema = z.string().regex(/^\d{1,20}$/, 'must be a Hotmart product id (digits)').transform(canonicalProductId);
export const OfferCodeParamSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Hotmart offer code');

export function targetKey(target: Target): string {
  return `${target.type}#${target.id}`;
}

/** Order-independent identity of a target list, used to detect that a mapping changed. */
export function targetsKey(targets: readonly Target[]): string {
  return targets.map(targetKey).sort().join('|');
}

/** The mapping that decides an event's targets: its offer's override when one exists, else the product's. */
export function resolveMapping(mappings: ProductMappings, offerCode: string | undefined): Mapping | null {
  return (offerCode !== undefined && mappings.offers.find((offer) => offer.offerCode === offerCode)) || mappings.product;
}
