import * as z from 'zod';
import { CHANGES_LISTED, RUN_ID_PATTERN } from '#lib/domain/reconciliation.ts';

export { windowSchema } from '#lib/domain/reconciliation.ts';

export const RunListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const RunPathSchema = z.strictObject({ id: z.string().regex(RUN_ID_PATTERN, 'must be a reconciliation run id') });

const iso = () => z.iso.datetime();
const count = () => z.number().int();

/** What a run found and did (lib/domain/reconciliation.ts ReconciliationReport). */
export const ReportSchema = z.strictObject({
  checked: z.strictObject({ sales: count(), subscriptions: count() }),
  alreadyKnown: count(),
  applied: z.strictObject({ grants: count(), revocations: count(), other: count() }),
  /** The ids of the events behind those grants and revocations (the first of each, bounded): GET …/events/{id} names the buyer. */
  changes: z.strictObject({ grants: z.array(z.string()).max(CHANGES_LISTED), revocations: z.array(z.string()).max(CHANGES_LISTED) }),
  skipped: z.strictObject({ unmapped: count(), unmappedProducts: z.array(z.string()), other: count(), reasons: z.record(z.string(), count()) }),
  errors: z.array(z.strictObject({ scope: z.string(), message: z.string() })),
});

/** A run as the API shows it (routes.ts runView). */
export const RunViewSchema = z.strictObject({
  id: z.string(),
  trigger: z.enum(['schedule', 'api']),
  status: z.enum(['running', 'succeeded', 'failed', 'abandoned']),
  from: iso(),
  to: iso(),
  startedAt: iso(),
  finishedAt: iso().nullable(),
  /** While running: no other run of the school starts before. */
  leaseUntil: iso().optional(),
  report: ReportSchema.nullable(),
  /** Finished after its lease expired and another run took over. */
  lateFinish: z.literal(true).optional(),
});
