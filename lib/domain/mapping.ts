import * as z from 'zod';

export const TARGET_TYPES = ['course', 'class', 'plan'] as const;

export const TargetSchema = z.object({
  type: z.enum(TARGET_TYPES),
  id: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[^#\s]+$/, 'must not contain spaces or "#"'),
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

/** What an operator sends for a product or one of its offers. */
export const MappingInputSchema = z.object({
  targets: z
    .array(TargetSchema)
    .min(1)
    .max(25)
    .refine((targets) => new Set(targets.map(targetKey)).size === targets.length, 'targets must not repeat'),
  salesUrl: z.url({ protocol: /^https$/, hostname: z.regexes.domain }).max(2048).optional(),
  price: z
    .object({
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

/** A product's mapping and its offer overrides, as read together. */
export type ProductMappings = { product: Mapping | null; offers: Mapping[] };

export const ProductIdParamSchema = z.string().regex(/^\d{1,20}$/, 'must be a Hotmart product id (digits)');
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
