import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors, pageOf } from '#lib/http/api-doc.ts';
import { AuditListSchema, AuditPathSchema, AuditRecordViewSchema } from './schema.ts';

export const routes: RouteDoc[] = [
  {
    tags: ['audit'],
    auth: 'iam',
    method: 'GET',
    path: '/schools/{schoolId}/audit',
    summary: "The school's audit trail: every administrative write, newest first (kept a year)",
    description: "Read by the school id: a deleted school's trail stays readable; an id never used has an empty trail.",
    params: AuditPathSchema,
    query: AuditListSchema,
    responses: { 200: { description: 'A page of records', schema: pageOf(AuditRecordViewSchema) }, ...errors(400) },
  },
];

