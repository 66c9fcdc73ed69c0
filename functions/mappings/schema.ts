import * as z from 'zod';
import { ProductIdParamSchema } from '#lib/domain/mapping.ts';

export const ProductPathSchema = z.object({ productId: ProductIdParamSchema });

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
