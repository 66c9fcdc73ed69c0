import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { AppError } from '../domain/errors.ts';
import type { Precondition } from '../services/ports.ts';

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

/** At most this many distinct versions in one header (DynamoDB's IN takes 100). */
const MAX_TAGS = 50;

/**
 * The versions an If-Match / If-None-Match list names, per RFC 9110: `*`, or entity tags
 * (`"3"`, `W/"3"`, `"3", "4"`; a bare `3` is read as `"3"`, for curl users). A member that is
 * not one of our tags matches nothing. If-Match compares strongly: a weak tag never matches.
 */
function taggedVersions(header: string, field: string, weakMatches: boolean): '*' | number[] {
  if (header.trim() === '*') return '*';
  const versions = new Set<number>();
  for (const member of header.match(/(?:W\/)?"[^"]*"|[^,\s]+/g) ?? []) {
    const tag = /^(W\/)?"(\d{1,15})"$/.exec(member) ?? /^()(\d{1,15})$/.exec(member);
    if (tag && (weakMatches || !tag[1])) versions.add(Number(tag[2]));
  }
  if (versions.size > MAX_TAGS) throw new AppError('REQUEST.INVALID', `too many tags in ${field}`, [{ field, message: `at most ${MAX_TAGS} tags` }]);
  return [...versions];
}

/** The request's preconditions, for the store's conditional write to decide. */
export function preconditionOf(event: APIGatewayProxyEventV2): Precondition {
  const ifMatch = event.headers['if-match'];
  const ifNoneMatch = event.headers['if-none-match'];
  return {
    ...(ifMatch !== undefined ? { ifMatch: taggedVersions(ifMatch, 'If-Match', false) } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: taggedVersions(ifNoneMatch, 'If-None-Match', true) } : {}),
  };
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
