import type { MiddlewareObj } from '@middy/core';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Logger } from '../logger.ts';
import { httpErrors } from './errors.ts';
import type { HttpResponse } from './responses.ts';
import { json } from './responses.ts';

/** Answer 503 this long before Lambda's timeout, so a slow store never becomes a killed request. */
const TIMEOUT_MARGIN_MS = 500;

/** The one middy chain every HTTP function uses: normalised headers, errors → JSON, early timeout. */
export function httpHandler<E extends APIGatewayProxyEventV2>(
  logger: Logger,
  middlewares: MiddlewareObj<E>[],
  handle: (event: E) => Promise<unknown>,
) {
  return middy<E, HttpResponse>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => json(503, { error: { code: 'STORAGE.UNAVAILABLE', message: 'timed out; retry later' } }),
  })
    .use(httpHeaderNormalizer() as MiddlewareObj<E>)
    .use(middlewares)
    .use(httpErrors(logger) as MiddlewareObj<E>)
    .handler(handle as (event: E) => Promise<HttpResponse>);
}
