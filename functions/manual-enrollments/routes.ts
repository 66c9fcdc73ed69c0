import type { DynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { callerOf, jsonBody, validate } from '#lib/http/request.ts';
import { routeBySchool, SCHOOL_PATH } from '#lib/http/school-routes.ts';
import { json, noContent } from '#lib/http/responses.ts';
import type { Logger } from '#lib/logger.ts';
import type { ManualDeps } from '#lib/services/manual-enrollments.ts';
import { grantManualEnrollment, revokeManualEnrollment } from '#lib/services/manual-enrollments.ts';
import { ManualEnrollmentPathSchema, ManualGrantSchema } from './schema.ts';

const PATH = `${SCHOOL_PATH}/students/{email}/enrollments/{targetType}/{targetId}`;

export function manualEnrollmentRoutes(deps: Pick<DynamoDeps, 'schools'> & { storesFor: (scope: string) => ManualDeps }, logger: Logger) {
  return routeBySchool(deps.schools, deps.storesFor, {
    [`PUT ${PATH}`]: async (event, deps) => {
      const { email, targetType, targetId } = validate(ManualEnrollmentPathSchema, event.pathParameters ?? {}, 'path');
      const input = validate(ManualGrantSchema, event.body ? jsonBody(event) : {}, 'body');
      const by = callerOf(event);
      const { created, enrollment } = await grantManualEnrollment(email, { type: targetType, id: targetId }, input, by, deps);
      // Who granted what (never the e-mail or the note: personal data).
      logger.info('manual enrollment granted', { schoolId: deps.school.schoolId, targetType, targetId, by, created });
      return json(created ? 201 : 200, enrollment);
    },
    [`DELETE ${PATH}`]: async (event, deps) => {
      const { email, targetType, targetId } = validate(ManualEnrollmentPathSchema, event.pathParameters ?? {}, 'path');
      await revokeManualEnrollment(email, { type: targetType, id: targetId }, deps);
      logger.info('manual enrollment removed', { schoolId: deps.school.schoolId, targetType, targetId, by: callerOf(event) });
      return noContent();
    },
  });
}
