import * as z from 'zod';
import { MAX_WINDOW_MS, RUN_ID_PATTERN } from '#lib/domain/reconciliation.ts';
import { SchoolIdSchema } from '#lib/domain/school.ts';

/** A schedule's input gives hours as a number or a numeric string; out of 1 h – 62 days, the configured window applies. */
const WindowHours = z.coerce.number().int().min(1).max(MAX_WINDOW_MS / 3600_000).optional().catch(undefined);

/**
 * The runner's input: `{ schoolId, runId }` from `POST /schools/{schoolId}/reconciliations`, or
 * `{ schoolId, windowHours? }`: a scheduled run of one school (the configured window unless it
 * names one). Without a school (EventBridge's own event), there is nothing to run.
 */
export const RunnerInputSchema = z.union([
  z.object({ schoolId: SchoolIdSchema, runId: z.string().regex(RUN_ID_PATTERN, 'must be a reconciliation run id') }).transform(({ schoolId, runId }) => ({ schoolId, runId })),
  z.object({ schoolId: SchoolIdSchema, runId: z.never().optional(), windowHours: WindowHours }).transform(({ schoolId, windowHours }) => ({ schoolId, windowHours })),
  z.object({ schoolId: z.never().optional() }).transform(() => ({})),
]);
