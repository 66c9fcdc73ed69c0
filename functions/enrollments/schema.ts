import * as z from 'zod';
import { EmailSchema } from '#lib/domain/email.ts';
import { TARGET_TYPES, TargetIdSchema } from '#lib/domain/mapping.ts';

export const EnrollmentQuerySchema = z.union([
  z.strictObject({ email: EmailSchema }),
  z.strictObject({ subscriberCode: z.string().trim().min(1).max(64) }),
  z.strictObject({
    targetType: z.enum(TARGET_TYPES),
    targetId: TargetIdSchema,
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2048).optional(),
  }),
]);

export const EventPathSchema = z.strictObject({ eventId: z.string().min(1).max(128) });

const eventPage = { limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().min(1).max(2048).optional() };

/** Exactly one of `transaction` and `email`. */
export const EventQuerySchema = z.union([
  z.strictObject({ transaction: z.string().trim().min(1).max(64), ...eventPage }),
  z.strictObject({ email: EmailSchema, ...eventPage }),
]);
