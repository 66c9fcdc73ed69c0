import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import type { School } from '../domain/school.ts';
import { SchoolIdSchema, scopeOf } from '../domain/school.ts';
import type { SchoolStore } from '../services/ports.ts';
import { activeSchool } from '../services/schools.ts';
import type { Route } from './request.ts';
import { routeByKey, validate } from './request.ts';

/** Every school's routes start with it. */
export const SCHOOL_PATH = '/schools/{schoolId}';

const SchoolPathSchema = z.object({ schoolId: SchoolIdSchema });

/** A route of one school: the request without `schoolId` in its path parameters, and the school's stores. */
export type SchoolRoute<S> = (event: APIGatewayProxyEventV2, scoped: S & { school: School }, context?: Context) => Promise<unknown>;

/**
 * Dispatches on the route key, as routeByKey does, for routes under /schools/{schoolId}: each
 * request resolves its school with one registry read (400 not a slug, 404 SCHOOL.NOT_FOUND absent
 * or deleted) and then acts through that school's stores only.
 */
export function routeBySchool<S>(schools: Pick<SchoolStore, 'get'>, storesFor: (scope: string) => S, routes: Record<string, SchoolRoute<S>>): Route {
  const scoped = Object.entries(routes).map(([key, route]): [string, Route] => [
    key,
    async (event, context) => {
      const { schoolId, ...rest } = event.pathParameters ?? {};
      validate(SchoolPathSchema, { schoolId }, 'path');
      const school = await activeSchool(schoolId!, { schools });
      return route({ ...event, pathParameters: rest as Record<string, string> }, { ...storesFor(scopeOf(school)), school }, context);
    },
  ]);
  return routeByKey(Object.fromEntries(scoped));
}
