import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, SCHOOL_ERRORS } from '#lib/http/api-doc.ts';
import { EnrollmentQuerySchema, EnrollmentsAnswerSchema, EventPathSchema, EventViewSchema } from './schema.ts';

export const routes: RouteDoc[] = [
  {
    tags: ['enrollments'],
    auth: 'iam',
    method: 'GET',
    path: '/schools/{schoolId}/enrollments',
    summary: "A student's enrollments (email), a subscription's (subscriberCode), or a target's roster (targetType and targetId, paginated)",
    description: 'Give exactly one of: `email`; `subscriberCode`; `targetType` and `targetId` (with `limit` and `cursor`). Access (`hasAccess`, `accessUntil`) is derived when read.',
    query: EnrollmentQuerySchema,
    responses: { 200: { description: 'The enrollments', schema: EnrollmentsAnswerSchema }, ...errors(...SCHOOL_ERRORS) },
  },
  {
    tags: ['events'],
    auth: 'iam',
    method: 'GET',
    path: '/schools/{schoolId}/events/{eventId}',
    summary: 'A stored event and what applying it did',
    params: EventPathSchema,
    responses: { 200: { description: 'The event', schema: EventViewSchema }, ...errors(...SCHOOL_ERRORS) },
  },
];
