import * as z from 'zod';
import { EmailSchema } from '#lib/domain/hotmart-event.ts';
import { TARGET_TYPES } from '#lib/domain/mapping.ts';

export const EnrollmentQuerySchema = z.union([
  z.object({ email: EmailSchema }),
  z.object({ subscriberCode: z.string().trim().min(1).max(64) }),
  z.object({
    targetType: z.enum(TARGET_TYPES),
    targetId: z.string().trim().min(1).max(128),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2048).optional(),
  }),
]);

export const EventPathSchema = z.object({ eventId: z.string().min(1).max(128) });
