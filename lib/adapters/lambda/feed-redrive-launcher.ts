import type { Config } from '../../config.ts';
import type { FeedRedriveLauncher as AdminRedriveLauncher } from '../../services/feed-admin-ports.ts';
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

/**
 * The feed routes' launcher (lib/services/feed-admin-ports.ts): their request as the redrive
 * worker's job (functions/feed-redrive/worker.ts), times as ISO dates and the replay id as the nonce.
 */
export function feedAdminRedriveLauncher(launch: FeedRedriveLauncher): AdminRedriveLauncher {
  return {
    async launch(request) {
      const { scope } = request;
      if (request.mode === 'pending') return launch({ scope, mode: 'pending', nonce: `pending-${Date.now().toString(36)}` });
      if ('eventIds' in request) return launch({ scope, mode: 'replay', nonce: request.replay, eventIds: request.eventIds });
      return launch({ scope, mode: 'replay', nonce: request.replay, from: new Date(request.from).toISOString(), ...(request.to === null ? {} : { to: new Date(request.to).toISOString() }) });
    },
  };
}
