import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, jsonBodyDoc, pageOf, SCHOOL_ERRORS } from '#lib/http/api-doc.ts';
import {
  ErasureAnswerSchema,
  EventPathSchema,
  EventReplayAnswerSchema,
  QuarantineListSchema,
  QuarantinePathSchema,
  QuarantineReplayAnswerSchema,
  QuarantineReplaySchema,
  QuarantineViewSchema,
  StudentPathSchema,
} from './schema.ts';

export const routes: RouteDoc[] = [
  {
    tags: ['quarantine'],
    auth: 'iam',
    method: 'GET',
    path: '/schools/{schoolId}/quarantine',
    summary: 'Deliveries that could not be read as Hotmart events (redacted)',
    query: QuarantineListSchema,
    responses: { 200: { description: 'A page of quarantined deliveries', schema: pageOf(QuarantineViewSchema) }, ...errors(...SCHOOL_ERRORS) },
  },
  {
    tags: ['quarantine'],
    auth: 'iam',
    method: 'POST',
    path: '/schools/{schoolId}/quarantine/{id}/replay',
    summary: 'Replay a quarantined delivery, optionally with a corrected body',
    params: QuarantinePathSchema,
    body: { ...jsonBodyDoc(QuarantineReplaySchema, false), description: 'A corrected copy of the delivery; without a body, the stored one is replayed' },
    responses: { 200: { description: 'Applied, or quarantined again', schema: QuarantineReplayAnswerSchema }, ...errors(...SCHOOL_ERRORS, 413) },
  },
  {
    tags: ['events'],
    auth: 'iam',
    method: 'POST',
    path: '/schools/{schoolId}/events/{eventId}/replay',
    summary: 'Apply a stored event again (e.g. after its mapping changed)',
    params: EventPathSchema,
    responses: { 200: { description: 'What applying it did', schema: EventReplayAnswerSchema }, ...errors(...SCHOOL_ERRORS) },
  },
  {
    tags: ['students'],
    auth: 'iam',
    method: 'DELETE',
    path: '/schools/{schoolId}/students/{email}',
    summary: "Erase a student's personal data (LGPD): the e-mail and name are replaced by a pseudonym everywhere",
    params: StudentPathSchema,
    responses: { 200: { description: 'Erased', schema: ErasureAnswerSchema }, ...errors(...SCHOOL_ERRORS) },
  },
];
