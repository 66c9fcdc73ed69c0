import type { Context } from 'aws-lambda';
import type { Logger } from '#lib/logger.ts';
import type { ApplyParkedDeps } from '#lib/services/apply-parked.ts';
import { drainParked } from '#lib/services/apply-parked.ts';
import type { ParkedJobLauncher } from '#lib/services/ports.ts';
import { ParkedJobSchema } from './schema.ts';

/**
 * Applies the purchases that waited for a mapping, started by a mapping PUT that ran out of time,
 * then invokes itself for the rest. A throw makes Lambda retry this step; after the last retry the
 * step goes to the on-failure queue (serverless.yml) and the rest waits for the next mapping PUT.
 */
export function parkedWorker(deps: ApplyParkedDeps & { launch: ParkedJobLauncher }, logger: Logger) {
  return async (event: unknown, context: Context) => {
    const job = ParkedJobSchema.parse(event);
    const remaining = context.getRemainingTimeInMillis();
    // Stop starting new work with time left to hand over the rest: 10 s, or half of a short timeout.
    const deadline = Date.now() + remaining - Math.min(10_000, remaining / 2);
    const { applied, continued } = await drainParked(job, deadline, deps);
    logger.info('parked purchases applied', { productId: job.productId, applied, continued });
    return { productId: job.productId, applied, continued };
  };
}
