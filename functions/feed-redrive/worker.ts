import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { SchoolScopeSchema } from '#lib/domain/school.ts';
import type { Logger } from '#lib/logger.ts';
import { redriveStep } from '#lib/services/feed-redrive.ts';
import type { RedriveDeps } from '#lib/services/feed-redrive.ts';
import type { FeedDeliveryStore, FeedRedriveJob } from '#lib/services/feed-delivery-ports.ts';

const base = { scope: SchoolScopeSchema, nonce: z.string().min(1).max(64), after: z.string().optional() };
export const FeedRedriveJobSchema = z.union([
  z.object({ ...base, mode: z.literal('pending') }),
  z.object({ ...base, mode: z.literal('replay'), eventIds: z.array(z.string()).min(1).max(1000) }),
  z.object({ ...base, mode: z.literal('replay'), from: z.iso.datetime(), to: z.iso.datetime().optional() }),
]);

/**
 * One redrive step: queues what fits before the deadline, then invokes itself for the rest. A
 * throw makes Lambda retry the step; after the last retry it goes to the on-failure queue.
 */
export function feedRedriveHandler(deps: Omit<RedriveDeps, 'store'> & { storeFor: (scope: string) => FeedDeliveryStore }, logger: Logger) {
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const job = FeedRedriveJobSchema.parse(event) as FeedRedriveJob;
    const remaining = context.getRemainingTimeInMillis();
    const deadline = Date.now() + remaining - Math.min(10_000, remaining / 2);
    const result = await redriveStep(job, deadline, { ...deps, store: deps.storeFor(job.scope) });
    logger.info('feed redrive step', { schoolId: job.scope.split('#')[0], mode: job.mode, ...result });
    return result;
  };
}
