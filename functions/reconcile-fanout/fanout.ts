import { slidingWindow } from '#lib/domain/reconciliation.ts';
import type { Logger } from '#lib/logger.ts';
import { inInvocation } from '#lib/logger.ts';
import type { FanOutDeps, FanOutStep } from '#lib/services/reconcile-fanout.ts';
import { fanOutStep } from '#lib/services/reconcile-fanout.ts';
import { FanOutInputSchema } from './schema.ts';

/**
 * The hourly and daily schedules' target: starts one run per school with credentials, a page of
 * the registry per invocation, each run handed to the runner asynchronously under its school's
 * lease; the rest of the registry goes to the next invocation of this function. A throw makes
 * Lambda retry the step, then send it to the on-failure queue (serverless.yml).
 */
export function reconcileFanOut(deps: FanOutDeps, options: { pageSize: number; leaseMs: number; windowHours: number; logger: Logger }) {
  const { logger } = options;
  const invocation = inInvocation(async (event: unknown, _context: { awsRequestId?: string } | undefined) => {
    const input = FanOutInputSchema.parse(event);
    // A schedule's event starts the chain over the window it names; every later step carries it on.
    const step: FanOutStep =
      input.window ? { window: input.window, ...(input.after ? { after: input.after } : {}) } : { window: slidingWindow(Date.now(), input.windowHours ?? options.windowHours) };
    const result = await fanOutStep(step, deps, { ...options, onFailure: (schoolId, reason) => logger.error('reconciliation not started for a school', { schoolId, reason }) });
    logger.info('reconciliations started', { after: step.after ?? null, started: result.started, busy: result.busy, failed: result.failed.length, continued: result.continued });
    return { ...result, failed: result.failed.length };
  });
  return (event: unknown, context?: { awsRequestId?: string }) => invocation(event, context);
}
