import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, jsonBodyDoc, pageOf, SCHOOL_ERRORS } from '#lib/http/api-doc.ts';
import { RunListSchema, RunPathSchema, RunViewSchema, windowSchema } from './schema.ts';

const base = { tags: ['reconciliations'], auth: 'iam' } as const;

export const routes: RouteDoc[] = [
  {
    ...base,
    method: 'POST',
    path: '/schools/{schoolId}/reconciliations',
    summary: "Start a reconciliation run over a window (ISO dates; `to` defaults to now; at most 62 days)",
    body: jsonBodyDoc(windowSchema(0)),
    responses: {
      202: { description: 'Started', schema: RunViewSchema, headers: { location: 'The run' } },
      ...errors(...SCHOOL_ERRORS, 413),
      409: { description: 'A run of the school is in progress (`error.run` shows it) or starting', schema: errors(409)[409]!.schema },
    },
  },
  {
    ...base,
    method: 'GET',
    path: '/schools/{schoolId}/reconciliations',
    summary: "The school's runs, newest first",
    query: RunListSchema,
    responses: { 200: { description: 'A page of runs', schema: pageOf(RunViewSchema) }, ...errors(...SCHOOL_ERRORS) },
  },
  {
    ...base,
    method: 'GET',
    path: '/schools/{schoolId}/reconciliations/{id}',
    summary: 'One run and its report',
    params: RunPathSchema,
    responses: { 200: { description: 'The run', schema: RunViewSchema }, ...errors(...SCHOOL_ERRORS) },
  },
];
