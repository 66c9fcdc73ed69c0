import { AppError } from '#lib/domain/errors.ts';
import type * as z from 'zod';
import { jsonBody, routeByKey, validate } from '#lib/http/request.ts';
import { isoDate, json, noContent } from '#lib/http/responses.ts';
import type { Logger } from '#lib/logger.ts';
import type { CredentialsView, SchoolCredentialsDeps } from '#lib/services/school-credentials.ts';
import { connectHotmart, disconnectHotmart, readHotmartConnection } from '#lib/services/school-credentials.ts';
import type { CredentialsViewSchema } from './schema.ts';
import { CredentialsBodySchema, SchoolPathSchema } from './schema.ts';

const view = (credentials: CredentialsView): z.output<typeof CredentialsViewSchema> => ({ clientId: credentials.clientId, sandbox: credentials.sandbox, verifiedAt: isoDate(credentials.verifiedAt) });
const noSchool = (schoolId: string) => new AppError('SCHOOL.NOT_FOUND', `no school ${schoolId}`);

/** PUT/GET/DELETE /schools/{schoolId}/hotmart-credentials: never a secret in an answer or a log. */
export function credentialsRoutes(deps: SchoolCredentialsDeps, logger: Logger) {
  return routeByKey({
    'PUT /schools/{schoolId}/hotmart-credentials': async (event) => {
      const { schoolId } = validate(SchoolPathSchema, event.pathParameters ?? {}, 'path');
      const input = validate(CredentialsBodySchema, jsonBody(event), 'body');
      const outcome = await connectHotmart(schoolId, input, deps);
      switch (outcome.kind) {
        case 'noSchool':
          throw noSchool(schoolId);
        case 'rejected':
          logger.info('hotmart refused credentials', { schoolId, status: outcome.hotmart.status, error: outcome.hotmart.error });
          throw new AppError('CREDENTIALS.REJECTED', `Hotmart refused these credentials: it answered ${outcome.hotmart.status}${outcome.hotmart.error ? ` ${outcome.hotmart.error}` : ''}`, undefined, { hotmart: outcome.hotmart });
        case 'unreachable':
          logger.error('hotmart unreachable while checking credentials', { schoolId, reason: outcome.reason });
          throw new AppError('HOTMART.UNREACHABLE', 'Hotmart could not be asked to check these credentials; nothing was stored, retry later');
        case 'connected':
          logger.info('hotmart credentials stored', { schoolId, sandbox: outcome.credentials.sandbox });
          return json(200, view(outcome.credentials));
      }
    },
    'GET /schools/{schoolId}/hotmart-credentials': async (event) => {
      const { schoolId } = validate(SchoolPathSchema, event.pathParameters ?? {}, 'path');
      const read = await readHotmartConnection(schoolId, deps);
      if (read.kind === 'noSchool') throw noSchool(schoolId);
      if (read.kind === 'none') throw new AppError('CREDENTIALS.NOT_FOUND', `school ${schoolId} has no Hotmart credentials`);
      return json(200, view(read.credentials));
    },
    'DELETE /schools/{schoolId}/hotmart-credentials': async (event) => {
      const { schoolId } = validate(SchoolPathSchema, event.pathParameters ?? {}, 'path');
      if ((await disconnectHotmart(schoolId, deps)) === 'noSchool') throw noSchool(schoolId);
      logger.info('hotmart credentials removed', { schoolId });
      return noContent();
    },
  });
}
