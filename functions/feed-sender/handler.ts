import { deliveryLog, feedDeliveryQueue, feedSecretOpener, feedStores, feedWebhookSender } from '#lib/adapters/feed-delivery-deps.ts';
import { loadConfig } from '#lib/config.ts';
import { createLogger } from '#lib/logger.ts';
import { createMetrics, feedOutcomeMetrics } from '#lib/observability/metrics.ts';
import { feedSenderHandler } from './worker.ts';

const config = loadConfig();

export const handler = feedSenderHandler({
  storeFor: feedStores(config),
  queue: feedDeliveryQueue(config),
  send: feedWebhookSender(config),
  openSecret: feedSecretOpener(config),
  now: Date.now,
  observe: feedOutcomeMetrics(createMetrics(config.metricsNamespace, 'feed-sender')),
  log: deliveryLog(createLogger('feed-sender', config.logLevel)),
});
