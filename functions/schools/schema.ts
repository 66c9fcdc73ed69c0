import * as z from 'zod';
import { SchoolIdSchema } from '#lib/domain/school.ts';

export const SchoolPathSchema = z.strictObject({ schoolId: SchoolIdSchema });

export const SchoolInputSchema = z.strictObject({ name: z.string().trim().min(1).max(200) });

/** The token Hotmart shows in its Webhook tool (the configuration's token). */
export const TokenInputSchema = z.strictObject({ token: z.string().min(1).max(512) });

export const SchoolListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
