import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { hottokSource } from '#lib/http/hottok.ts';
import { json } from '#lib/http/responses.ts';
import type { WebhookEvent } from '#lib/http/webhook.ts';
import { HEALTH_MESSAGE, hotmartWebhookGuard, webhookResponse } from '#lib/http/webhook.ts';
import { createLogger } from '#lib/logger.ts';
import { receiveHotmartDelivery } from '#lib/services/receive-webhook.ts';

const config = loadConfig();
const deps = createDynamoDeps(config);
const logger = createLogger('webhook');

export const handler = httpHandler<WebhookEvent>(logger, [hottokSource(config), hotmartWebhookGuard(logger)], async (event) =>
  event.delivery
    ? webhookResponse(await receiveHotmartDelivery(event.delivery, deps), logger)
    : json(200, { status: 'ok', message: HEALTH_MESSAGE }),
);
