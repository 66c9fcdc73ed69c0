import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, jsonBodyDoc, SCHOOL_ERRORS } from '#lib/http/api-doc.ts';
import { EnrollmentViewSchema, ManualEnrollmentPathSchema, ManualGrantSchema } from './schema.ts';

const base = { tags: ['students'], auth: 'iam', params: ManualEnrollmentPathSchema, path: '/schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}' } as const;

export const routes: RouteDoc[] = [
  {
    ...base,
    method: 'PUT',
    summary: 'Grant a student access by hand (replacing an earlier grant); access a purchase pays for is untouched',
    body: { ...jsonBodyDoc(ManualGrantSchema, false), description: 'A note and an exclusive end (`until`), both optional; no body grants for good' },
    responses: {
      200: { description: 'Replaced an earlier grant: the enrollment as it now is', schema: EnrollmentViewSchema },
      201: { description: 'Granted: the enrollment as it now is', schema: EnrollmentViewSchema },
      ...errors(...SCHOOL_ERRORS, 413),
    },
  },
  {
    ...base,
    method: 'DELETE',
    summary: 'Remove a manual grant (only it)',
    responses: { 204: { description: 'Removed' }, ...errors(...SCHOOL_ERRORS) },
  },
];
