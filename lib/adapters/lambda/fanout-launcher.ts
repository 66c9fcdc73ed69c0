import type { Config } from '../../config.ts';
import type { FanOutStep } from '../../services/reconcile-fanout.ts';
import { invokeAsync } from './invoke-async.ts';

/**
 * Hands the next step of the schedules' fan-out to functions/reconcile-fanout (itself),
 * asynchronously: Lambda retries a failed step and sends one that still fails to its on-failure
 * queue (serverless.yml). Locally the same call reaches serverless-offline's Lambda endpoint.
 */
export function lambdaFanOutLauncher(config: Pick<Config, 'region' | 'reconciliation'>): (step: FanOutStep) => Promise<void> {
  const { fanOutFunction, lambdaEndpoint } = config.reconciliation;
  return async (step) => {
    if (!fanOutFunction) throw new Error('RECONCILE_FANOUT_FUNCTION is not set: the fan-out cannot hand over the rest of the schools');
    await invokeAsync({ region: config.region, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) }, fanOutFunction, step);
  };
}
