import type { MiddlewareObj } from '@middy/core';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { SCHOOL_ID_PATTERN } from '../domain/school.ts';
import type { Logger } from '../logger.ts';
import { invocationContext, setLogContext, withInvocation } from '../logger.ts';
import { httpErrors } from './errors.ts';
import type { HttpResponse } from './responses.ts';
import { json } from './responses.ts';

/** Answer 503 this long before Lambda's timeout, so a slow store never becomes a killed request. */
export const TIMEOUT_MARGIN_MS = 500;

/** Told once per request, after the answer (the webhook's metrics line); by default nothing is logged for an answer. */
export type RequestSummary = (response: HttpResponse, durationMs: number, route: string) => void;

/**
 * The one middy chain every HTTP function uses: normalised headers, errors → JSON, early timeout;
 * every line logged while it runs carries the request id, the cold-start flag, the school of the
 * path and, once answered, the outcome (lib/logger.ts).
 */
export function httpHandler<E extends APIGatewayProxyEventV2>(
  logger: Logger,
  middlewares: MiddlewareObj<E>[],
  handle: (event: E, context: Context) => Promise<unknown>,
  summary?: RequestSummary,
) {
  const chain = middyChain(logger, middlewares, handle);
  return (event: E, context: Context): Promise<HttpResponse> =>
    withInvocation(context.awsRequestId, async () => {
      const started = performance.now();
      const schoolId = event.pathParameters?.schoolId;
      if (schoolId && SCHOOL_ID_PATTERN.test(schoolId)) setLogContext({ schoolId });
      const response = await chain(event, context);
      if (!invocationContext()?.outcome) setLogContext({ outcome: String(response.statusCode) });
      summary?.(response, performance.now() - started, event.routeKey);
      return response;
    });
}

function middyChain<E extends APIGatewayProxyEventV2>(logger: Logger, middlewares: MiddlewareObj<E>[], handle: (event: E, context: Context) => Promise<unknown>) {
  // The early answers given, so the chain can tell one from the handler's own (and log it).
  const timedOut = new WeakSet<HttpResponse>();
  const logTimeout: MiddlewareObj<E, HttpResponse> = {
    after: (request) => {
      // The route key is the template ("DELETE /students/{email}"): no path parameter, no personal data.
      if (request.response && timedOut.has(request.response)) logger.error('timed out: answered 503 before the Lambda timeout', { route: request.event.routeKey });
    },
  };
  return middy<E, HttpResponse>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      const response = json(503, { error: { code: 'STORAGE.UNAVAILABLE', message: 'timed out; retry later' } });
      timedOut.add(response);
      return response;
    },
  })
    .use(httpHeaderNormalizer() as MiddlewareObj<E>)
    .use(logTimeout)
    .use(middlewares)
    .use(httpErrors(logger) as MiddlewareObj<E>)
    .handler(handle as (event: E, context: Context) => Promise<HttpResponse>);
}
