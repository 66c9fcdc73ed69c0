import * as z from 'zod';
import { MAX_WINDOW_MS, RUN_ID_PATTERN } from '#lib/domain/reconciliation.ts';

/** A schedule's input gives hours as a number or a numeric string; out of 1 h – 62 days, the configured window applies. */
const WindowHours = z.coerce.number().int().min(1).max(MAX_WINDOW_MS / 3600_000).optional().catch(undefined);

/**
 * The runner's input: `{ runId }` from `POST /reconciliations`, or EventBridge's scheduled event
 * (the hourly rule), or the daily rule's input `{ windowHours }`.
 */
export const RunnerInputSchema = z.union([
  z.object({ runId: z.string().regex(RUN_ID_PATTERN, 'must be a reconciliation run id') }).transform(({ runId }) => ({ runId })),
  z.object({ runId: z.never().optional(), windowHours: WindowHours }).transform(({ windowHours }) => ({ windowHours })),
]);
