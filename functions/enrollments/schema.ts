import * as z from 'zod';
import { EmailSchema } from '#lib/domain/email.ts';
import { TARGET_TYPES, TargetIdSchema } from '#lib/domain/mapping.ts';
import { EnrollmentViewSchema, OutcomeShape } from '#lib/http/view-schemas.ts';

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

const iso = () => z.iso.datetime();

/** A stored event as GET …/events/{eventId} shows it (routes.ts eventView): the normalised Hotmart event, what applying it did, ISO dates. */
export const EventViewSchema = z.strictObject({
  id: z.string(),
  event: z.string(),
  version: z.enum(['2.0.0', '1.0.0', 'api']),
  /** A webhook delivery, or an event a reconciliation run rebuilt from Hotmart's API. */
  source: z.enum(['webhook', 'reconciliation']),
  creationDate: iso(),
  productId: z.string().optional(),
  productName: z.string().optional(),
  offerCode: z.string().optional(),
  transaction: z.string().optional(),
  purchaseStatus: z.string().optional(),
  buyerEmail: z.string().optional(),
  buyerName: z.string().optional(),
  subscriberCode: z.string().optional(),
  planId: z.string().optional(),
  planName: z.string().optional(),
  recurrenceNumber: z.number().int().optional(),
  approvedDate: iso().nullable(),
  dateNextCharge: iso().nullable(),
  cancellationDate: iso().nullable(),
  previousOfferCode: z.string().optional(),
  test: z.boolean(),
  receivedAt: iso(),
  outcome: z.strictObject(OutcomeShape),
  parked: z.boolean().optional(),
  appliedAt: iso().nullable(),
  waitedForMapping: z.boolean().optional(),
  replayedAt: iso().nullable(),
  /** How the delivery that brought it was answered; absent when no delivery did. */
  arrival: z.enum(['processed', 'duplicate', 'ignored', 'unmapped', 'test', 'quarantined']).optional(),
});

/** By e-mail or subscriber code: every enrollment; by target: a page of its roster. */
export const EnrollmentsAnswerSchema = z.union([
  z.strictObject({ items: z.array(EnrollmentViewSchema) }),
  z.strictObject({ items: z.array(EnrollmentViewSchema), nextCursor: z.string().nullable() }),
]);
