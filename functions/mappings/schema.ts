import * as z from 'zod';
import { OfferCodeParamSchema, ProductIdParamSchema } from '#lib/domain/mapping.ts';

export const MappingPathSchema = z.strictObject({ productId: ProductIdParamSchema, offerCode: OfferCodeParamSchema.optional() });

export const ListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
