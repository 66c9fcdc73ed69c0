import { feedDeliveryQueue, feedRedriveLauncher, feedStores } from '#lib/adapters/feed-delivery-deps.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { feedRedriveHandler } from './worker.ts';

const config = loadConfig();

export const handler = feedRedriveHandler(
  { storeFor: feedStores(config), queue: feedDeliveryQueue(config), launch: feedRedriveLauncher(config), now: Date.now },
  createLogger('feed-redrive', config.logLevel),
);
