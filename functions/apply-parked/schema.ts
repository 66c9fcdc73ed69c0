import * as z from 'zod';
import { ProductIdParamSchema } from '#lib/domain/mapping.ts';

/** The payload of an asynchronous invocation: which product's parked events, and after which one. */
export const ParkedJobSchema = z.object({ productId: ProductIdParamSchema, after: z.string().min(1).max(200).optional() });
