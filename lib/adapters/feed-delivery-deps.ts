import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { DeliveryLog } from '../services/feed-delivery.ts';
import type { EventBus, WebhookSender } from '../services/feed-delivery-ports.ts';
import type { DeliveryQueue } from '../services/ports.ts';
import { createDocumentClient } from './dynamodb/client.ts';
import { createFeedDeliveryStore } from './dynamodb/feed-delivery-store.ts';
import { eventBridgeBus } from './eventbridge/event-bus.ts';
import { lambdaFeedRedriveLauncher } from './lambda/feed-redrive-launcher.ts';
import { LocalEventBus } from './local/event-bus.ts';
import { localHttpDeliveryQueue } from './local/http-delivery-queue.ts';
import { feedSecretSealerFor } from './secrets/feed-secret-sealer.ts';
import { sqsDeliveryQueue } from './sqs/delivery-queue.ts';
import { sendWebhook } from './webhooks/send.ts';

/**
 * The feed delivery functions' ports from the configuration (functions/feed-enqueue, feed-sender,
 * feed-redrive). AWS: SQS FIFO, EventBridge, KMS (FeedSecretsKey). A local run: the local runtime's
 * queue over http://127.0.0.1, LocalEventBus, localDevelopmentSealer, http to 127.0.0.1 allowed.
 */
type FeedConfig = Pick<Config, 'tables' | 'region' | 'dynamodbEndpoint' | 'dynamodbRequestTimeoutMs' | 'feed' | 'secrets'>;

export const deliveryLog = (logger: Logger): DeliveryLog => (message, fields) => logger.warn(message, fields);

export function feedStores(config: FeedConfig) {
  const db = createDocumentClient({ region: config.region, requestTimeoutMs: config.dynamodbRequestTimeoutMs, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
  return (scope: string) => createFeedDeliveryStore(db, config.tables.feed, scope);
}

export function feedDeliveryQueue(config: FeedConfig): DeliveryQueue {
  const url = config.feed.deliveryQueueUrl;
  if (!url) throw new Error('FEED_DELIVERY_QUEUE_URL is not set (serverless.yml FeedDeliveriesQueue)');
  return config.feed.local && url.startsWith('http://127.0.0.1') ? localHttpDeliveryQueue(url) : sqsDeliveryQueue({ queueUrl: url, region: config.region });
}

export function feedEventBus(config: FeedConfig, logger: Logger): EventBus {
  if (config.feed.busName && !config.feed.local) return eventBridgeBus({ busName: config.feed.busName, region: config.region });
  if (config.feed.local || config.secrets.localStandIns) return new LocalEventBus((line) => logger.info(line));
  throw new Error('FEED_BUS_NAME is not set (serverless.yml FeedBus)');
}

export function feedSecretOpener(config: FeedConfig) {
  const sealer = feedSecretSealerFor(config);
  return (schoolId: string, sealed: string) => sealer.open(schoolId, sealed);
}

export const feedWebhookSender = (config: FeedConfig): WebhookSender => (delivery) => sendWebhook(delivery, { local: config.feed.local });

export const feedRedriveLauncher = lambdaFeedRedriveLauncher;
