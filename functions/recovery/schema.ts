import * as z from 'zod';

export const QuarantineListSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const QuarantinePathSchema = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, 'must be a quarantine id') });
export const EventPathSchema = z.object({ eventId: z.string().min(1).max(128) });
