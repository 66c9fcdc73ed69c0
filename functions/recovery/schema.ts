import * as z from 'zod';
import { EmailPathSegmentSchema } from '#lib/domain/email.ts';
import { MAX_BODY_BYTES } from '#lib/http/webhook.ts';
import { DeliveryAppliedSchema, DeliveryQuarantinedSchema, OutcomeShape } from '#lib/http/view-schemas.ts';

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

const iso = () => z.iso.datetime();

/** A quarantined delivery as listed (routes.ts view): its redacted body (cut at the quarantine's limit), why, when. */
export const QuarantineViewSchema = z.strictObject({
  id: z.string(),
  reason: z.string(),
  contentType: z.string(),
  body: z.string(),
  truncated: z.literal(true).optional(),
  originalBytes: z.number().int().optional(),
  receivedAt: iso(),
  expiresAt: iso(),
});

/** A quarantine replay: the delivery applied (as the webhook answers), or quarantined again. */
export const QuarantineReplayAnswerSchema = z.union([DeliveryAppliedSchema, DeliveryQuarantinedSchema]);

/** An event replay: the event id and what applying it did this time. */
export const EventReplayAnswerSchema = z.strictObject({ eventId: z.string(), ...OutcomeShape });

/** An erasure: the pseudonym that replaced the e-mail, and the records changed. */
export const ErasureAnswerSchema = z.strictObject({
  pseudonym: z.string(),
  erased: z.strictObject({ enrollments: z.number().int(), transactions: z.number().int(), subscriptions: z.number().int(), events: z.number().int(), quarantined: z.number().int() }),
});
