import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Config } from '../config.ts';
import { AppError } from '../domain/errors.ts';
import type { TokenHashes } from '../domain/school.ts';
import { hashMatches, SCHOOL_ID_PATTERN, scopeOf, tokenHash } from '../domain/school.ts';
import type { Logger } from '../logger.ts';
import { setLogContext } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { webhookMetrics } from '../observability/webhook-metrics.ts';
import type { PepperSource, SchoolStore } from '../services/ports.ts';
import type { SchoolCache } from '../services/school-cache.ts';
import { createSchoolCache } from '../services/school-cache.ts';
import type { Delivery, ReceiveDeps, ReceiveResult } from '../services/receive-webhook.ts';
import { receiveHotmartDelivery } from '../services/receive-webhook.ts';
import { httpHandler } from './handler.ts';
import type { HttpResponse } from './responses.ts';
import { json } from './responses.ts';

export const MAX_BODY_BYTES = 256 * 1024;

/** The guard's findings: the authenticated delivery, and the scope of the school it is for. */
export type WebhookEvent = APIGatewayProxyEventV2 & { delivery?: Delivery; scope?: string };

function mediaTypeOf(contentType: string | undefined): Delivery['mediaType'] | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json' || type === 'text/json' || (type?.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return undefined;
}

/** The school of the URL, from the cache (one registry read when absent or stale): 400 not a slug, 404 unknown or deleted. */
async function schoolOf(event: WebhookEvent, schools: SchoolCache) {
  const schoolId = event.pathParameters?.schoolId ?? '';
  if (!SCHOOL_ID_PATTERN.test(schoolId)) throw new AppError('REQUEST.INVALID', 'invalid path', [{ field: 'schoolId', message: 'must be a school id (a slug)' }]);
  const school = await schools.get(schoolId);
  if (!school) throw new AppError('SCHOOL.NOT_FOUND', `no school ${schoolId}`);
  return { schoolId, school };
}

const noToken = (tokens: TokenHashes | undefined): tokens is undefined => !tokens?.current;

/**
 * Transport checks of a Hotmart POST, before anything is parsed or stored, in this order: size
 * (413), content type (415), a token presented (401, nothing read), the school (404), a token
 * configured for it (503, so Hotmart retries), the token (401). The v2 token is the
 * X-HOTMART-HOTTOK header; a v1 form postback carries it as its `hottok` field. Only the token's
 * keyed hash is compared, in constant time, with the current and the previous hash; a mismatch
 * reads the school once more (at most once a second), so a token set a moment ago works at once.
 * The health GET answers 404 for an unknown school and 503 while it has no token.
 */
export function hotmartWebhookGuard(logger: Logger, schools: SchoolCache, pepper: PepperSource): MiddlewareObj<WebhookEvent> {
  return {
    before: async (request) => {
      const { event } = request;
      const method = event.requestContext.http.method;
      if (method === 'GET') {
        if (noToken((await schoolOf(event, schools)).school.tokens)) throw new AppError('CONFIG.TOKEN_MISSING', NO_TOKEN_MESSAGE);
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
      const { schoolId, school } = await schoolOf(event, schools);
      if (noToken(school.tokens)) {
        logger.error('school without a webhook token: refusing its deliveries', { schoolId });
        throw new AppError('CONFIG.TOKEN_MISSING', 'the webhook is not configured yet; retry later');
      }
      const hash = tokenHash(await pepper(), presented);
      let accepted = hashMatches(hash, school.tokens) ? school : null;
      if (!accepted) {
        const fresh = await schools.reread(schoolId);
        accepted = fresh && hashMatches(hash, fresh.tokens) ? fresh : null;
      }
      if (!accepted) {
        logger.warn('delivery refused: wrong token', { tokenPresent: true, schoolId });
        throw new AppError('AUTH.INVALID_TOKEN', refusal);
      }
      event.scope = scopeOf({ schoolId, incarnation: accepted.incarnation });
      event.delivery = { mediaType, body, receivedAt: Date.now() };
    },
  };
}

/** The health GET's answer while no token is configured: every delivery would be refused (503). */
export const NO_TOKEN_MESSAGE = 'not configured yet: no token is set for this school, so every delivery is refused (503) until PUT /schools/{schoolId}/hottok sets it';

export const HEALTH_MESSAGE =
  'Hotmart webhook endpoint is up: configure this URL in Hotmart (Webhook, version 2.0.0); it takes POSTs carrying the X-HOTMART-HOTTOK header.';

export function webhookResponse(result: ReceiveResult, logger: Logger): HttpResponse {
  setLogContext({ outcome: result.kind === 'quarantined' ? 'quarantined' : result.outcome.status });
  if (result.kind === 'quarantined') {
    logger.warn('delivery quarantined', { quarantineId: result.quarantineId, reason: result.reason });
    return json(202, { status: 'quarantined', reason: result.reason, quarantineId: result.quarantineId });
  }
  logger.info('delivery handled', { eventId: result.eventId, event: result.event, status: result.outcome.status });
  return json(200, { status: result.outcome.status, eventId: result.eventId, detail: result.outcome.detail });
}

/** What the webhook reads: the registry, and a school's stores. */
export type WebhookDeps = { schools: Pick<SchoolStore, 'get'>; storesFor(scope: string): ReceiveDeps };

/** The webhook Lambda: transport checks, then one delivery received by its school; a GET answers 200 only if a POST could be accepted. */
/** `metrics`: where each request's EMF line goes (its outcome, a refusal, a 5xx, its latency); none, none written. */
export function webhookHandler(
  config: Pick<Config, 'schoolCacheTtlMs'>,
  deps: WebhookDeps,
  logger: Logger,
  options: { pepper: PepperSource; now?: () => number; metrics?: Metrics },
) {
  const schools = createSchoolCache(deps.schools, { ttlMs: config.schoolCacheTtlMs, ...(options.now ? { now: options.now } : {}) });
  const { metrics } = options;
  return httpHandler<WebhookEvent>(
    logger,
    [hotmartWebhookGuard(logger, schools, options.pepper)],
    async (event) =>
      event.delivery && event.scope
        ? webhookResponse(await receiveHotmartDelivery(event.delivery, deps.storesFor(event.scope)), logger)
        : json(200, { status: 'ok', message: HEALTH_MESSAGE }),
    (response, durationMs, route) => metrics?.emit(webhookMetrics(response.statusCode ?? 200, durationMs), { route, statusCode: response.statusCode, durationMs: Math.round(durationMs) }),
  );
}
