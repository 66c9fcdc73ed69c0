import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, jsonBodyDoc, pageOf } from '#lib/http/api-doc.ts';
import { SchoolDeletedSchema, SchoolInputSchema, SchoolListSchema, SchoolPathSchema, SchoolViewSchema, SchoolWithStatusSchema, TokenInputSchema } from './schema.ts';

const base = { tags: ['schools'], auth: 'iam', params: SchoolPathSchema } as const;

export const routes: RouteDoc[] = [
  {
    ...base,
    method: 'PUT',
    path: '/schools/{schoolId}',
    summary: 'Create a school, or rename it',
    body: jsonBodyDoc(SchoolInputSchema),
    responses: {
      200: { description: 'Renamed', schema: SchoolViewSchema },
      201: { description: 'Created', schema: SchoolViewSchema, headers: { location: 'The school' } },
      ...errors(400, 413),
    },
  },
  {
    ...base,
    method: 'GET',
    path: '/schools/{schoolId}',
    summary: "A school and its status (token, credentials, deliveries, waiting purchases, reconciliation)",
    responses: { 200: { description: 'The school', schema: SchoolWithStatusSchema }, ...errors(400, 404) },
  },
  {
    ...base,
    method: 'DELETE',
    path: '/schools/{schoolId}',
    summary: 'Delete a school: its data is erased in the background',
    responses: { 202: { description: 'Deleted; erasure started (or left to the scheduled sweep)', schema: SchoolDeletedSchema }, ...errors(400, 404) },
  },
  {
    tags: ['schools'],
    auth: 'iam',
    method: 'GET',
    path: '/schools',
    summary: 'List the schools',
    query: SchoolListSchema,
    responses: { 200: { description: 'A page of schools', schema: pageOf(SchoolViewSchema) }, ...errors(400) },
  },
  {
    ...base,
    method: 'PUT',
    path: '/schools/{schoolId}/hottok',
    summary: "Set the school's webhook token (the one before it stays accepted until dropped)",
    body: jsonBodyDoc(TokenInputSchema),
    responses: { 204: { description: 'Set' }, ...errors(400, 404, 413) },
  },
  {
    ...base,
    method: 'DELETE',
    path: '/schools/{schoolId}/hottok/previous',
    summary: 'Stop accepting the previous webhook token',
    responses: { 204: { description: 'Dropped' }, ...errors(400, 404) },
  },
];
