import * as z from 'zod';
import { SchoolIdSchema } from '#lib/domain/school.ts';

/** GET /schools/{schoolId}/audit: the school id only (the school need not exist any more). */
export const AuditPathSchema = z.strictObject({ schoolId: SchoolIdSchema });

export const AuditListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
