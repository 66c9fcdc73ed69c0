import * as z from 'zod';
import { TargetSchema } from '../domain/mapping.ts';
import { TX_STATUSES } from '../domain/transaction-status.ts';

/**
 * Answers more than one function gives, as zod schemas (the API description, docs/openapi.json,
 * is generated from them; the integration tests validate every answer against it).
 */

const iso = () => z.iso.datetime();
const ANSWER_STATUSES = ['processed', 'duplicate', 'ignored', 'unmapped', 'test'] as const;
const SUBSCRIPTION_STATUSES = ['pending', 'active', 'suspended', 'cancelled', 'revoked'] as const;

/** An enrollment as the read API shows it (lib/services/enrollments.ts viewEnrollment): access derived when read. */
export const EnrollmentViewSchema = z.strictObject({
  email: z.string(),
  target: TargetSchema,
  status: z.enum(['active', 'suspended', 'cancelled', 'revoked', 'switched']),
  hasAccess: z.boolean(),
  accessUntil: iso().nullable(),
  subscriberCode: z.string().nullable(),
  plan: z.strictObject({ id: z.string().nullable(), name: z.string().nullable(), offerCode: z.string().nullable() }).nullable(),
  productId: z.string().nullable(),
  /** The transactions behind it, then the shown subscription's charges. */
  transactions: z.array(z.looseObject({ transaction: z.string(), status: z.string() })),
  manual: z.strictObject({ grantedAt: iso(), note: z.string().nullable(), until: iso().nullable() }).nullable(),
  createdAt: iso(),
  updatedAt: iso(),
  lastEventId: z.string().nullable(),
});

const TransactionEffectSchema = z.strictObject({ transaction: z.string(), from: z.enum(TX_STATUSES).nullable(), to: z.enum(TX_STATUSES), targets: z.array(TargetSchema) });
const SubscriptionEffectSchema = z.strictObject({
  subscriberCode: z.string(),
  transaction: z.string().optional(),
  from: z.enum(SUBSCRIPTION_STATUSES).nullable(),
  to: z.enum(SUBSCRIPTION_STATUSES),
  targets: z.array(TargetSchema),
});

/** What applying an event did (lib/domain/write-plan.ts Outcome). */
export const OutcomeShape = {
  status: z.enum(ANSWER_STATUSES),
  detail: z.string(),
  effects: z.array(z.union([TransactionEffectSchema, SubscriptionEffectSchema])).optional(),
  duplicateOf: z.string().optional(),
};

/** A delivery received (the webhook's 200, a quarantine replay that applied): its status, event id and a readable detail. */
export const DeliveryAppliedSchema = z.strictObject({ status: z.enum(ANSWER_STATUSES), eventId: z.string(), detail: z.string() });

/** A delivery that could not be read as a Hotmart event: kept in quarantine (GET /schools/{schoolId}/quarantine). */
export const DeliveryQuarantinedSchema = z.strictObject({ status: z.literal('quarantined'), reason: z.string(), quarantineId: z.string() });
