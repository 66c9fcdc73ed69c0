import { deliveryLog, feedDeliveryQueue, feedEventBus, feedStores } from '#lib/adapters/feed-delivery-deps.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { createMetrics, feedOutcomeMetrics } from '#lib/observability/metrics.ts';
import { feedEnqueueHandler } from './worker.ts';

const config = loadConfig();
const logger = createLogger('feed-enqueue', config.logLevel);

export const handler = feedEnqueueHandler({
  storeFor: feedStores(config),
  queue: feedDeliveryQueue(config),
  bus: feedEventBus(config, logger),
  now: Date.now,
  observe: feedOutcomeMetrics(createMetrics(config.metricsNamespace, 'feed-enqueue')),
  log: deliveryLog(logger),
});
