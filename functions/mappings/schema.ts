import * as z from 'zod';
import { OfferCodeParamSchema, PolicySchema, ProductIdParamSchema, TargetSchema } from '#lib/domain/mapping.ts';

export const MappingPathSchema = z.strictObject({ productId: ProductIdParamSchema, offerCode: OfferCodeParamSchema.optional() });

export const ListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});

const iso = () => z.iso.datetime();

/** A stored mapping as the API shows it (routes.ts view): the input as stored, its policy with defaults, its version (the ETag). */
export const MappingViewSchema = z.strictObject({
  productId: z.string(),
  /** Set on an offer override; absent on the product's own mapping. */
  offerCode: z.string().optional(),
  targets: z.array(TargetSchema),
  salesUrl: z.string().optional(),
  price: z.strictObject({ value: z.number(), currency: z.string() }).optional(),
  policy: PolicySchema,
  version: z.number().int(),
  createdAt: iso(),
  updatedAt: iso(),
});

/** A product with offer overrides but no mapping of its own. */
export const OffersOnlySchema = z.strictObject({ productId: z.string(), targets: z.null() });

/** PUT's answer: the mapping, and what happened to purchases that waited for it. */
export const MappingPutAnswerSchema = z.strictObject({
  ...MappingViewSchema.shape,
  appliedEvents: z.number().int(),
  pendingEvents: z.number().int(),
  backgroundApply: z.enum(['none', 'started', 'failed']),
});

/** GET of a product: its mapping with its offer overrides, or `targets: null` when it has overrides only; both with the purchases still waiting. */
export const ProductMappingAnswerSchema = z.union([
  z.strictObject({ ...MappingViewSchema.shape, offers: z.array(MappingViewSchema), pendingEvents: z.number().int() }),
  z.strictObject({ productId: z.string(), targets: z.null(), offers: z.array(MappingViewSchema), pendingEvents: z.number().int() }),
]);

export const OfferMappingAnswerSchema = z.strictObject({ ...MappingViewSchema.shape, pendingEvents: z.number().int() });
