import type { Context } from 'aws-lambda';
import type { Logger } from '#lib/logger.ts';
import { inInvocation } from '#lib/logger.ts';
import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { drainParked } from '#lib/services/apply-parked.ts';
import type { SchoolParkedJobLauncher } from '#lib/services/ports.ts';
import { ParkedJobSchema } from './schema.ts';

/**
 * Applies one school's purchases that waited for a mapping, started by a mapping PUT that ran out of time,
 * then invokes itself for the rest. A throw makes Lambda retry this step; after the last retry the
 * step goes to the on-failure queue (serverless.yml) and the rest waits for the next mapping PUT.
 */
export function parkedWorker(deps: Pick<DynamoDeps, 'storesFor'> & { launch: SchoolParkedJobLauncher }, logger: Logger) {
  return inInvocation(async (event: unknown, context: Context) => {
    const { scope, ...job } = ParkedJobSchema.parse(event);
    const stores = deps.storesFor(scope);
    const scoped = { store: stores.mappingStore, events: stores.events, launch: (next: typeof job) => deps.launch({ ...next, scope }) };
    const remaining = context.getRemainingTimeInMillis();
    // Stop starting new work with time left to hand over the rest: 10 s, or half of a short timeout.
    const deadline = Date.now() + remaining - Math.min(10_000, remaining / 2);
    const { applied, continued } = await drainParked(job, deadline, scoped);
    logger.info('parked purchases applied', { schoolId: scope.split('#')[0], productId: job.productId, applied, continued });
    return { productId: job.productId, applied, continued };
  });
}
