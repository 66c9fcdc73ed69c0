import * as z from 'zod';
import { RUN_ID_PATTERN } from '#lib/domain/reconciliation.ts';

export { windowSchema } from '#lib/domain/reconciliation.ts';

export const RunListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const RunPathSchema = z.strictObject({ id: z.string().regex(RUN_ID_PATTERN, 'must be a reconciliation run id') });
