import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { AppError } from '../domain/errors.ts';

/** Validates transport input; a failure names each bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError(
    'REQUEST.INVALID',
    `invalid ${what}`,
    result.error.issues.flatMap((issue) => {
      const at = issue.path.map(String);
      // An unknown key (a misspelt "polcy") is named as the field, not as its parent object.
      if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'unknown field' }));
      return [{ field: at.join('.') || what, message: issue.message }];
    }),
  );
}

/** The largest admin request body (a mapping with 25 targets is under 8 KiB). */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An admin request's JSON body: at most `maxBytes` (413 above), valid UTF-8 (400), JSON (400).
 * A body that arrived as text and holds U+FFFD is refused too: that is what bytes that were not
 * UTF-8 became on their way here, and storing it would keep a corrupted value.
 */
export function jsonBody(event: APIGatewayProxyEventV2, maxBytes = MAX_ADMIN_BODY_BYTES): unknown {
  const bytes = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (bytes.length > maxBytes) throw new AppError('REQUEST.TOO_LARGE', `the body exceeds ${maxBytes} bytes`);
  let raw: string | undefined;
  try {
    raw = utf8.decode(bytes);
  } catch {
    raw = undefined;
  }
  if (raw === undefined || raw.includes('\uFFFD')) throw new AppError('REQUEST.INVALID_JSON', 'the body is not valid UTF-8: send JSON encoded as UTF-8');
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

export type Route = (event: APIGatewayProxyEventV2) => Promise<unknown>;

/** Dispatches on API Gateway's route key ("PUT /mappings/{productId}"). */
export function routeByKey(routes: Record<string, Route>): Route {
  return (event) => {
    const route = routes[event.routeKey];
    if (!route) throw new AppError('ROUTE.NOT_FOUND', `no route ${event.routeKey}`);
    return route(event);
  };
}
