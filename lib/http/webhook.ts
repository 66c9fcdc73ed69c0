import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Config } from '../config.ts';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Delivery, ReceiveDeps, ReceiveResult } from '../services/receive-webhook.ts';
import { receiveHotmartDelivery } from '../services/receive-webhook.ts';
import { httpHandler } from './handler.ts';
import type { TokenSource } from '../adapters/ssm/token-parameters.ts';
import { tokenMatches, tokenSourceFor } from './hottok.ts';
import type { HttpResponse } from './responses.ts';
import { json } from './responses.ts';

export const MAX_BODY_BYTES = 256 * 1024;

export type WebhookEvent = APIGatewayProxyEventV2 & { delivery?: Delivery };

function mediaTypeOf(contentType: string | undefined): Delivery['mediaType'] | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json' || type === 'text/json' || (type?.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return undefined;
}

/**
 * Transport checks of a Hotmart POST, before anything is parsed or stored: size (413),
 * content type (415), token (401). The v2 token is the X-HOTMART-HOTTOK header; a v1 form
 * postback carries it as its `hottok` field. A POST that presents no token is refused without
 * asking for the accepted ones (no SSM read). The health GET checks a token is configured.
 */
export function hotmartWebhookGuard(logger: Logger, tokens: TokenSource): MiddlewareObj<WebhookEvent> {
  return {
    before: async (request) => {
      const { event } = request;
      const method = event.requestContext.http.method;
      if (method === 'GET') {
        if ((await tokens()).length === 0) throw new AppError('CONFIG.TOKEN_MISSING', NO_TOKEN_MESSAGE);
        return;
      }
      if (method !== 'POST') return;
      const bytes = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new AppError('REQUEST.TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
      }
      const mediaType = mediaTypeOf(event.headers['content-type']);
      if (!mediaType) {
        throw new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'send application/json (v2.0.0) or application/x-www-form-urlencoded (v1.0.0)');
      }
      const body = bytes.toString('utf8');
      const header = event.headers['x-hotmart-hottok'];
      const fromForm = header === undefined && mediaType === 'form';
      const presented = fromForm ? (new URLSearchParams(body).get('hottok') ?? undefined) : header;
      const refusal = fromForm ? 'missing or invalid hottok form field' : 'missing or invalid X-HOTMART-HOTTOK';
      if (!presented) {
        logger.warn('delivery refused: missing token', { tokenPresent: false });
        throw new AppError('AUTH.INVALID_TOKEN', refusal);
      }
      const accepted = await tokens();
      if (accepted.length === 0) {
        logger.error('no webhook token configured: refusing every delivery');
        throw new AppError('CONFIG.TOKEN_MISSING', 'the webhook is not configured yet; retry later');
      }
      if (!tokenMatches(presented, accepted)) {
        logger.warn('delivery refused: wrong token', { tokenPresent: true });
        throw new AppError('AUTH.INVALID_TOKEN', refusal);
      }
      event.delivery = { mediaType, body, receivedAt: Date.now() };
    },
  };
}

/** The health GET's answer while no token is configured: every delivery would be refused (503). */
export const NO_TOKEN_MESSAGE = 'no token configured: every delivery is refused (503) until the hottok is set (README, "Deploy")';

export const HEALTH_MESSAGE =
  'Hotmart webhook endpoint is up: configure this URL in Hotmart (Webhook, version 2.0.0); it takes POSTs carrying the X-HOTMART-HOTTOK header.';

export function webhookResponse(result: ReceiveResult, logger: Logger): HttpResponse {
  if (result.kind === 'quarantined') {
    logger.warn('delivery quarantined', { quarantineId: result.quarantineId, reason: result.reason });
    return json(202, { status: 'quarantined', reason: result.reason, quarantineId: result.quarantineId });
  }
  logger.info('delivery handled', { eventId: result.eventId, event: result.event, status: result.outcome.status });
  return json(200, { status: result.outcome.status, eventId: result.eventId, detail: result.outcome.detail });
}

/** The webhook Lambda: transport checks, then one delivery received; a GET answers 200 only if a POST could be accepted. */
export function webhookHandler(config: Config, deps: ReceiveDeps, logger: Logger, tokens: TokenSource = tokenSourceFor(config, logger)) {
  return httpHandler<WebhookEvent>(logger, [hotmartWebhookGuard(logger, tokens)], async (event) =>
    event.delivery
      ? webhookResponse(await receiveHotmartDelivery(event.delivery, deps), logger)
      : json(200, { status: 'ok', message: HEALTH_MESSAGE }),
  );
}
