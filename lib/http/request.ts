import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { AppError } from '../domain/errors.ts';

/** Validates transport input; a failure names each bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError(
    'REQUEST.INVALID',
    `invalid ${what}`,
    result.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || what, message: issue.message })),
  );
}

export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('REQUEST.INVALID_JSON', 'the body must be a JSON object');
  }
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; absent → undefined. */
export function ifMatchVersion(event: APIGatewayProxyEventV2): number | undefined {
  const header = event.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) {
    throw new AppError('REQUEST.INVALID', 'invalid If-Match', [{ field: 'If-Match', message: 'must be a mapping version, e.g. "3"' }]);
  }
  return Number(match[1]);
}

/** A route gets Lambda's context too, for the time it has left. */
export type Route = (event: APIGatewayProxyEventV2, context?: Context) => Promise<unknown>;

/** Dispatches on API Gateway's route key ("PUT /mappings/{productId}"). */
export function routeByKey(routes: Record<string, Route>): Route {
  return (event, context) => {
    const route = routes[event.routeKey];
    if (!route) throw new AppError('ROUTE.NOT_FOUND', `no route ${event.routeKey}`);
    return route(event, context);
  };
}

/** Who made an IAM-authorised request (the caller's ARN), for audit logs; "local" where no IAM authoriser runs. */
export function callerOf(event: APIGatewayProxyEventV2): string {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string | null; userId?: string | null } } }).authorizer?.iam;
  return iam?.userArn || iam?.userId || 'local';
}
