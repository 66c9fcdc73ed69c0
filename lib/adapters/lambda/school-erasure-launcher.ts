import type { Config } from '../../config.ts';
import type { SchoolErasureJobLauncher } from '../../services/ports.ts';
import { invokeAsync } from './invoke-async.ts';

/**
 * Hands a step of a deleted school's erasure to functions/erase-school, asynchronously: Lambda
 * retries a failed step (MaximumRetryAttempts) and sends one that still fails to its on-failure
 * queue (serverless.yml); the scheduled sweep starts every tombstone's erasure again. Locally the
 * same worker runs behind serverless-offline's Lambda port.
 */
export function lambdaSchoolErasureLauncher(config: Pick<Config, 'region' | 'erasure'>): SchoolErasureJobLauncher {
  const { eraseFunction, lambdaEndpoint } = config.erasure;
  return async (job) => {
    if (!eraseFunction) throw new Error('ERASE_SCHOOL_FUNCTION is not set: no background erasure to start');
    await invokeAsync({ region: config.region, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) }, eraseFunction, job);
  };
}
