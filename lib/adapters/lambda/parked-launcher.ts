import type { Config } from '../../config.ts';
import type { SchoolParkedJobLauncher } from '../../services/ports.ts';
import { invokeAsync } from './invoke-async.ts';

/**
 * Hands the rest of a product's parked events to functions/apply-parked, asynchronously: Lambda
 * retries a failed step (MaximumRetryAttempts) and sends one that still fails to its on-failure
 * queue (serverless.yml). A step delivered twice applies nothing twice (lib/services/apply-parked.ts).
 */
export function lambdaParkedLauncher(config: Pick<Config, 'region' | 'parked'>): SchoolParkedJobLauncher {
  const { applyFunction, lambdaEndpoint } = config.parked;
  return async (job) => {
    if (!applyFunction) throw new Error('APPLY_PARKED_FUNCTION is not set: no background worker to start');
    await invokeAsync({ region: config.region, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) }, applyFunction, job);
  };
}
