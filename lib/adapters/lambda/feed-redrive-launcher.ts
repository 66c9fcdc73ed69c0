import type { Config } from '../../config.ts';
import type { FeedRedriveLauncher } from '../../services/feed-admin-ports.ts';
import { invokeAsync } from './invoke-async.ts';

/**
 * Hands a redrive (a re-enabled endpoint's pending events, an operator's replay) to
 * functions/feed-redrive, asynchronously: Lambda retries a failed step and sends one that still
 * fails to its on-failure queue (serverless.yml). Locally the same call reaches serverless-offline's
 * Lambda endpoint (or a test's stand-in).
 */
export function lambdaFeedRedriveLauncher(config: Pick<Config, 'region' | 'feed'>): FeedRedriveLauncher {
  const { redriveFunction, lambdaEndpoint } = config.feed;
  return {
    async launch(request) {
      if (!redriveFunction) throw new Error('FEED_REDRIVE_FUNCTION is not set: no redrive worker to start');
      await invokeAsync({ region: config.region, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) }, redriveFunction, request);
    },
  };
}
