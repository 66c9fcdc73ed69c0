import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Logger } from '../logger.ts';
import type { AuditChange, AuditLog } from '../services/audit-ports.ts';
import { AUDITED_ROUTES } from './audit-routes.ts';
import type { AuditedRequest, DescribeWrite } from './audit-routes.ts';
import { callerOf } from './request.ts';
import type { HttpResponse } from './responses.ts';

function parsed(body: string | undefined, base64 = false): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(base64 ? Buffer.from(body, 'base64').toString('utf8') : body);
  } catch {
    return undefined;
  }
}

/** Only `keys` of a JSON object body (a describer's `bodyKeys`). */
function picked(body: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(keys.filter((key) => key in body).map((key) => [key, (body as Record<string, unknown>)[key]]));
}

/**
 * Leaves an audit record of each administrative write that succeeded (a 2xx answer): who (the IAM
 * principal of the request context, "local" without one), which route, what its describer
 * (lib/http/audit-routes.ts) says changed, and when. A failed write (4xx, 5xx, an early 503) did
 * nothing and leaves nothing. Written after the change: a failed audit write logs an error with the
 * record's non-sensitive fields and the answer stays the change's, since the change is done and a
 * 5xx would have the caller repeat it (README, "Audit").
 */
export function audited(log: Pick<AuditLog, 'write'>, logger: Logger, routes: Record<string, DescribeWrite> = AUDITED_ROUTES): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> {
  return {
    after: async ({ event, response }) => {
      const describe = routes[event.routeKey];
      const schoolId = event.pathParameters?.schoolId;
      const status = response?.statusCode ?? 0;
      if (!describe || status < 200 || status >= 300 || !schoolId) return;
      const by = callerOf(event);
      const request: AuditedRequest = { path: event.pathParameters ?? {}, hasBody: Boolean(event.body), status, answer: parsed(response?.body) as AuditedRequest['answer'] };
      if (describe.bodyKeys) request.body = picked(parsed(event.body, event.isBase64Encoded), describe.bodyKeys);
      let change: AuditChange | undefined;
      try {
        change = describe(request);
        await log.write({ schoolId, by, route: event.routeKey, at: Date.now(), ...change });
      } catch (error) {
        // Never the e-mail or the summary: the route, the action, the ids are enough to find the change.
        logger.error('audit record not written: the change stands', {
          schoolId,
          route: event.routeKey,
          by,
          action: change?.action,
          ids: change ? JSON.stringify(change.ids) : undefined,
          errorName: (error as Error).name,
        });
      }
    },
  };
}
