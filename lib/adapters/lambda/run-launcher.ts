import type { Config } from '../../config.ts';
import type { RunLauncher } from '../../services/ports.ts';
import { invokeAsync } from './invoke-async.ts';

/**
 * Hands a started run to the runner function as an asynchronous invocation: the API answers at
 * once and the run goes on for as long as the runner's timeout allows. An invocation Lambda
 * delivers twice, or retries, finds the run already claimed and does nothing (executeRun).
 * Locally the same call reaches serverless-offline's Lambda endpoint.
 */
export function lambdaRunLauncher(config: Pick<Config, 'region' | 'reconciliation'>): RunLauncher {
  const { runnerFunction, lambdaEndpoint } = config.reconciliation;
  return async ({ schoolId, runId }) => {
    if (!runnerFunction) throw new Error('RECONCILE_FUNCTION is not set: no runner to start');
    await invokeAsync({ region: config.region, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) }, runnerFunction, { schoolId, runId });
  };
}
