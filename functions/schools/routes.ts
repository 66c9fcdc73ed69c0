import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { School } from '#lib/domain/school.ts';
import { jsonBody, routeByKey, validate } from '#lib/http/request.ts';
import { isoDate, json, noContent } from '#lib/http/responses.ts';
import type { Logger } from '#lib/logger.ts';
import type { PepperSource, SchoolErasureLauncher, SchoolStore } from '#lib/services/ports.ts';
import type { StatusDeps } from '#lib/services/school-status.ts';
import { readSchoolStatus } from '#lib/services/school-status.ts';
import { activeSchool, deleteSchool, dropPreviousToken, listSchools, putSchool, setSchoolToken } from '#lib/services/schools.ts';
import type { SchoolViewSchema } from './schema.ts';
import { SchoolInputSchema, SchoolListSchema, SchoolPathSchema, TokenInputSchema } from './schema.ts';

/** A school as the API shows it: never its incarnation or token hashes. */
export const schoolView = (school: School): z.output<typeof SchoolViewSchema> => ({
  schoolId: school.schoolId,
  name: school.name,
  createdAt: isoDate(school.createdAt),
  updatedAt: isoDate(school.updatedAt),
});

const schoolIdOf = (event: APIGatewayProxyEventV2) => validate(SchoolPathSchema, event.pathParameters ?? {}, 'path').schoolId;

/** `statusOf`: the reads behind a school's status (README, "The school's status"). */
export type SchoolDeps = { schools: SchoolStore; pepper: PepperSource; eraseSchool: SchoolErasureLauncher; statusOf: (school: School) => StatusDeps };

export function schoolRoutes(deps: SchoolDeps, logger: Logger) {
  return routeByKey({
    'PUT /schools/{schoolId}': async (event) => {
      const schoolId = schoolIdOf(event);
      const { name } = validate(SchoolInputSchema, jsonBody(event), 'school');
      const { school, created } = await putSchool(schoolId, name, deps);
      if (created) logger.info('school created', { schoolId });
      return json(created ? 201 : 200, schoolView(school), created ? { location: `/schools/${schoolId}` } : {});
    },
    'GET /schools/{schoolId}': async (event) => {
      const school = await activeSchool(schoolIdOf(event), deps);
      return json(200, { ...schoolView(school), status: await readSchoolStatus(school, deps.statusOf(school)) });
    },
    'GET /schools': async (event) => {
      const query = validate(SchoolListSchema, event.queryStringParameters ?? {}, 'query');
      const page = await listSchools(query.limit, query.cursor, deps);
      return json(200, { items: page.items.map(schoolView), nextCursor: page.nextCursor });
    },
    'DELETE /schools/{schoolId}': async (event) => {
      const schoolId = schoolIdOf(event);
      const { erasureStarted, reason } = await deleteSchool(schoolId, deps);
      logger.info('school deleted', { schoolId, erasureStarted });
      if (!erasureStarted) logger.warn('school erasure not started: the scheduled sweep will start it', { schoolId, reason });
      return json(202, { schoolId, status: 'deleted' });
    },
    'PUT /schools/{schoolId}/hottok': async (event) => {
      const schoolId = schoolIdOf(event);
      const { token } = validate(TokenInputSchema, jsonBody(event), 'body');
      await setSchoolToken(schoolId, token, deps);
      logger.info('school token set', { schoolId });
      return noContent();
    },
    'DELETE /schools/{schoolId}/hottok/previous': async (event) => {
      const schoolId = schoolIdOf(event);
      await dropPreviousToken(schoolId, deps);
      logger.info('school previous token dropped', { schoolId });
      return noContent();
    },
  });
}
