import type { Context } from 'aws-lambda';
import type { Logger } from '#lib/logger.ts';
import { inInvocation } from '#lib/logger.ts';
import { eraseSchoolStep, sweepTombstones } from '#lib/services/school-erasure.ts';
import type { SchoolErasureDeps } from '#lib/services/school-erasure.ts';
import { EraseSchoolEventSchema } from './schema.ts';

/**
 * A deleted school's background erasure: a step erases pages until its time is nearly up, then
 * invokes the function again with its position. The schedule's `{"sweep": true}` starts every
 * tombstone's erasure again. A throw makes Lambda retry the step; after the last retry it goes to
 * the on-failure queue, and the next sweep starts that school's erasure again.
 */
export function eraseSchoolWorker(deps: Omit<SchoolErasureDeps, 'now'>, logger: Logger) {
  return inInvocation(async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const job = EraseSchoolEventSchema.parse(event);
    if ('sweep' in job) {
      const launched = await sweepTombstones(deps);
      logger.info('school erasures started again', { launched });
      return { launched };
    }
    const remaining = context.getRemainingTimeInMillis();
    const deadline = Date.now() + remaining - Math.min(10_000, remaining / 2);
    const result = await eraseSchoolStep(job, deadline, deps);
    logger.info('school erasure step', { schoolId: job.schoolId, ...result });
    return result;
  });
}
