import * as z from 'zod';
import { EmailPathSegmentSchema } from '#lib/domain/email.ts';
import { MAX_BODY_BYTES } from '#lib/http/webhook.ts';

export const QuarantineListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const QuarantinePathSchema = z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/, 'must be a quarantine id') });
/** A correction carries a webhook body (at most MAX_BODY_BYTES), JSON-escaped inside the request: room for that, no more. */
export const CORRECTION_MAX_BYTES = 2 * MAX_BODY_BYTES + 1024;

/** An operator's corrected copy of a quarantined delivery (optional: without it, the stored body is replayed). */
export const QuarantineReplaySchema = z.strictObject({
  body: z
    .string()
    .min(1)
    .refine((body) => Buffer.byteLength(body, 'utf8') <= MAX_BODY_BYTES, `at most ${MAX_BODY_BYTES} bytes, as a webhook`),
  contentType: z.enum(['application/json', 'application/x-www-form-urlencoded']).optional(),
});

export const EventPathSchema = z.strictObject({ eventId: z.string().min(1).max(128) });

/** The e-mail as a path segment, percent-encoded or not. */
export const StudentPathSchema = z.strictObject({ email: EmailPathSegmentSchema });
