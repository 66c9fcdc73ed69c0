import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { pepperSourceFor } from '#lib/adapters/secrets/pepper.ts';
import { loadConfig } from '#lib/config.ts';
import { webhookHandler } from '#lib/http/webhook.ts';
import { createLogger } from '#lib/logger.ts';
import { createMetrics } from '#lib/observability/metrics.ts';

const config = loadConfig();

export const handler = webhookHandler(config, createDynamoDeps(config), createLogger('webhook', config.logLevel), {
  pepper: pepperSourceFor(config),
  metrics: createMetrics(config.metricsNamespace, 'webhook'),
});
