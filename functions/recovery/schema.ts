import * as z from 'zod';
import { EmailSchema } from '#lib/domain/hotmart-event.ts';

export const QuarantineListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const QuarantinePathSchema = z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/, 'must be a quarantine id') });
export const EventPathSchema = z.strictObject({ eventId: z.string().min(1).max(128) });

/** The e-mail as a path segment, percent-encoded or not. */
export const StudentPathSchema = z.strictObject({
  email: z
    .string()
    .max(762)
    .transform((value) => {
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    })
    .pipe(EmailSchema),
});
