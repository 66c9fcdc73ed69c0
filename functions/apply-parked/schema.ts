import * as z from 'zod';
import { ProductIdParamSchema } from '#lib/domain/mapping.ts';
import { SchoolScopeSchema } from '#lib/domain/school.ts';

/** The payload of an asynchronous invocation: which school's product's parked events, and after which one. */
export const ParkedJobSchema = z.object({ scope: SchoolScopeSchema, productId: ProductIdParamSchema, after: z.string().min(1).max(200).optional() });
