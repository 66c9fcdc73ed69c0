import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, pageOf, SCHOOL_ERRORS } from '#lib/http/api-doc.ts';
import { EnrollmentQuerySchema, EnrollmentsAnswerSchema, EventPathSchema, EventQuerySchema, EventViewSchema } from './schema.ts';

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
    path: '/schools/{schoolId}/events',
    summary: "The stored events of one transaction (in the order they were received), or of one buyer's e-mail",
    description: 'Give exactly one of `transaction` and `email` (with `limit` and `cursor`).',
    query: EventQuerySchema,
    responses: { 200: { description: 'A page of events', schema: pageOf(EventViewSchema) }, ...errors(...SCHOOL_ERRORS) },
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
