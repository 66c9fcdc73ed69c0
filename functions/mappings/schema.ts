import * as z from 'zod';
import { OfferCodeParamSchema, ProductIdParamSchema } from '#lib/domain/mapping.ts';

export const MappingPathSchema = z.object({ productId: ProductIdParamSchema, offerCode: OfferCodeParamSchema.optional() });

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
