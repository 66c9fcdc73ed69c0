import * as z from 'zod';
import { MAX_WINDOW_MS } from '#lib/domain/reconciliation.ts';
import { SchoolIdSchema } from '#lib/domain/school.ts';

/** A schedule's input gives hours as a number or a numeric string; out of 1 h – 62 days, the configured window applies. */
const WindowHours = z.coerce.number().int().min(1).max(MAX_WINDOW_MS / 3600_000).optional().catch(undefined);

/**
 * The fan-out's input: a schedule's event (EventBridge's own, with `windowHours` for the daily
 * wide one), or a step the fan-out handed to itself: the window of every run, and the last school read.
 */
export const FanOutInputSchema = z.union([
  z.object({ window: z.object({ from: z.number().int().min(0), to: z.number().int().min(0) }).refine((w) => w.from <= w.to && w.to - w.from <= MAX_WINDOW_MS), after: SchoolIdSchema.optional() }),
  z.object({ window: z.never().optional(), windowHours: WindowHours }),
]);
