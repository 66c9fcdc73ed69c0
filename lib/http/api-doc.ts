import * as z from 'zod';
import type { ErrorCode } from '../domain/errors.ts';
import { HTTP_STATUS } from './errors.ts';

/**
 * How a function describes its own HTTP routes for the API description (docs/openapi.json,
 * scripts/openapi.ts): each functions/<fn>/openapi.ts exports `routes: RouteDoc[]`, written
 * next to the zod schemas the routes validate with. Nothing a handler imports imports this file.
 */
export type ResponseDoc = {
  description: string;
  /** The JSON body (none: an empty answer, e.g. 204). */
  schema?: z.ZodType;
  headers?: Record<string, string>;
};

export type RouteDoc = {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** As serverless.yml declares it: `/schools/{schoolId}/mappings/{productId}`. */
  path: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  /** `iam`: signed with SigV4 (API Gateway's aws_iam authoriser); `hottok`: Hotmart's token, no IAM. */
  auth: 'iam' | 'hottok';
  /** The path parameters' schema (a parameter not named here is a string); {schoolId} is always the school slug. */
  params?: z.ZodObject;
  /** The query string's schema: an object, or a union of objects (each alternative's fields are listed, none required). */
  query?: z.ZodType;
  headers?: { name: string; description: string; required?: boolean }[];
  body?: { schema: z.ZodType; required: boolean; description?: string; mediaTypes?: Record<string, z.ZodType> };
  /** By status; every route may also answer 500 and 503 (lib/http/errors.ts, the early timeout), added by the generator. */
  responses: Record<number, ResponseDoc>;
};

const issue = z.strictObject({ field: z.string(), message: z.string() });

/** Which error codes answer with this status (lib/http/errors.ts), plus the codes toErrorResponse uses for unexpected faults. */
export function errorCodesOf(status: number): string[] {
  const codes = (Object.entries(HTTP_STATUS) as [ErrorCode, number][]).filter(([, code]) => code === status).map(([code]) => code as string);
  if (status === 500) codes.push('INTERNAL');
  return codes.sort();
}

/**
 * An error answer (lib/http/errors.ts, toErrorResponse): `{ error: { code, message, issues? } }`,
 * plus the safe details a code carries (e.g. `run` for RECONCILIATION.IN_PROGRESS, `hotmart` for CREDENTIALS.REJECTED).
 */
export function errorBodySchema(status: number) {
  return z.strictObject({
    error: z.looseObject({
      code: z.enum(errorCodesOf(status) as [string, ...string[]]),
      message: z.string(),
      issues: z.array(issue).optional(),
    }),
  });
}

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is invalid (REQUEST.INVALID names each bad field in `issues`) or its body is not JSON',
  401: 'No token, or a wrong one',
  404: 'Not found (the school, or the item the path names)',
  409: 'Conflict',
  412: 'A precondition (If-Match / If-None-Match) failed',
  413: 'The body is too large',
  415: 'Unsupported content type',
  422: 'Refused by Hotmart',
  500: 'An unexpected error (INTERNAL); never a stack trace',
  503: 'Unavailable: retry later (storage unavailable or contended, a timeout, a dependency down)',
};

/** Error answers of these statuses, each with its codes. */
export function errors(...statuses: number[]): Record<number, ResponseDoc> {
  return Object.fromEntries(statuses.map((status) => [status, { description: ERROR_TEXT[status] ?? 'Error', schema: errorBodySchema(status) }]));
}

/** A page of a list: `nextCursor` is the opaque cursor of the next page, null at the end. */
export const pageOf = (item: z.ZodType) => z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });

export const isoDateTime = () => z.iso.datetime();

/** A JSON request body, as the admin routes read it (lib/http/request.ts jsonBody). */
export const jsonBodyDoc = (schema: z.ZodType, required = true): NonNullable<RouteDoc['body']> => ({ schema, required });

/** The errors of every route of a school resolved from its path (lib/http/school-routes.ts): 400 not a slug, 404 no such school. */
export const SCHOOL_ERRORS = [400, 404] as const;
