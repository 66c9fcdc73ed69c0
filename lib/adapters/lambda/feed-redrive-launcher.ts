import type { Config } from '../../config.ts';
import type { FeedRedriveLauncher } from '../../services/feed-delivery-ports.ts';
import { invokeAsync } from './invoke-async.ts';

/**
 * Starts a redrive step of functions/feed-redrive asynchronously: Lambda retries a failed step and
 * sends one that still fails to its on-failure queue (serverless.yml). Locally, serverless-offline's
 * Lambda endpoint (LAMBDA_ENDPOINT).
 */
export function lambdaFeedRedriveLauncher(config: Pick<Config, 'region' | 'feed'>): FeedRedriveLauncher {
  const { redriveFunction, lambdaEndpoint } = config.feed;
  return async (job) => {
    if (!redriveFunction) throw new Error('FEED_REDRIVE_FUNCTION is not set: no redrive to start');
    await invokeAsync({ region: config.region, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) }, redriveFunction, job);
  };
}
